"""Monitoring forms in the department-year batch export: their PDFs in the ZIP after the declarations, a row each in
the index, alone with 仅运行监控表, and only those the user may read."""

import pytest

from projects.choices import DeclarationStatus
from reports.models import ExportStatus
from reports.services.batch import ExportError, forms_for, start_export
from tests.builders import make_declaration, make_project
from tests.reports.test_batch_export import archive, index_rows
from tests.reports.test_monitoring_pdf import approved  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_year_export_holds_the_monitoring_pdf_with_its_index_row(approved, auditor_user, dongxihu):  # noqa: F811
    job = start_export(user=auditor_user, year=2030, department_id=dongxihu.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    assert list(job.items.values_list("kind", flat=True)) == ["declaration", "monitoring"]
    zf = archive(job)
    name = next(n for n in zf.namelist() if "_监控表_" in n)
    assert zf.read(name).startswith(b"%PDF")
    row = next(r for r in index_rows(zf) if r["文件名"] == name)
    assert (row["表名"], row["表样"], row["部门"], row["状态"]) == (
        "项目支出绩效目标执行监控表", "1–7月", dongxihu.name, "已审核",
    )  # fmt: skip


def test_only_the_monitoring_forms_and_only_in_scope(approved, auditor_user, outsider_user, dongxihu):  # noqa: F811
    only = start_export(user=auditor_user, year=2030, department_id=None, forms="monitoring")
    assert list(only.items.values_list("kind", "object_id")) == [("monitoring", approved.pk)]
    assert "仅运行监控表" in str(only)
    assert forms_for(outsider_user, 2030, None, "monitoring") == []
    make_declaration(make_project(dongxihu), year=2031, status=DeclarationStatus.APPROVED)
    with pytest.raises(ExportError, match="没有可以导出的表"):
        start_export(user=auditor_user, year=2031, department_id=None, forms="monitoring")
