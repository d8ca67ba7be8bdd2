"""Batch exports of PDFs: plan a job, render its items, assemble the ZIP with its .xlsx index.

Items are rendered by Celery tasks (eager when no broker is configured). Every step is idempotent:
an item already rendered is skipped, the ZIP is assembled by whichever task first finds every item
done, and ``resume_jobs`` (run when a worker starts) picks up the jobs a stopped worker left.
"""

import io
import tempfile
import zipfile
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from indicators.services.text import plain_text
from projects.access import visible_department_ids
from projects.formulas import safe_cell
from projects.models import Department, DepartmentDeclaration, MonitoringForm, ProjectDeclaration
from projects.queue import enqueue
from projects.selectors import declaration_page, department_declaration_page, monitoring_page
from projects.services.xlsx import print_setup, put_number
from projects.years import YEAR_MESSAGE, is_valid_year
from selfeval.models import SelfEvaluation
from selfeval.selectors import evaluation_with_rows

from ..models import ExportItem, ExportJob, ExportStatus
from .index import INDEX_COLUMNS, index_row
from .pdf import form_pdf
from .stored import final_key, signed_evaluation_files, store, stored_for


class ExportError(Exception):
    """An export that cannot be started; the message is for the user."""


FORM_CHOICES = {"all": "全部表", "declarations": "仅申报表", "evaluations": "仅自评表", "monitoring": "仅运行监控表"}


def forms_for(user, year: int, department: Department | None, forms: str = "all") -> list[tuple[str, int]]:
    """(kind, id) of every form of ``year`` that ``user`` may read, in department order."""
    filters = {"year": year}
    declarations = ProjectDeclaration.objects.for_user(user).filter(**filters)
    overall = DepartmentDeclaration.objects.for_user(user).filter(**filters)
    evaluations = SelfEvaluation.objects.for_user(user).filter(**filters)
    monitoring = MonitoringForm.objects.for_user(user).filter(**filters)
    if department is not None:
        monitoring = monitoring.filter(declaration__project__department=department)
        declarations = declarations.filter(project__department=department)
        overall = overall.filter(department=department)
        evaluations = evaluations.filter(department=department)
    found = [("declaration", pk, code) for pk, code in declarations.values_list("pk", "project__department__code")]
    found += [("department_declaration", pk, code) for pk, code in overall.values_list("pk", "department__code")]
    found += [("evaluation", pk, code) for pk, code in evaluations.values_list("pk", "department__code")]
    found += [
        ("monitoring", pk, code) for pk, code in monitoring.values_list("pk", "declaration__project__department__code")
    ]
    order = {"department_declaration": 0, "declaration": 1, "monitoring": 2, "evaluation": 3}
    found.sort(key=lambda f: (f[2], order[f[0]], f[1]))
    wanted = {
        "declarations": {"declaration", "department_declaration"}, "evaluations": {"evaluation"},
        "monitoring": {"monitoring"},
    }.get(forms)  # fmt: skip
    return [(kind, pk) for kind, pk, _ in found if wanted is None or kind in wanted]


def start_export(*, user, year: int, department_id: int | None, forms: str = "all") -> ExportJob:
    """Plan a job of every form (or every declaration, self-evaluation or monitoring form) the user may read; queue
    it."""
    if forms not in FORM_CHOICES:
        raise ExportError("请选择要导出的表。")
    if not is_valid_year(year):
        raise ExportError(YEAR_MESSAGE)
    department = None
    if department_id is not None:
        visible = visible_department_ids(user)
        if visible is not None and department_id not in visible:
            raise PermissionDenied("不能导出其他部门的表。")
        department = Department.objects.filter(pk=department_id).first()
        if department is None:
            raise ExportError("没有这个部门。")
    chosen = forms_for(user, year, department, forms)
    if not chosen:
        raise ExportError(f"{year} 年{'该部门' if department else ''}没有可以导出的表。")
    with transaction.atomic():
        job = ExportJob.objects.create(user=user, year=year, department=department, forms=forms, total=len(chosen))
        items = [
            ExportItem(job=job, seq=seq, kind=kind, object_id=pk) for seq, (kind, pk) in enumerate(chosen, start=1)
        ]
        _use_stored(items)
        ExportItem.objects.bulk_create(items)

    enqueue("reports.tasks.run_export", str(job.pk))
    return job


