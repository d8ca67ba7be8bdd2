"""Reads for the pages: what a user sees, in a fixed number of queries."""

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from projects.models import Indicator

from .access import visible_department_ids
from .choices import DeclarationStatus, Role
from .models import DeclarationEvent, DepartmentDeclaration, MonitoringForm, Project, ProjectDeclaration
from .page_cache import reference_version
from .precompiled import fetch_all, fetch_one, prefetched


def waiting_for(user, year: int) -> QuerySet[ProjectDeclaration]:
    """Declarations that wait for this user: drafts and returned ones for finance staff, submitted ones for heads."""
    qs = ProjectDeclaration.objects.for_user(user).filter(year=year).select_related("project__department")
    if user.role == Role.FINANCE:
        return qs.filter(status__in=[DeclarationStatus.DRAFT, DeclarationStatus.RETURNED])
    if user.role == Role.HEAD:
        return qs.filter(Q(status=DeclarationStatus.SUBMITTED) | Q(adjustment_requested=True))
    return qs.none()


def declaration_page(pk: int, *, user=None) -> ProjectDeclaration:
    """A declaration with everything its page shows; with ``user``, only one in that user's scope (DoesNotExist
    otherwise), read in the same queries."""
    qs = ProjectDeclaration.objects.for_user(user) if user is not None else ProjectDeclaration.objects.all()
    return (
        qs.select_related("project__department", "submitted_by", "reviewed_by", "scheme")
        .prefetch_related(
            "basis_items",
            "prior_years",
            "funding_sources",
            "expense_items",
            "procurement_items",
            "goals",
            Prefetch(
                "indicators", queryset=Indicator.objects.select_related("level1", "level2", "goal").order_by("seq")
            ),
            "events__user",
        )
        .get(pk=pk)
    )


def declaration_head(pk: int, *, user) -> ProjectDeclaration:
    """A declaration in ``user``'s scope (DoesNotExist otherwise) with what its page prints around the sheet (project,
    department, scheme, who submitted and reviewed it, its workflow steps) and the stamps its cached sheet is keyed on
    (``page_cache``): the previous declaration it is compared with, and the reference data's version. Its rows are
    not read (2 queries, each compiled once)."""
    head = fetch_one("declaration_head", _declaration_head, pk, visible_department_ids(user))
    prefetched(head, "events", fetch_all("declaration_events", _declaration_events, head.pk))
    return head


def _declaration_events(pk: int) -> QuerySet[DeclarationEvent]:
    return DeclarationEvent._default_manager.filter(project_declaration_id=pk).select_related("user")


def declaration_monitoring_forms(declaration: ProjectDeclaration) -> list[MonitoringForm]:
    """The declaration's monitoring forms with their periods, by month (one query, compiled once)."""
    return fetch_all("declaration_monitoring_forms", _monitoring_forms, declaration.pk)


def _monitoring_forms(pk: int) -> QuerySet[MonitoringForm]:
    return MonitoringForm._default_manager.filter(declaration_id=pk).select_related("period").order_by("end_month")


def _declaration_head(pk: int, scope: list[int] | None) -> QuerySet[ProjectDeclaration]:
    previous = ProjectDeclaration.objects.filter(project=OuterRef("project"), year__lt=OuterRef("year")).order_by(
        "-year"
    )
    # Last year's self-evaluation, whose grade and unmet rows the target review shows (``review.data``); read
    # through the project's reverse relation: the self-evaluations live in the app above this one.
    evaluations = Project._meta.get_field("self_evaluations").related_model.objects
    prior = evaluations.filter(project=OuterRef("project"), year=OuterRef("year") - 1)
    return (
        ProjectDeclaration.objects.for_departments(scope)
        .select_related("project__department", "submitted_by", "reviewed_by", "scheme")
        .annotate(
            previous_pk=Subquery(previous.values("pk")[:1]),
            previous_changed=Subquery(previous.values("updated_at")[:1]),
            prior_changed=Subquery(prior.values("updated_at")[:1]),
            prior_checked=Subquery(prior.values("check_result__checked_at")[:1]),
            reference_version=reference_version(),
        )
        .filter(pk=pk)
    )


