from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("declarations/<int:pk>/xlsx/", views.declaration_xlsx, name="declaration_xlsx"),
    path("declarations/import/", views.declaration_import_view, name="declaration_import"),
]
