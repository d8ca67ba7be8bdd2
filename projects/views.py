"""Pages for finance staff, department heads and auditors: home, declarations and their review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from indicators.params import param_year
from indicators.services.text import join_sentences
from projects.services.findings import declaration_findings
from projects.services.review.data import declaration_review_findings
from projects.services.review.page import place_on_formsets

from . import selectors
from .access import declaration_rights, is_filer_of
from .carry_over import declaration_carry_over
from .choices import DeclarationAction, DeclarationStatus
from .forms import DeclarationForm, declaration_formsets
from .forms.declaration import page_content
from .history import declaration_changes
from .models import DeclarationEvent, Project, ProjectDeclaration
from .money import WAN_YUAN
from .services import workflow
from .services.page import declaration_page_body
from .services.writing import StaleDeclaration, declaration_write
from .services.xlsx import SheetError


def _declaration(user, pk: int) -> ProjectDeclaration:
    """The declaration, if ``user`` may read it (404 otherwise, so that nothing leaks)."""
    try:
        return selectors.declaration_page(pk, user=user)
    except ProjectDeclaration.DoesNotExist:
        raise Http404("没有找到这张申报表。") from None


@login_required
def declaration_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every saved version of the declaration and its lines, and its review steps: who, when, before → after."""
    declaration = _declaration(request.user, pk)
    context = {"declaration": declaration, "entries": declaration_changes(declaration)}
    back = reverse("projects:declaration", args=[pk])
    return render(request, "projects/declaration_history.html", context | {"back": back})


@login_required
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:  # the scope, before anything is taken from the cache
        declaration = selectors.declaration_head(pk, user=request.user)
    except ProjectDeclaration.DoesNotExist:
        raise Http404("没有找到这张申报表。") from None
    user = request.user
    return render(
        request,
        "projects/declaration_detail.html",
        {
            "declaration": declaration,
            "body": declaration_page_body(declaration),  # findings, target review, last year's comparison, the sheet
            "rights": declaration_rights(user, declaration),
            "monitoring_forms": selectors.declaration_monitoring_forms(declaration),
            "can_start_monitoring": declaration.status == DeclarationStatus.APPROVED
            and is_filer_of(user, declaration.project.department_id),
            "returned": selectors.returned_event(declaration, list(declaration.events.all())),  # loaded, in order
        },
    )


def _problem_errors(problems, form, formsets) -> None:
    for problem in problems:
        if problem.place in form.fields:
            form.add_error(problem.place, problem.message)
        elif problem.place in formsets:
            formsets[problem.place]._non_form_errors.append(problem.message)
        else:
            form.add_error(None, problem.message)


@login_required
def declaration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request.user, pk)
    if not declaration_rights(request.user, declaration).edit:
        raise PermissionDenied("这张申报表现在不能由你修改。")
    unit = request.POST.get("unit", declaration.unit) if request.method == "POST" else declaration.unit
    if unit not in {"万元", "元"}:
        unit = WAN_YUAN
    form = DeclarationForm(request.POST or None, instance=declaration, unit=unit)
    formsets = declaration_formsets(declaration, request.POST or None, unit=unit)
    conflict: list = []
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        saved = _save(request, declaration, form, formsets, unit, submit, conflict)
        if saved:
            if submit:
                messages.success(request, "申报表已提交，等待部门负责人审核。")
            else:
                messages.success(request, "草稿已保存。")
            return redirect("projects:declaration", pk=declaration.pk)
    return render(
        request,
        "projects/declaration_form.html",
        {
            "declaration": declaration,
            "form": form,
            "formsets": formsets,
            "unit": unit,
            "findings": declaration_findings(declaration),
            "review_findings": (review_findings := declaration_review_findings(declaration)),
            "review_blocks": place_on_formsets(review_findings, formsets),
            "conflict": conflict,
            "returned": selectors.returned_event(declaration),
        },
    )