def department_declaration_page(pk: int) -> DepartmentDeclaration:
    """A department overall declaration with everything its page shows."""
    return (
        DepartmentDeclaration.objects.select_related("department", "scheme")
        .prefetch_related(
            "fund_lines",
            "goals",
            Prefetch("indicators", queryset=Indicator.objects.select_related("level1", "level2").order_by("seq")),
            "events__user",
        )
        .get(pk=pk)
    )


def monitoring_page(pk: int):
    """A monitoring form with everything its page shows (rows, budget lines, rule, log, decisions)."""
    return (
        MonitoringForm.objects.select_related(
            "declaration__project__department", "period__rule", "submitted_by", "reviewed_by"
        )
        .prefetch_related("budget_lines", "rows", "events__user", "decisions__decided_by")
        .get(pk=pk)
    )


def monitoring_forms_with_lights(queryset):
    """Monitoring forms with what their lights, department and decisions need, in a fixed number of queries (a list
    of lights, the API)."""
    return (
        queryset.select_related("declaration__project__department", "period__rule", "submitted_by", "reviewed_by")
        .prefetch_related("budget_lines", "rows", "decisions__decided_by")
        .order_by("-year", "declaration__project__department__code", "end_month", "declaration__project__key")
    )


def monitoring_board_forms(queryset):
    """Monitoring forms in the board's order (their lights come from their stored checks, loaded with the forms)."""
    return queryset.order_by(
        "-year", "declaration__project__department__code", "end_month", "declaration__project__key", "pk"
    )


def monitoring_record(declaration_id: int | None) -> MonitoringForm | None:
    """The declaration's latest submitted or approved monitoring form (the record the self-evaluation is read
    against), with its rows, budget lines and rule; None without one."""
    if declaration_id is None:
        return None
    return (
        MonitoringForm.objects.filter(
            declaration_id=declaration_id, status__in=[DeclarationStatus.SUBMITTED, DeclarationStatus.APPROVED]
        )
        .select_related("period__rule")
        .prefetch_related("rows", "budget_lines")
        .order_by("-end_month", "-pk")
        .first()
    )


def monitoring_records(declaration_ids) -> dict:
    """``monitoring_record`` of many declarations at once, by declaration (three queries for any number; a
    declaration without a record is absent). Of two records ending in the same month, the later made."""
    ids = sorted(set(declaration_ids))
    if not ids:
        return {}
    latest: dict[int, int] = {}
    listed = MonitoringForm.objects.filter(
        declaration_id__in=ids, status__in=[DeclarationStatus.SUBMITTED, DeclarationStatus.APPROVED]
    ).order_by("-end_month", "-pk")
    for pk, declaration_id in listed.values_list("pk", "declaration_id"):
        latest.setdefault(declaration_id, pk)
    if not latest:
        return {}
    forms = MonitoringForm.objects.filter(pk__in=latest.values()).select_related("period__rule")
    return {form.declaration_id: form for form in forms.prefetch_related("rows", "budget_lines")}


# The statuses in which a form waits on its filer after a return: a returned self-evaluation goes back to 草稿,
# a returned declaration or monitoring form is 已退回.
AWAITING_FILER = {DeclarationStatus.DRAFT, DeclarationStatus.RETURNED}


def returned_event(form, events: list | None = None):
    """The head's return a form is waiting on (its comment is shown on the form and its edit page), or None.

    Works for every form with workflow ``events`` (declarations, self-evaluations, monitoring forms);
    ``events`` are the form's events already loaded in order, if the caller has them."""
    if form.status not in AWAITING_FILER:
        return None
    if events is None:
        latest = form.events.select_related("user").order_by("-at", "-pk").first()
    else:
        latest = events[-1] if events else None
    return latest if latest is not None and latest.action == "return" else None
