"""Celery tasks of the self-evaluations."""

from celery import shared_task
from django.db import transaction

from projects.services.pool import worker_processes

from .services.checks import refresh_all


@shared_task(acks_late=True, bind=True, name="selfeval.tasks.refresh_stale_checks")
def refresh_stale_checks(self) -> tuple[int, int, int]:
    """Make again the stored checks a scheme edit (or a new checker) left stale, before anyone reads them; over
    worker processes in a Celery worker, in this process when run eagerly (a web request without a broker)."""
    with worker_processes(not self.request.is_eager):
        return refresh_all()


def on_scheme_changed(sender, instance, raw=False, **kwargs) -> None:
    """A scoring scheme or one of its sections was saved or deleted: its forms' checks are stale (a restore's
    raw saves are not edits: ``restore`` remakes what it needs itself)."""
    if not raw:
        transaction.on_commit(refresh_stale_checks.delay)
