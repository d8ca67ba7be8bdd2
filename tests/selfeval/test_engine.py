"""The pure scoring engine against the figures docs/domain.md §5 checked on the seeds."""

from decimal import Decimal

import pytest

from indicators.services.values import format_rate
from selfeval.services import engine

D = Decimal


@pytest.mark.parametrize(
    ("budget", "executed", "rate", "text", "score"),
    [
        ("222.55", "222.43", "0.999", "99.9%", "19.98"),  # 000 form 1
        ("1292.99", "1272.37", "0.984", "98.4%", "19.68"),  # 000 form 2
        ("1859.82", "1405.72", "0.756", "75.6%", "15.12"),  # 002
        ("100", "120", "1.200", "120.0%", "20.00"),  # capped at the weight
    ],
)
def test_budget_execution(budget, executed, rate, text, score):
    r = engine.budget_rate(D(budget), D(executed))
    assert r == D(rate)
    assert format_rate(r) == text
    assert engine.budget_score(D(20), r) == D(score)


def test_uncapped_budget_score_and_missing_budget():
    assert engine.budget_score(D(20), D("1.2"), engine.Rules(cap_budget_score=False)) == D("24.00")
    assert engine.budget_rate(D(0), D(5)) is None
    assert engine.budget_rate(None, D(5)) is None


@pytest.mark.parametrize(
    ("target", "actual", "weight", "score", "met"),
    [
        ("5人", "3人", "3", "1.80", False),
        ("3人", "3人", "3", "3.00", True),
        ("≥90%", "95%", "10", "10.00", True),
        ("≥90%", "45%", "10", "5.00", False),
        (">95%", "95%", "10", "10.00", False),  # not strictly above: proportional share is 1, still not met
        ("≤48小时", "60小时", "10", "8.00", False),
        ("24小时内", "12小时", "5", "5.00", True),
        ("=0", "0", "4", "4.00", True),
        ("-", "3", "4", None, None),
        ("完成", "完成", "4", None, None),
        ("10次", "-3次", "4", "0.00", False),
    ],
)
def test_row_proposals(target, actual, weight, score, met):
    proposal = engine.propose_row_score(target, actual, D(weight))
    assert proposal.score == (D(score) if score else None)
    assert proposal.met is met
    assert proposal.explanation


def test_reverse_rules_differ_above_target():
    ratio = engine.propose_row_score("≤10天", "15天", D(10), engine.Rules(reverse_rule="ratio"))
    linear = engine.propose_row_score("≤10天", "15天", D(10), engine.Rules(reverse_rule="linear"))
    assert ratio.score == D("6.67")
    assert linear.score == D("5.00")
    assert engine.propose_row_score("≤10天", "25天", D(10), engine.Rules(reverse_rule="linear")).score == D("0.00")


def test_qualitative_bands():
    assert engine.band_of(D("0.9"), D(1)) == "achieved"
    assert engine.band_of(D("1"), D(1)) == "achieved"
    assert engine.band_of(D("0.7"), D(1)) == "partial"
    assert engine.band_of(D("0.5"), D(1)) == "failed"
    assert engine.band_of(D("1.5"), D(1)) is None


@pytest.mark.parametrize(
    ("total", "grade"), [("92.98", "优"), ("90", "优"), ("89.99", "良"), ("60", "中"), ("59", "差")]
)
def test_grades(total, grade):
    assert engine.grade_of(D(total)) == grade


def test_other_grade_bands():
    rules = engine.Rules(grade_bands=(("优", D(80)), ("良", D(70)), ("中", D(60)), ("差", D(0))))
    assert engine.grade_of(D("85"), rules) == "优"


def test_needs_reason():
    assert engine.needs_reason("5人", "3人")
    assert not engine.needs_reason("5人", "5人")
    assert not engine.needs_reason("完成", "完成")
    rules = engine.Rules(deviation_above=D("1.30"))
    assert engine.needs_reason("100", "130", rules)
    assert not engine.needs_reason("100", "129", rules)


def test_a_hubei_form_totals_from_its_sections():
    form = engine.FormInput(
        rules=engine.Rules(),
        budget=D("2225500"),
        executed=D("2224300"),
        sections=(
            engine.SectionInput("funds", "budget", D(20)),
            engine.SectionInput("goal", "goal", D(20), given_score=D(19)),
            engine.SectionInput("indicators", "indicators", D(60)),
        ),
        rows=tuple(engine.RowInput(i, "indicators", "1次", "1次", None, D(6)) for i in range(9)),
    )
    result = engine.score_form(form)
    assert result.budget_score == D("19.98")
    assert result.section_scores == {"funds": D("19.98"), "goal": D(19), "indicators": D(54)}
    assert result.total == D("92.98")
    assert result.grade == "优"
