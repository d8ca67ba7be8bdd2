"""Downloads and uploads: the declaration's Excel template, the forms' PDFs, batch exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from projects.models import DepartmentDeclaration, ProjectDeclaration
from projects.selectors import declaration_page, department_declaration_page
from selfeval.models import SelfEvaluation
from selfeval.selectors import evaluation_with_rows

from .services.declaration_import import declaration_import
from .services.declaration_xlsx import SheetError, export_declaration, read_declaration
from .services.pdf import PdfError, form_pdf
from .services.uploads import UploadRejected, checked_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def declaration_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Whoever may read a declaration may download it as the Excel template."""
    if not ProjectDeclaration.objects.for_user(request.user).filter(pk=pk).exists():
        raise Http404("没有找到这张申报表。")
    declaration = declaration_page(pk)
    response = HttpResponse(export_declaration(declaration), content_type=XLSX)
    filename = f"{declaration.year}年{declaration.project.name}项目绩效目标申报表.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _pdf(request: HttpRequest, queryset, pk: int, load, back: str) -> HttpResponse:
    """The form's PDF, for whoever may read the form (404 otherwise, so that nothing leaks)."""
    if not queryset.for_user(request.user).filter(pk=pk).exists():
        raise Http404("没有找到这张表。")
    try:
        filename, pdf = form_pdf(load(pk))
    except PdfError as exc:
        messages.error(request, f"PDF 生成失败：{exc}")
        return redirect(back, pk=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


@login_required
def declaration_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, ProjectDeclaration.objects, pk, declaration_page, "projects:declaration")


@login_required
def department_declaration_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(
        request, DepartmentDeclaration.objects, pk, department_declaration_page, "projects:department_declaration"
    )


@login_required
def evaluation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, SelfEvaluation.objects, pk, evaluation_with_rows, "selfeval:evaluation")


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


@login_required
@require_POST
def declaration_import_view(request: HttpRequest) -> HttpResponse:
    """Import a filled template: the whole file is written, or nothing and the reasons are shown."""
    try:
        stream = checked_xlsx(request.FILES.get("file"))
        data = read_declaration(stream)
        declaration = declaration_import(data=data, user=request.user)
    except UploadRejected as exc:
        messages.error(request, f"导入失败：{exc}")
    except SheetError as exc:
        messages.error(request, "导入失败，未写入任何内容：" + "；".join(exc.problems[:20]))
    else:
        messages.success(request, f"已导入 {declaration.year} 年“{declaration.project.name}”的申报表。")
        return redirect("projects:declaration", pk=declaration.pk)
    return redirect("projects:home")
