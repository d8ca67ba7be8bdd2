"""Render once, serve many: a signed or approved form's PDF is stored at that moment and served from storage."""

import datetime
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from projects.locking import loading_records
from projects.models import MonitoringForm, ProjectDeclaration
from projects.services import workflow as declaration_services
from reports.models import StoredPdf
from reports.services import pdf as pdf_service
from reports.services.batch import start_export
from reports.services.stored import final_key
from selfeval.models import EvaluationRow, SelfEvaluation
from selfeval.services.signoff import evaluation_reopen, evaluation_sign
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def form():
    return SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019)  # submitted


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def no_rendering(monkeypatch):
    def refuse(html):
        raise AssertionError("rendered although a stored PDF exists")

    monkeypatch.setattr(pdf_service, "render_pdf", refuse)


def sign(form, head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return evaluation_sign(evaluation_id=form.pk, user=head)


def test_signing_stores_the_pdf_and_downloads_serve_it(
    client, form, hongshan_head, auditor_user, monkeypatch, django_capture_on_commit_callbacks
):
    signed = sign(form, hongshan_head, django_capture_on_commit_callbacks)
    stored = StoredPdf.objects.get(kind="evaluation", object_id=form.pk)
    assert stored.digest == signed.signed_digest
    with default_storage.open(stored.file.name, "rb") as f:
        kept = f.read()
    assert kept.startswith(b"%PDF")
    no_rendering(monkeypatch)
    client.force_login(auditor_user)
    for _ in range(2):
        response = client.get(reverse("reports:evaluation_pdf", args=[form.pk]))
        assert response.status_code == 200 and body(response) == kept
    assert StoredPdf.objects.count() == 1


def test_a_form_reopened_and_signed_again_gets_a_new_file(
    client, form, hongshan_head, finance_user, auditor_user, django_capture_on_commit_callbacks
):
    first = sign(form, hongshan_head, django_capture_on_commit_callbacks)
    old = StoredPdf.objects.get(object_id=form.pk)
    evaluation_reopen(evaluation_id=form.pk, user=hongshan_head, reason="完成值有误")
    client.force_login(auditor_user)
    draft_pdf = body(client.get(reverse("reports:evaluation_pdf", args=[form.pk])))
    assert draft_pdf.startswith(b"%PDF") and StoredPdf.objects.count() == 1  # not final: rendered, not stored
    row = form.rows.order_by("seq").first()
    EvaluationRow.objects.filter(pk=row.pk).update(actual="更正后的完成值")
    set_status(form, "submitted")
    second = sign(form, hongshan_head, django_capture_on_commit_callbacks)
    assert second.signed_digest != first.signed_digest
    new = StoredPdf.objects.exclude(pk=old.pk).get(object_id=form.pk)
    served = body(client.get(reverse("reports:evaluation_pdf", args=[form.pk])))
    with default_storage.open(new.file.name, "rb") as f:
        assert served == f.read()
    from tests.reports.test_pdf import pdf_pages

    assert "更正后的完成值" in "".join(pdf_pages(served))


def test_an_approved_declaration_is_stored_and_a_changed_one_is_not_served_stale(
    client, finance_user, head_user, django_capture_on_commit_callbacks
):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "submitted")
    with django_capture_on_commit_callbacks(execute=True):
        declaration_services.declaration_review(declaration=declaration, user=head_user, approve=True)
    declaration.refresh_from_db()
    stored = StoredPdf.objects.get(kind="declaration", object_id=declaration.pk)
    from projects.selectors import declaration_page

    assert stored.digest == final_key(declaration_page(declaration.pk)).digest
    with loading_records():  # the model layer refuses it; a change behind its back (a restore, raw SQL) is caught
        ProjectDeclaration.objects.filter(pk=declaration.pk).update(application_reason="管理员改过的申请理由")
    assert final_key(declaration_page(declaration.pk)).digest != stored.digest
    client.force_login(finance_user)
    served = body(client.get(reverse("reports:declaration_pdf", args=[declaration.pk])))
    from tests.reports.test_pdf import pdf_pages

    assert "管理员改过的申请理由" in "".join(pdf_pages(served))  # a new file, not the stale one
    assert StoredPdf.objects.filter(kind="declaration", object_id=declaration.pk).count() == 2


