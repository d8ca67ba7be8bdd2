"""Batch export: a ZIP of a department-year's PDFs with its .xlsx index, scoped, resumable, never half served."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Department, ProjectDeclaration
from reports import tasks
from reports.models import ExportItem, ExportJob, ExportStatus
from reports.services import batch
from reports.services.batch import ExportError, start_export
from selfeval.models import SelfEvaluation

pytestmark = pytest.mark.django_db


def archive(job: ExportJob) -> zipfile.ZipFile:
    with default_storage.open(job.file.name, "rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def index_rows(zf: zipfile.ZipFile) -> list[dict]:
    ws = load_workbook(io.BytesIO(zf.read("索引.xlsx"))).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[1]
    return [dict(zip(header, r, strict=True)) for r in rows[2:]]


def test_an_auditor_exports_every_department_of_a_year(auditor_user):
    job = start_export(user=auditor_user, year=2019, department_id=None)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.total == 16  # 000: 2 forms, 004: 14 forms
    zf = archive(job)
    pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 16 and all(zf.read(n).startswith(b"%PDF") for n in pdfs)
    rows = index_rows(zf)
    assert [r["文件名"] for r in rows] == pdfs
    hongshan = {r["项目"]: r for r in rows if r["部门"] == "中国共产党武汉市洪山区委组织部"}
    assert hongshan["组织日常运转经费"]["填报总分"] == 92.98
    assert hongshan["组织日常运转经费"]["系统计算总分"] == 92.98 and hongshan["组织日常运转经费"]["等次"] == "优"
    system = {r["项目"]: r for r in rows}["干部信息系统建设经费"]
    assert (system["填报总分"], system["系统计算总分"]) == (100, 93)  # the seed's error, in the index
    assert "总分" in system["一致性检查"]
    parts = [item.part.name for item in ExportItem.objects.filter(job=job)]
    assert len(parts) == 16 and not any(default_storage.exists(p) for p in parts)  # parts removed once zipped


def test_the_index_is_a_sheet_to_filter_and_print(auditor_user):
    job = start_export(user=auditor_user, year=2019, department_id=None)
    job.refresh_from_db()
    ws = load_workbook(io.BytesIO(archive(job).read("索引.xlsx"))).active
    header = [c.value for c in ws[2]]
    assert "填报总分" in header and "表中总分" not in header
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == f"A2:M{ws.max_row}"
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    totals = [row[header.index("填报总分")] for row in ws.iter_rows(min_row=3)]
    computed = [row[header.index("系统计算总分")] for row in ws.iter_rows(min_row=3)]
    assert sum(1 for c in totals if isinstance(c.value, int | float)) >= 14
    assert all(isinstance(c.value, int | float) for c in computed)
    assert all(c.alignment.horizontal == "right" for c in totals + computed if c.value is not None)
    assert {c.number_format for c in computed} <= {"0", "0.0", "0.00"}
    years = [row[header.index("年度")].value for row in ws.iter_rows(min_row=3)]
    assert set(years) == {2019}
    findings = " ".join(str(row[header.index("一致性检查")].value) for row in ws.iter_rows(min_row=3))
    assert "≥80%" in findings and "$" not in findings and "\\geq" not in findings and "。；" not in findings


def test_a_department_export_holds_only_that_department(auditor_user):
    hanyang = Department.objects.get(code="420105-zzb")
    job = start_export(user=auditor_user, year=2022, department_id=hanyang.pk)
    job.refresh_from_db()
    rows = index_rows(archive(job))
    assert {r["部门"] for r in rows} == {hanyang.name}
    assert len(rows) == SelfEvaluation.objects.filter(department=hanyang, year=2022).count()


def test_staff_export_their_own_department_only(finance_user, hongshan):
    job = start_export(user=finance_user, year=2021, department_id=None)  # "all" means all they may read
    job.refresh_from_db()
    rows = index_rows(archive(job))
    assert {r["部门"] for r in rows} == {finance_user.department.name}
    assert (
        len(rows)
        == ProjectDeclaration.objects.filter(year=2021, project__department=finance_user.department).count() + 1
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        start_export(user=finance_user, year=2019, department_id=hongshan.pk)
    with pytest.raises(ExportError, match="没有可以导出的表"):
        start_export(user=finance_user, year=2019, department_id=None)


def test_pages_progress_and_download(client, auditor_user, outsider_user):
    client.force_login(auditor_user)
    assert "开始导出" in client.get(reverse("reports:exports")).content.decode()
    response = client.post(reverse("reports:exports"), {"year": "2019", "department": ""})
    job = ExportJob.objects.get(user=auditor_user)
    assert response.url == reverse("reports:export_job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "<progress" in page and "下载 ZIP" in page
    status = client.get(reverse("reports:export_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["done"] == status["total"] == 16
    download = client.get(status["download"])
    assert download["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).testzip() is None
    client.force_login(outsider_user)  # somebody else's job: not found
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:export_status", args=[job.pk])).status_code == 404


def test_bad_choices_get_a_message(client, auditor_user, finance_user, hongshan):
    client.force_login(auditor_user)
    response = client.post(reverse("reports:exports"), {"year": "二〇一九"}, follow=True)
    assert "请选择有效的年度和部门" in response.content.decode()
    response = client.post(reverse("reports:exports"), {"year": "2030"}, follow=True)
    assert "没有可以导出的表" in response.content.decode()
    response = client.post(reverse("reports:exports"), {"year": "1999"}, follow=True)  # outside 2000–2100
    assert "年度应在 2000 至 2100 之间" in response.content.decode()
    client.force_login(finance_user)
    response = client.post(reverse("reports:exports"), {"year": "2019", "department": hongshan.pk})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_a_half_built_zip_is_never_served(client, auditor_user, monkeypatch):
    monkeypatch.setattr(tasks.run_export, "delay", lambda job_id: None)  # no worker picks the job up
    job = start_export(user=auditor_user, year=2019, department_id=None)
    client.force_login(auditor_user)
    for status in [ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.ASSEMBLING, ExportStatus.FAILED]:
        ExportJob.objects.filter(pk=job.pk).update(status=status, file="exports/partial.zip")
        response = client.get(reverse("reports:export_download", args=[job.pk]), follow=True)
        assert response.redirect_chain and "还没有生成完毕" in response.content.decode()


def test_a_job_left_by_a_stopped_worker_resumes_when_a_worker_starts(auditor_user, monkeypatch):
    real_delay = tasks.render_export_item.delay
    calls = []

    def die_after_three(item_id):
        calls.append(item_id)
        if len(calls) <= 3:
            real_delay(item_id)  # the worker stops after three forms: the rest are never rendered

    monkeypatch.setattr(tasks.render_export_item, "delay", die_after_three)
    job = start_export(user=auditor_user, year=2019, department_id=None)
    job.refresh_from_db()
    assert job.status == ExportStatus.RUNNING and job.items.filter(done=True).count() == 3 and not job.file
    monkeypatch.setattr(tasks.render_export_item, "delay", real_delay)
    tasks.resume_on_start()  # celery's worker_ready signal
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert len([n for n in archive(job).namelist() if n.endswith(".pdf")]) == 16


def test_assembly_is_claimed_once(auditor_user, monkeypatch):
    monkeypatch.setattr(tasks.run_export, "delay", lambda job_id: None)
    job = start_export(user=auditor_user, year=2019, department_id=None)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    assert not batch.claim_assembly(job.pk)  # items still missing
    job.items.update(done=True)
    assert batch.claim_assembly(job.pk) and not batch.claim_assembly(job.pk)


def test_a_form_that_cannot_be_rendered_fails_the_job_with_a_message(auditor_user, monkeypatch):
    from reports.services import pdf

    monkeypatch.setattr(pdf, "cjk_families", lambda: frozenset())
    job = start_export(user=auditor_user, year=2019, department_id=None)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "中文字体" in job.error and not job.file


def test_an_auditor_can_export_only_the_self_evaluations_or_only_the_declarations(auditor_user):
    dongxihu = Department.objects.get(code="420112-zzb")
    only_declarations = start_export(user=auditor_user, year=2021, department_id=dongxihu.pk, forms="declarations")
    assert set(only_declarations.items.values_list("kind", flat=True)) == {"declaration", "department_declaration"}
    assert "仅申报表" in str(only_declarations)
    with pytest.raises(ExportError, match="没有可以导出的表"):
        start_export(user=auditor_user, year=2021, department_id=dongxihu.pk, forms="evaluations")
    with pytest.raises(ExportError, match="请选择要导出的表"):
        start_export(user=auditor_user, year=2021, department_id=None, forms="everything")
