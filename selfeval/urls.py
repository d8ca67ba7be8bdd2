from django.urls import path

from . import views, views_printed

app_name = "selfeval"

urlpatterns = [
    path("<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("<int:pk>/edit/", views.evaluation_edit, name="evaluation_edit"),
    path("<int:pk>/preview/", views.evaluation_preview, name="evaluation_preview"),
    path("<int:pk>/action/", views.evaluation_action, name="evaluation_action"),
    path("<int:pk>/sign/", views.evaluation_sign_confirm, name="evaluation_sign"),
    path("<int:pk>/printed/", views_printed.evaluation_printed, name="evaluation_printed"),
    path("<int:pk>/printed.xlsx", views_printed.evaluation_printed_template, name="evaluation_printed_template"),
    path("<int:pk>/history/", views.evaluation_history, name="evaluation_history"),
    path("<int:pk>/rescale-weights/", views.evaluation_rescale_weights, name="evaluation_rescale_weights"),
    path("from-declaration/<int:declaration_pk>/", views.evaluation_create, name="evaluation_create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path(
        "from-department-declaration/<int:declaration_pk>/",
        views.department_evaluation_create,
        name="department_evaluation_create",
    ),
]
