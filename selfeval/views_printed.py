"""Forms from outside, entered as printed (issue 13 point 6): the page, the template download and its import.

Finance staff and auditors in scope (``evaluation_rights(...).enter_printed``); one service writes, all or nothing.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from projects.uploads import UploadRejected, checked_xlsx

from .access import evaluation_rights
from .models import SelfEvaluation
from .selectors import evaluation_with_rows
from .services.findings import evaluation_findings
from .services.printed import PrintedFigures, PrintedFiguresRefused, evaluation_enter_printed
from .services.printed_xlsx import PrintedSheetError, printed_lines, printed_template, read_printed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _evaluation(user, pk: int) -> SelfEvaluation:
    if not SelfEvaluation.objects.for_user(user).filter(pk=pk).exists():
        raise Http404("没有找到这张自评表。")
    evaluation = evaluation_with_rows(pk)
    if not evaluation_rights(user, evaluation).enter_printed:
        raise PermissionDenied("只有本部门的财务人员、审计人员和管理员可以录入原表数，已签署的自评表不能录入。")
    return evaluation


def _figures_from_post(post) -> PrintedFigures:
    """The page's fields, named like the template's 编号 (printed_total, rows:12:score_printed …)."""
    figures = PrintedFigures()
    for key, value in post.items():
        if key.startswith("printed_"):
            figures.header[key] = value
        elif key.count(":") == 2:
            prefix, pk, name = key.split(":")
            if prefix in ("funding", "sections", "rows") and pk.isdigit():
                getattr(figures, prefix).setdefault(int(pk), {})[name] = value
    return figures


@login_required
def evaluation_printed(request: HttpRequest, pk: int) -> HttpResponse:
    """Type a received form's printed figures, or import them from its filled template; then see the checker's
    findings on them."""
    evaluation = _evaluation(request.user, pk)
    errors: list[str] = []
    typed = {}
    if request.method == "POST":
        try:
            if "file" in request.FILES:
                figures = read_printed(checked_xlsx(request.FILES["file"]), evaluation)
            else:
                figures = _figures_from_post(request.POST)
                typed = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
            evaluation_enter_printed(evaluation_id=evaluation.pk, user=request.user, figures=figures)
        except (UploadRejected, PrintedSheetError, PrintedFiguresRefused) as exc:
            errors = getattr(exc, "problems", None) or getattr(exc, "errors", None) or [str(exc)]
            messages.error(request, "有内容需要更正，本次没有保存任何内容。")
        else:
            messages.success(request, "原表数已保存，检查结果已更新。")
            return redirect("selfeval:evaluation_printed", pk=evaluation.pk)
    lines = [
        {"key": key, "kind": kind, "name": name, "label": label, "value": typed.get(key, "" if v is None else v)}
        for key, kind, name, label, v in printed_lines(evaluation)
    ]
    return render(
        request,
        "selfeval/evaluation_printed.html",
        {"evaluation": evaluation, "lines": lines, "errors": errors, "findings": evaluation_findings(evaluation)},
    )


@login_required
def evaluation_printed_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The Excel template of the form's printed figures, to fill from the paper form and import back."""
    evaluation = _evaluation(request.user, pk)
    response = HttpResponse(printed_template(evaluation), content_type=XLSX)
    filename = f"{evaluation}（原表数）.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
