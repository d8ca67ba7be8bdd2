"""Create departments and projects (administrators: the admin and the API)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..access import is_manager
from ..models import Department, Project


def _created(obj):
    obj.full_clean()  # every model rule (unique codes, the 行政区划 digits, the project's period) with its message
    obj.save()
    return obj


@transaction.atomic
def department_create(*, user, **values) -> Department:
    """A new department (with its 行政区划 code, which chooses its forms' schemes); administrators only."""
    if not is_manager(user):
        raise PermissionDenied("只有系统管理员可以新建部门。")
    return _created(Department(**values))


@transaction.atomic
def project_create(*, user, **values) -> Project:
    """A new project of a department (项目库); administrators only."""
    if not is_manager(user):
        raise PermissionDenied("只有系统管理员可以新建项目。")
    return _created(Project(**values))
