"""项目入库: finance staff enter and edit their department's projects (the 项目库 the yearly forms hang below)."""

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..access import can_manage_projects
from ..models import Department, Project

PROJECT_FIELDS = ("department", "key", "name", "project_type", "period_start", "period_end")


def suggest_key(department: Department, year: int) -> str:
    """A free 项目编码 for a new project: the department's code, the year and the next number (420112-zzb-2026-001)."""
    stem = re.sub(r"[^a-z0-9-]+", "-", department.code.lower()).strip("-") or f"dept{department.pk}"
    prefix = f"{stem}-{year}-"
    taken = set(Project.objects.filter(key__startswith=prefix).values_list("key", flat=True))
    number = 1
    while f"{prefix}{number:03d}" in taken:
        number += 1
    return f"{prefix}{number:03d}"


@transaction.atomic
def project_save(*, user, project: Project | None = None, data: dict) -> Project:
    """Create a project (``project`` None) or change one, from cleaned data (``PROJECT_FIELDS``); the user must be
    allowed to manage the projects of both the project's current and its new department."""
    if project is not None:
        project = Project.objects.select_for_update().get(pk=project.pk)
        if not can_manage_projects(user, project.department_id):
            raise PermissionDenied("只有本部门的填报人可以修改项目。")
    else:
        project = Project()
    department = data["department"]
    if not can_manage_projects(user, department.pk):
        raise PermissionDenied("只能为你所在的部门录入项目。")
    for name in PROJECT_FIELDS:
        setattr(project, name, data.get(name))
    project.full_clean()
    project.save()
    return project
