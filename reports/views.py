"""Downloads and uploads: the declaration's Excel template, the forms' PDFs, batch exports."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from indicators.params import param_id, param_year
from indicators.services.text import join_sentences
from projects.access import can_read_export, monitoring_rights
from projects.choices import DeclarationStatus
from projects.models import Department, DepartmentDeclaration, MonitoringForm, ProjectDeclaration
from projects.selectors import declaration_head, declaration_page, department_declaration_page, monitoring_page
from projects.services.importing import declaration_import
from projects.services.monitoring import MonitoringError
from projects.services.monitoring_xlsx import export_monitoring, monitoring_import, read_monitoring
from projects.services.page import body_stamp as declaration_stamp
from projects.services.xlsx import SheetError, export_declaration, read_declaration
from projects.uploads import UploadRejected, checked_xlsx
from projects.years import YEAR_MESSAGE
from selfeval.choices import EvaluationStatus
from selfeval.selectors import evaluation_head, evaluation_with_rows, years_for
from selfeval.services.page import body_stamp as evaluation_stamp

from .models import ExportJob, ExportStatus
from .services.batch import FORM_CHOICES, ExportError, progress, readable_now, start_export
from .services.kept import kept_pdf
from .services.pdf import PdfError, form_pdf
from .services.stored import final_key, store, stored_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def declaration_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Whoever may read a declaration may download it as the Excel template."""
    if not ProjectDeclaration.objects.for_user(request.user).filter(pk=pk).exists():
        raise Http404("没有找到这张申报表。")
    declaration = declaration_page(pk)
    response = HttpResponse(export_declaration(declaration), content_type=XLSX)
    filename = f"{declaration.year}年{declaration.project.name}项目绩效目标申报表.xlsx"
    return attachment(response, filename)


def _pdf(request: HttpRequest, queryset, pk: int, load, back: str) -> HttpResponse:
    """The form's PDF, for whoever may read the form (404 otherwise, so that nothing leaks).

    A final form's PDF is served from storage (rendered once when it became final); others render now.
    """
    if not queryset.for_user(request.user).filter(pk=pk).exists():
        raise Http404("没有找到这张表。")
    form = load(pk)
    try:
        stored = stored_for(final_key(form)) or store(form)
        if stored is not None:
            filename, response = (
                stored.filename,
                FileResponse(default_storage.open(stored.file.name, "rb"), content_type="application/pdf"),
            )
        else:
            filename, pdf = form_pdf(form)
            response = HttpResponse(pdf, content_type="application/pdf")
    except PdfError as exc:
        messages.error(request, f"PDF 生成失败：{exc}")
        return redirect(back, pk=pk)
    return attachment(response, filename)


@dataclass(frozen=True)
class KeptKind:
    """A kind of form whose PDF is kept per version until it is final: how its page reads it with its stamp in the
    user's scope, when it is final, how its PDF's form is loaded, and the page to go back to."""

    head: Callable
    final_status: str
    stamp: Callable
    load: Callable
    back: str


KEPT_KINDS = {
    "declaration": KeptKind(declaration_head, DeclarationStatus.APPROVED, declaration_stamp, declaration_page,
                            "projects:declaration"),
    "evaluation": KeptKind(evaluation_head, EvaluationStatus.SIGNED, evaluation_stamp, evaluation_with_rows,
                           "selfeval:evaluation"),
}  # fmt: skip


