"""The home page (each project's declaration and self-evaluation of a year, opened on the user's working year) and
the 待办 list (what waits for the user, across all years)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from indicators.params import param_id, param_year
from projects import selectors as declaration_selectors
from projects.access import can_manage_projects
from projects.models import Department, DepartmentDeclaration
from selfeval import selectors as evaluation_selectors

from .home_page import fill_body, home_parts, render_body


def _year(request: HttpRequest) -> int | None:
    return param_year(request.GET.get("year"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    asked_year = _year(request)
    department_id = param_id(request.GET.get("department"))
    page_number = request.GET.get("page")
    user = request.user

    def render_parts() -> dict:
        # Without a chosen year the page opens on the user's working year (selfeval.selectors.working_year).
        year = asked_year or evaluation_selectors.working_year(user, today)
        years = evaluation_selectors.years_for(user)
        # The years where work is (the last year's self-evaluations, the coming budget year's declarations) are
        # offered even before any form of theirs exists.
        years = sorted({*years, today.year - 1, today.year + 1, year}, reverse=True)
        departments = Department.objects.for_user(user).order_by("code")
        page = Paginator(
            evaluation_selectors.home_projects(user, year, department_id), evaluation_selectors.HOME_PAGE_SIZE
        ).get_page(page_number)
        context = {
            "user": user,
            "year": year,
            "years": years,
            "page": page,
            "departments": departments if len(departments) > 1 else [],
            "department_id": department_id,
            "rows": evaluation_selectors.home_rows(user, year, page.object_list),
            "waiting": declaration_selectors.waiting_for(user, year),
            "waiting_evaluations": evaluation_selectors.evaluations_waiting_for(user, year),
            "overall": DepartmentDeclaration.objects.for_user(user).filter(year=year).select_related("department"),
            "can_enter_projects": can_manage_projects(user, user.department_id),
        }
        return {"year": year, "body": render_body("_home_body.html", context)}

    # Kept per user and stamp of the user's scope (perfbudget.home_page): a change in the scope shows at once.
    parts = home_parts(user, (asked_year, department_id, page_number, today.isoformat()), render_parts)
    return render(request, "home.html", {"year": parts["year"], "body": fill_body(request, parts["body"])})


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    """待办 across all years: returned forms for finance staff, submitted ones for heads, lately signed ones for
    auditors."""
    todo = evaluation_selectors.todo_for(request.user)
    return render(
        request,
        "todo.html",
        {
            "declarations": list(todo.declarations),
            "overall": list(todo.overall),
            "evaluations": list(todo.evaluations),
            "new_signed_days": evaluation_selectors.new_signed_days(),
        },
    )


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """A fixed answer through the whole middleware stack, reading nothing: for a load balancer's health check, and
    the floor ``bench/scale.py`` measures page throughput against."""
    return HttpResponse("ok", content_type="text/plain")
