"""Root URLconf."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

admin.site.site_header = "预算绩效管理系统"
admin.site.site_title = "预算绩效管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(("perfbudget.api", "api"), namespace="api")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("indicators/", include("indicators.urls")),
    path("reports/", include("reports.urls")),
    path("selfeval/", include("selfeval.urls")),
    path("", views.home, name="home"),
    path("todo/", views.todo, name="todo"),
    path("healthz/", views.health, name="health"),
    path("", include("projects.urls")),
]
