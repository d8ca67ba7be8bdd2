"""Who may do what, in one place for views, services, the API, templates, exports and the admin.

Scope: a user sees their own department and its internal offices; auditors, administrators and superusers
see every department (``visible_department_ids``; ``for_user`` on the scoped querysets applies it).

Rights: each right is one predicate written once here (``is_manager``, ``is_filer_of``, ``is_head_of``), and a
form's rights are one small object of flags (``Rights``): ``declaration_rights`` here, ``evaluation_rights``
in ``selfeval.access`` from the same predicates. Being a superuser makes a user an administrator, never a
department head: approvals and signatures are the head's alone.
"""

from dataclasses import dataclass

from django.db import connection, models

from .bulkwrite import ValuesUpdateQuerySet
from .choices import DeclarationStatus, Role
from .precompiled import run_prepared

EDITABLE_DECLARATION = {DeclarationStatus.DRAFT, DeclarationStatus.RETURNED}


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def reads_everything(user) -> bool:
    """Auditors, administrators and superusers: every department, and the trail an audit reads."""
    return _active(user) and (user.is_superuser or user.role in {Role.AUDITOR, Role.ADMIN})


def visible_department_ids(user) -> list[int] | None:
    """Ids of the departments ``user`` may read; None means every department; [] means none."""
    if not _active(user):
        return []
    if reads_everything(user):
        return None
    return own_department_ids(user)


def own_department_ids(user) -> list[int]:
    """Ids of the user's own department and its internal offices, whatever else the user may read."""
    if user.department_id is None:
        return []
    cached = getattr(user, "_visible_department_ids", None)
    if cached is not None and cached[0] == user.department_id:
        return list(cached[1])
    # The department model is read from the user's foreign key: the models use this module, not the other way.
    field = user._meta.get_field("department")
    ids, department = _subtree(field.related_model, user.department_id)
    if department is not None and not field.is_cached(user):
        field.set_cached_value(user, department)  # the navigation prints it: not read again
    # Remembered on the user object, that is for one request (or one test), not across requests.
    user._visible_department_ids = (user.department_id, tuple(ids))
    return ids


SUBTREE_FIELDS = ["id", "code", "name", "short_name", "region", "division_code", "parent_id"]


def _subtree(Department, department_id: int) -> tuple[list[int], object]:
    """The ids of a department and of all its offices (own id first), and the department itself, in one query."""
    # The department's own row first (the navigation prints it); UNION ends a loop. Prepared once per connection.
    rows = run_prepared(
        """
        WITH RECURSIVE tree(id) AS (
            SELECT id FROM projects_department WHERE id = %s
            UNION SELECT d.id FROM projects_department d JOIN tree t ON d.parent_id = t.id
        )
        SELECT d.id, d.code, d.name, d.short_name, d.region, d.division_code, d.parent_id
        FROM projects_department d WHERE d.id IN (SELECT id FROM tree) ORDER BY d.id <> %s, d.id
        """,
        [department_id, department_id],
    )
    if not rows or rows[0][0] != department_id:
        return [department_id], None
    # A field added to the model and not read here is read when first used (deferred), never wrong.
    department = Department.from_db(connection.alias, SUBTREE_FIELDS, rows[0])
    return [row[0] for row in rows], department


class ScopedQuerySet(ValuesUpdateQuerySet):
    """A queryset that knows the lookup from its model to the owning department (several lookups: a row that
    belongs to either of two kinds of form, e.g. a goal of a project or of a department declaration)."""

    department_lookup: str | tuple[str, ...] = "department"

    def for_user(self, user):
        return self.for_departments(visible_department_ids(user))

    def for_departments(self, ids: list[int] | None):
        """What the departments ``ids`` own (``visible_department_ids``: None is every department)."""
        if ids is None:
            return self
        lookups = (self.department_lookup,) if isinstance(self.department_lookup, str) else self.department_lookup
        condition = models.Q()
        for lookup in lookups:
            condition |= models.Q(**{f"{lookup}__in": ids})
        return self.filter(condition)


def scoped_queryset(*lookups: str) -> type[ScopedQuerySet]:
    lookup = lookups[0] if len(lookups) == 1 else tuple(lookups)
    return type(f"ScopedQuerySet_{'_'.join(lookups)}", (ScopedQuerySet,), {"department_lookup": lookup})


# -- the predicates, each written once ---------------------------------------------------------------


def is_manager(user) -> bool:
    """Administrators (and superusers): manage everything in the admin, edit any department's drafts."""
    return _active(user) and (user.is_superuser or user.role == Role.ADMIN)