def test_a_batch_takes_the_stored_files_without_rendering(
    auditor_user, form, hongshan_head, monkeypatch, django_capture_on_commit_callbacks
):
    sign(form, hongshan_head, django_capture_on_commit_callbacks)
    other = SelfEvaluation.objects.get(project__name="组织工作运行经费", year=2019)
    set_status(other, "submitted")
    sign(other, hongshan_head, django_capture_on_commit_callbacks)
    no_rendering(monkeypatch)
    hongshan = form.department
    job = start_export(user=auditor_user, year=2019, department_id=hongshan.pk)
    job.refresh_from_db()
    assert job.status == "done"
    with default_storage.open(job.file.name, "rb") as f:
        archive = zipfile.ZipFile(io.BytesIO(f.read()))
    stored = {s.object_id: s for s in StoredPdf.objects.all()}
    for item in job.items.all():
        with default_storage.open(stored[item.object_id].file.name, "rb") as f:
            assert archive.read(item.filename) == f.read()
        assert default_storage.exists(item.part.name)  # the stored file stays after zipping


def test_on_a_machine_without_the_old_files_every_pdf_and_export_still_works(
    client, settings, tmp_path, form, hongshan_head, head_user, auditor_user, django_capture_on_commit_callbacks
):
    """A restore onto a new machine: the rows of stored PDFs and exports are there, their files are not."""
    from reports.models import ExportJob
    from reports.services.batch import assemble

    sign(form, hongshan_head, django_capture_on_commit_callbacks)
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "submitted")
    with django_capture_on_commit_callbacks(execute=True):
        declaration_services.declaration_review(declaration=declaration, user=head_user, approve=True)
    old_job = start_export(user=auditor_user, year=2019, department_id=form.department_id)
    old_job.refresh_from_db()
    assert old_job.status == "done" and StoredPdf.objects.count() == 2

    settings.MEDIA_ROOT = str(tmp_path / "new-machine")  # nothing of the old files
    assert not default_storage.exists(old_job.file.name)
    client.force_login(auditor_user)
    for name, pk in [("reports:evaluation_pdf", form.pk), ("reports:declaration_pdf", declaration.pk)]:
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 200 and body(response).startswith(b"%PDF"), name
    assert all(default_storage.exists(s.file.name) for s in StoredPdf.objects.all())  # rendered and kept again

    gone = client.get(reverse("reports:export_download", args=[old_job.pk]))
    assert gone.status_code == 302  # a message, not a 500
    assert "已经不在" in client.get(gone["Location"]).content.decode()

    new_job = start_export(user=auditor_user, year=2019, department_id=form.department_id)
    new_job.refresh_from_db()
    assert new_job.status == "done"
    assert client.get(reverse("reports:export_download", args=[new_job.pk])).status_code == 200

    settings.MEDIA_ROOT = str(tmp_path / "another-machine")  # a job caught assembling when the files went
    ExportJob.objects.filter(pk=new_job.pk).update(status="assembling", file="")
    assemble(new_job.pk)
    new_job.refresh_from_db()
    assert new_job.status == "done" and default_storage.exists(new_job.file.name)
    assert len(archive_names(new_job)) == new_job.total + 1  # every form again, and the index


