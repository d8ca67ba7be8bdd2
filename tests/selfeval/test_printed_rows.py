"""Indicator rows as printed (issue 13 point 5): 指标性质, comparator and unit in columns of their own, words as the
actual of a quantitative row, deadlines, 成本 rows, contradictions."""

from decimal import Decimal

import pytest

from indicators.services.values import GE, LE, TIME, parse_row, parse_value
from selfeval.services import consistency, engine

D = Decimal


def row(**fields) -> consistency.RowData:
    values = {"label": "第 1 行", "section": "output", "target": "", "actual": "", "reason": "", "weight": D(10)}
    values.update(score_printed=None)
    values.update(fields)
    return consistency.RowData(**values)


def findings_of(*rows) -> list:
    data = consistency.EvaluationData(
        rules=engine.Rules(),
        printed_total=None,
        printed_grade="",
        printed_budget_rate="",
        printed_budget_score=None,
        funding=(),
        sections=(),
        rows=rows,
        filed=False,
    )
    return consistency.check_evaluation(data)


def test_an_actual_95_with_unit_percent_compares_to_95_percent():
    # Before: "95" against "≥95%" was 单位不一致 and got no proposal.
    assert engine.propose_row_score("≥95%", "95", D(10)).score is None
    columns = engine.RowColumns(unit="%")
    proposal = engine.propose_row_score("≥95%", "95", D(10), engine.Rules(), columns)
    assert (proposal.score, proposal.met) == (D("10.00"), True)
    proposal = engine.propose_row_score("≥95%", "76", D(10), engine.Rules(), columns)
    assert (proposal.score, proposal.met) == (D("8.00"), False)


def test_a_comparator_and_unit_printed_apart_make_one_target():
    values = parse_row("95", "90", unit="%", comparator="≥")
    assert (values.target.comparison, values.target.number, values.target.unit) == (GE, D(95), "%")
    assert values.target.format() == "≥95%"
    proposal = engine.propose_row_score("10", "12", D(5), engine.Rules(), engine.RowColumns(unit="天", comparator="≤"))
    assert (proposal.score, proposal.met) == (D("4.17"), False)  # 反向: 10 ÷ 12 × 5


def test_the_nature_turns_a_bare_target_into_a_ceiling_and_qualitative_into_the_evaluators_score():
    assert parse_row("100", "", nature="反向").target.comparison == LE
    assert parse_row("100", "", nature="正向").target.comparison == "="  # reaching it is enough already
    proposal = engine.propose_row_score("100", "95", D(4), engine.Rules(), engine.RowColumns(nature="定性"))
    assert proposal.score is None and "定性" in proposal.explanation


def test_cost_rows_default_to_reverse_unless_printed_otherwise():
    cost = engine.RowColumns(unit="万元", default_nature="negative")
    proposal = engine.propose_row_score("500", "480", D(10), engine.Rules(), cost)
    assert (proposal.score, proposal.met) == (D("10.00"), True)  # under 500 万元: met
    plain = engine.propose_row_score("500", "480", D(10), engine.Rules(), engine.RowColumns(unit="万元"))
    assert plain.met is False  # as a floor it would not be
    printed = engine.RowColumns(unit="万元", nature="正向", default_nature="negative")
    assert engine.propose_row_score("500", "480", D(10), engine.Rules(), printed).met is False


@pytest.mark.parametrize(
    ("target", "actual", "met", "score"),
    [
        ("12月底前", "12月20日", True, "6.00"),
        ("12月底前", "2022年12月31日", True, "6.00"),
        ("2022年11月底前", "2022年12月5日完成", False, None),
        ("2022年11月底前", "11月15日", True, "6.00"),
        ("11月30日前完成", "已于2022年10月15日完成", True, "6.00"),
        ("12月底前", "2023年1月3日", False, None),  # the form's year (2022), not the actual's
        ("12月底前", "1月3日", True, "6.00"),
    ],
)
def test_deadlines_are_compared_as_dates(target, actual, met, score):
    assert parse_value(target).kind == TIME
    columns = engine.RowColumns(year=2022)
    proposal = engine.propose_row_score(target, actual, D(6), engine.Rules(), columns)
    assert proposal.met is met
    assert proposal.score == (D(score) if score else None)
    assert engine.needs_reason(target, actual, engine.Rules(), columns) is (not met)


def test_a_deadline_without_a_form_year_takes_the_actuals_year():
    assert engine.propose_row_score("12月底前", "2023年1月3日", D(6)).met is True
    assert engine.propose_row_score("12月底前", "2023年12月3日", D(6)).met is True


def test_a_deadline_with_words_as_the_actual_is_for_the_evaluator():
    proposal = engine.propose_row_score("12月底前", "按时完成", D(6))
    assert proposal.score is None and "日期" in proposal.explanation


@pytest.mark.parametrize("word", ["完成", "已完成", "达标"])
def test_a_word_as_the_actual_of_a_quantitative_row_blocks_until_scored_with_a_reason(word):
    proposal = engine.propose_row_score("≥95%", word, D(10))
    assert proposal.score is None and "请填写实际数值" in proposal.explanation
    found = findings_of(row(target="≥95%", actual=word))
    assert [(f.code, f.severity) for f in found if f.code == "actual_not_figure"] == [("actual_not_figure", "error")]
    assert "请填写实际完成的数值" in next(f for f in found if f.code == "actual_not_figure").message
    # scored without a reason: still blocking; scored with one: accepted
    assert any(f.code == "actual_not_figure" for f in findings_of(row(target="≥95%", actual=word, score_final=D(9))))
    scored = row(target="≥95%", actual=word, score_final=D(9), score_reason="佐证材料显示完成 96%。")
    assert not any(f.code == "actual_not_figure" for f in findings_of(scored))


def test_words_on_a_qualitative_row_and_sentences_with_figures_are_not_flagged():
    assert not any(f.code == "actual_not_figure" for f in findings_of(row(target="效果明显", actual="完成")))
    assert not any(f.code == "actual_not_figure" for f in findings_of(row(target="≥50名", actual="招录8名，选聘9名")))


@pytest.mark.parametrize(
    ("nature", "target", "contradicts"),
    [
        ("正向", "≤5%", True),
        ("反向", "≥95%", True),
        ("正向", "≥95%", False),
        ("反向", "≤5天", False),
        ("", "≤5", False),
    ],
)
def test_a_nature_contradicting_the_comparator_is_a_finding(nature, target, contradicts):
    found = [f for f in findings_of(row(target=target, columns=engine.RowColumns(nature=nature)))]
    codes = [f.code for f in found]
    assert ("nature_contradicts" in codes) is contradicts
    if contradicts:
        finding = next(f for f in found if f.code == "nature_contradicts")
        assert finding.severity == "error" and nature in finding.message


def test_a_defaulted_nature_is_no_contradiction():
    # a 成本 row printing ≥ is read as printed, and not reported: nobody printed 反向
    columns = engine.RowColumns(default_nature="negative")
    assert not any(f.code == "nature_contradicts" for f in findings_of(row(target="≥5", columns=columns)))


def test_a_row_is_read_once_per_process_and_only_texts_are_remembered():
    from decimal import Decimal

    first = parse_row("≥95", "96", unit="%", nature="正向", year=2024)
    assert parse_row("≥95", "96", unit="%", nature="正向", year=2024) is first  # the engine, checker and findings
    assert parse_row("≥95", "96", unit="%", nature="正向", year=2025) is not first
    assert parse_row(Decimal("95"), "96") is not parse_row(Decimal("95"), "96")  # not a text: read afresh
    assert parse_row(Decimal("95"), "96") == parse_row(Decimal("95"), "96")