def in_scope(user, department_id: int | None) -> bool:
    ids = visible_department_ids(user)
    return ids is None or department_id in ids


def is_filer_of(user, department_id: int | None) -> bool:
    """Finance staff of the department (and administrators): enter projects, fill, submit, start forms."""
    if is_manager(user):
        return True
    return _active(user) and user.role == Role.FINANCE and in_scope(user, department_id)


def is_finance_of(user, department_id: int | None) -> bool:
    """Finance staff of the department only (administrators and superusers excluded): withdraw what their office
    submitted."""
    return _active(user) and not user.is_superuser and user.role == Role.FINANCE and in_scope(user, department_id)


def is_head_of(user, department_id: int | None) -> bool:
    """The department's head: approves, returns, signs and reopens. Nobody else, superusers included: a
    superuser with the head's role heads their own department only, not every department they can read."""
    return _active(user) and user.role == Role.HEAD and department_id in own_department_ids(user)


def can_edit_department(user, department_id: int | None) -> bool:
    """Finance staff and heads act on their own department's forms; administrators on all; auditors on none."""
    return is_manager(user) or (
        _active(user) and user.role in {Role.FINANCE, Role.HEAD} and in_scope(user, department_id)
    )


def can_manage_projects(user, department_id: int | None) -> bool:
    """Enter and edit the department's projects (项目入库): its finance staff and administrators; heads and
    auditors read the project list only."""
    return is_filer_of(user, department_id)


def can_enter_printed(user, department_id: int | None) -> bool:
    """Enter the figures a paper or Excel form from outside prints (rates, scores, total, grade) so that the checker
    compares them: the department's finance staff, auditors in their scope, administrators."""
    return is_manager(user) or (
        _active(user) and user.role in {Role.FINANCE, Role.AUDITOR} and in_scope(user, department_id)
    )


def can_read_export(user, owner_id: int | None) -> bool:
    """An export job is its owner's and the administrators'."""
    return _active(user) and (owner_id == user.pk or is_manager(user))


# -- a form's rights ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    """What one user may do with one form now; views, services, the API and templates read these flags."""

    edit: bool = False  # change the form's content (a declaration's draft, a self-evaluation's draft)
    submit: bool = False
    review: bool = False  # approve or return a submitted declaration
    request_adjustment: bool = False
    decide_adjustment: bool = False
    start_evaluation: bool = False
    sign: bool = False
    reopen: bool = False
    withdraw: bool = False  # take back a submitted form before the head acts on it (finance staff)
    send_back: bool = False  # return a submitted self-evaluation to finance staff with a comment (the head)
    enter_printed: bool = False  # enter the figures a form from outside prints (finance staff, auditors)
    decide: bool = False  # record a monitoring decision (继续执行 … 停止拨款): the head or the finance bureau


def declaration_department_id(declaration) -> int:
    """The department a project or department declaration belongs to."""
    project_id = getattr(declaration, "project_id", None)
    return declaration.project.department_id if project_id else declaration.department_id


def declaration_rights(user, declaration) -> Rights:
    """The rights of ``user`` on a 项目 or 部门整体 declaration in its current state."""
    department_id = declaration_department_id(declaration)
    filer, head = is_filer_of(user, department_id), is_head_of(user, department_id)
    status = declaration.status
    editable = status in EDITABLE_DECLARATION and filer
    return Rights(
        edit=editable,
        submit=editable,
        review=status == DeclarationStatus.SUBMITTED and head,
        request_adjustment=status == DeclarationStatus.APPROVED and not declaration.adjustment_requested and filer,
        decide_adjustment=bool(declaration.adjustment_requested) and head,
        start_evaluation=status == DeclarationStatus.APPROVED and filer,
        withdraw=status == DeclarationStatus.SUBMITTED and is_finance_of(user, department_id),
    )


def can_decide_monitoring(user, department_id: int | None) -> bool:
    """Record what happens to a monitored project (继续执行, 调整绩效目标, 调减预算, 暂缓/停止拨款): the department's head
    or the finance bureau (administrators)."""
    return is_head_of(user, department_id) or is_manager(user)


def monitoring_rights(user, form) -> Rights:
    """The rights of ``user`` on a 绩效目标执行监控表 in its current state (the declaration's department's)."""
    department_id = form.declaration.project.department_id
    editable = form.status in EDITABLE_DECLARATION and is_filer_of(user, department_id)
    return Rights(
        edit=editable,
        submit=editable,
        review=form.status == DeclarationStatus.SUBMITTED and is_head_of(user, department_id),
        decide=form.status != DeclarationStatus.DRAFT and can_decide_monitoring(user, department_id),
    )
