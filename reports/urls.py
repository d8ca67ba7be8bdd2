from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("declarations/<int:pk>/xlsx/", views.declaration_xlsx, name="declaration_xlsx"),
    path("declarations/<int:pk>/pdf/", views.declaration_pdf, name="declaration_pdf"),
    path("department-declarations/<int:pk>/pdf/", views.department_declaration_pdf, name="department_declaration_pdf"),
    path("evaluations/<int:pk>/pdf/", views.evaluation_pdf, name="evaluation_pdf"),
    path("monitoring/<int:pk>/pdf/", views.monitoring_pdf, name="monitoring_pdf"),
    path("monitoring/<int:pk>/xlsx/", views.monitoring_xlsx, name="monitoring_xlsx"),
    path("monitoring/<int:pk>/import/", views.monitoring_import_view, name="monitoring_import"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<uuid:job_id>/", views.export_job, name="export_job"),
    path("exports/<uuid:job_id>/status/", views.export_status, name="export_status"),
    path("exports/<uuid:job_id>/download/", views.export_download, name="export_download"),
    path("declarations/import/", views.declaration_import_view, name="declaration_import"),
]
