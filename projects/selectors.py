"""Reads for the pages: what a user sees, in a fixed number of queries."""

from django.db.models import Prefetch, Q, QuerySet

from indicators.models import Indicator

from .choices import DeclarationStatus, Role
from .models import DepartmentDeclaration, Project, ProjectDeclaration


def years_for(user) -> list[int]:
    from selfeval.models import SelfEvaluation

    years = set(ProjectDeclaration.objects.for_user(user).order_by().values_list("year", flat=True).distinct())
    years |= set(SelfEvaluation.objects.for_user(user).order_by().values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


HOME_PAGE_SIZE = 50


def home_projects(user, year: int, department_id: int | None = None) -> QuerySet[Project]:
    """The projects the home page lists for ``year``: those with a form that year, and the recurring ones."""
    from selfeval.models import SelfEvaluation

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
    """One row per project (of ``projects``, a page of ``home_projects``): its declaration and self-evaluation (3 queries)."""
    from selfeval.models import SelfEvaluation

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
    return [
        {
            "project": project,
            "declaration": project.year_declarations[0] if project.year_declarations else None,
            "evaluation": project.year_evaluations[0] if project.year_evaluations else None,
        }
        for project in projects
    ]


def waiting_for(user, year: int) -> QuerySet[ProjectDeclaration]:
    """Declarations that wait for this user: drafts and returned ones for finance staff, submitted ones for heads."""
    qs = ProjectDeclaration.objects.for_user(user).filter(year=year).select_related("project__department")
    if user.role == Role.FINANCE:
        return qs.filter(status__in=[DeclarationStatus.DRAFT, DeclarationStatus.RETURNED])
    if user.role == Role.HEAD:
        return qs.filter(Q(status=DeclarationStatus.SUBMITTED) | Q(adjustment_requested=True))
    return qs.none()


def declaration_page(pk: int) -> ProjectDeclaration:
    """A declaration with everything its page shows."""
    return (
        ProjectDeclaration.objects.select_related("project__department", "submitted_by", "reviewed_by")
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


def department_declaration_page(pk: int) -> DepartmentDeclaration:
    """A department overall declaration with everything its page shows."""
    return (
        DepartmentDeclaration.objects.select_related("department")
        .prefetch_related(
            "fund_lines",
            "goals",
            Prefetch("indicators", queryset=Indicator.objects.select_related("level1", "level2").order_by("seq")),
            "events__user",
        )
        .get(pk=pk)
    )


def evaluations_waiting_for(user, year: int):
    """Self-evaluations that wait for this user: drafts for finance staff, submitted ones for heads to sign."""
    from selfeval.models import SelfEvaluation

    qs = SelfEvaluation.objects.for_user(user).filter(year=year).select_related("project", "department")
    if user.role == Role.FINANCE:
        return qs.filter(status="draft")
    if user.role == Role.HEAD:
        return qs.filter(status="submitted")
    return qs.none()
