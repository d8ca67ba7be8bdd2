"""perfbudget: 预算绩效管理."""

from .celery import app as celery_app

__all__ = ["celery_app"]
