"""Each role's day in chromium, one new project from entry to the auditor's ZIP (issue 14 point 9).

Finance staff fill in their profile, enter a one-off project, declare it and submit; the head approves; finance
staff start the self-evaluation (填报人, 联系电话 and the funding rows already there, scores following the proposals,
an invalid score answered at its field), fill and submit it; the head returns it once with a comment, then signs it
after the confirmation; the auditor finds the newly signed form in 待办 and downloads its PDF and the year's ZIP.
The home page of each role and the filled self-evaluation are saved to docs/screenshots/ for the README."""

import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from projects.models import ProjectDeclaration
from selfeval.models import SelfEvaluation
from tests.browser.test_declaration_flow import add_line, add_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
YEAR = 2022
NAME = "青年人才驿站建设"


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def wait_text(page, selector, test):
    # a function, not an expression: Playwright evaluates a bare expression with eval(), which the CSP forbids
    page.wait_for_function(
        f"(selector) => {{ const el = document.querySelector(selector); return !!el && ({test}); }}", arg=selector
    )


def finance_declares(page, live_server):
    page.click("a[title=个人信息]")
    page.fill("#id_last_name", "王")
    page.fill("#id_first_name", "小红")
    page.fill("#id_phone", "027-83891234")
    page.click("button.primary")
    expect(page.locator("body")).to_contain_text("个人信息已保存")

    page.click("nav >> text=项目库")
    page.click("a.button.primary:has-text('新增项目')")
    page.fill("#id_key", "dxh-2022-yzzj")
    page.fill("#id_name", NAME)
    page.select_option("#id_project_type", "one_off")
    page.fill("#id_period_start", str(YEAR))
    page.fill("#id_period_end", str(YEAR))
    page.click("button.primary")
    expect(page.locator("body")).to_contain_text("已入库")

    page.goto(f"{live_server.url}/?year={YEAR}")
    page.locator("tr", has_text=NAME).locator("text=新建申报表").click()
    page.wait_for_url("**/edit/")
    page.fill("[name=executing_unit]", "人才科")
    page.fill("[name=leader]", "王小红")
    page.fill("[name=phone]", "027-83891234")
    page.fill("[name=application_reason]", "建设青年人才驿站，为来汉青年人才提供过渡住宿。")
    page.fill("[name=total_budget]", "120")
    page.fill("[name=annual_budget]", "120")
    add_line(page, "funding", name="公共预算财政拨款", amount="120")
    add_line(page, "expenses", name="驿站改造", amount="120")
    add_line(page, "goals", text="建成青年人才驿站并投入使用")
    add_row(page, "产出指标", "数量指标", "驿站床位", "≥40 个")
    add_row(page, "效益指标", "社会效益指标", "对青年人才的吸引力", "有所提升")
    add_row(page, "满意度指标", "服务对象满意度指标", "入住人才满意度", "≥90%")
    page.click("button[value=submit]")
    page.wait_for_url("**/declarations/*/")
    assert "等待部门负责人审核" in page.content()
    return ProjectDeclaration.objects.get(project__key="dxh-2022-yzzj", year=YEAR)


