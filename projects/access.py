"""Role and department scope, in one place for views, API, exports and admin alike.

A user sees their own department and its internal offices; auditors, administrators and
superusers see every department. ``for_user`` on the scoped querysets applies this.
"""

from django.db import models

from .choices import Role


def visible_department_ids(user) -> list[int] | None:
    """Ids of the departments ``user`` may read; None means every department; [] means none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser or user.role in {Role.AUDITOR, Role.ADMIN}:
        return None
    if user.department_id is None:
        return []
    cached = getattr(user, "_visible_department_ids", None)
    if cached is not None and cached[0] == user.department_id:
        return list(cached[1])

    # The department model is read from the user's foreign key: the models use this module, not the other way.
    Department = user._meta.get_field("department").related_model
    ids, frontier = [user.department_id], [user.department_id]
    while frontier:  # the tree is shallow (department → offices), a loop of one or two queries
        frontier = list(Department.objects.filter(parent_id__in=frontier).order_by().values_list("id", flat=True))
        ids.extend(frontier)
    # Remembered on the user object, that is for one request (or one test), not across requests.
    user._visible_department_ids = (user.department_id, tuple(ids))
    return ids


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the lookup from its model to the owning department."""

    department_lookup = "department"

    def for_user(self, user):
        ids = visible_department_ids(user)
        if ids is None:
            return self
        return self.filter(**{f"{self.department_lookup}__in": ids})


def scoped_queryset(lookup: str) -> type[ScopedQuerySet]:
    return type(f"ScopedQuerySet_{lookup}", (ScopedQuerySet,), {"department_lookup": lookup})


def can_edit_department(user, department_id: int | None) -> bool:
    """Finance staff and heads edit their own department's forms; administrators edit all; auditors none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    if user.role not in {Role.FINANCE, Role.HEAD}:
        return False
    ids = visible_department_ids(user)
    return ids is not None and department_id in ids
