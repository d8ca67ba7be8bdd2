"""Self-evaluation pages: fill with live scoring, submit, sign, reopen, and the history auditors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from indicators.params import param_id, param_year
from indicators.services.checking import num
from indicators.services.layout import span_rows
from indicators.services.values import format_rate
from projects.access import is_filer_of
from projects.models import DepartmentDeclaration, ProjectDeclaration
from projects.selectors import returned_event
from projects.services.checks import ChecksPending

from .access import evaluation_rights
from .choices import EvaluationStatus
from .forms import EvaluationForm, evaluation_formsets
from .layouts import labels_for
from .models import SelfEvaluation
from .selectors import evaluation_events, evaluation_head, evaluation_with_rows, years_for
from .services.changes import changes_since
from .services.checks import refresh_one
from .services.dashboard import dashboard_data
from .services.filling import evaluation_fill, stale_message
from .services.findings import blocking_at_parts, evaluation_findings
from .services.page import evaluation_page_body
from .services.preview import evaluation_preview as preview_of_page
from .services.report import with_offices
from .services.rescaling import RescaleError, evaluation_rescale, evaluation_weight_plan
from .services.signoff import (
    BLOCKING,
    SignoffError,
    SubmitBlocked,
    digest_matches,
    evaluation_digest,
    evaluation_reopen,
    evaluation_return,
    evaluation_sign,
    evaluation_submit,
    evaluation_withdraw,
)
from .services.start import StartError, WeightsDoNotFit, department_evaluation_start, evaluation_start


def _evaluation(user, pk: int) -> SelfEvaluation:
    try:
        return evaluation_with_rows(pk, user=user)
    except SelfEvaluation.DoesNotExist:
        raise Http404("没有找到这张自评表。") from None


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        evaluation = evaluation_head(pk, user=request.user)  # the scope, before anything is taken from the cache
    except SelfEvaluation.DoesNotExist:
        raise Http404("没有找到这张自评表。") from None
    events = evaluation_events(evaluation)
    return render(
        request,
        "selfeval/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "body": evaluation_page_body(evaluation),  # scores, monitoring record, findings, the sheet
            "rights": evaluation_rights(request.user, evaluation),
            "digest_ok": digest_matches(evaluation.pk) if evaluation.status == EvaluationStatus.SIGNED else None,
            "events": events,
            "returned": returned_event(evaluation, events),  # the head's return comment at the top
        },
    )


@login_required
def evaluation_sign_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The head's confirmation before signing: the form's total and grade, an optional comment."""
    evaluation = _evaluation(request.user, pk)
    if not evaluation_rights(request.user, evaluation).sign:
        raise PermissionDenied("只有本部门负责人可以签署已提交的自评表。")
    return render(
        request,
        "selfeval/evaluation_sign.html",
        {
            "evaluation": evaluation,
            "figures": refresh_one(evaluation),
            "findings": [f for f in evaluation_findings(evaluation) if f.code in BLOCKING],
            "digest": evaluation_digest(evaluation_with_rows(evaluation.pk)),  # what the head signs, as shown
        },
    )


def _bound(request, evaluation):
    form = EvaluationForm(request.POST or None, instance=evaluation)
    formsets = evaluation_formsets(evaluation, request.POST or None)
    return form, formsets


@login_required
def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request.user, pk)
    if not evaluation_rights(request.user, evaluation).edit:
        raise PermissionDenied("这张自评表现在不能由你填写。")
    form, formsets = _bound(request, evaluation)
    conflict, placed, loose = None, {}, []
    if request.GET.get("check"):  # back from a refused submission: each blocking finding at its input
        placed, loose = blocking_at_parts(evaluation)
    if request.method == "POST":
        result = evaluation_fill(evaluation=evaluation, user=request.user, data=request.POST)
        form, formsets = result.form, result.formsets
        if result.saved:
            messages.success(request, "已保存，得分已重新计算。")
            if request.POST.get("action") == "submit":
                return _submit(request, pk)
            return redirect("selfeval:evaluation", pk=pk)
        if result.stale:
            messages.error(request, stale_message(result) + "你填写的内容仍在下面；他人的改动列在页首。")
            conflict = result.conflict
        else:
            messages.error(request, "有内容需要更正，请查看标红的栏目；本次没有保存任何内容。")
            for message in result.errors.get("non_field_errors", []):
                messages.error(request, message)
    return render(
        request,
        "selfeval/evaluation_form.html",
        {
            "evaluation": evaluation,
            "form": form,
            "formsets": formsets,
            "rows": _rows_with_forms(evaluation, formsets, placed),
            "sections": _sections_with_forms(formsets, placed),
            "loose_findings": loose,
            "conflict": conflict,
            "labels": labels_for(evaluation.layout),
            "funding_rows": _funding_rows(evaluation, formsets),
            "weight_plan": evaluation_weight_plan(evaluation),
            "returned": returned_event(evaluation),
        },
    )


