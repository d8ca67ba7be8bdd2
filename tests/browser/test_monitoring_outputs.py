"""End to end in chromium: finance staff download a monitoring form's PDF and Excel template, fill the template
offline and import it back (a second import of the same copy is refused as stale); the head filters the board of
lights by colour, the auditor by department."""

import io

import pytest
from openpyxl import load_workbook

from projects.models import MonitoringForm, ProjectDeclaration
from projects.services import monitoring as service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pdf_excel_round_trip_and_the_board(page_for, finance_user, head_user, auditor_user, live_server, tmp_path):
    declaration = ProjectDeclaration.objects.get(project__name="2021 年度干部教育培训", year=2021)
    for user in (finance_user, head_user):
        user.department = declaration.project.department
        user.save()
    form = service.monitoring_start(declaration=declaration, user=finance_user)

    page = page_for(finance_user)
    page.goto(f"{live_server.url}/monitoring/{form.pk}/")
    with page.expect_download() as pdf:
        page.click("text=下载 PDF")
    assert pdf.value.suggested_filename.endswith("_监控表_2021_年度干部教育培训.pdf")
    with page.expect_download() as xlsx:
        page.click("text=导出 Excel")
    book = load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read()))
    ws = book.worksheets[0]
    budget = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "资金来源") + 1
    ws.cell(row=budget, column=9).value = 30
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "序号") + 1
    for offset in range(form.rows.count()):
        ws.cell(row=first + offset, column=6).value = "1" if offset == 0 else "完成"
        ws.cell(row=first + offset, column=13).value = "确定能"
    filled = tmp_path / "监控表.xlsx"
    book.save(filled)
    page.set_input_files("input[name=file]", str(filled))
    page.click("form[enctype] button")
    page.wait_for_url(f"**/monitoring/{form.pk}/")
    assert "已由 Excel 导入监控表" in page.content()
    assert page.locator("[data-light=project]").inner_text() == "项目 红灯"
    page.set_input_files("input[name=file]", str(filled))
    page.click("form[enctype] button")
    page.wait_for_url(f"**/monitoring/{form.pk}/")
    assert "请重新导出模板" in page.content()
    assert MonitoringForm.objects.get(pk=form.pk).version == 2

    page = page_for(head_user)
    page.goto(f"{live_server.url}/monitoring/")
    with page.expect_navigation():
        page.select_option("select[name=colour]", "green")
    assert page.locator("#board-lines tbody tr td.muted").count() == 1  # no green project
    with page.expect_navigation():
        page.select_option("select[name=colour]", "red")
    assert page.locator("#board-lines tbody tr", has_text="2021 年度干部教育培训").count() == 1

    page = page_for(auditor_user)
    page.goto(f"{live_server.url}/monitoring/")
    with page.expect_navigation():
        page.select_option("select[name=department]", label=declaration.project.department.name)
    assert page.locator("#board-counts tbody tr").count() == 1
    assert page.locator("#board-lines [data-light=project]").inner_text() == "红灯"
