"""Signals of the declaration workflow (sent once the transaction has committed)."""

from django.dispatch import Signal

from .models import DepartmentDeclaration, ProjectDeclaration

# sender: the declaration's model class; declaration: the approved ProjectDeclaration or DepartmentDeclaration
declaration_approved = Signal()
# sender: MonitoringForm; form_id: the monitoring form just approved by the head
monitoring_approved = Signal()


def touch_declaration(sender, instance, raw=False, **kwargs) -> None:
    """A row of a declaration was saved or deleted by whatever path (the page, the admin, an import): the
    declaration's last change moves with it, so that stale copies and stored checks notice (not for loaddata)."""
    from django.utils import timezone

    if raw:
        return
    now = timezone.now()
    for field, model in (("project_declaration_id", ProjectDeclaration), ("declaration_id", ProjectDeclaration),
                         ("department_declaration_id", DepartmentDeclaration)):  # fmt: skip
        pk = getattr(instance, field, None)
        if pk:
            model.objects.filter(pk=pk).update(updated_at=now)
