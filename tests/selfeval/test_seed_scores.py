"""The engine and the checker on the seed data: the printed scores come out right, the errors are found."""

from decimal import Decimal

import pytest

from selfeval.models import EvaluationCheck, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services import engine
from selfeval.services.adapters import form_input
from selfeval.services.report import score_report
from selfeval.services.scoring import evaluation_score

pytestmark = pytest.mark.django_db
D = Decimal


def result_for(**lookup) -> engine.FormResult:
    evaluation = SelfEvaluation.objects.get(**lookup)
    return engine.score_form(form_input(evaluation_with_rows(evaluation.pk)))


@pytest.mark.parametrize(
    ("name", "budget_score", "total"),
    [("组织日常运转经费", "19.98", "92.98"), ("组织工作运行经费", "19.68", "93.68")],
)
def test_000_budget_scores_totals_and_grade(name, budget_score, total):
    result = result_for(project__name=name, year=2019)
    assert result.budget_score == D(budget_score)
    assert result.total == D(total)
    assert result.grade == "优"


def test_002_budget_execution_score():
    result = result_for(kind="department", department__code="420105-zzb", year=2022)
    assert result.budget_rate == D("0.756")
    assert result.budget_score == D("15.12")
    assert result.section_scores["goal1"] == D(16)
    assert result.section_scores["goal5"] == D("15.9")


def test_every_consistent_hebei_form_reproduces_its_total():
    inconsistent = {"干部信息系统建设经费", "全市党员信息化教育工作经费"}  # totals that their own rows contradict
    forms = SelfEvaluation.objects.filter(department__code="130100-zzb", year=2019, printed_total__isnull=False)
    assert forms.count() == 13
    for evaluation in forms.select_related("project"):
        result = engine.score_form(form_input(evaluation_with_rows(evaluation.pk)))
        if evaluation.project.name in inconsistent:
            assert result.total != evaluation.printed_total
        else:
            assert result.total == evaluation.printed_total, evaluation.project.name


def test_scoring_service_saves_the_computed_figures():
    evaluation = SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019)
    EvaluationCheck.objects.filter(evaluation=evaluation).delete()
    evaluation_score(evaluation_id=evaluation.pk)
    evaluation.refresh_from_db()
    figures = EvaluationCheck.objects.get(evaluation=evaluation)  # the one stored copy of the computed figures
    assert (figures.budget_rate, figures.budget_score) == (D("0.999"), D("19.98"))
    assert (figures.computed_total, figures.grade) == (D("92.98"), "优")
    assert figures.checked_at is not None
    assert evaluation.printed_total == D("92.98")  # the printed figure is never touched
    assert figures.section_score("indicators") == D(54)
    row = evaluation.rows.get(name="聘请人才专员人数")  # 5 people planned, 3 hired
    assert row.score_proposed is None  # no per-row weight is printed on the Hubei form
    funds = evaluation.funding_rows.get(is_total=True)
    assert figures.funding_rate(funds.seq) == D("0.999")


def findings_by_form(kind="all"):
    return {(line.department, line.form, line.year): line for line in score_report(kind=kind)}


# Every inconsistency confirmed by hand against the seed text: (form, code, severity).
CONFIRMED = {
    ("干部信息系统建设经费 项目支出绩效自评表", "total_sum", "error"),  # 004: rows 20+20+3+40+10 = 93, 总分 100
    ("干部信息系统建设经费 项目支出绩效自评表", "reason_missing", "warning"),  # 执行率 27.73% < 80%, no reason
    ("全市党员信息化教育工作经费 项目支出绩效自评表", "total_sum", "error"),  # 004: 20+3+5+25+25 = 78, 总分 88
    ("全市党员信息化教育工作经费 项目支出绩效自评表", "reason_missing", "warning"),
    ("文件资料印刷费(专项公用) 项目支出绩效自评表", "budget_rate", "error"),  # 78.67 / 82 = 95.94 %, printed 89.02 %
    ("干部考核经费及省管、市管干部考核奖金 项目支出绩效自评表", "total_missing", "warning"),  # 004: 总分 blank
    ("部门整体绩效自评表", "total_sum", "warning"),  # 002: pages missing, rows shown add to 81.02
    ("办公经费 项目绩效目标申报表", "expense_total", "error"),  # 001: 10+10+12+10 = 42, 合计 45
    ("干部考察、档案、信息系统升级、组织公开选调相关经费 项目绩效目标申报表", "funding_vs_annual", "error"),  # 50 vs 20
    ("干部考察、档案、信息系统升级、组织公开选调相关经费 项目绩效目标申报表", "expense_vs_annual", "error"),
    ("干部考察、档案、信息系统升级、组织公开选调相关经费 项目绩效目标申报表", "level1_missing", "warning"),
    ("组织部工作经费 项目绩效目标申报表", "level1_missing", "warning"),  # 003: no 满意度指标
}


def test_the_checker_finds_exactly_the_confirmed_inconsistencies():
    found = {(line.form, f.code, f.severity) for line in score_report() for f in line.findings}
    assert found == CONFIRMED


def test_no_error_on_a_consistent_form():
    erroneous = {form for form, _, severity in CONFIRMED if severity == "error"}
    for line in score_report():
        if line.form not in erroneous:
            assert not [f for f in line.findings if f.severity == "error"], line.form


def test_rates_are_compared_at_their_printed_precision():
    """002's 86% agrees with 87.66 / 102.24 = 85.74 %."""
    line = next(x for x in score_report(kind="selfeval") if x.form.startswith("基层党建工作经费"))
    assert line.findings == []
