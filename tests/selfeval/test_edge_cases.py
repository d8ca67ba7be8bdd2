"""Edge cases of the engine and the checker: each has a defined outcome and none crashes (issue 3, point 8)."""

from decimal import Decimal

import pytest

from selfeval.services import consistency as c
from selfeval.services import engine

D = Decimal
RULES = engine.Rules()


def evaluation(funding=(), sections=(), rows=(), total=None, grade="", **extra):
    return c.EvaluationData(
        rules=RULES,
        printed_total=total,
        printed_grade=grade,
        printed_budget_rate=extra.pop("budget_rate", ""),
        printed_budget_score=extra.pop("budget_score", None),
        funding=tuple(funding),
        sections=tuple(sections),
        rows=tuple(rows),
        **extra,
    )


def codes(findings):
    return {(f.code, f.severity) for f in findings}


HUBEI = (
    c.SectionData("funds", "项目资金", "budget", D(20), None),
    c.SectionData("goal", "项目绩效总目标", "goal", D(20), D(20)),
    c.SectionData("indicators", "绩效指标", "indicators", D(60), None),
)


def test_budget_of_zero():
    assert engine.budget_rate(D(0), D(10)) is None
    assert engine.budget_score(D(20), None) is None
    found = c.check_evaluation(evaluation([c.FundingData("总额", True, D(0), D(10), "100%", None)], HUBEI))
    assert ("rate_without_budget", "error") in codes(found)


def test_executed_above_budget_is_capped_and_flagged():
    assert engine.budget_score(D(20), engine.budget_rate(D(100), D(130))) == D(20)
    found = c.check_evaluation(evaluation([c.FundingData("总额", True, D(100), D(130), "130.0%", D(20))], HUBEI))
    assert ("over_executed", "warning") in codes(found)
    assert not [f for f in found if f.code == "budget_score"]


def test_missing_and_negative_amounts():
    assert engine.budget_rate(None, D(10)) is None
    assert engine.budget_rate(D(10), None) is None
    found = c.check_evaluation(evaluation([c.FundingData("总额", True, D(-5), D(10), "", None)], HUBEI))
    assert ("negative_amount", "error") in codes(found)
    assert engine.score_form(engine.FormInput(RULES, None, None, HUBEI and (), ())).total is None


def test_target_of_zero():
    assert engine.propose_row_score("0", "0", D(5)).score == D("5.00")
    assert engine.propose_row_score("0", "3", D(5)).score == D("0.00")
    assert engine.propose_row_score("≥0", "3", D(5)).score == D("5.00")
    assert engine.propose_row_score("≤0", "1", D(5)).score == D("0.00")


def test_reverse_row_with_an_actual_of_zero():
    for rule in (engine.REVERSE_RATIO, engine.REVERSE_LINEAR):
        proposal = engine.propose_row_score("≤48小时", "0小时", D(5), engine.Rules(reverse_rule=rule))
        assert (proposal.score, proposal.met) == (D("5.00"), True)


def test_weights_that_do_not_add_up():
    sections = (
        c.SectionData("output", "产出指标", "level1", D(50), None),
        c.SectionData("benefit", "效益指标", "level1", D(40), None),
    )
    assert ("weights", "error") in codes(c.check_evaluation(evaluation(sections=sections)))


FIVE = D(5)


def row(score, weight=FIVE, band="", target="5次", actual="5次", reason=""):
    return c.RowData("第 1 行", "indicators", target, actual, reason, weight, score, score, qualitative_band=band)


def test_scores_above_the_weight_or_below_zero():
    assert ("row_over_weight", "error") in codes(c.check_evaluation(evaluation(sections=HUBEI, rows=[row(D(6))])))
    assert ("row_negative", "error") in codes(c.check_evaluation(evaluation(sections=HUBEI, rows=[row(D(-1))])))


def test_qualitative_score_outside_its_band():
    found = c.check_evaluation(
        evaluation(sections=HUBEI, rows=[row(D(2), band="achieved", target="完成", actual="完成")])
    )
    assert ("row_band", "error") in codes(found)
    found = c.check_evaluation(
        evaluation(sections=HUBEI, rows=[row(D("4.5"), band="achieved", target="完成", actual="完成")])
    )
    assert "row_band" not in {f.code for f in found}


def test_unmet_target_needs_a_reason_and_a_changed_score_needs_one_too():
    found = c.check_evaluation(evaluation(sections=HUBEI, rows=[row(D(3), target="5人", actual="3人")]))
    assert ("reason_missing", "warning") in codes(found)
    changed = c.RowData("第 1 行", "indicators", "5人", "5人", "", D(5), None, D(4), score_proposed=D(5))
    assert ("score_reason_missing", "warning") in codes(c.check_evaluation(evaluation(sections=HUBEI, rows=[changed])))


def test_printed_grade_and_total_against_each_other():
    funds = [c.FundingData("总额", True, D(100), D(100), "100%", D(20))]
    found = c.check_evaluation(evaluation(funds, HUBEI, [row(D(5))], total=D(85), grade="优"))
    assert ("grade", "error") in codes(found)  # 85 is 良
    assert ("total_sum", "error") in codes(found)  # 20 + 20 + 5 = 45


@pytest.mark.parametrize("text", ["", "abc", "%", "≥", "１２３４５６７８９０" * 5, "\x00", "9" * 400])
def test_odd_values_never_crash(text):
    engine.propose_row_score(text, text, D(5))
    engine.needs_reason(text, text)
