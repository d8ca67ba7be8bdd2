"""The monitoring form's Excel template: laid out like the paper form, read back through the page's service (all or
nothing, a message per cell, the row cap, a stale or foreign copy refused), imported by finance staff only."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from projects.choices import DeclarationStatus, Likelihood
from projects.models import MonitoringForm, MonitoringRow
from projects.selectors import monitoring_page
from projects.services import monitoring as service
from projects.services.monitoring_xlsx import export_monitoring, monitoring_import, read_monitoring
from projects.services.xlsx import SheetError
from tests.builders import make_declaration, make_project
from tests.projects.test_monitoring import fill
from tests.reports.test_declaration_xlsx import upload

pytestmark = pytest.mark.django_db

ROWS = [("output", "培训人次", "≥600人次"), ("satisfaction", "满意度", "≥90%")]


@pytest.fixture
def form(dongxihu, finance_user):
    declaration = make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)
    return monitoring_page(service.monitoring_start(declaration=declaration, user=finance_user).pk)


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def find(ws, text: str) -> int:
    """The sheet row whose first cell is ``text``."""
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == text)


def filled(form, changes: dict | None = None) -> bytes:
    """The form's template with the first budget line and rows filled as finance staff would (``changes``: cell →
    value by (row label offset, column))."""
    wb = load_workbook(io.BytesIO(export_monitoring(form)))
    ws = wb.worksheets[0]
    budget = find(ws, "资金来源") + 1
    ws.cell(row=budget, column=9).value = 35  # 1–7月执行数 (万元), a number cell
    ws.cell(row=budget, column=13).value = 98.5
    rows = find(ws, "序号") + 1
    values = {6: "150", 7: "500", 8: "☑", 10: "√", 13: "有可能", 14: "上半年师资不足", 15: "下半年集中开班"}
    for column, value in values.items():
        ws.cell(row=rows, column=column).value = value
    ws.cell(row=rows + 1, column=6).value = "92%"
    ws.cell(row=rows + 1, column=13).value = "确定能"
    for (row_offset, column), value in (changes or {}).items():
        ws.cell(row=rows + row_offset, column=column).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_template_is_laid_out_like_the_paper_form(form):
    ws = sheet_of(export_monitoring(form))
    assert ws["A1"].value == "项目支出绩效目标执行监控表"
    assert "1–7月" in ws["A2"].value and "单位：万元" in ws["I3"].value
    header = find(ws, "资金来源")
    assert [ws.cell(row=header, column=c).value for c in (5, 7, 9, 11, 13)] == [
        "年初预算数", "全年预算数", "1–7月执行数", "执行率", "全年预计执行数",
    ]  # fmt: skip
    amount = ws.cell(row=header + 1, column=7)
    assert amount.data_type == "n" and amount.value == 100  # money as a number cell in the form's unit
    rows = find(ws, "序号")
    assert [ws.cell(row=rows, column=c).value for c in range(8, 14)] == [
        "经费保障", "制度保障", "人员保障", "硬件条件保障", "其他", "完成目标可能性",
    ]  # fmt: skip
    assert ws.cell(row=rows + 1, column=4).value == "培训人次"
    assert ws.cell(row=rows + 1, column=8).value == "☐"
    meta = load_workbook(io.BytesIO(export_monitoring(form)))["_perfbudget"]
    assert meta.sheet_state == "hidden" and meta["B2"].value == form.pk and meta["B3"].value == form.version


def test_round_trip_writes_through_the_page_service(form, finance_user):
    monitoring_import(form=form, data=read_monitoring(io.BytesIO(filled(form)), form.unit), user=finance_user)
    form = monitoring_page(form.pk)
    line = form.budget_lines.get()
    assert (line.executed, line.forecast) == (Decimal("350000"), Decimal("985000"))
    first, second = form.rows.all()
    assert (first.value_to_date, first.forecast, first.likelihood) == ("150", "500", Likelihood.POSSIBLE)
    assert first.causes() == ["经费保障", "人员保障"] and first.suggestion == "下半年集中开班"
    assert (second.value_to_date, second.likelihood) == ("92%", Likelihood.CERTAIN)
    assert form.version == 2
    assert form.events.last().comment == "由 Excel 导入"
    again = read_monitoring(io.BytesIO(export_monitoring(form)), form.unit)  # exported again: the same values
    assert again.rows[0][2]["cause_staff"] is True and again.budget[0][2]["executed"] == Decimal("350000")


def test_a_stale_copy_is_refused_and_nothing_written(form, finance_user):
    content = filled(form)
    fill(form, finance_user, {1: {"value_to_date": "10"}})  # someone saved the page meanwhile
    with pytest.raises(service.MonitoringError, match="模板导出之后.*又被修改过.*请重新导出模板"):
        monitoring_import(form=form, data=read_monitoring(io.BytesIO(content), form.unit), user=finance_user)
    assert MonitoringRow.objects.get(form=form, seq=1).value_to_date == "10"


def test_each_bad_cell_is_named_and_nothing_is_written(form, finance_user):
    content = filled(form, {(0, 9): "也许", (1, 13): "差不多", (0, 17): "10,20"})
    with pytest.raises(SheetError) as caught:
        read_monitoring(io.BytesIO(content), form.unit)
    rows = find(sheet_of(content), "序号") + 1
    assert f"第 {rows} 行 制度保障：“也许”应为 ☑（勾选）或 ☐（不勾选）。" in caught.value.problems
    assert any(p.startswith(f"第 {rows + 1} 行 完成目标可能性：“差不多”") for p in caught.value.problems)
    assert any(p.startswith(f"第 {rows} 行 完成计划（%）：计划须为 4 个季度") for p in caught.value.problems)


def test_possible_without_a_suggestion_is_refused_at_its_row(form, finance_user):
    content = filled(form, {(0, 15): ""})
    with pytest.raises(SheetError, match="请填写相关建议"):
        monitoring_import(form=form, data=read_monitoring(io.BytesIO(content), form.unit), user=finance_user)
    assert MonitoringForm.objects.get(pk=form.pk).version == 1


def test_a_bad_amount_a_renamed_row_a_foreign_form_and_a_foreign_workbook_are_refused(form, finance_user, dongxihu):
    wb = load_workbook(io.BytesIO(filled(form)))
    wb.worksheets[0].cell(row=find(wb.worksheets[0], "资金来源") + 1, column=9).value = "三十五"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SheetError, match="不是有效的金额"):
        read_monitoring(io.BytesIO(out.getvalue()), form.unit)
    renamed = filled(form, {(0, 4): "别的指标"})
    with pytest.raises(SheetError, match="绩效指标的行与监控表不一致"):
        monitoring_import(form=form, data=read_monitoring(io.BytesIO(renamed), form.unit), user=finance_user)
    other = make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)
    other_form = service.monitoring_start(declaration=other, user=finance_user)
    with pytest.raises(service.MonitoringError, match="属于另一张监控表"):
        monitoring_import(form=other_form, data=read_monitoring(io.BytesIO(filled(form)), form.unit), user=finance_user)
    plain = io.BytesIO()
    Workbook().save(plain)
    with pytest.raises(SheetError, match="缺少模板标记"):
        read_monitoring(io.BytesIO(plain.getvalue()), form.unit)


def test_formula_text_is_written_as_text(form, finance_user):
    fill(form, finance_user, {1: {"remark": '=HYPERLINK("http://x")'}})
    ws = sheet_of(export_monitoring(monitoring_page(form.pk)))
    cell = ws.cell(row=find(ws, "序号") + 1, column=16)
    assert cell.value.startswith("'=") and cell.data_type == "s"


def test_the_row_cap_refuses_the_file(form, settings):
    settings.MAX_FORM_ROWS = 2
    with pytest.raises(SheetError, match="超过了每张表最多 2 行"):
        read_monitoring(io.BytesIO(filled(form)), form.unit)


def test_pages_download_for_readers_and_import_for_finance_only(client, form, finance_user, head_user, outsider_user):
    client.force_login(head_user)
    response = client.get(reverse("reports:monitoring_xlsx", args=[form.pk]))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    page = client.get(reverse("projects:monitoring", args=[form.pk])).content.decode()
    assert reverse("reports:monitoring_xlsx", args=[form.pk]) in page
    assert reverse("reports:monitoring_import", args=[form.pk]) not in page
    url = reverse("reports:monitoring_import", args=[form.pk])
    assert client.post(url, {"file": upload(filled(form), "监控表.xlsx")}).status_code == 403
    client.force_login(outsider_user)
    assert client.get(reverse("reports:monitoring_xlsx", args=[form.pk])).status_code == 404
    assert client.post(url, {"file": upload(filled(form), "监控表.xlsx")}).status_code == 404
    client.force_login(finance_user)
    assert url in client.get(reverse("projects:monitoring", args=[form.pk])).content.decode()
    response = client.post(url, {"file": upload(filled(form), "监控表.xlsx")}, follow=True)
    assert "已由 Excel 导入监控表" in response.content.decode()
    assert MonitoringRow.objects.get(form=form, seq=1).value_to_date == "150"
    response = client.post(url, {"file": upload(b"not a zip", "监控表.xlsx")}, follow=True)
    assert "导入失败" in response.content.decode()