def archive_names(job) -> list[str]:
    with default_storage.open(job.file.name, "rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read())).namelist()


# -- approved monitoring forms ---------------------------------------------------------------------------------------


@pytest.fixture
def approved_monitoring(dongxihu, finance_user, head_user, django_capture_on_commit_callbacks):
    from projects.services import monitoring as monitoring_service
    from tests.projects.test_monitoring_board import monitored

    form = monitored(dongxihu, finance_user, "350", name="监控培训项目")
    monitoring_service.monitoring_submit(form=form, user=finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        monitoring_service.monitoring_review(form=form, user=head_user, approve=True, comment="同意")
    return form


def test_an_approved_monitoring_form_is_stored_once_and_served(client, approved_monitoring, auditor_user, monkeypatch):
    from projects.selectors import monitoring_page

    stored = StoredPdf.objects.get(kind="monitoring", object_id=approved_monitoring.pk)
    assert stored.digest == final_key(monitoring_page(approved_monitoring.pk)).digest
    assert stored.index_row["项目"] == "监控培训项目"
    with default_storage.open(stored.file.name, "rb") as f:
        kept = f.read()
    assert kept.startswith(b"%PDF")
    no_rendering(monkeypatch)
    client.force_login(auditor_user)
    for _ in range(2):
        response = client.get(reverse("reports:monitoring_pdf", args=[approved_monitoring.pk]))
        assert response.status_code == 200 and body(response) == kept
    assert StoredPdf.objects.filter(kind="monitoring").count() == 1


def test_a_draft_monitoring_form_is_rendered_not_stored(client, dongxihu, finance_user):
    from tests.projects.test_monitoring_board import monitored

    form = monitored(dongxihu, finance_user, "350", name="监控培训项目")
    client.force_login(finance_user)
    response = client.get(reverse("reports:monitoring_pdf", args=[form.pk]))
    assert body(response).startswith(b"%PDF") and not StoredPdf.objects.exists()


def test_a_monitoring_form_returned_and_approved_again_gets_a_new_file(
    client, approved_monitoring, finance_user, head_user, auditor_user, django_capture_on_commit_callbacks
):
    from projects.services import monitoring as monitoring_service
    from tests.projects.test_monitoring import fill
    from tests.reports.test_pdf import pdf_pages

    form = approved_monitoring
    old = StoredPdf.objects.get(kind="monitoring", object_id=form.pk)
    # a decision after approval is printed: the stored file is not served stale
    monitoring_service.monitoring_decide(
        form=form, user=head_user, kind="continue", reason="进度正常继续执行", respond_by=datetime.date(2099, 1, 1)
    )
    client.force_login(auditor_user)
    served = body(client.get(reverse("reports:monitoring_pdf", args=[form.pk])))
    assert "进度正常继续执行" in "".join(pdf_pages(served))
    assert StoredPdf.objects.filter(kind="monitoring", object_id=form.pk).count() == 2
    # reopened through the workflow (set back to submitted, returned, changed) and approved again
    set_status(form, "submitted")
    monitoring_service.monitoring_review(form=form, user=head_user, approve=False, comment="执行数有误")
    form = fill(MonitoringForm.objects.get(pk=form.pk), finance_user, {1: {"remark": "更正后的备注"}})
    monitoring_service.monitoring_submit(form=form, user=finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        monitoring_service.monitoring_review(form=form, user=head_user, approve=True)
    assert StoredPdf.objects.filter(kind="monitoring", object_id=form.pk).count() == 3
    newest = StoredPdf.objects.filter(kind="monitoring", object_id=form.pk).latest("created_at")
    assert newest.pk != old.pk and newest.stamp != old.stamp
    served = body(client.get(reverse("reports:monitoring_pdf", args=[form.pk])))
    with default_storage.open(newest.file.name, "rb") as f:
        assert served == f.read()
    assert "更正后的备注" in "".join(pdf_pages(served))


def test_the_monitoring_batch_takes_the_stored_file_without_rendering(
    approved_monitoring, auditor_user, dongxihu, monkeypatch
):
    stored = StoredPdf.objects.get(kind="monitoring", object_id=approved_monitoring.pk)
    no_rendering(monkeypatch)
    job = start_export(user=auditor_user, year=2030, department_id=dongxihu.pk, forms="monitoring")
    job.refresh_from_db()
    assert job.status == "done"
    (item,) = job.items.all()
    assert item.part.name == stored.file.name
    with default_storage.open(job.file.name, "rb") as f:
        archive = zipfile.ZipFile(io.BytesIO(f.read()))
    with default_storage.open(stored.file.name, "rb") as f:
        assert archive.read(item.filename) == f.read()
