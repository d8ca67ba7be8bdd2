"""Reads of self-evaluations that span relations, and of the home page (each project's declaration and
self-evaluation of a year), with a fixed number of queries."""

from django.db.models import Prefetch, Q, QuerySet

from projects.choices import Role
from projects.models import Project, ProjectDeclaration

from .models import EvaluationRow, SelfEvaluation
from .services.checks import with_current_checks


def evaluations_for(user) -> QuerySet[SelfEvaluation]:
    """The self-evaluations ``user`` may read, with what a list shows."""
    return SelfEvaluation.objects.for_user(user).select_related("department", "project", "scheme")


def evaluation_with_rows(pk: int, *, for_update: bool = False) -> SelfEvaluation:
    """One self-evaluation with its scheme, sections, funding rows, goals and indicator rows (6 queries)."""
    qs = SelfEvaluation.objects.select_related("department", "project", "scheme").prefetch_related(
        "scheme__sections",
        "sections",
        "funding_rows",
        "goals",
        Prefetch("rows", queryset=EvaluationRow.objects.select_related("level1", "level2", "goal").order_by("seq")),
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=pk)


def years_for(user) -> list[int]:
    years = set(ProjectDeclaration.objects.for_user(user).order_by().values_list("year", flat=True).distinct())
    years |= set(SelfEvaluation.objects.for_user(user).order_by().values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


HOME_PAGE_SIZE = 50


def home_projects(user, year: int, department_id: int | None = None) -> QuerySet[Project]:
    """The projects the home page lists for ``year``: those with a form that year, and the recurring ones."""
    qs = Project.objects.for_user(user)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    with_forms = Q(pk__in=ProjectDeclaration.objects.filter(year=year).values("project_id")) | Q(
        pk__in=SelfEvaluation.objects.filter(year=year, project__isnull=False).values("project_id")
    )
    return qs.filter(with_forms | Q(project_type__in=["recurring", "continuing"])).order_by(
        "department__code", "name", "pk"
    )


def home_rows(user, year: int, projects=None) -> list[dict]:
    """One row per project (of ``projects``, a page of ``home_projects``): its declaration and self-evaluation, the
    latter with its current stored check as ``figures`` (a fixed number of queries)."""
    projects = (
        (projects if projects is not None else home_projects(user, year))
        .select_related("department")
        .prefetch_related(
            Prefetch(
                "declarations", queryset=ProjectDeclaration.objects.filter(year=year), to_attr="year_declarations"
            ),
            Prefetch("self_evaluations", queryset=SelfEvaluation.objects.filter(year=year), to_attr="year_evaluations"),
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
    qs = SelfEvaluation.objects.for_user(user).filter(year=year).select_related("project", "department")
    if user.role == Role.FINANCE:
        return qs.filter(status="draft")
    if user.role == Role.HEAD:
        return qs.filter(status="submitted")
    return qs.none()