def _kept_pdf(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The PDF of a form read with its page's stamp in the user's scope (404 otherwise): a final form's from storage
    (``_pdf``), another's kept per stamp and status (``services.kept``) — rendered once while the form is unchanged."""
    spec = KEPT_KINDS[kind]
    try:
        head = spec.head(pk, user=request.user)
    except ObjectDoesNotExist:
        raise Http404("没有找到这张表。") from None
    if head.status == spec.final_status:
        return _pdf(request, type(head).objects, pk, spec.load, spec.back)
    stamp = spec.stamp(head)
    try:
        filename, pdf = kept_pdf(kind, pk, (head.status, *stamp) if stamp else None, lambda: spec.load(pk),
                                 lambda form: form.updated_at == head.updated_at)  # fmt: skip
    except PdfError as exc:
        messages.error(request, f"PDF 生成失败：{exc}")
        return redirect(spec.back, pk=pk)
    return attachment(HttpResponse(pdf, content_type="application/pdf"), filename)


@login_required
def declaration_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _kept_pdf(request, "declaration", pk)


@login_required
def department_declaration_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(
        request, DepartmentDeclaration.objects, pk, department_declaration_page, "projects:department_declaration"
    )


@login_required
def evaluation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _kept_pdf(request, "evaluation", pk)


@login_required
def monitoring_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, MonitoringForm.objects, pk, monitoring_page, "projects:monitoring")


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Offer the response as a download under a Chinese file name (RFC 5987)."""
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


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
        messages.error(request, "导入失败，未写入任何内容：" + join_sentences(exc.problems[:20]))
    else:
        messages.success(request, f"已导入 {declaration.year} 年“{declaration.project.name}”的申报表。")
        return redirect("projects:declaration", pk=declaration.pk)
    return redirect("home")


def _monitoring(user, pk: int) -> MonitoringForm:
    if not MonitoringForm.objects.for_user(user).filter(pk=pk).exists():
        raise Http404("没有找到这张监控表。")
    return monitoring_page(pk)


@login_required
def monitoring_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """Whoever may read a monitoring form may download it as the Excel template."""
    form = _monitoring(request.user, pk)
    response = HttpResponse(export_monitoring(form), content_type=XLSX)
    return attachment(response, f"{form.year}年{form.period}{form.declaration.project.name}绩效目标执行监控表.xlsx")


@login_required
@require_POST
def monitoring_import_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the filled template into this monitoring form: the whole file through the page's service, or nothing
    and the reasons."""
    form = _monitoring(request.user, pk)
    if not monitoring_rights(request.user, form).edit:
        raise PermissionDenied("这张监控表现在不能由你修改。")
    try:
        data = read_monitoring(checked_xlsx(request.FILES.get("file")), form.unit)
        monitoring_import(form=form, data=data, user=request.user)
    except UploadRejected as exc:
        messages.error(request, f"导入失败：{exc}")
    except SheetError as exc:
        messages.error(request, "导入失败，未写入任何内容：" + join_sentences(exc.problems[:20]))
    except MonitoringError as exc:
        messages.error(request, f"导入失败，未写入任何内容：{exc}")
    else:
        messages.success(request, "已由 Excel 导入监控表。")
    return redirect("projects:monitoring", pk=pk)


# -- batch export ------------------------------------------------------------------------------------


def _job(user, job_id) -> ExportJob:
    job = ExportJob.objects.select_related("department").filter(pk=job_id).first()
    if job is None or not can_read_export(user, job.user_id):
        raise Http404("没有找到这个导出任务。")
    return job


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    """Choose a year and a department (or every department one may read); start; see one's jobs."""
    user = request.user
    years = years_for(user)
    departments = Department.objects.for_user(user).order_by("code")
    if request.method == "POST":
        year, raw = param_year(request.POST.get("year")), request.POST.get("department") or ""
        department_id = param_id(raw) if raw else None
        if year is None or (raw and department_id is None):
            typed = str(request.POST.get("year") or "").strip()
            messages.error(
                request,
                YEAR_MESSAGE if year is None and typed.isascii() and typed.isdigit() else "请选择有效的年度和部门。",
            )
            return redirect("reports:exports")
        try:
            job = start_export(
                user=user, year=year, department_id=department_id, forms=request.POST.get("forms") or "all"
            )
        except ExportError as exc:
            messages.error(request, str(exc))
            return redirect("reports:exports")
        return redirect("reports:export_job", job_id=job.pk)
    return render(
        request,
        "reports/exports.html",
        {
            "years": years,
            "departments": departments,
            "form_choices": FORM_CHOICES.items(),
            "jobs": ExportJob.objects.filter(user=user).select_related("department")[:20],
        },
    )


@login_required
def export_job(request: HttpRequest, job_id) -> HttpResponse:
    job = _job(request.user, job_id)
    return render(request, "reports/export_job.html", {"job": job, "progress": progress(job)})


@login_required
def export_status(request: HttpRequest, job_id) -> JsonResponse:
    job = _job(request.user, job_id)
    data = progress(job)
    if job.status == ExportStatus.DONE:
        data["download"] = reverse("reports:export_download", args=[job.pk])
    return JsonResponse(data)


@login_required
def export_download(request: HttpRequest, job_id) -> HttpResponse:
    """The ZIP, once the job is done; a half-built archive is never served."""
    job = _job(request.user, job_id)
    if not readable_now(request.user, job):
        raise Http404("没有找到这个导出任务。")  # its forms are no longer all in the user's scope
    if job.status != ExportStatus.DONE or not job.file:
        messages.error(request, f"压缩包还没有生成完毕（{job.get_status_display()}），完成后才能下载。")
        return redirect("reports:export_job", job_id=job.pk)
    if not default_storage.exists(job.file.name):  # e.g. a database restored onto a machine without its files
        messages.error(request, "这个压缩包的文件已经不在了，请重新发起导出。")
        return redirect("reports:exports")
    filename = f"{job.year}年_{job.department.name if job.department_id else '全部部门'}_PDF.zip"
    response = FileResponse(default_storage.open(job.file.name, "rb"), content_type="application/zip")
    return attachment(response, filename)
