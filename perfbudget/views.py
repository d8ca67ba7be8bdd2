"""The home page: each project's declaration and self-evaluation of a year, and what waits for the user."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from indicators.params import param_id, param_year
from projects import selectors as declaration_selectors
from projects.models import Department, DepartmentDeclaration
from selfeval import selectors as evaluation_selectors


def _year(request: HttpRequest, years: list[int]) -> int:
    return param_year(request.GET.get("year")) or (years[0] if years else timezone.localdate().year)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    years = evaluation_selectors.years_for(request.user)
    # The year after the latest is offered too, so that next year's declarations can be started.
    years = sorted({*years, (years[0] + 1) if years else timezone.localdate().year}, reverse=True)
    year = _year(request, years)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    departments = Department.objects.for_user(request.user).order_by("code")
    department_id = param_id(request.GET.get("department"))
    page = Paginator(
        evaluation_selectors.home_projects(request.user, year, department_id), evaluation_selectors.HOME_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "home.html",
        {
            "year": year,
            "years": years,
            "page": page,
            "departments": departments if len(departments) > 1 else [],
            "department_id": department_id,
            "rows": evaluation_selectors.home_rows(request.user, year, page.object_list),
            "waiting": declaration_selectors.waiting_for(request.user, year),
            "waiting_evaluations": evaluation_selectors.evaluations_waiting_for(request.user, year),
            "overall": DepartmentDeclaration.objects.for_user(request.user)
            .filter(year=year)
            .select_related("department"),
        },
    )
