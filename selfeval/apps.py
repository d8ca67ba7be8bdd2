from django.apps import AppConfig


class SelfevalConfig(AppConfig):
    name = "selfeval"
    verbose_name = "绩效自评"
