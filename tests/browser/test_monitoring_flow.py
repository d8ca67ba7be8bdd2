"""End to end in chromium: finance staff fill the 1–7月 monitoring form of 001's 干部教育培训 with a back-loaded plan
(red becomes green), the head approves it and records a decision, the auditor reads it."""

import datetime

import pytest

from projects.models import MonitoringForm, ProjectDeclaration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_back_loaded_plan_turns_red_green_then_approval_and_decision(
    page_for, finance_user, head_user, auditor_user, live_server
):
    declaration = ProjectDeclaration.objects.get(project__name="2021 年度干部教育培训", year=2021)
    for user in (finance_user, head_user):
        user.department = declaration.project.department
        user.save()

    page = page_for(finance_user)
    page.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    page.click("text=填报本期运行监控表")
    page.wait_for_url("**/edit/")
    page.fill("[name=budget-0-executed]", "30")  # 万元 of 150 by July
    for i, value in enumerate(["1", "100%", "40学时", "0.5万元", "测评方案已制定", "96%"]):
        page.fill(f"[name=rows-{i}-value_to_date]", value)
        page.select_option(f"[name=rows-{i}-likelihood]", "certain")
    page.click("button[value=save]")
    page.wait_for_url("**/monitoring/*/")
    assert page.locator("[data-light=project]").inner_text() == "项目 红灯"
    assert "进度 = 1–7月 1 ÷ (5 × 7/12) = 34.3%" in page.locator("[data-light=row-1] + .formula").inner_text()

    page.click("text=填写 / 修改")
    page.fill("[name=spending_plan]", "5,10,30,55")
    page.fill("[name=rows-0-plan]", "0,10,30,60")
    page.fill("[name=rows-2-plan]", "0,10,30,60")
    page.click("button[value=submit]")
    page.wait_for_url("**/monitoring/*/")
    assert page.locator("[data-light=project]").inner_text() == "项目 绿灯"
    assert "进度 = 20.0% ÷ 计划 25.0% = 80.0%" in page.content()
    form = MonitoringForm.objects.get(declaration=declaration)
    assert form.status == "submitted"

    page = page_for(head_user)
    page.goto(f"{live_server.url}/monitoring/{form.pk}/")
    page.fill("textarea[name=comment]", "同意")
    page.click("button[value=approve]")
    page.wait_for_url(f"**/monitoring/{form.pk}/")
    page.select_option("select[name=kind]", "continue")
    page.fill("textarea[name=reason]", "按计划推进")
    page.fill("input[name=respond_by]", (datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    page.click("text=记录处理意见")
    page.wait_for_url(f"**/monitoring/{form.pk}/")
    assert "处理意见已记录" in page.content()

    page = page_for(auditor_user)
    page.goto(f"{live_server.url}/monitoring/{form.pk}/")
    assert page.locator("tr", has_text="按计划推进").locator("b", has_text="继续执行").count() == 1  # the decision
    assert page.locator("td", has_text="继续执行：按计划推进").count() == 1  # and its log entry
    assert page.locator("text=记录处理意见").count() == 0 and page.locator("text=填写 / 修改").count() == 0
