"""Bulk import and export of projects and indicators (django-import-export): dry run, row errors, all or nothing."""

import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.choices import Role
from projects.models import Indicator, Project, ProjectDeclaration
from projects.resources import IndicatorResource, ProjectResource
from tests.builders import make_declaration, make_department, make_project, make_user
from tests.conftest import set_status

pytestmark = pytest.mark.django_db

PROJECT_HEADERS = ["项目编码", "部门编码", "项目名称", "项目类型", "起始年度", "终止年度"]


def projects(*rows):
    return tablib.Dataset(*rows, headers=PROJECT_HEADERS)


def test_projects_export_in_chinese():
    data = ProjectResource().export()
    assert data.headers == PROJECT_HEADERS
    row = dict(zip(data.headers, next(r for r in data if r[0] == "dxh2021-rczx"), strict=True))
    assert (row["部门编码"], row["项目名称"], row["项目类型"]) == ("420112-zzb", "人才专项经费", "常年性项目")


def test_a_dry_run_changes_nothing_and_reports_each_row():
    data = projects(
        ["new-1", "420112-zzb", "新项目", "一次性项目", "", ""],
        ["dxh2021-rczx", "420112-zzb", "人才专项经费（改）", "常年性项目", "", ""],
    )
    result = ProjectResource().import_data(data, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["new", "update"]
    assert not Project.objects.filter(key="new-1").exists()
    assert Project.objects.get(key="dxh2021-rczx").name == "人才专项经费"


def test_one_bad_row_refuses_the_whole_import_with_chinese_errors():
    data = projects(
        ["new-1", "420112-zzb", "新项目", "一次性项目", "", ""],
        ["new-2", "999999-nowhere", "新项目二", "常年性", "", ""],
        ["new-3", "420112-zzb", "新项目三", "延续性项目", "二〇二一", "2023"],
    )
    result = ProjectResource().import_data(data, dry_run=False)
    assert result.has_validation_errors()
    messages = [str(m) for row in result.invalid_rows for errors in row.error_dict.values() for m in errors]
    assert any("部门编码“999999-nowhere”不存在" in m for m in messages)
    assert any("“常年性”不是有效的选项" in m for m in messages)
    assert any("“二〇二一”不是有效的年份" in m for m in messages)
    assert not Project.objects.filter(key__startswith="new-").exists()


def test_indicator_rows_import_into_a_draft_only(finance_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    headers = ["项目编码", "年度", "序号", "一级指标", "二级指标", "三级指标", "指标值", "绩效标准", "分值"]
    data = tablib.Dataset(
        ["dxh2021-rczx", "2021", "9", "产出指标", "质量指标", "评审规范率", "100%", "", "5"], headers=headers
    )
    result = IndicatorResource(user=finance_user).import_data(data, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert declaration.indicators.count() == 8  # approved: refused
    set_status(declaration, "draft")
    result = IndicatorResource(user=finance_user).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    row = declaration.indicators.get(seq=9)
    assert (row.name, row.level1.name, row.level2.name, row.weight) == ("评审规范率", "产出指标", "质量指标", 5)


def test_indicator_import_is_scoped(outsider_user):
    set_status(ProjectDeclaration.objects.filter(project__key="dxh2021-rczx"), "draft")
    headers = ["项目编码", "年度", "序号", "一级指标", "二级指标", "三级指标", "指标值", "绩效标准", "分值"]
    data = tablib.Dataset(
        ["dxh2021-rczx", "2021", "9", "产出指标", "质量指标", "越权写入", "100%", "", ""], headers=headers
    )
    result = IndicatorResource(user=outsider_user).import_data(data, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert not Indicator.objects.filter(name="越权写入").exists()
    export = IndicatorResource(user=outsider_user).export()
    assert {row[0] for row in export} <= set(
        Project.objects.filter(department__code__startswith="420111").values_list("key", flat=True)
    )


def test_the_admin_import_checks_the_file_and_the_role(client, admin_user_, finance_user):
    url = reverse("admin:projects_project_import")
    client.force_login(finance_user)
    assert client.get(url).status_code == 403
    client.force_login(admin_user_)
    bad = SimpleUploadedFile("projects.xlsx", b"renamed text file")
    choices = dict(
        (str(label).lower(), value) for value, label in client.get(url).context["form"].fields["format"].choices
    )
    xlsx = choices["xlsx"]
    response = client.post(url, {"resource": "0", "format": xlsx, "import_file": bad})
    assert "不是有效的 .xlsx" in response.content.decode()
    good = io.BytesIO(projects(["new-9", "420112-zzb", "新项目", "一次性项目", "", ""]).export("xlsx"))
    response = client.post(
        url, {"resource": "0", "format": xlsx, "import_file": SimpleUploadedFile("projects.xlsx", good.getvalue())}
    )
    assert response.status_code == 200
    assert not Project.objects.filter(key="new-9").exists()  # the first step is the dry run preview
    assert "新项目" in response.content.decode()


def test_blank_cells_of_an_xlsx_import_as_empty_text(finance_user):
    """A spreadsheet's blank cell reads as None: the row imports with an empty 绩效标准, not a database error."""
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "draft")
    headers = ["项目编码", "年度", "序号", "一级指标", "二级指标", "三级指标", "指标值", "绩效标准", "分值"]
    data = tablib.Dataset(
        ["dxh2021-rczx", 2021, 9, "产出指标", "质量指标", "评审规范率", None, None, 5], headers=headers
    )
    result = IndicatorResource(user=finance_user).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    row = declaration.indicators.get(seq=9)
    assert (row.target, row.standard) == ("", "")


INDICATOR_HEADERS = ["项目编码", "年度", "序号", "一级指标", "二级指标", "三级指标", "指标值", "绩效标准", "分值"]


def indicator_rows(declarations, per_form: int, first_seq: int = 10):
    return tablib.Dataset(
        *[
            [d.project.key, d.year, seq, "产出指标", "数量指标", f"培训人次{seq}", "≥100 人次", "", 1]
            for d in declarations
            for seq in range(first_seq, first_seq + per_form)
        ],
        headers=INDICATOR_HEADERS,
    )


def test_a_large_import_writes_in_batches_with_history_and_moves_each_declaration():
    """Rows spread over several drafts: each declaration is read once, rows are written in batches with their
    history, and each declaration's last change moves; the number of queries does not grow with the rows."""
    department = make_department()
    admin = make_user(role=Role.ADMIN)
    declarations = [make_declaration(make_project(department)) for _ in range(3)]
    before = {d.pk: d.updated_at for d in declarations}
    result = IndicatorResource(user=admin).import_data(indicator_rows(declarations, 5), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    with CaptureQueriesContext(connection) as large:
        result = IndicatorResource(user=admin).import_data(indicator_rows(declarations, 150, 100), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    # Per declaration (its rows, its row count for the cap) and per batch (SQLite splits a batch by its limit of
    # variables), not per row.
    assert len(large.captured_queries) < 450 / 5, len(large.captured_queries)
    for d in declarations:
        rows = Indicator.objects.filter(project_declaration=d, seq__gte=10)
        assert rows.count() == 155
        row = rows.get(seq=120)
        assert (row.name, row.level1.name, row.level2.name, row.weight) == ("培训人次120", "产出指标", "数量指标", 1)
        assert Indicator.history.filter(id=row.pk, history_type="+").exists()
        d.refresh_from_db()
        assert d.updated_at > before[d.pk]


def test_an_import_updates_rows_by_their_number_and_refuses_a_number_given_twice():
    admin = make_user(role=Role.ADMIN)
    declaration = make_declaration(make_project())
    stored = declaration.indicators.get(seq=1)
    data = tablib.Dataset(
        [declaration.project.key, declaration.year, 1, "产出指标", "质量指标", "改过的指标", "100%", "", 4],
        headers=INDICATOR_HEADERS,
    )
    result = IndicatorResource(user=admin).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), [e.error for e in result.base_errors]
    stored.refresh_from_db()
    assert (stored.name, stored.weight, stored.level2.name) == ("改过的指标", 4, "质量指标")
    assert Indicator.history.filter(id=stored.pk, history_type="~").exists()
    count = declaration.indicators.count()
    twice = indicator_rows([declaration], 2, 20)
    twice.append([declaration.project.key, declaration.year, 21, "产出指标", "数量指标", "又一个", "1", "", 1])
    result = IndicatorResource(user=admin).import_data(twice, dry_run=False)
    assert result.has_validation_errors()
    messages = [str(m) for row in result.invalid_rows for errors in row.error_dict.values() for m in errors]
    assert any("序号 21 在文件中出现了两次" in m for m in messages)
    assert declaration.indicators.count() == count


def test_the_dry_run_shows_each_rows_values_and_the_import_skips_making_them():
    admin = make_user(role=Role.ADMIN)
    declaration = make_declaration(make_project())
    dry = IndicatorResource(user=admin).import_data(indicator_rows([declaration], 2), dry_run=True)
    assert all(row.diff and "培训人次" in " ".join(map(str, row.diff)) for row in dry.rows)
    done = IndicatorResource(user=admin).import_data(indicator_rows([declaration], 2), dry_run=False)
    assert not done.has_errors() and all(not row.diff for row in done.rows)
    assert declaration.indicators.filter(seq__in=[10, 11]).count() == 2