KIND_MODELS = {
    "declaration": ProjectDeclaration,
    "department_declaration": DepartmentDeclaration,
    "evaluation": SelfEvaluation,
    "monitoring": MonitoringForm,
}


def readable_now(user, job: ExportJob) -> bool:
    """Whether ``user`` may still read everything in ``job``: scope is checked again at download, since the
    owner may have moved to another department (or lost a role) since the ZIP was made (≤ 4 queries)."""
    visible = visible_department_ids(user)
    if job.department_id is not None and visible is not None and job.department_id not in visible:
        return False
    wanted: dict[str, set[int]] = {}
    for kind, object_id in job.items.values_list("kind", "object_id"):
        wanted.setdefault(kind, set()).add(object_id)
    return all(
        KIND_MODELS[kind].objects.for_user(user).filter(pk__in=ids).count() == len(ids) for kind, ids in wanted.items()
    )


def _use_stored(items: list[ExportItem]) -> None:
    """Items whose form is final and already stored are done before any worker starts: no render."""
    stored = signed_evaluation_files(i.object_id for i in items if i.kind == "evaluation")
    approved = {
        kind: set(model.objects.filter(pk__in=[i.object_id for i in items if i.kind == kind], status="approved")
                  .values_list("pk", flat=True))
        for kind, model in (("declaration", ProjectDeclaration), ("department_declaration", DepartmentDeclaration),
                            ("monitoring", MonitoringForm))
    }  # fmt: skip
    for item in items:
        if item.kind == "evaluation":
            found = stored.get(item.object_id)
        elif item.object_id in approved.get(item.kind, ()):  # its digest needs the whole form
            found = stored_for(final_key(LOADERS[item.kind](item.object_id)))
        else:
            found = None
        if found is not None:
            item.part = found.file.name
            item.filename = f"{item.seq:04d}_{found.filename}"
            item.index_row = {**found.index_row, "文件名": item.filename}
            item.done = True


LOADERS = {
    "declaration": declaration_page,
    "department_declaration": department_declaration_page,
    "evaluation": evaluation_with_rows,
    "monitoring": monitoring_page,
}


def render_item(item_id: int) -> None:
    """Render one form of a job into storage (skipped when already done or the job is over)."""
    item = ExportItem.objects.select_related("job").get(pk=item_id)
    job = item.job
    if item.done or job.status != ExportStatus.RUNNING:
        return
    form = LOADERS[item.kind](item.object_id)
    stored = store(form)  # a final form: rendered once, kept for every later download
    if stored is not None:
        name = f"{item.seq:04d}_{stored.filename}"
        path, row = stored.file.name, {**stored.index_row, "文件名": name}
    else:
        filename, pdf = form_pdf(form)
        name = f"{item.seq:04d}_{filename}"
        path = default_storage.save(f"exports/{job.pk}/parts/{item.seq:04d}.pdf", ContentFile(pdf))
        row = index_row(item.kind, form, name)
    ExportItem.objects.filter(pk=item.pk).update(part=path, filename=name, index_row=row, done=True)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())


def claim_assembly(job_id) -> bool:
    """True for exactly one caller, once every item of a running job is done."""
    if ExportItem.objects.filter(job_id=job_id, done=False).exists():
        return False
    return bool(
        ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
            status=ExportStatus.ASSEMBLING, heartbeat_at=timezone.now()
        )
    )


# The index as an auditor reads it: numbers as number cells, findings as plain text one per line, the office's
# words in the header (the stored rows keep their keys, so that indexes of stored PDFs need no rewrite).
INDEX_HEADERS = {"表中总分": "填报总分"}
INDEX_NUMBERS = {"序号", "年度", "表中总分", "系统计算总分"}
INDEX_WIDTHS = [6, 48, 26, 26, 30, 7, 16, 22, 8, 10, 12, 6, 80]


def _index_number(value):
    """``"92.98"`` → 92.98 as a Decimal (an int for whole numbers such as a year); anything else stays as it is."""
    if isinstance(value, int | Decimal) or value in (None, ""):
        return value
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return value
    return int(number) if number == number.to_integral() and number.as_tuple().exponent >= 0 else number


