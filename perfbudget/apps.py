"""The third-party apps under the names the admin shows (the admin reads Chinese, like the paper forms)."""

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    """django-axes (login lockout) as 登录安全; its models' names come from locale/zh_Hans."""

    verbose_name = "登录安全"
