"""The self-evaluation held against the project's 运行监控 record: 确定能 then missed without a reason, and a
year-end execution far from the forecast (the threshold is the monitoring rule's)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.choices import DeclarationStatus
from projects.models import DepartmentDeclaration, MonitoringForm, MonitoringRule
from projects.services import monitoring
from selfeval.models import EvaluationCheck, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services import engine
from selfeval.services.checks import current_checks, refresh_one
from selfeval.services.cross_stage import EvaluatedRow, MonitoredRow, MonitoringRecord, cross_stage_findings
from selfeval.services.findings import evaluation_findings
from selfeval.services.signoff import evaluation_digest
from selfeval.services.start import department_evaluation_start
from tests.builders import make_declaration, make_evaluation, make_project
from tests.conftest import set_status

RECORD = MonitoringRecord(
    period="1–7月",
    forecast=Decimal("1000000"),
    gap_percent=Decimal(20),
    rows=(MonitoredRow("培训人次", "certain"), MonitoredRow("满意度", "possible")),
)
RULES = engine.Rules()


def row(name, target, actual, reason=""):
    return EvaluatedRow(f"第 1 行“{name}”", name, target, actual, reason)


@pytest.mark.parametrize(
    ("rows", "codes"),
    [
        ([row("培训人次", "≥600人次", "500人次")], ["monitoring_certain_missed"]),
        ([row("培训人次", "≥600人次", "500人次", "场地改造推迟")], []),  # a reason is given
        ([row("培训人次", "≥600人次", "620人次")], []),  # met
        ([row("培训人次", "≥600人次", "")], []),  # not filled yet: the form's own checks ask for it
        ([row("满意度", "≥90%", "80%")], []),  # 有可能 in monitoring: no contradiction
        ([row("新指标", "≥1次", "0次")], []),  # not in the monitoring form
    ],
)
def test_certain_then_missed_without_a_reason(rows, codes):
    findings = cross_stage_findings(RECORD, rows, Decimal("1000000"), RULES)
    assert [f.code for f in findings] == codes
    if codes:
        assert findings[0].severity == "warning"
        assert "运行监控（1–7月）时填报“确定能”完成目标，年末实际 500人次 未达到 ≥600人次" in findings[0].message


@pytest.mark.parametrize(
    ("executed", "flagged"),
    [("1000000", False), ("800000", False), ("799999", True), ("1200000", False), ("1250000", True), (None, False)],
)
def test_year_end_execution_far_from_the_forecast(executed, flagged):
    findings = cross_stage_findings(RECORD, [], Decimal(executed) if executed else None, RULES)
    assert bool(findings) is flagged
    if flagged:
        assert findings[0].code == "monitoring_forecast_gap" and "超过 20%" in findings[0].message


def test_no_record_no_findings():
    assert cross_stage_findings(None, [row("培训人次", "≥600人次", "1")], Decimal(1), RULES) == []


@pytest.mark.django_db
def test_the_checker_and_the_page_read_the_monitoring_record(client, dongxihu, finance_user, head_user):
    declaration = make_declaration(
        make_project(dongxihu), status=DeclarationStatus.APPROVED, rows=[("output", "培训人次", "≥600人次")]
    )
    form = monitoring.monitoring_start(declaration=declaration, user=finance_user)
    lines, rows = list(form.budget_lines.all()), list(form.rows.all())
    lines[0].executed, lines[0].forecast = Decimal("350000"), Decimal("900000")
    rows[0].value_to_date, rows[0].likelihood = "350", "certain"
    monitoring.monitoring_save(form=form, user=finance_user, version=1, spending_plan="", budget_lines=lines, rows=rows)
    evaluation = make_evaluation(declaration)
    assert [f.code for f in evaluation_findings(evaluation_with_rows(evaluation.pk)) if "monitoring" in f.code] == []
    monitoring.monitoring_submit(form=MonitoringForm.objects.get(pk=form.pk), user=finance_user)  # now a record

    evaluation_row = evaluation.rows.get()
    evaluation_row.actual = "500人次"
    evaluation_row.save()
    funding = evaluation.funding_rows.order_by("seq").first()
    funding.executed = Decimal("600000")  # 33.3% below the forecast of 900000
    funding.save()
    codes = [f.code for f in evaluation_findings(evaluation_with_rows(evaluation.pk))]
    assert "monitoring_certain_missed" in codes and "monitoring_forecast_gap" in codes
    # the threshold is the rule's
    MonitoringRule.objects.filter(pk=form.period.rule_id).update(forecast_gap=Decimal(40))
    codes = [f.code for f in evaluation_findings(evaluation_with_rows(evaluation.pk))]
    assert "monitoring_forecast_gap" not in codes

    client.force_login(head_user)
    page = client.get(reverse("selfeval:evaluation", args=[evaluation.pk])).content.decode()
    assert "运行监控记录" in page and "1–7月 绩效目标执行监控表" in page
    assert "进度 = 1–7月 350 ÷ (600 × 7/12) = 100.0%" in page
    assert "运行监控（1–7月）时填报“确定能”完成目标" in page


# -- rows matched by the declaration row they came from ------------------------------------------------------------


def linked(name, target, actual, indicator, reason=""):
    return EvaluatedRow(f"第 1 行“{name}”", name, target, actual, reason, engine.PLAIN, indicator)


LINKED = MonitoringRecord(
    period="1–7月",
    forecast=None,
    gap_percent=Decimal(20),
    rows=(MonitoredRow("培训人次", "certain", indicator=11), MonitoredRow("培训人次", "possible", indicator=12)),
)


@pytest.mark.parametrize(
    ("rows", "codes"),
    [
        # reworded at year end: still the row monitored as 确定能
        ([linked("参训人次", "≥600人次", "500人次", 11)], ["monitoring_certain_missed"]),
        # two rows of one name: each is held against its own monitoring row, not the first of that name
        ([linked("培训人次", "≥600人次", "500人次", 12)], []),
        ([linked("培训人次", "≥600人次", "500人次", 11)], ["monitoring_certain_missed"]),
        # a row added at year end (a link to no monitored row): not matched by its name either
        ([linked("培训人次", "≥600人次", "500人次", 13)], []),
        # a form started before the link: by the name (the first of it)
        ([linked("培训人次", "≥600人次", "500人次", None)], ["monitoring_certain_missed"]),
    ],
)
def test_rows_are_matched_by_their_declaration_row(rows, codes):
    assert [f.code for f in cross_stage_findings(LINKED, rows, None, RULES)] == codes


def test_a_monitoring_record_without_links_is_matched_by_name():
    record = MonitoringRecord("1–7月", None, Decimal(20), (MonitoredRow("培训人次", "certain"),))
    found = cross_stage_findings(record, [linked("培训人次", "≥600人次", "500人次", 11)], None, RULES)
    assert [f.code for f in found] == ["monitoring_certain_missed"]


@pytest.mark.django_db
def test_started_rows_keep_their_declaration_row_and_the_check_follows_the_monitoring_form(
    dongxihu, finance_user, head_user
):
    declaration = make_declaration(
        make_project(dongxihu),
        status=DeclarationStatus.APPROVED,
        rows=[("output", "培训人次", "≥600人次"), ("output", "培训人次", "≥20期")],
    )
    first, second = declaration.indicators.order_by("seq")
    form = monitoring.monitoring_start(declaration=declaration, user=finance_user)
    evaluation = make_evaluation(declaration)
    assert list(evaluation.rows.order_by("seq").values_list("source_indicator_id", flat=True)) == [first.pk, second.pk]
    # the year-end form rewords its rows; the second misses its target
    rows = list(evaluation.rows.order_by("seq"))
    rows[0].name, rows[0].actual = "参训人次", "650人次"
    rows[1].name, rows[1].actual = "举办培训期数", "15期"
    for row in rows:
        row.save()
    digest = evaluation_digest(evaluation_with_rows(evaluation.pk))
    scope = type(evaluation).objects.filter(pk=evaluation.pk)
    (before,) = current_checks(scope)
    assert not any(f["code"] == "monitoring_certain_missed" for f in before.findings)

    lines, monitored = list(form.budget_lines.all()), list(form.rows.order_by("seq"))
    lines[0].executed, lines[0].forecast = Decimal("350000"), Decimal("1000000")
    monitored[0].value_to_date, monitored[0].likelihood = "350", "certain"
    monitored[1].value_to_date, monitored[1].likelihood = "12", "certain"
    monitoring.monitoring_save(
        form=form, user=finance_user, version=1, spending_plan="", budget_lines=lines, rows=monitored
    )
    monitoring.monitoring_submit(form=MonitoringForm.objects.get(pk=form.pk), user=finance_user)
    # the monitoring form changed: the stored check of the self-evaluation is stale and made again by a reader
    stored = EvaluationCheck.objects.get(evaluation=evaluation)
    assert refresh_one(evaluation_with_rows(evaluation.pk)).basis != stored.basis
    (after,) = current_checks(scope)
    missed = [f for f in after.findings if f["code"] == "monitoring_certain_missed"]
    assert [f["field"] for f in missed] == ["第 2 行“举办培训期数”"]  # found by its link, not by its new name
    assert EvaluationCheck.objects.get(evaluation=evaluation).basis == after.basis
    # the link is no part of what a signature covers
    type(rows[0]).objects.filter(pk=rows[0].pk).update(source_indicator=None)
    assert evaluation_digest(evaluation_with_rows(evaluation.pk)) == digest


@pytest.mark.django_db
def test_a_department_evaluation_keeps_its_declaration_rows():
    declaration = DepartmentDeclaration.objects.filter(indicators__isnull=False).distinct().first()  # a seed form
    set_status(declaration, "approved")
    SelfEvaluation.objects.filter(kind="department", department=declaration.department, year=declaration.year).delete()
    evaluation = department_evaluation_start(declaration=declaration)
    links = list(evaluation.rows.order_by("seq").values_list("source_indicator_id", flat=True))
    assert links and None not in links
    assert set(links) <= set(declaration.indicators.values_list("pk", flat=True))