@login_required
@require_POST
def evaluation_rescale_weights(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply the proportional rescale of the row weights the edit page showed."""
    evaluation = _evaluation(request.user, pk)
    try:
        plan = evaluation_rescale(evaluation_id=evaluation.pk, user=request.user, version=request.POST.get("version"))
    except RescaleError as exc:
        messages.error(request, str(exc))
    else:
        names = "、".join(f"“{section.name}”" for section in plan)
        messages.success(request, f"已按比例调整{names}各行分值，得分已重新计算。")
    return redirect("selfeval:evaluation_edit", pk=pk)


def _funding_rows(evaluation, formsets):
    """Each funding line with the inputs of the columns its layout prints."""
    columns = [name for name, _ in labels_for(evaluation.layout)["funding"]]
    return [{"form": f, "fields": [f[name] for name in columns]} for f in formsets["funding"].forms]


def _rows_with_forms(evaluation, formsets, placed):
    forms = {f.instance.pk: f for f in formsets["rows"].forms}
    spanned = span_rows(list(evaluation.rows.all()))
    for s in spanned:
        s.form = forms.get(s.row.pk)
        s.blocking = placed.get(("rows", s.row.pk), {})
    return spanned


def _sections_with_forms(formsets, placed):
    return [(f, placed.get(("sections", f.instance.pk), {})) for f in formsets["sections"].forms]


def _submit(request, pk):
    try:
        evaluation_submit(evaluation_id=pk, user=request.user)
    except SubmitBlocked as exc:
        rules = "；".join(dict.fromkeys(BLOCKING[finding.code] for finding in exc.findings))
        messages.error(
            request, f"未提交：还有 {len(exc.findings)} 处须更正（{rules}），已在各栏旁标出；填写的内容已保存。"
        )
        return redirect(reverse("selfeval:evaluation_edit", args=[pk]) + "?check=1")
    except SignoffError as exc:
        messages.error(request, str(exc))
        return redirect("selfeval:evaluation", pk=pk)
    messages.success(request, "自评表已提交，等待部门负责人签署。")
    return redirect("selfeval:evaluation", pk=pk)


@login_required
@require_POST
def evaluation_preview(request: HttpRequest, pk: int) -> JsonResponse:
    """Score the page as typed, without keeping anything: proposals, sections, total, grade, findings."""
    evaluation = _evaluation(request.user, pk)
    preview = preview_of_page(evaluation=evaluation, user=request.user, data=request.POST)
    if preview.result is None:
        # No figures at all: the page clears its totals and shows each message at its input.
        return JsonResponse(
            {"ok": False, "message": "有栏目的内容无法识别，请按栏旁的提示更正后再看得分。", "errors": preview.errors}
        )
    result = preview.result
    return JsonResponse(
        {
            "ok": True,
            "budget_rate": format_rate(result.budget_rate) if result.budget_rate is not None else "",
            "budget_score": num(result.budget_score),
            "sections": {code: num(score) for code, score in result.section_scores.items()},
            "total": num(result.total),
            "provisional_total": num(result.provisional_total),
            "grade": result.grade,
            "rows": {
                str(key): {
                    "score": num(p.score),
                    "final": num(preview.finals.get(key)),
                    "met": p.met,
                    "explanation": p.explanation,
                }
                for key, p in result.proposals.items()
            },
            "findings": [str(f) for f in preview.findings],
            "blocking": preview.blocking,
            "hints": preview.hints,
            "errors": preview.errors,
        }
    )


@login_required
@require_POST
def evaluation_action(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request.user, pk)
    action, comment = request.POST.get("action"), request.POST.get("comment", "")
    try:
        if action == "submit":
            return _submit(request, pk)
        if action == "sign":
            seen = request.POST.get("digest", "")
            if not seen:  # a signature is given on the confirmation page, having seen the total and grade
                messages.info(request, "请在签署确认页核对总分和等次后签署。")
                return redirect("selfeval:evaluation_sign", pk=pk)
            evaluation_sign(evaluation_id=evaluation.pk, user=request.user, comment=comment, seen_digest=seen)
            messages.success(request, "已签署，自评表已锁定。")
        elif action == "return":
            evaluation_return(evaluation_id=evaluation.pk, user=request.user, comment=comment)
            messages.success(request, "已退回填报人修改。")
        elif action == "withdraw":
            evaluation_withdraw(evaluation_id=evaluation.pk, user=request.user, comment=comment)
            messages.success(request, "已撤回，自评表回到草稿状态。")
        elif action == "reopen":
            evaluation_reopen(evaluation_id=evaluation.pk, user=request.user, reason=comment)
            messages.success(request, "已重新打开，自评表回到草稿状态。")
        else:
            messages.error(request, "未知的操作。")
    except SignoffError as exc:
        messages.error(request, str(exc))
    return redirect("selfeval:evaluation", pk=pk)


@login_required
@require_POST
def evaluation_create(request: HttpRequest, declaration_pk: int) -> HttpResponse:
    """Finance staff start this year's self-evaluation from the approved declaration."""
    declaration = ProjectDeclaration.objects.for_user(request.user).filter(pk=declaration_pk).first()
    if declaration is None:
        raise Http404("没有找到这张申报表。")
    if not is_filer_of(request.user, declaration.project.department_id):
        raise PermissionDenied("只有本部门的填报人可以开始自评。")
    try:
        evaluation = evaluation_start(
            declaration=declaration, user=request.user, rescale=request.POST.get("rescale") == "1"
        )
    except WeightsDoNotFit as exc:  # shown before it is applied: the page asks to confirm the rescale
        return render(request, "selfeval/start_rescale.html", {"declaration": declaration, "error": exc})
    except StartError as exc:
        messages.error(request, str(exc))
        return redirect("projects:declaration", pk=declaration_pk)
    return redirect("selfeval:evaluation_edit", pk=evaluation.pk)


@login_required
@require_POST
def department_evaluation_create(request: HttpRequest, declaration_pk: int) -> HttpResponse:
    """Finance staff start the 部门整体绩效自评表 from the approved 部门整体申报表."""

    declaration = DepartmentDeclaration.objects.for_user(request.user).filter(pk=declaration_pk).first()
    if declaration is None:
        raise Http404("没有找到这张申报表。")
    if not is_filer_of(request.user, declaration.department_id):
        raise PermissionDenied("只有本部门的填报人可以开始自评。")
    try:
        evaluation = department_evaluation_start(declaration=declaration, user=request.user)
    except StartError as exc:
        messages.error(request, str(exc))
        return redirect("projects:department_declaration", pk=declaration_pk)
    return redirect("selfeval:evaluation_edit", pk=evaluation.pk)


@login_required
def evaluation_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every saved version of the form and its rows: who, when, and what changed (before → after)."""
    evaluation = _evaluation(request.user, pk)
    return render(
        request, "selfeval/evaluation_history.html", {"evaluation": evaluation, "entries": changes_since(evaluation)}
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Per year: every department for auditors and administrators, one's own department for the others."""

    years = years_for(request.user) or [timezone.localdate().year]
    year = param_year(request.GET.get("year")) or years[0]
    department = request.GET.get("department") or ""
    department_ids = with_offices([param_id(department)]) if param_id(department) else None
    context = {"year": year, "years": years, "department": department if department_ids else ""}
    try:
        context |= dashboard_data(user=request.user, year=year, department_ids=department_ids)
    except ChecksPending as exc:
        context["pending"] = str(exc)
    return render(request, "selfeval/dashboard.html", context)
