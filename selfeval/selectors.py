"""Reads of self-evaluations that span relations, of the home page (each project's declaration and
self-evaluation of a year), of the working year and of the 待办 list, with a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from projects.access import visible_department_ids
from projects.choices import DeclarationStatus, ProjectType, Role
from projects.models import DepartmentDeclaration, MonitoringForm, Project, ProjectDeclaration, SchemeSection
from projects.page_cache import reference_version
from projects.precompiled import fetch_all, fetch_one, prefetched

from .choices import EvaluationStatus
from .models import (
    EvaluationEvent,
    EvaluationFunding,
    EvaluationGoal,
    EvaluationRow,
    EvaluationSection,
    SelfEvaluation,
)
from .services.checks import monitoring_changed, with_current_checks


def evaluations_for(user) -> QuerySet[SelfEvaluation]:
    """The self-evaluations ``user`` may read, with what a list shows."""
    return SelfEvaluation.objects.for_user(user).select_related("department", "project", "scheme")


def _with_rows(*, for_update: bool) -> QuerySet[SelfEvaluation]:
    # The parts of one form ordered by their own 序号 only: their models' default ordering starts with the form's (its
    # year, department, kind and project: three joins for a list of one form's parts).
    qs = (
        SelfEvaluation.objects.select_related("department", "project", "scheme")
        # part of its stored check's basis; the reference data's version, as its page's stamp reads it
        .annotate(monitoring_changed=monitoring_changed(), reference_version=reference_version())
        .prefetch_related(
            Prefetch("scheme__sections", queryset=SchemeSection.objects.order_by("seq")),
            Prefetch("sections", queryset=EvaluationSection.objects.order_by("seq")),
            Prefetch("funding_rows", queryset=EvaluationFunding.objects.order_by("seq")),
            Prefetch("goals", queryset=EvaluationGoal.objects.order_by("seq")),
            Prefetch("rows", queryset=EvaluationRow.objects.select_related("level1", "level2", "goal").order_by("seq")),
        )
    )
    return qs.select_for_update(of=("self",)) if for_update else qs


def evaluation_with_rows(pk: int, *, for_update: bool = False, user=None) -> SelfEvaluation:
    """One self-evaluation with its scheme, sections, funding rows, goals and indicator rows (6 queries); with
    ``user``, only one in that user's scope (DoesNotExist otherwise), read in the same queries, the form's own query
    compiled once per process (``projects.precompiled``: the pages, the preview and the saves read it each time)."""
    if user is not None and not for_update:
        return fetch_one("evaluation_with_rows", _scoped_with_rows, pk, visible_department_ids(user))
    qs = _with_rows(for_update=for_update)
    return (qs.for_user(user) if user is not None else qs).get(pk=pk)


def _scoped_with_rows(pk: int, scope: list[int] | None) -> QuerySet[SelfEvaluation]:
    return _with_rows(for_update=False).for_departments(scope).filter(pk=pk)


def evaluation_head(pk: int, *, user) -> SelfEvaluation:
    """One self-evaluation in ``user``'s scope (DoesNotExist otherwise) with what its page prints around the sheet
    (department, project, scheme with its sections, stored check, signer) and the stamps its cached sheet is keyed
    on (``projects.page_cache``): its monitoring forms' last change (``monitoring_changed``, as the stored check's
    basis reads it) and the reference data's version. Its rows are not read (2 queries, each compiled once)."""
    head = fetch_one("evaluation_head", _evaluation_head, pk, visible_department_ids(user))
    prefetched(head.scheme, "sections", fetch_all("scheme_sections", _scheme_sections, head.scheme_id))
    return head


def _evaluation_head(pk: int, scope: list[int] | None) -> QuerySet[SelfEvaluation]:
    return (
        SelfEvaluation.objects.for_departments(scope)
        .select_related("department", "project", "scheme", "check_result", "signed_by")
        .annotate(monitoring_changed=monitoring_changed(), reference_version=reference_version())
        .filter(pk=pk)
    )


def _scheme_sections(scheme_id: int) -> QuerySet[SchemeSection]:
    return SchemeSection._default_manager.filter(scheme_id=scheme_id)  # as ``scheme.sections.all()`` reads them


