"""In chromium: finance staff enter a new one-off project, find it on the home page of its year with a declaration
to start, and see a returned self-evaluation in 待办; the finance home page is saved as a screenshot for the docs."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from projects.models import Project
from selfeval.models import SelfEvaluation
from selfeval.services.signoff import evaluation_return
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def test_finance_enters_a_project_and_reads_a_return_in_todo(page_for, hongshan, hongshan_head, live_server):
    finance = make_user("t-finance-hs", "finance", hongshan, first_name="丽", last_name="李")
    form = SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019)
    evaluation_return(evaluation_id=form.pk, user=hongshan_head, comment="请补充满意度调查的样本量。")

    page = page_for(finance)
    page.click("text=新增项目（项目入库）")
    expect(page.locator("body")).to_contain_text("建议编码")
    page.fill("#id_key", "hs-2019-yzzj")
    page.fill("#id_name", "青年人才驿站建设")
    page.select_option("#id_project_type", "one_off")
    page.fill("#id_period_start", "2019")
    page.fill("#id_period_end", "2019")
    page.click("button.primary")
    expect(page.locator("body")).to_contain_text("已入库")
    assert Project.objects.filter(key="hs-2019-yzzj", department=hongshan).exists()

    page.goto(live_server.url + "/?year=2019")
    row = page.locator("tr", has_text="青年人才驿站建设")
    assert row.locator("button", has_text="新建申报表").count() == 1
    assert "退回意见：请补充满意度调查的样本量。" in page.content()
    assert page.locator("a.todo .badge").inner_text() == "1"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home-finance.png"), full_page=True)

    page.click("a.todo")
    expect(page.locator("body")).to_contain_text("请补充满意度调查的样本量。")
