"""End to end in chromium: finance staff fill a declaration, the head returns it once and then approves it."""

import pytest

from projects.models import Project, ProjectDeclaration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_row(page, level1, level2, name, target):
    indicators = page.locator(".formset[data-prefix=indicators]")
    indicators.locator("button.add").click()
    row = indicators.locator("tbody tr.row").last
    row.locator("select[name$=-level1]").select_option(label=level1)
    row.locator("select[name$=-level2]").select_option(label=level2)
    row.locator("input[name$=-name]").fill(name)
    row.locator("input[name$=-target]").fill(target)
    return row


def add_line(page, prefix, **values):
    formset = page.locator(f".formset[data-prefix={prefix}]")
    formset.locator("button.add").click()
    row = formset.locator("tbody tr.row").last
    for name, value in values.items():
        row.locator(f"[name$=-{name}]").fill(value)


def test_fill_submit_return_and_approve(page_for, finance_user, head_user, live_server):
    project = Project.objects.get(key="dxh2021-rczx")
    finance_user.department = project.department
    finance_user.save()

    page = page_for(finance_user)
    page.goto(live_server.url + "/?year=2022")
    page.locator("tr", has_text="人才专项经费").locator("text=新建申报表").click()
    page.wait_for_url("**/edit/")

    page.fill("[name=executing_unit]", "人才科")
    page.fill("[name=leader]", "王洋洋")
    page.fill("[name=phone]", "83265202")
    page.fill("[name=application_reason]", "推进人才强区建设。")
    page.fill("[name=total_budget]", "1200")
    page.fill("[name=annual_budget]", "1200")
    add_line(page, "funding", name="公共预算财政拨款", amount="1200")
    add_line(page, "expenses", name="人才计划相关经费", amount="800")
    add_line(page, "expenses", name="人才活动相关经费", amount="400")
    add_line(page, "goals", text="提升我区招才引智、人才服务工作整体水平")
    row = add_row(page, "产出指标", "数量指标", "招才引智活动", "≥10 场")
    row.locator("[data-parsed]").filter(has_text="定量").wait_for()
    add_row(page, "效益指标", "社会效益指标", "在全市范围内招才引智影响力", "有所提升")
    add_row(page, "满意度指标", "服务对象满意度指标", "人才满意度", "≥90%")
    # a row added by mistake and removed again
    mistake = add_row(page, "产出指标", "时效指标", "误加的一行", "1天")
    mistake.locator("button.remove").click()
    page.click("button[value=submit]")
    page.wait_for_url("**/declarations/*/")
    assert "等待部门负责人审核" in page.content()

    declaration = ProjectDeclaration.objects.get(project=project, year=2022)
    assert declaration.status == "submitted"
    assert declaration.indicators.count() == 3
    assert set(declaration.indicators.values_list("level1__name", flat=True)) == {"产出指标", "效益指标", "满意度指标"}

    head = page_for(head_user)
    head.goto(live_server.url + f"/declarations/{declaration.pk}/")
    head.fill("textarea[name=comment]", "请补充质量指标。")
    head.click("button[value=return]")
    assert "已退回填报人" in head.content()

    page.goto(live_server.url + f"/declarations/{declaration.pk}/")
    assert "退回意见：请补充质量指标。" in page.content()
    page.click("text=填写 / 修改")
    add_row(page, "产出指标", "质量指标", "人才项目评审规范率", "100%")
    page.click("button[value=submit]")
    page.wait_for_url("**/declarations/*/")

    head.goto(live_server.url + f"/declarations/{declaration.pk}/")
    head.click("button[value=approve]")
    assert "已审核通过" in head.content()
    declaration.refresh_from_db()
    assert declaration.status == "approved"
    assert declaration.indicators.count() == 4
    assert list(declaration.events.values_list("action", flat=True)) == [
        "create",
        "submit",
        "return",
        "submit",
        "approve",
    ]
    head.screenshot(path="var/e2e-declaration-approved.png", full_page=True)
