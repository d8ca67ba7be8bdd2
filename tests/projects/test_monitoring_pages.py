"""The monitoring pages: start from the declaration page, fill with a plan, submit, review, decide; scope on every
path; stale copies refused; the page's queries pinned."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.choices import DeclarationStatus
from projects.models import MonitoringForm
from projects.services import monitoring as service
from tests.builders import make_declaration, make_project

pytestmark = pytest.mark.django_db

ROWS = [("output", "培训人次", "≥600人次"), ("satisfaction", "满意度", "≥90%")]


@pytest.fixture
def declaration(dongxihu):
    return make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)


@pytest.fixture
def form(declaration, finance_user):
    return service.monitoring_start(declaration=declaration, user=finance_user)


def page_data(form, *, version=None, plan="", executed="35", rows=None, action="save"):
    lines, indicator_rows = list(form.budget_lines.all()), list(form.rows.all())
    data = {
        "version": str(form.version if version is None else version), "spending_plan": plan, "action": action,
        "budget-TOTAL_FORMS": str(len(lines)), "budget-INITIAL_FORMS": str(len(lines)),
        "rows-TOTAL_FORMS": str(len(indicator_rows)), "rows-INITIAL_FORMS": str(len(indicator_rows)),
    }  # fmt: skip
    for i, line in enumerate(lines):
        data |= {f"budget-{i}-id": line.pk, f"budget-{i}-initial_budget": "100", f"budget-{i}-annual_budget": "100",
                 f"budget-{i}-executed": executed, f"budget-{i}-forecast": "100"}  # fmt: skip
    defaults = [{"value_to_date": "350", "likelihood": "certain"}, {"value_to_date": "92%", "likelihood": "certain"}]
    for i, row in enumerate(indicator_rows):
        data[f"rows-{i}-id"] = row.pk
        given = (rows or defaults)[i] if i < len(rows or defaults) else {"value_to_date": "1", "likelihood": "certain"}
        data |= {f"rows-{i}-{k}": v for k, v in given.items()}
    return data


def test_finance_starts_from_the_declaration_page(client, finance_user, declaration):
    client.force_login(finance_user)
    page = client.get(reverse("projects:declaration", args=[declaration.pk])).content.decode()
    assert "填报本期运行监控表" in page
    response = client.post(reverse("projects:monitoring_create", args=[declaration.pk]))
    form = MonitoringForm.objects.get(declaration=declaration)
    assert response.url == reverse("projects:monitoring_edit", args=[form.pk])
    assert (
        "1–7月 绩效目标执行监控表"
        in client.get(reverse("projects:declaration", args=[declaration.pk])).content.decode()
    )


def test_heads_and_auditors_cannot_start_one(client, head_user, auditor_user, declaration):
    for user in (head_user, auditor_user):
        client.force_login(user)
        assert (
            "填报本期运行监控表"
            not in client.get(reverse("projects:declaration", args=[declaration.pk])).content.decode()
        )
        client.post(reverse("projects:monitoring_create", args=[declaration.pk]))
    assert not MonitoringForm.objects.exists()


def test_fill_with_a_back_loaded_plan_shows_green_with_its_formula(client, finance_user, form):
    client.force_login(finance_user)
    data = page_data(form, executed="15", plan="0,10,20,70",
                     rows=[{"value_to_date": "100", "likelihood": "certain", "plan": "0,10,20,70"},
                           {"value_to_date": "92%", "likelihood": "certain"}])  # fmt: skip
    response = client.post(reverse("projects:monitoring_edit", args=[form.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(reverse("projects:monitoring", args=[form.pk])).content.decode()
    assert "进度 = 1–7月 100 ÷ (600 × 计划 16.7%) = 100.0%" in page
    assert "执行率 = 1–7月 15 ÷ 100 = 15.0%；进度 = 15.0% ÷ 计划 16.7% = 90.0%" in page
    assert 'light-green" data-light="project"' in page
    # without the plans the same figures are red
    form = MonitoringForm.objects.get(pk=form.pk)
    data = page_data(form, executed="15", rows=[{"value_to_date": "100", "likelihood": "certain"},
                                                {"value_to_date": "92%", "likelihood": "certain"}])  # fmt: skip
    client.post(reverse("projects:monitoring_edit", args=[form.pk]), data)
    page = client.get(reverse("projects:monitoring", args=[form.pk])).content.decode()
    assert 'light-red" data-light="project"' in page


def test_field_errors_in_chinese_and_nothing_saved(client, finance_user, form):
    client.force_login(finance_user)
    data = page_data(form, plan="10,20", executed="abc",
                     rows=[{"value_to_date": "100", "likelihood": "possible"}, {"value_to_date": "92%"}])  # fmt: skip
    page = client.post(reverse("projects:monitoring_edit", args=[form.pk]), data).content.decode()
    assert "本次没有保存任何内容" in page
    assert "请输入数字金额" in page
    assert "计划须为 4 个季度或 12 个月的百分数" in page
    assert "请勾选偏差原因" in page and "请填写相关建议" in page
    form = MonitoringForm.objects.get(pk=form.pk)
    assert form.version == 1 and form.budget_lines.get().executed is None


def test_a_stale_page_is_refused(client, finance_user, form):
    client.force_login(finance_user)
    client.post(reverse("projects:monitoring_edit", args=[form.pk]), page_data(form))
    stale = page_data(form, version=1, executed="50")
    page = client.post(reverse("projects:monitoring_edit", args=[form.pk]), stale, follow=True).content.decode()
    assert "被他人修改" in page
    assert MonitoringForm.objects.get(pk=form.pk).budget_lines.get().executed == 350000


def test_rows_of_another_form_cannot_be_posted(client, finance_user, form, dongxihu):
    other = service.monitoring_start(
        declaration=make_declaration(make_project(dongxihu), status=DeclarationStatus.APPROVED, rows=ROWS),
        user=finance_user,
    )
    client.force_login(finance_user)
    data = page_data(form)
    data["rows-0-id"] = other.rows.first().pk
    client.post(reverse("projects:monitoring_edit", args=[form.pk]), data)
    assert other.rows.first().value_to_date == ""


def test_submit_review_and_decide_through_the_pages(client, finance_user, head_user, auditor_user, form):
    client.force_login(finance_user)
    client.post(reverse("projects:monitoring_edit", args=[form.pk]), page_data(form, action="submit"))
    assert MonitoringForm.objects.get(pk=form.pk).status == "submitted"
    assert client.get(reverse("projects:monitoring_edit", args=[form.pk])).status_code == 403
    client.force_login(head_user)
    client.post(reverse("projects:monitoring_action", args=[form.pk]), {"action": "approve", "comment": "同意"})
    assert MonitoringForm.objects.get(pk=form.pk).status == "approved"
    assert "退回意见" not in client.get(reverse("projects:monitoring", args=[form.pk])).content.decode()
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    client.post(reverse("projects:monitoring_decide", args=[form.pk]),
                {"kind": "continue", "reason": "进度正常", "respond_by": deadline})  # fmt: skip
    page = client.post(reverse("projects:monitoring_decide", args=[form.pk]),
                       {"kind": "stop", "reason": "", "respond_by": "bad"}, follow=True).content.decode()  # fmt: skip
    assert "请填写处理理由" in page
    client.force_login(auditor_user)
    page = client.get(reverse("projects:monitoring", args=[form.pk])).content.decode()
    assert "继续执行" in page and "进度正常" in page and "审核通过" in page
    assert "记录处理意见" not in page and "填写 / 修改" not in page
    client.post(reverse("projects:monitoring_action", args=[form.pk]), {"action": "return", "comment": "x"})
    assert MonitoringForm.objects.get(pk=form.pk).status == "approved"


def test_scope_on_every_path(client, outsider_user, form, declaration):
    client.force_login(outsider_user)
    for name, method in [("monitoring", "get"), ("monitoring_edit", "get"), ("monitoring_action", "post"),
                         ("monitoring_decide", "post")]:  # fmt: skip
        assert getattr(client, method)(reverse(f"projects:{name}", args=[form.pk])).status_code == 404
    assert client.post(reverse("projects:monitoring_create", args=[declaration.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("projects:monitoring", args=[form.pk])).status_code == 302


def test_the_page_reads_in_fixed_queries(client, auditor_user, form, django_assert_max_num_queries):
    client.force_login(auditor_user)
    client.get(reverse("projects:monitoring", args=[form.pk]))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("projects:monitoring", args=[form.pk])).status_code == 200


def test_the_home_page_offers_and_links_monitoring(client, finance_user, head_user, declaration):
    client.force_login(finance_user)
    page = client.get(reverse("home") + "?year=2030").content.decode()
    assert reverse("projects:monitoring_create", args=[declaration.pk]) in page
    form = service.monitoring_start(declaration=declaration, user=finance_user)
    client.force_login(head_user)
    page = client.get(reverse("home") + "?year=2030").content.decode()
    assert reverse("projects:monitoring", args=[form.pk]) in page and "1–7月：草稿" in page
    assert reverse("projects:monitoring_create", args=[declaration.pk]) not in page


def test_a_refused_page_shows_the_lights_of_what_was_typed(client, finance_user, form):
    client.force_login(finance_user)
    data = page_data(form, executed="15", plan="0,10,20,70",
                     rows=[{"value_to_date": "100", "likelihood": "possible"}, {"value_to_date": "92%"}])  # fmt: skip
    page = client.post(reverse("projects:monitoring_edit", args=[form.pk]), data).content.decode()
    assert "本次没有保存任何内容" in page
    assert "进度 = 15.0% ÷ 计划 16.7% = 90.0%" in page  # the typed plan and execution, not the stored blanks
    assert MonitoringForm.objects.get(pk=form.pk).spending_plan == ""


def test_a_returned_form_shows_the_heads_comment_on_its_edit_page(client, finance_user, head_user, form):
    client.force_login(finance_user)
    client.post(reverse("projects:monitoring_edit", args=[form.pk]), page_data(form, action="submit"))
    client.force_login(head_user)
    client.post(
        reverse("projects:monitoring_action", args=[form.pk]), {"action": "return", "comment": "请补充偏差原因。"}
    )
    assert MonitoringForm.objects.get(pk=form.pk).status == "returned"
    client.force_login(finance_user)
    for name in ("projects:monitoring", "projects:monitoring_edit"):
        assert "退回意见：请补充偏差原因。" in client.get(reverse(name, args=[form.pk])).content.decode()
