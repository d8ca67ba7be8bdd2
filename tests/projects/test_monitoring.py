"""绩效运行监控: rules per jurisdiction and year, starting a form, saving, the 有可能 rule, the workflow, the lock, the
log and the decisions (the adjustment they open on the declaration)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.choices import DeclarationStatus, Likelihood
from projects.locking import FormLocked
from projects.models import (
    DeclarationEvent,
    MonitoringBudgetLine,
    MonitoringForm,
    MonitoringPeriod,
    MonitoringRow,
    MonitoringRule,
)
from projects.services import monitoring as service
from projects.services.workflow import declaration_decide_adjustment
from tests.builders import make_declaration, make_project

pytestmark = pytest.mark.django_db

ROWS = [("output", "培训人次", "≥600人次"), ("output", "响应时间", "≤48小时"), ("satisfaction", "满意度", "≥90%")]


@pytest.fixture
def declaration(dongxihu):
    return make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)


@pytest.fixture
def form(declaration, finance_user):
    return service.monitoring_start(declaration=declaration, user=finance_user)


def fill(form, user, row_values=None, *, version=None, plan=""):
    """Save the form through the service as the page does: every row gets ``row_values`` (by seq: values[seq])."""
    lines = list(form.budget_lines.all())
    for line in lines:
        line.executed = Decimal("350000")
        line.forecast = Decimal("1000000")
    rows = list(form.rows.all())
    for row in rows:
        for name, value in (row_values or {}).get(row.seq, {}).items():
            setattr(row, name, value)
    service.monitoring_save(
        form=form, user=user, version=form.version if version is None else version, spending_plan=plan,
        budget_lines=lines, rows=rows,
    )  # fmt: skip
    return MonitoringForm.objects.get(pk=form.pk)


FILLED = {
    1: {"value_to_date": "350", "likelihood": Likelihood.CERTAIN},
    2: {"value_to_date": "36小时", "likelihood": Likelihood.CERTAIN},
    3: {"value_to_date": "92%", "likelihood": Likelihood.CERTAIN},
}


# -- rules as data --------------------------------------------------------------------------------------------------


def test_the_national_default_is_shipped_by_a_migration():
    rule = MonitoringRule.objects.get(division_prefix="", year_from=None)
    assert [(p.name, p.end_month) for p in rule.periods.all()] == [("1–7月", 7)]
    assert (rule.indicator_red_below, rule.indicator_yellow_below, rule.indicator_blue_from) == (60, 80, 120)
    assert (rule.budget_red_below, rule.budget_yellow_below) == (60, 80)


def test_a_province_rule_wins_for_its_years_only(declaration):
    hubei = MonitoringRule.objects.create(division_prefix="42", year_from=2030, year_to=2031, name="湖北（半年）")
    half = MonitoringPeriod.objects.create(rule=hubei, seq=1, name="1–6月", end_month=6)
    assert declaration.project.department.division().startswith("42")
    assert service.monitoring_rule(declaration) == hubei
    assert service.current_period(hubei, 2030, datetime.date(2030, 8, 5)) == half
    declaration.year = 2032  # outside the province's years: the national default
    assert service.monitoring_rule(declaration).division_prefix == ""


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2030, 3, 5), "第一季度"),  # nothing over yet: the first
        (datetime.date(2030, 4, 2), "第一季度"),
        (datetime.date(2030, 8, 10), "1–7月"),
        (datetime.date(2031, 1, 10), "第三季度"),  # a past year: the last
    ],
)
def test_the_current_period(today, expected):
    rule = MonitoringRule.objects.create(division_prefix="4201", name="武汉（季度）")
    for seq, (name, month) in enumerate([("第一季度", 3), ("1–7月", 7), ("第三季度", 9)], start=1):
        MonitoringPeriod.objects.create(rule=rule, seq=seq, name=name, end_month=month)
    assert service.current_period(rule, 2030, today).name == expected


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"indicator_red_below": Decimal(90)}, "自低到高"),
        ({"budget_red_below": Decimal(90)}, "红灯界限不能高于黄灯界限"),
        ({"checkpoints": [[6, "40"], [3, "25"]]}, "月份 1–12 自小到大"),
        ({"checkpoints": [[13, "40"]]}, "月份 1–12 自小到大"),
        ({"checkpoints": "25%"}, "预算执行固定节点应写作"),
        ({"year_from": 2031, "year_to": 2030}, "起始年度不能晚于终止年度"),
    ],
)
def test_rule_validation_speaks_chinese(fields, message):
    rule = MonitoringRule(division_prefix="13", name="河北", **fields)
    with pytest.raises(ValidationError, match=message):
        rule.full_clean()


def test_rules_of_one_region_may_not_overlap_in_years():
    MonitoringRule.objects.create(division_prefix="51", year_from=2030, name="四川 2030 起")
    with pytest.raises(ValidationError, match="年度重叠"):
        MonitoringRule(division_prefix="51", year_from=2031, year_to=2032, name="四川").full_clean()


# -- starting and saving --------------------------------------------------------------------------------------------


def test_start_copies_funding_sources_and_indicators(form, declaration):
    assert (form.year, form.end_month, form.status, form.period.name) == (2030, 7, "draft", "1–7月")
    line = form.budget_lines.get()
    assert (line.name, line.initial_budget, line.annual_budget, line.executed) == (
        "公共预算财政拨款", Decimal("1000000"), Decimal("1000000"), None,
    )  # fmt: skip
    assert [(r.seq, r.name, r.target, r.level1) for r in form.rows.all()] == [
        (1, "培训人次", "≥600人次", "产出指标"), (2, "响应时间", "≤48小时", "产出指标"), (3, "满意度", "≥90%", "满意度指标"),
    ]  # fmt: skip
    assert [e.action for e in form.events.all()] == ["create"]
    again = service.monitoring_start(declaration=declaration, user=form.events.get().user)
    assert again == form  # one form per declaration and period


def test_only_approved_declarations_of_ones_own_department_are_monitored(dongxihu, finance_user, outsider_user):
    draft = make_declaration(make_project(dongxihu))
    with pytest.raises(service.MonitoringError, match="只有已审核的申报表"):
        service.monitoring_start(declaration=draft, user=finance_user)
    approved = make_declaration(make_project(dongxihu), status=DeclarationStatus.APPROVED)
    with pytest.raises(service.MonitoringError, match="只有本部门的填报人"):
        service.monitoring_start(declaration=approved, user=outsider_user)
    assert not MonitoringForm.objects.exists()


def test_a_stale_copy_is_refused_and_saves_nothing(form, finance_user):
    saved = fill(form, finance_user, FILLED)
    assert saved.version == 2
    with pytest.raises(service.StaleMonitoring, match="被他人修改"):
        fill(form, finance_user, {1: {"value_to_date": "1"}}, version=1)
    assert MonitoringRow.objects.get(form=form, seq=1).value_to_date == "350"


@pytest.mark.parametrize("likelihood", [Likelihood.POSSIBLE, Likelihood.IMPOSSIBLE])
def test_possible_or_impossible_needs_a_cause_and_a_suggestion(form, finance_user, likelihood):
    row = form.rows.get(seq=1)
    row.likelihood = likelihood
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert set(caught.value.message_dict) == {"cause_other", "suggestion"}
    assert "请勾选偏差原因" in caught.value.message_dict["cause_other"][0]
    assert "请填写相关建议" in caught.value.message_dict["suggestion"][0]
    row.cause_funding, row.suggestion = True, "加快采购进度"
    row.full_clean()
    assert row.causes() == ["经费保障"]


def test_causes_keep_the_order_of_the_paper_form(form):
    row = form.rows.get(seq=1)
    row.cause_other = row.cause_funding = row.cause_facilities = True
    assert row.causes() == ["经费保障", "硬件条件保障", "其他"]


def test_money_is_bounded(form, finance_user):
    line = form.budget_lines.get()
    line.executed = Decimal("-1")
    with pytest.raises(service.MonitoringError, match="金额不能为负数"):
        service.monitoring_save(form=form, user=finance_user, version=1, spending_plan="", budget_lines=[line], rows=[])
    assert MonitoringBudgetLine.objects.get(pk=line.pk).executed is None


# -- workflow, lock and log -----------------------------------------------------------------------------------------


def test_submission_lists_what_is_missing(form, finance_user):
    with pytest.raises(service.MonitoringError) as caught:
        service.monitoring_submit(form=form, user=finance_user)
    message = str(caught.value)
    assert "请填写“公共预算财政拨款”的 1–X月执行数" in message and "第 1 行“培训人次”请填写 1–X月执行情况" in message
    assert "请选择完成目标可能性" in message
    assert MonitoringForm.objects.get(pk=form.pk).status == "draft"


def test_submit_approve_locks_and_logs(form, finance_user, head_user):
    form = fill(form, finance_user, FILLED)
    service.monitoring_submit(form=form, user=finance_user)
    with pytest.raises(service.MonitoringError, match="只有本部门负责人"):
        service.monitoring_review(form=form, user=finance_user, approve=True)
    service.monitoring_review(form=form, user=head_user, approve=True, comment="同意")
    form = MonitoringForm.objects.get(pk=form.pk)
    assert (form.status, form.reviewed_by, form.review_comment) == ("approved", head_user, "同意")
    with pytest.raises(FormLocked, match="监控表已提交或已审核"):
        form.save()
    row = form.rows.get(seq=1)
    row.value_to_date = "1"
    with pytest.raises(FormLocked):
        row.save()
    with pytest.raises(FormLocked):
        MonitoringRow.objects.filter(form=form).update(value_to_date="2")
    with pytest.raises(service.MonitoringError, match="不能由你修改"):
        fill(form, finance_user)
    assert [e.action for e in form.events.all()] == ["create", "edit", "submit", "approve"]
    assert form.history.count() >= 3  # created, saved, submitted, approved: every version kept


def test_return_needs_a_comment_and_reopens(form, finance_user, head_user):
    form = fill(form, finance_user, FILLED)
    service.monitoring_submit(form=form, user=finance_user)
    with pytest.raises(service.MonitoringError, match="退回时请填写退回意见"):
        service.monitoring_review(form=form, user=head_user, approve=False)
    service.monitoring_review(form=form, user=head_user, approve=False, comment="执行数与账务不符")
    form = fill(MonitoringForm.objects.get(pk=form.pk), finance_user, FILLED)
    assert form.status == "returned" and form.version == 3


def test_workflow_fields_change_only_through_the_services(form):
    form.status = DeclarationStatus.APPROVED
    with pytest.raises(FormLocked, match="只能通过提交、审核"):
        form.save()


# -- decisions ------------------------------------------------------------------------------------------------------


def submitted(form, finance_user):
    form = fill(form, finance_user, FILLED)
    service.monitoring_submit(form=form, user=finance_user)
    return MonitoringForm.objects.get(pk=form.pk)


def test_a_decision_is_recorded_with_the_light_and_logged(form, finance_user, head_user):
    form = submitted(form, finance_user)
    deadline = timezone.localdate() + datetime.timedelta(days=15)
    decision = service.monitoring_decide(
        form=form, user=head_user, kind="suspend", reason="执行进度慢", respond_by=deadline
    )
    assert (decision.get_kind_display(), decision.light, decision.decided_by) == (
        "暂缓拨款",
        "yellow",
        head_user,
    )  # the budget is at 60% of time
    assert form.events.last().comment == f"暂缓拨款：执行进度慢（{deadline:%Y-%m-%d} 前反馈）"


@pytest.mark.parametrize(
    ("kind", "reason", "days", "message"),
    [
        ("", "理由", 5, "请选择处理意见"),
        ("stop", " ", 5, "请填写处理理由"),
        ("stop", "理由", None, "请填写部门反馈期限"),
        ("stop", "理由", -1, "不能早于今天"),
    ],
)
def test_a_decision_needs_kind_reason_and_deadline(form, finance_user, head_user, kind, reason, days, message):
    form = submitted(form, finance_user)
    respond_by = None if days is None else timezone.localdate() + datetime.timedelta(days=days)
    with pytest.raises(service.MonitoringError, match=message):
        service.monitoring_decide(form=form, user=head_user, kind=kind, reason=reason, respond_by=respond_by)


def test_who_may_decide(form, finance_user, head_user, admin_user_, auditor_user, hongshan_head):
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    with pytest.raises(service.MonitoringError, match="提交后才能"):
        service.monitoring_decide(form=form, user=head_user, kind="continue", reason="r", respond_by=deadline)
    form = submitted(form, finance_user)
    for user in (finance_user, auditor_user, hongshan_head):
        with pytest.raises(service.MonitoringError, match="部门负责人或财政部门"):
            service.monitoring_decide(form=form, user=user, kind="continue", reason="r", respond_by=deadline)
    service.monitoring_decide(form=form, user=admin_user_, kind="cut_budget", reason="调减 20 万", respond_by=deadline)
    assert form.decisions.get().get_kind_display() == "调减预算"


def test_adjusting_targets_opens_the_declarations_adjustment(form, finance_user, head_user, declaration):
    form = submitted(form, finance_user)
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    service.monitoring_decide(
        form=form, user=head_user, kind="adjust_targets", reason="培训改在下半年", respond_by=deadline
    )
    declaration.refresh_from_db()
    assert declaration.adjustment_requested
    assert declaration.adjustment_reason == "运行监控（1–7月）处理意见：培训改在下半年"
    event = DeclarationEvent.objects.filter(project_declaration=declaration).last()
    assert (event.action, event.user) == ("adjust_request", head_user)
    declaration_decide_adjustment(declaration=declaration, user=head_user, allow=True)
    declaration.refresh_from_db()
    assert declaration.status == "draft"  # the targets are edited and approved again: the declaration's next version


# -- lights of a stored form ----------------------------------------------------------------------------------------


def test_lights_of_a_saved_form_use_the_rule_and_the_forms_unit(form, finance_user):
    form = fill(form, finance_user, FILLED)
    lights = service.form_lights(form)
    assert lights.budget.formula == "执行率 = 1–7月 35 ÷ 100 = 35.0%；进度 = 35.0% ÷ 7/12 = 60.0%"  # 万元
    assert lights.budget.colour == "yellow"
    assert [light.colour for light in lights.indicators] == ["green", "green", "green"]
    assert lights.worst.colour == "yellow"
    rule = form.period.rule
    MonitoringRule.objects.filter(pk=rule.pk).update(budget_yellow_below=Decimal(60))
    form = MonitoringForm.objects.select_related("period__rule").get(pk=form.pk)
    assert service.form_lights(form).budget.colour == "green"  # the rule is data


def test_a_spending_plan_turns_a_false_red_green(form, finance_user):
    lines = list(form.budget_lines.all())
    lines[0].executed = Decimal("150000")  # 15% by July: red against 7/12
    service.monitoring_save(form=form, user=finance_user, version=1, spending_plan="", budget_lines=lines, rows=[])
    form = MonitoringForm.objects.get(pk=form.pk)
    assert service.form_lights(form).budget.colour == "red"
    service.monitoring_save(
        form=form, user=finance_user, version=2, spending_plan="0,10,20,70", budget_lines=lines, rows=[]
    )
    form = MonitoringForm.objects.get(pk=form.pk)
    light = service.form_lights(form).budget
    assert light.colour == "green"
    assert light.formula == "执行率 = 1–7月 15 ÷ 100 = 15.0%；进度 = 15.0% ÷ 计划 16.7% = 90.0%"


def test_cost_rows_of_the_form_are_reverse_by_default():
    assert MonitoringRow(level1="产出指标", level2="成本指标").default_nature == "negative"
    assert MonitoringRow(level1="成本指标", level2="经济成本指标").default_nature == "negative"
    assert MonitoringRow(level1="产出指标", level2="数量指标").default_nature == ""


def test_a_cost_row_is_read_as_a_ceiling_in_the_forms_lights(dongxihu, finance_user):
    """人均培训成本 0.6 万元 (001's 干部教育培训): 0.5 万元 by July is within the ceiling, not 142.9% ahead."""
    declaration = make_declaration(
        make_project(dongxihu), status=DeclarationStatus.APPROVED, rows=[("cost", "人均培训成本", "0.6 万元")]
    )
    form = service.monitoring_start(declaration=declaration, user=finance_user)
    form = fill(form, finance_user, {1: {"value_to_date": "0.5万元", "likelihood": Likelihood.CERTAIN}})
    light = service.form_lights(form).indicators[0]
    assert (light.colour, light.formula) == ("green", "反向指标：进度 = 目标 0.6 ÷ 1–7月 0.5 = 120.0%")


def test_a_funding_source_without_budget_needs_no_execution(form, finance_user, declaration):
    """001's forms list 政府性基金预算财政拨款 and 其他资金 without amounts: nothing to execute, nothing to fill."""
    MonitoringBudgetLine.objects.create(form=form, seq=2, name="其他资金")
    form = fill(form, finance_user, FILLED)
    MonitoringBudgetLine.objects.filter(form=form, name="其他资金").update(executed=None)
    assert service.monitoring_problems(form) == []


def test_the_national_rule_ships_an_upper_budget_band_that_the_admin_may_clear(form, finance_user):
    rule = MonitoringRule.objects.get(division_prefix="", year_from=None)
    assert rule.budget_blue_from == Decimal(120)
    lines = list(form.budget_lines.all())
    for line in lines:  # 1–7月 all of the budget: 100% ÷ 7/12 = 171.4%
        line.executed, line.forecast = line.annual_budget, line.annual_budget
    service.monitoring_save(
        form=form, user=finance_user, version=form.version, spending_plan="", budget_lines=lines, rows=[]
    )
    budget = service.form_lights(MonitoringForm.objects.get(pk=form.pk)).budget
    assert budget.colour == "blue" and "不低于超进度线 120%（超进度）" in budget.formula
    rule.budget_blue_from = None  # no upper band: far ahead is green
    rule.full_clean()
    rule.save()
    budget = service.form_lights(MonitoringForm.objects.get(pk=form.pk)).budget
    assert budget.colour == "green" and "超进度" not in budget.formula


def test_the_upper_band_may_not_sit_below_yellow():
    rule = MonitoringRule(division_prefix="13", name="河北", budget_blue_from=Decimal(70))
    with pytest.raises(ValidationError, match="超进度线（蓝灯）不能低于黄灯界限"):
        rule.full_clean()


def test_the_admin_edits_the_upper_band(client, admin_user_):
    rule = MonitoringRule.objects.get(division_prefix="", year_from=None)
    client.force_login(admin_user_)
    page = client.get(f"/admin/projects/monitoringrule/{rule.pk}/change/")
    assert page.status_code == 200
    assert 'name="budget_blue_from"' in page.content.decode()
