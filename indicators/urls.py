from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("parse/", views.parse, name="parse"),
    path("library/", views.library, name="library"),
]
