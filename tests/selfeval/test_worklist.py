"""The working year and the 待办 list: each role opens where its work is; 待办 covers every year, with its count in
the navigation (returned forms for finance staff, submitted ones for heads, lately signed ones for auditors)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import DepartmentDeclaration, ProjectDeclaration
from projects.services import workflow
from selfeval.models import SelfEvaluation
from selfeval.selectors import todo_for, working_year
from selfeval.services.signoff import evaluation_return, evaluation_sign
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def form():
    return SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019)  # 洪山, submitted


@pytest.fixture
def hongshan_finance(hongshan):
    return make_user("t-finance-hs", "finance", hongshan)


def on(day: str):
    return datetime.date.fromisoformat(day)


def test_finance_opens_on_last_year_while_its_self_evaluations_are_to_start_then_on_the_budget_year(finance_user):
    # 东西湖 has 7 approved 2021 declarations and no 2021 self-evaluation yet
    assert working_year(finance_user, on("2022-03-01")) == 2021
    # nothing to evaluate for 2022: the declarations of the coming budget year
    assert working_year(finance_user, on("2023-03-01")) == 2024


def test_heads_open_on_the_year_of_unsigned_forms(hongshan_head, head_user):
    assert working_year(hongshan_head, on("2020-04-01")) == 2019  # 洪山's 2019 forms wait for signature
    assert working_year(hongshan_head, on("2021-04-01")) == 2022
    assert working_year(head_user, on("2022-03-01")) == 2021  # 东西湖: 2021 self-evaluations still to start


def test_auditors_open_on_the_latest_year_with_self_evaluations(auditor_user):
    assert working_year(auditor_user, on("2020-05-01")) == 2019
    assert working_year(auditor_user, on("2021-05-01")) == 2019  # none for 2020: the latest earlier year
    assert working_year(auditor_user, on("2023-05-01")) == 2022


def test_the_home_page_opens_on_the_working_year_and_a_chosen_year_wins(client, finance_user, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: on("2022-03-01"))
    client.force_login(finance_user)
    response = client.get(reverse("home"))
    assert response.context["year"] == 2021 and len(response.context["rows"]) == 7
    assert {2021, 2023} <= set(response.context["years"])  # last year and the coming budget year are offered
    assert client.get(reverse("home"), {"year": "2023"}).context["year"] == 2023
    assert client.get(reverse("home"), {"year": "20x3"}).context["year"] == 2021  # bad input: the working year


def test_heads_find_submitted_forms_of_any_year_in_todo_with_a_count(client, hongshan_head, head_user, form):
    client.force_login(hongshan_head)
    home = client.get(reverse("home"), {"year": "2024"}).content.decode()
    assert '待办 <span class="badge">2</span>' in home  # 洪山's two submitted 2019 forms, seen from 2024
    page = client.get(reverse("todo"))
    assert [e.pk for e in page.context["evaluations"]] == list(
        SelfEvaluation.objects.filter(department__code="420111-zzb", status="submitted")
        .order_by("department__code", "pk")
        .values_list("pk", flat=True)
    )
    assert form.project.name in page.content.decode()
    evaluation_sign(evaluation_id=form.pk, user=hongshan_head)
    assert '待办 <span class="badge">1</span>' in client.get(reverse("todo")).content.decode()
    client.force_login(head_user)  # 东西湖's head: 洪山's forms are not theirs
    assert todo_for(head_user).count == 0
    assert "没有等待你处理的表" in client.get(reverse("todo")).content.decode()


def test_heads_find_submitted_declarations_in_todo(client, head_user, finance_user, dongxihu):
    declaration = ProjectDeclaration.objects.filter(project__department=dongxihu).first()
    workflow.declaration_request_adjustment(declaration=declaration, user=finance_user, reason="调整指标值")
    client.force_login(head_user)
    page = client.get(reverse("todo"))
    assert [d.pk for d in page.context["declarations"]] == [declaration.pk]
    assert "调整指标值" in page.content.decode()


def test_department_declarations_wait_in_todo_for_the_head_then_for_the_filer(
    client, head_user, finance_user, dongxihu
):
    overall = DepartmentDeclaration.objects.filter(department=dongxihu, status="approved").first()
    client.force_login(head_user)
    assert client.get(reverse("todo")).context["overall"] == []
    workflow.declaration_request_adjustment(declaration=overall, user=finance_user, reason="年度任务增加一项")
    page = client.get(reverse("todo"))
    assert [d.pk for d in page.context["overall"]] == [overall.pk]
    assert "年度任务增加一项" in page.content.decode() and todo_for(head_user).count == 1
    workflow.declaration_decide_adjustment(declaration=overall, user=head_user, allow=True)
    workflow.declaration_submit(declaration=overall, user=finance_user)
    workflow.declaration_review(declaration=overall, user=head_user, approve=False, comment="请补充年度任务。")
    assert todo_for(head_user).count == 0
    client.force_login(finance_user)
    page = client.get(reverse("todo"))
    assert [d.pk for d in page.context["overall"]] == [overall.pk]
    assert "请补充年度任务。" in page.content.decode() and '待办 <span class="badge">1</span>' in page.content.decode()


def test_finance_finds_returned_forms_in_todo_with_the_comment(client, hongshan_finance, hongshan_head, form):
    client.force_login(hongshan_finance)
    assert todo_for(hongshan_finance).count == 0
    assert 'class="badge"' not in client.get(reverse("todo")).content.decode()
    evaluation_return(evaluation_id=form.pk, user=hongshan_head, comment="请核对全年执行数。")
    page = client.get(reverse("todo"))
    assert [e.pk for e in page.context["evaluations"]] == [form.pk]
    text = page.content.decode()
    assert "已退回" in text and "请核对全年执行数。" in text and '待办 <span class="badge">1</span>' in text


def test_auditors_find_lately_signed_forms_in_todo(client, auditor_user, hongshan_head, form, settings):
    client.force_login(auditor_user)
    assert client.get(reverse("todo")).context["evaluations"] == []  # submitted forms are not theirs
    evaluation_sign(evaluation_id=form.pk, user=hongshan_head, comment="同意")
    page = client.get(reverse("todo"))
    assert [e.pk for e in page.context["evaluations"]] == [form.pk]
    assert "最近 14 天内签署" in page.content.decode()
    settings.PERFBUDGET_NEW_SIGNED_DAYS = 0  # older than the window: no longer new
    assert client.get(reverse("todo")).context["evaluations"] == []


def test_todo_requires_login_and_other_roles_have_none(client, admin_user_):
    response = client.get(reverse("todo"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(admin_user_)
    assert "你的角色没有待办事项" in client.get(reverse("todo")).content.decode()