def finance_fills(page, live_server, declaration):
    page.goto(f"{live_server.url}/?year={YEAR}")
    page.locator("tr", has_text=NAME).locator("text=开始自评").click()
    page.wait_for_url("**/edit/")
    # less typing: 填报人 and 联系电话 from the profile, the funding rows and 全年预算数 from the declaration
    assert page.input_value("[name=filler]") == "王小红" and page.input_value("[name=phone]") == "027-83891234"
    # the district's 公共预算财政拨款 is the 湖北 form's 区级预算资金 (the row's 其他写法): no row of its own
    assert page.locator("text=公共预算财政拨款").count() == 0
    assert page.locator("tr", has_text="区级预算资金").locator("input[name$=-budget]").input_value() in {
        "120",
        "120.00",
    }
    page.fill("[name=funding-0-executed]", "115")
    rows = page.locator("tr[data-row]")
    for i, actual in enumerate(["45 个", "明显提升", "96%"]):
        rows.nth(i).locator("input[name$=-weight]").fill("20")
        rows.nth(i).locator("input[name$=-actual]").fill(actual)
    # 评定得分 follows the engine's proposal; the total is provisional while a row is still to be scored
    wait_text(page, "tr[data-row] input[name$='-score_final']", "el.value === '20'")
    wait_text(page, "[data-total]", "el.textContent.startsWith('暂计')")
    assert "（16–20 分）" in rows.nth(1).locator("select[name$=-band]").inner_text()
    # an invalid score is answered at its field, and no stale figures stay on the page
    rows.nth(2).locator("input[name$=-score_final]").fill("25")
    wait_text(page, "tr[data-row]:nth-of-type(3) .errorlist.live", "el.textContent.includes('得分不能超过分值')")
    assert page.locator("[data-total]").inner_text() == "—"
    rows.nth(2).locator("input[name$=-score_final]").fill("20")
    rows.nth(1).locator("select[name$=-band]").select_option("achieved")
    rows.nth(1).locator("input[name$=-score_final]").fill("18")
    page.fill("[name=sections-1-score_final]", "18")
    page.fill("[name=goal_actual]", "驿站已建成，全年入住青年人才 160 人次。")
    wait_text(page, "[data-grade]", "el.textContent === '优'")
    assert page.locator(".errorlist.live").count() == 0
    shot(page, "selfeval-filled.png")
    page.click("button[value=submit]")
    page.wait_for_url("**/selfeval/*/")
    assert "等待部门负责人签署" in page.content()
    return SelfEvaluation.objects.get(project=declaration.project, year=YEAR)


def test_each_roles_day(page_for, finance_user, head_user, auditor_user, live_server, tmp_path):
    finance = page_for(finance_user)
    declaration = finance_declares(finance, live_server)

    head = page_for(head_user)
    head.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    head.click("button[value=approve]")
    assert "已审核通过" in head.content()

    evaluation = finance_fills(finance, live_server, declaration)

    # the head finds it in 待办, returns it once with a comment
    head.goto(f"{live_server.url}/?year={YEAR}")
    assert head.locator("a.todo .badge").inner_text() == "1"
    shot(head, "home-head.png")
    head.click("a.todo")
    head.locator("a", has_text=NAME).click()
    head.fill("form.review textarea[name=comment]", "请写明吸引力提升的依据。")
    head.click("button[value=return]")
    assert "已退回填报人修改" in head.content()

    finance.goto(f"{live_server.url}/selfeval/{evaluation.pk}/")
    assert "退回意见：请写明吸引力提升的依据。" in finance.content()
    finance.click("text=填写 / 修改")
    finance.locator("tr[data-row]").nth(1).locator("textarea[name$=-reason]").fill("驿站入住申请数同比增长 40%。")
    finance.click("button[value=submit]")
    finance.wait_for_url("**/selfeval/*/")
    assert "等待部门负责人签署" in finance.content()

    # … and signs it after the confirmation, with a comment
    head.goto(f"{live_server.url}/selfeval/{evaluation.pk}/")
    head.click("#sign-link")
    assert "自评总分" in head.content() and "优" in head.locator(".confirm-figures").inner_text()
    head.fill("textarea[name=comment]", "同意。")
    head.click("button[value=sign]")
    assert "已签署，自评表已锁定" in head.content()
    evaluation.refresh_from_db()
    assert evaluation.status == "signed"
    assert list(evaluation.events.values_list("action", flat=True)) == ["submit", "return", "submit", "sign"]

    # the auditor finds the new signed form in 待办, downloads its PDF and the year's ZIP
    auditor = page_for(auditor_user)
    shot(auditor, "home-auditor.png")
    auditor.click("a.todo")
    auditor.locator("a", has_text=NAME).click()
    auditor.wait_for_url(f"**/selfeval/{evaluation.pk}/")
    with auditor.expect_download() as pdf:
        auditor.click("text=下载 PDF")
    pdf_path = tmp_path / "form.pdf"
    pdf.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    auditor.click("text=批量导出")
    auditor.select_option("select[name=year]", str(YEAR))
    auditor.select_option("select[name=department]", str(declaration.project.department_id))
    auditor.click("text=开始导出")
    auditor.wait_for_url("**/exports/*/")
    auditor.wait_for_selector("[data-download]:not(.hidden)")
    with auditor.expect_download() as archive:
        auditor.click("text=下载 ZIP")
    zip_path = tmp_path / "year.zip"
    archive.value.save_as(zip_path)
    names = zipfile.ZipFile(zip_path).namelist()
    assert any(NAME in n and n.endswith(".pdf") for n in names) and "索引.xlsx" in names
