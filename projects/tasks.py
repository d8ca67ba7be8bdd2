"""Celery tasks of the declarations."""

from celery import shared_task

from .models import MonitoringForm, ProjectDeclaration
from .services.checks import refresh_stale_declarations
from .services.monitoring_checks import refresh_stale_monitoring


@shared_task(acks_late=True, name="projects.tasks.refresh_declaration_checks")
def refresh_declaration_checks() -> int:
    """Make again the stored checks of declarations left stale (a new checker, a changed category table)."""
    _, made = refresh_stale_declarations(ProjectDeclaration.objects.all(), keep=True)
    return len(made)


@shared_task(acks_late=True, name="projects.tasks.refresh_monitoring_checks")
def refresh_monitoring_checks() -> int:
    """Make again the stored checks of monitoring forms left stale (a new lights engine, an edited rule)."""
    _, made = refresh_stale_monitoring(MonitoringForm.objects.all(), keep=True)
    return len(made)
