"""绩效运行监控 pages: start, fill and submit a monitoring form (finance staff), approve or return it (the head), record
a decision (the head or the finance bureau); everyone in scope reads it with its lights."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from indicators.params import param_id, param_year

from .access import monitoring_rights
from .choices import MonitoringDecisionKind
from .forms.monitoring import monitoring_forms
from .models import Department, MonitoringForm, MonitoringPeriod, ProjectDeclaration
from .selectors import monitoring_board_forms, monitoring_page, returned_event
from .services import monitoring as service
from .services.checks import ChecksPending
from .services.monitoring_board import COLOUR_CHOICES, light_board
from .services.monitoring_checks import current_monitoring_checks
from .sheets import monitoring_sheet


def _form(user, pk: int) -> MonitoringForm:
    """The monitoring form, if ``user`` may read it (404 otherwise, so that nothing leaks)."""
    if not MonitoringForm.objects.for_user(user).filter(pk=pk).exists():
        raise Http404("没有找到这张监控表。")
    return monitoring_page(pk)


def _context(form: MonitoringForm, user) -> dict:
    return monitoring_sheet(form) | {
        "rights": monitoring_rights(user, form),
        "decision_kinds": MonitoringDecisionKind.choices,
        "returned": returned_event(form),
    }


@login_required
def monitoring_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form(request.user, pk)
    return render(request, "projects/monitoring/detail.html", _context(form, request.user))


@login_required
def monitoring_edit(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form(request.user, pk)
    if not monitoring_rights(request.user, form).edit:
        raise PermissionDenied("这张监控表现在不能由你修改。")
    header, budget, rows = monitoring_forms(form, request.POST or None)
    if request.method == "POST":
        if header.is_valid() & budget.is_valid() & rows.is_valid():
            try:
                service.monitoring_save(
                    form=form, user=request.user, version=header.cleaned_data["version"],
                    spending_plan=header.cleaned_data["spending_plan"],
                    budget_lines=[f.instance for f in budget.forms],
                    rows=[f.instance for f in rows.forms],
                )  # fmt: skip
            except service.MonitoringError as exc:
                messages.error(request, str(exc))
            else:
                if request.POST.get("action") == "submit":
                    return _act(
                        request,
                        form,
                        lambda: service.monitoring_submit(form=form, user=request.user),
                        "已提交，等待部门负责人审核。",
                    )
                messages.success(request, "监控表已保存。")
                return redirect("projects:monitoring", pk=form.pk)
        else:
            messages.error(request, "有内容需要更正，请查看标红的栏目；本次没有保存任何内容。")
        if header.is_valid():  # the lights below show what was typed (the rows' instances hold it already)
            form.spending_plan = header.cleaned_data["spending_plan"]
    context = _context(form, request.user) | {"header": header, "budget": budget, "row_forms": rows}
    context["edit_rows"] = list(zip(rows.forms, context["lights"].indicators, strict=True))
    return render(request, "projects/monitoring/form.html", context)


def _act(request, form, action, done: str) -> HttpResponse:
    try:
        action()
    except service.MonitoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("projects:monitoring", pk=form.pk)


@login_required
@require_POST
def monitoring_action(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form(request.user, pk)
    action, comment, user = request.POST.get("action"), request.POST.get("comment", ""), request.user
    handlers = {
        "submit": (lambda: service.monitoring_submit(form=form, user=user), "已提交，等待部门负责人审核。"),
        "approve": (
            lambda: service.monitoring_review(form=form, user=user, approve=True, comment=comment),
            "已审核通过。",
        ),
        "return": (
            lambda: service.monitoring_review(form=form, user=user, approve=False, comment=comment),
            "已退回填报人。",
        ),
    }
    if action not in handlers:
        messages.error(request, "未知的操作。")
        return redirect("projects:monitoring", pk=pk)
    return _act(request, form, *handlers[action])


@login_required
@require_POST
def monitoring_decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = _form(request.user, pk)
    try:
        respond_by = datetime.date.fromisoformat(request.POST.get("respond_by", ""))
    except ValueError:
        respond_by = None
    decide = lambda: service.monitoring_decide(  # noqa: E731
        form=form, user=request.user, kind=request.POST.get("kind", ""), reason=request.POST.get("reason", ""),
        respond_by=respond_by,
    )  # fmt: skip
    return _act(request, form, decide, "处理意见已记录。")


@login_required
@require_POST
def monitoring_create(request: HttpRequest, declaration_pk: int) -> HttpResponse:
    """Start (or open) the monitoring form of an approved declaration for the current period (or the one posted)."""
    declaration = ProjectDeclaration.objects.for_user(request.user).filter(pk=declaration_pk).first()
    if declaration is None:
        raise Http404("没有找到这张申报表。")
    period = None
    if request.POST.get("period"):
        period = (
            MonitoringPeriod.objects.filter(pk=request.POST["period"]).first()
            if request.POST["period"].isdigit()
            else None
        )
        if period is None:
            messages.error(request, "监控期间不正确。")
            return redirect("projects:declaration", pk=declaration.pk)
    try:
        form = service.monitoring_start(declaration=declaration, user=request.user, period=period)
    except service.MonitoringError as exc:
        messages.error(request, str(exc))
        return redirect("projects:declaration", pk=declaration.pk)
    return redirect("projects:monitoring_edit", pk=form.pk)


@login_required
def monitoring_dashboard(request: HttpRequest) -> HttpResponse:
    """The lights of every monitoring form the user may read for a year and period (finance staff and heads: their
    department; auditors and administrators: all), filterable by department and colour, counted per department."""
    scoped = MonitoringForm.objects.for_user(request.user)
    years = sorted(set(scoped.values_list("year", flat=True)), reverse=True)
    year = param_year(request.GET.get("year")) or (years[0] if years else timezone.localdate().year)
    months = sorted(set(scoped.filter(year=year).values_list("end_month", flat=True)))
    month = param_id(request.GET.get("month"))
    month = month if month in months else (months[-1] if months else None)
    department = param_id(request.GET.get("department"))
    colour = request.GET.get("colour", "")
    colour = colour if colour in dict(COLOUR_CHOICES) else ""
    forms = scoped.filter(year=year, end_month=month)
    departments = Department.objects.filter(pk__in=forms.values("declaration__project__department")).order_by("code")
    if department:
        forms = forms.filter(declaration__project__department_id=department)
    try:
        lines, counts = light_board(current_monitoring_checks(monitoring_board_forms(forms)), colour=colour)
    except ChecksPending as exc:
        lines, counts, pending = [], [], str(exc)
    else:
        pending = ""
    return render(
        request,
        "projects/monitoring/dashboard.html",
        {
            "years": years or [year], "year": year, "months": months, "month": month, "departments": departments,
            "department": department, "colours": COLOUR_CHOICES, "colour": colour, "lines": lines, "counts": counts,
            "pending": pending,
        },
    )  # fmt: skip