def evaluation_events(evaluation: SelfEvaluation) -> list[EvaluationEvent]:
    """The form's workflow steps, oldest first, with their users (one query, compiled once)."""
    return fetch_all("evaluation_events", _evaluation_events, evaluation.pk)


def _evaluation_events(pk: int) -> QuerySet[EvaluationEvent]:
    return EvaluationEvent._default_manager.filter(evaluation_id=pk).select_related("user")


def years_for(user) -> list[int]:
    years = set(ProjectDeclaration.objects.for_user(user).order_by().values_list("year", flat=True).distinct())
    years |= set(SelfEvaluation.objects.for_user(user).order_by().values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


HOME_PAGE_SIZE = 50


def home_projects(user, year: int, department_id: int | None = None) -> QuerySet[Project]:
    """The projects the home page lists for ``year``, whatever their type: those with a form that year, those
    whose 项目期 covers the year (a declaration to start), the recurring ones unless their period has ended, and
    projects entered without a period that were never declared."""
    qs = Project.objects.for_user(user)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    # Correlated EXISTS: each listed project looks its forms up by (project, year); an IN over the year's forms
    # reads all of the province's (10 000 rows) for a page of 50.
    with_forms = Q(Exists(ProjectDeclaration.objects.filter(project=OuterRef("pk"), year=year))) | Q(
        Exists(SelfEvaluation.objects.filter(project=OuterRef("pk"), year=year))
    )
    in_period = (
        (Q(period_start__isnull=False) | Q(period_end__isnull=False))
        & (Q(period_start__isnull=True) | Q(period_start__lte=year))
        & (Q(period_end__isnull=True) | Q(period_end__gte=year))
    )
    recurring = Q(project_type__in=[ProjectType.RECURRING, ProjectType.CONTINUING]) & (
        Q(period_end__isnull=True) | Q(period_end__gte=year)
    )
    never_declared = Q(period_start__isnull=True, period_end__isnull=True) & ~Q(
        Exists(ProjectDeclaration.objects.filter(project=OuterRef("pk")))
    )
    return qs.filter(with_forms | in_period | recurring | never_declared).order_by("department__code", "name", "pk")


def with_last_step(qs: QuerySet[SelfEvaluation]) -> QuerySet[SelfEvaluation]:
    """Annotate each form with its latest workflow step (``last_action``, ``last_comment``): a draft whose last
    step is a return shows the head's comment to finance staff."""
    latest = EvaluationEvent.objects.filter(evaluation=OuterRef("pk")).order_by("-at", "-id")
    return qs.annotate(
        last_action=Subquery(latest.values("action")[:1]), last_comment=Subquery(latest.values("comment")[:1])
    )


def home_rows(user, year: int, projects=None) -> list[dict]:
    """One row per project (of ``projects``, a page of ``home_projects``): its declaration and self-evaluation, the
    latter with its current stored check as ``figures`` (a fixed number of queries)."""
    projects = (
        (projects if projects is not None else home_projects(user, year))
        .select_related("department")
        .prefetch_related(
            Prefetch(
                "declarations",
                queryset=ProjectDeclaration.objects.filter(year=year).prefetch_related(
                    Prefetch("monitoring_forms", queryset=MonitoringForm.objects.select_related("period"))
                ),
                to_attr="year_declarations",
            ),
            Prefetch(
                "self_evaluations",
                queryset=with_last_step(SelfEvaluation.objects.filter(year=year)),
                to_attr="year_evaluations",
            ),
        )
    )
    projects = list(projects)
    evaluations = [e for project in projects for e in project.year_evaluations[:1]]
    with_current_checks(evaluations)
    return [
        {
            "project": project,
            "declaration": project.year_declarations[0] if project.year_declarations else None,
            "evaluation": project.year_evaluations[0] if project.year_evaluations else None,
        }
        for project in projects
    ]


def evaluations_waiting_for(user, year: int):
    """Self-evaluations that wait for this user: drafts for finance staff, submitted ones for heads to sign."""
    qs = with_last_step(SelfEvaluation.objects.for_user(user).filter(year=year).select_related("project", "department"))
    if user.role == Role.FINANCE:
        return qs.filter(status="draft")
    if user.role == Role.HEAD:
        return qs.filter(status="submitted")
    return qs.none()


# -- the working year and the 待办 list ----------------------------------------------------------------


def working_year(user, today: date) -> int:
    """The year a user's home page opens on. Self-evaluations are made for the year that ended (today's year − 1),
    declarations for the coming budget year (today's year + 1). Auditors read self-evaluations: the last year,
    or the latest earlier year holding any. Finance staff and heads open on the last year while its
    self-evaluation work is not done (a form not yet signed, an approved declaration without its form), else on
    the coming budget year."""
    evaluation_year, budget_year = today.year - 1, today.year + 1
    evaluations = SelfEvaluation.objects.for_user(user)
    if user.role not in {Role.FINANCE, Role.HEAD}:
        latest = evaluations.filter(year__lte=evaluation_year).order_by("-year").values_list("year", flat=True)
        return latest.first() or evaluation_year
    unsigned = evaluations.filter(year=evaluation_year).exclude(status=EvaluationStatus.SIGNED)
    to_start = (
        ProjectDeclaration.objects.for_user(user)
        .filter(year=evaluation_year, status=DeclarationStatus.APPROVED)
        .exclude(project__self_evaluations__year=evaluation_year)
    )
    return evaluation_year if unsigned.exists() or to_start.exists() else budget_year


def new_signed_days() -> int:
    return settings.PERFBUDGET_NEW_SIGNED_DAYS


def new_signed_since(now=None):
    """An auditor's 待办 holds the forms signed in the last ``PERFBUDGET_NEW_SIGNED_DAYS`` days (settings, 14 by
    default): new work to read, without a per-auditor read mark to keep."""
    return (now or timezone.now()) - timedelta(days=new_signed_days())


@dataclass(frozen=True)
class Todo:
    """What waits for a user across all years: project declarations, 部门整体 declarations and self-evaluations,
    each a queryset."""

    declarations: QuerySet
    overall: QuerySet
    evaluations: QuerySet

    @property
    def count(self) -> int:
        """The three kinds counted in one query (the navigation shows it on every page)."""
        parts = [qs.order_by().values("pk") for qs in (self.declarations, self.overall, self.evaluations)]
        return parts[0].union(*parts[1:], all=True).count()


def todo_for(user) -> Todo:
    """Finance staff: forms returned to them; heads: forms submitted to them (and adjustment requests);
    auditors: forms signed lately (``new_signed_since``); others: nothing."""
    declarations = ProjectDeclaration.objects.for_user(user).select_related("project__department")
    overall = DepartmentDeclaration.objects.for_user(user).select_related("department")
    evaluations = with_last_step(SelfEvaluation.objects.for_user(user).select_related("project", "department"))
    role = getattr(user, "role", None)
    if role == Role.FINANCE:
        declarations = declarations.filter(status=DeclarationStatus.RETURNED)
        overall = overall.filter(status=DeclarationStatus.RETURNED)
        evaluations = evaluations.filter(status=EvaluationStatus.DRAFT, last_action="return")
    elif role == Role.HEAD:
        declarations = declarations.filter(Q(status=DeclarationStatus.SUBMITTED) | Q(adjustment_requested=True))
        overall = overall.filter(Q(status=DeclarationStatus.SUBMITTED) | Q(adjustment_requested=True))
        evaluations = evaluations.filter(status=EvaluationStatus.SUBMITTED)
    elif role == Role.AUDITOR:
        declarations, overall = declarations.none(), overall.none()
        evaluations = evaluations.filter(status=EvaluationStatus.SIGNED, signed_at__gte=new_signed_since())
    else:
        declarations, overall, evaluations = declarations.none(), overall.none(), evaluations.none()
    return Todo(
        declarations=declarations.order_by("-year", "project__name", "pk"),
        overall=overall.order_by("-year", "department__code", "pk"),
        evaluations=evaluations.order_by("-year", "department__code", "pk"),
    )
