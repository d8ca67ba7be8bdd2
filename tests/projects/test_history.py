"""The history pages auditors read (issue 14 point 6): Chinese labels and names, percentages, coded values in
Chinese; funding lines, section scores, reopen and return reasons; the same page for declarations."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.choices import DeclarationStatus, Role
from projects.history import ValueNames
from projects.services import workflow
from selfeval.models import EvaluationCheck, EvaluationFunding, SelfEvaluation
from selfeval.services.signoff import evaluation_reopen, evaluation_return, evaluation_sign, evaluation_submit
from tests.builders import make_declaration, make_department, make_department_declaration, make_project, make_user
from tests.projects.test_declaration_write import page_post
from tests.selfeval.test_evaluation_pages import page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    department = make_department()
    return {
        "finance": make_user(role=Role.FINANCE, department=department, last_name="王", first_name="小红"),
        "head": make_user(role=Role.HEAD, department=department, last_name="李", first_name="主任"),
        "auditor": make_user(role=Role.AUDITOR, last_name="赵", first_name="审计"),
        "outsider": make_user(role=Role.FINANCE, department=make_department()),
    }


def history_table(client, url) -> str:
    page = client.get(url).content.decode()
    return page[page.index('<table class="grid history">') :].split("</table>")[0]


def test_values_read_as_people_read_them(people):
    names = ValueNames()
    rate = EvaluationCheck._meta.get_field("budget_rate")
    status = SelfEvaluation._meta.get_field("status")
    signer = SelfEvaluation._meta.get_field("signed_by")
    total = EvaluationFunding._meta.get_field("is_total")
    assert names.show(rate, Decimal("0.9167")) == "91.67%"
    assert names.show(status, "submitted") == "已提交"
    assert names.show(signer, people["head"].pk) == "李主任"
    assert (names.show(total, True), names.show(total, False)) == ("是", "否")


def test_self_evaluation_history_with_funding_sections_steps_and_names(client, people):
    finance, head = people["finance"], people["head"]
    declaration = make_declaration(make_project(finance.department), status=DeclarationStatus.APPROVED)
    client.force_login(finance)
    client.post(reverse("selfeval:evaluation_create", args=[declaration.pk]))
    evaluation = SelfEvaluation.objects.get(project=declaration.project)
    data = page_data(client, evaluation, **{"funding-0-executed": "90", "goal_actual": "完成", "action": "save"})
    for i, row in enumerate(evaluation.rows.select_related("section").order_by("seq")):
        points = str(row.section.points)
        data |= {f"rows-{i}-actual": "达成", f"rows-{i}-weight": points, f"rows-{i}-score_final": points}
        data[f"rows-{i}-band"] = "achieved"
        data[f"rows-{i}-score_reason"] = "按实际完成情况评定"  # 达成 is a word: its score needs a reason
    section = evaluation.sections.order_by("seq").first()
    data["sections-0-score_final"] = "18"
    assert client.post(reverse("selfeval:evaluation_edit", args=[evaluation.pk]), data).status_code == 302
    evaluation_submit(evaluation_id=evaluation.pk, user=finance)
    evaluation_return(evaluation_id=evaluation.pk, user=head, comment="请补充未完成原因")
    evaluation_submit(evaluation_id=evaluation.pk, user=finance)
    evaluation_sign(evaluation_id=evaluation.pk, user=head)
    evaluation_reopen(evaluation_id=evaluation.pk, user=head, reason="执行数需要按决算更正")

    client.force_login(people["auditor"])
    table = history_table(client, reverse("selfeval:evaluation_history", args=[evaluation.pk]))
    assert "资金“年度资金总额”" in table and "全年执行数（B）（元）</b>：（空） → 900000.00" in table
    assert "+00:00" not in table  # times read in local time, to the minute
    assert f"分项“{section.name}”" in table
    assert "<b>评定得分</b>：（空） → 18" in table
    assert "<b>状态</b>：草稿 → 已提交" in table and "<b>状态</b>：已提交 → 已签署" in table
    assert "<b>签署人</b>：（空） → 李主任" in table
    assert "退回</td>" in table and "请补充未完成原因" in table
    assert "重新打开</td>" in table and "执行数需要按决算更正" in table
    assert "王小红" in table and "李主任" in table
    for code in ("submitted", "signed", "draft", f"→ {head.pk}<"):
        assert code not in table


def test_declaration_history_page_scoped_like_the_form(client, people):
    finance, head = people["finance"], people["head"]
    declaration = make_declaration(make_project(finance.department), leader="张三")
    client.force_login(finance)
    data = page_post(client, declaration, leader="李四", **{"funding-0-name": "一般公共预算财政拨款"})
    assert client.post(reverse("projects:declaration_edit", args=[declaration.pk]), data).status_code == 302
    workflow.declaration_submit(declaration=declaration, user=finance)
    declaration.refresh_from_db()
    workflow.declaration_review(declaration=declaration, user=head, approve=False, comment="请补充测算依据")

    detail = client.get(reverse("projects:declaration", args=[declaration.pk])).content.decode()
    url = reverse("projects:declaration_history", args=[declaration.pk])
    assert url in detail
    client.force_login(people["auditor"])
    table = history_table(client, url)
    assert "<b>项目负责人</b>：张三 → 李四" in table
    assert "资金来源第 1 行“一般公共预算财政拨款”" in table
    assert "<b>资金来源</b>：公共预算财政拨款 → 一般公共预算财政拨款" in table
    assert "<b>状态</b>：草稿 → 已提交" in table and "请补充测算依据" in table
    assert "王小红" in table and "submitted" not in table
    client.force_login(people["outsider"])
    assert client.get(url).status_code == 404


def test_department_declaration_history_page(client, people):
    finance = people["finance"]
    declaration = make_department_declaration(finance.department)
    workflow.declaration_submit(declaration=declaration, user=finance)
    client.force_login(finance)
    detail = client.get(reverse("projects:department_declaration", args=[declaration.pk])).content.decode()
    url = reverse("projects:department_declaration_history", args=[declaration.pk])
    assert url in detail
    table = history_table(client, url)
    assert "提交</td>" in table and "王小红" in table
    client.force_login(people["outsider"])
    assert client.get(url).status_code == 404