def _findings_text(value) -> str:
    """Findings as plain text, one per line: no LaTeX (``$\\geq 80\\%$`` → ``≥80%``), no ``。；``."""
    return plain_text(value).replace("。；", "。\n")


def index_workbook(job: ExportJob, items: list[ExportItem]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "索引"
    ws.append([safe_cell(str(job))])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([INDEX_HEADERS.get(column, column) for column in INDEX_COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for item in items:
        row = {**item.index_row, "序号": item.seq}
        ws.append([_index_cell(column, row.get(column, "")) for column in INDEX_COLUMNS])
        for column, cell in zip(INDEX_COLUMNS, ws[ws.max_row], strict=True):
            if column in INDEX_NUMBERS and isinstance(cell.value, int | float | Decimal):
                put_number(cell, cell.value)
            elif column == "一致性检查":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(INDEX_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(len(INDEX_COLUMNS))
    ws.auto_filter.ref = f"A2:{last}{max(ws.max_row, 2)}"
    ws.freeze_panes = "A3"  # the title and the header stay in view
    print_setup(ws, title_rows="2:2", landscape=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _index_cell(column: str, value):
    if column in INDEX_NUMBERS:
        value = _index_number(value)
        if isinstance(value, Decimal):
            return value
    if column == "一致性检查":
        value = _findings_text(value)
    return safe_cell(value)


def assemble(job_id) -> None:
    """Write the ZIP to a temporary file, then to storage; only then is the job done."""
    job = ExportJob.objects.get(pk=job_id)
    if job.status != ExportStatus.ASSEMBLING:
        return
    items = list(job.items.order_by("seq"))
    if lost := [item.pk for item in items if not item.part or not default_storage.exists(item.part.name)]:
        _render_again(job, lost)
        return
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w") as archive:
            for item in items:  # PDFs are compressed already: stored as they are
                with default_storage.open(item.part.name, "rb") as part:
                    archive.writestr(item.filename, part.read(), compress_type=zipfile.ZIP_STORED)
            archive.writestr("索引.xlsx", index_workbook(job, items), compress_type=zipfile.ZIP_DEFLATED)
        tmp.seek(0)
        scope = job.department.name if job.department_id else "全部部门"
        path = default_storage.save(f"exports/{job.pk}/{job.year}年_{scope}_PDF.zip", File(tmp))
    updated = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.ASSEMBLING).update(
        status=ExportStatus.DONE, file=path, finished_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if updated:  # the parts rendered for this job only; stored PDFs of final forms stay
        for item in items:
            if item.part.name.startswith(f"exports/{job.pk}/"):
                default_storage.delete(item.part.name)
    else:  # somebody else finished (or cancelled) the job meanwhile
        default_storage.delete(path)


def _render_again(job: ExportJob, item_ids: list[int]) -> None:
    """Parts whose files are gone (a database restored onto a machine without its files): render them again."""
    ExportItem.objects.filter(pk__in=item_ids).update(done=False, part="", filename="", index_row={})
    if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.ASSEMBLING).update(
        status=ExportStatus.RUNNING, heartbeat_at=timezone.now()
    ):
        enqueue("reports.tasks.run_export", str(job.pk))


def fail(job_id, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
    )


def progress(job: ExportJob) -> dict:
    done = job.items.filter(done=True).count()
    return {
        "status": job.status,
        "status_display": job.get_status_display(),
        "done": done,
        "total": job.total,
        "percent": 100 if job.status == ExportStatus.DONE else int(done * 99 / job.total) if job.total else 0,
        "error": job.error,
    }


def resume_jobs() -> list[str]:
    """Jobs that a stopped worker left unfinished: queue their remaining work again.

    Work that another worker is still doing may run twice; every step tolerates that.
    """

    resumed = []
    for job_id, status in ExportJob.objects.exclude(status__in=[ExportStatus.DONE, ExportStatus.FAILED]).values_list(
        "pk", "status"
    ):
        enqueue(
            "reports.tasks.assemble_export" if status == ExportStatus.ASSEMBLING else "reports.tasks.run_export",
            str(job_id),
        )
        resumed.append(str(job_id))
    return resumed
