from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration"),
    path("declarations/<int:pk>/edit/", views.declaration_edit, name="declaration_edit"),
    path("declarations/<int:pk>/history/", views.declaration_history, name="declaration_history"),
    path("declarations/<int:pk>/action/", views.declaration_action, name="declaration_action"),
    path("projects/<int:project_pk>/declarations/new/", views.declaration_create, name="declaration_create"),
]

from . import views_department  # noqa: E402

urlpatterns += [
    path(
        "departments/declarations/<int:pk>/",
        views_department.department_declaration_detail,
        name="department_declaration",
    ),
    path(
        "departments/declarations/<int:pk>/edit/",
        views_department.department_declaration_edit,
        name="department_declaration_edit",
    ),
    path(
        "departments/declarations/<int:pk>/history/",
        views_department.department_declaration_history,
        name="department_declaration_history",
    ),
    path(
        "departments/declarations/<int:pk>/action/",
        views_department.department_declaration_action,
        name="department_declaration_action",
    ),
]

from . import views_projects  # noqa: E402

urlpatterns += [
    path("projects/", views_projects.project_list, name="project_list"),
    path("projects/new/", views_projects.project_create, name="project_create"),
    path("projects/<int:pk>/edit/", views_projects.project_edit, name="project_edit"),
    path("profile/", views_projects.profile_edit, name="profile"),
    path("projects/<int:pk>/template.xlsx", views_projects.project_template, name="project_template"),
]

from . import views_monitoring  # noqa: E402

urlpatterns += [
    path("monitoring/<int:pk>/", views_monitoring.monitoring_detail, name="monitoring"),
    path("monitoring/<int:pk>/edit/", views_monitoring.monitoring_edit, name="monitoring_edit"),
    path("monitoring/<int:pk>/action/", views_monitoring.monitoring_action, name="monitoring_action"),
    path("monitoring/<int:pk>/decide/", views_monitoring.monitoring_decide, name="monitoring_decide"),
    path(
        "declarations/<int:declaration_pk>/monitoring/new/",
        views_monitoring.monitoring_create,
        name="monitoring_create",
    ),
]