def _save(request, declaration, form, formsets, unit, submit: bool, conflict: list) -> bool:
    """Save the page through the write service in one transaction; a stale copy (its changes put in
    ``conflict``), an invalid field or a failed submission saves nothing."""
    valid = form.is_valid() & all([fs.is_valid() for fs in formsets.values()])
    if not valid:
        messages.error(request, "有内容需要更正，请查看标红的栏目；本次没有保存任何内容。")
        return False
    content = page_content(declaration, form, formsets, unit)
    with transaction.atomic():
        try:
            declaration = declaration_write(
                user=request.user, data=content, version=content.version, channel=DeclarationAction.EDIT,
                declaration=declaration,
            )  # fmt: skip
        except StaleDeclaration as exc:
            conflict.extend(exc.changes)
            messages.error(
                request,
                f"这张申报表已在 {timezone.localtime(exc.current.updated_at):%Y-%m-%d %H:%M} 被他人修改，"
                "你看到的是旧的内容。本次没有保存；请先复制你填写的内容，再刷新页面后重新填写。",
            )
            return False
        except SheetError as exc:
            messages.error(request, "本次没有保存任何内容：" + join_sentences(exc.problems[:20]))
            return False
        if submit:
            declaration = ProjectDeclaration.objects.get(pk=declaration.pk)  # without the page's prefetched rows
            problems = workflow.declaration_problems(declaration)
            if problems:
                transaction.set_rollback(True)
                _problem_errors(problems, form, formsets)
                messages.error(request, "申报表还不完整，不能提交；本次没有保存任何内容。")
                return False
            try:
                workflow.declaration_submit(declaration=declaration, user=request.user)
            except workflow.WorkflowError as exc:
                transaction.set_rollback(True)
                messages.error(request, str(exc))
                return False
    return True


DECLARATION_ACTIONS = {
    "approve": (lambda d, u, text: workflow.declaration_review(declaration=d, user=u, approve=True, comment=text), "已审核通过。"),
    "return": (lambda d, u, text: workflow.declaration_review(declaration=d, user=u, approve=False, comment=text), "已退回填报人。"),
    "submit": (lambda d, u, text: workflow.declaration_submit(declaration=d, user=u), "已提交。"),
    "withdraw": (lambda d, u, text: workflow.declaration_withdraw(declaration=d, user=u, comment=text), "已撤回，申报表回到草稿状态。"),
    "adjust_request": (lambda d, u, text: workflow.declaration_request_adjustment(declaration=d, user=u, reason=text), "已提交调整申请。"),
    "adjust_approve": (lambda d, u, text: workflow.declaration_decide_adjustment(declaration=d, user=u, allow=True, comment=text), "已同意调整，申报表回到草稿状态。"),
    "adjust_reject": (lambda d, u, text: workflow.declaration_decide_adjustment(declaration=d, user=u, allow=False, comment=text), "已不同意调整。"),
}  # fmt: skip


def run_declaration_action(request: HttpRequest, declaration) -> None:
    """One workflow step posted from a declaration's page (项目 or 部门整体: the same steps and rights), its outcome
    as a message; a refused step changes nothing."""
    action = DECLARATION_ACTIONS.get(request.POST.get("action"))
    if action is None:
        messages.error(request, "未知的操作。")
        return
    step, done = action
    try:
        step(declaration, request.user, request.POST.get("comment", ""))
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)


@login_required
@require_POST
def declaration_action(request: HttpRequest, pk: int) -> HttpResponse:
    run_declaration_action(request, _declaration(request.user, pk))
    return redirect("projects:declaration", pk=pk)


@login_required
@require_POST
def declaration_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    """Start this year's declaration of a project (finance staff of its department)."""
    project = Project.objects.for_user(request.user).filter(pk=project_pk).select_related("department").first()
    if project is None:
        raise Http404("没有找到这个项目。")
    if not is_filer_of(request.user, project.department_id):
        raise PermissionDenied("只有本部门的填报人可以新建申报表。")
    year = param_year(request.POST.get("year"))
    if year is None:
        messages.error(request, "年度不正确。")
        return redirect("home")
    existing = ProjectDeclaration.objects.filter(project=project, year=year).first()
    if existing:
        messages.info(request, f"{year} 年的申报表已经存在。")
        return redirect("projects:declaration", pk=existing.pk)
    if request.POST.get("carry_over") and project.project_type in {"recurring", "continuing"}:
        try:
            declaration = declaration_carry_over(project=project, year=year, user=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("home")
        messages.success(request, f"已由 {declaration.year - 1} 年之前最近一年的申报表结转，请核对后修改。")
        return redirect("projects:declaration_edit", pk=declaration.pk)
    with transaction.atomic():
        declaration = ProjectDeclaration.objects.create(
            project=project, year=year, unit=WAN_YUAN, fill_date=timezone.localdate(),
            supervising_unit=project.department.name,
        )  # fmt: skip
        DeclarationEvent.objects.create(
            project_declaration=declaration, action="create", to_status=declaration.status, user=request.user
        )
    return redirect("projects:declaration_edit", pk=declaration.pk)
