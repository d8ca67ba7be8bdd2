"""Celery tasks of the self-evaluations."""

from celery import shared_task


@shared_task(acks_late=True)
def refresh_stale_checks() -> tuple[int, int]:
    """Make again the stored checks a scheme edit (or a new checker) left stale, before anyone reads them."""
    from .services.checks import refresh_all

    return refresh_all()


def on_scheme_changed(sender, instance, **kwargs) -> None:
    """A scoring scheme or one of its sections was saved or deleted: its forms' checks are stale."""
    from django.db import transaction

    transaction.on_commit(refresh_stale_checks.delay)
