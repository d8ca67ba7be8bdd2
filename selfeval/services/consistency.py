"""The consistency checker of self-evaluations (docs/domain.md §6): what a form prints, held against what its
own figures give. Pure Python: plain data in, a list of findings out. Nothing here repairs a form; it only reports.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.services.checking import (
    ERROR,
    WARNING,
    ZERO,
    Finding,
    nature_contradiction,
    num,
    parse_rate,
    rate_agrees,
)
from indicators.services.values import format_rate

from . import engine

# The checker's version: change it with any change of what the checker finds (stored checks are made again).
# 4 (after main's 3): 指标性质 contradicting the comparator, words as the actual of a quantitative row, rows read
# with their columns; funding totals and their 其中 rows checked both ways, rates typed without % in a 执行率(%)
# column, 0.00 % on an empty row.
# 5: the form is also held against its declaration's 运行监控 record (``cross_stage``: 确定能 then missed without a
# reason, year-end execution far from the forecast); no seed form has a monitoring record.
# 6: a row is matched to its monitoring row by the declaration row both were started from, the 三级 name only for
# forms started before that link; no seed form has a monitoring record, so the seeds' findings are 5's.
CHECKER_VERSION = "6"


# -- self-evaluations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingData:
    name: str
    is_total: bool
    budget: Decimal | None
    executed: Decimal | None
    rate_printed: str
    score_printed: Decimal | None
    key: object = None  # the row's 序号
    part_of: object = None  # the 序号 of the total this row is a 其中 row of


AMOUNT_COLUMNS = (("budget", "预算数"), ("executed", "执行数"))


def parts_of(funding) -> dict:
    """Each total's 其中 rows, by the total's key."""
    parts: dict = {}
    for line in funding:
        if line.part_of is not None:
            parts.setdefault(line.part_of, []).append(line)
    return parts


def consistent_figures(line, parts) -> tuple[Decimal | None, Decimal | None]:
    """A line's budget and executed amounts as its figures agree: a total printed as 0 (or left empty) beside
    non-zero 其中 rows stands for their sum, so that its rate and score come from the figures the form does hold."""
    figures = []
    for column, _label in AMOUNT_COLUMNS:
        value = getattr(line, column)
        part_values = [getattr(p, column) for p in parts if getattr(p, column) is not None]
        if not value and part_values and sum(part_values) != 0:
            value = sum(part_values)
        figures.append(value)
    return figures[0], figures[1]


def total_line(funding):
    """The funding line the budget execution is scored on: the total row, else the first."""
    return next((f for f in funding if f.is_total), funding[0] if funding else None)


def budget_figures(funding) -> tuple[Decimal | None, Decimal | None]:
    """The total line's budget (A) and executed (B) amounts, consistent with its 其中 rows."""
    line = total_line(funding)
    if line is None:
        return None, None
    return consistent_figures(line, parts_of(funding).get(line.key, []))


@dataclass(frozen=True)
class SectionData:
    code: str
    name: str
    kind: str
    points: Decimal | None
    printed_score: Decimal | None
    scheme_points: Decimal | None = None  # the scheme's points for this section (None: printed per form)


@dataclass(frozen=True)
class RowData:
    label: str
    section: str | None
    target: str
    actual: str
    reason: str
    weight: Decimal | None
    score_printed: Decimal | None
    score_final: Decimal | None = None
    score_proposed: Decimal | None = None
    score_reason: str = ""
    qualitative_band: str = ""
    columns: engine.RowColumns = engine.PLAIN


@dataclass(frozen=True)
class EvaluationData:
    rules: engine.Rules
    printed_total: Decimal | None
    printed_grade: str
    printed_budget_rate: str
    printed_budget_score: Decimal | None
    funding: tuple[FundingData, ...]
    sections: tuple[SectionData, ...]
    rows: tuple[RowData, ...]
    full_points: Decimal = Decimal(100)
    scored_rows: bool = True  # False where the published form gives no rows (002's summaries)
    incomplete: bool = False  # pages or text missing from the filed form
    filed: bool = True  # a filed paper form prints its own total; a form filled here has only computed figures
    rate_in_percent: bool = False  # the rate column is headed 执行率(%): "100" typed without % is 100 %
    extra: dict = field(default_factory=dict)


def _funding_part_findings(data: EvaluationData) -> list[Finding]:
    """A total and its 其中 rows, both ways: a total of zeros (or empty) beside non-zero 其中 rows names both; a
    total that differs from the sum of its 其中 rows gives both figures."""
    findings = []
    lines = {line.key: line for line in data.funding}
    for key, parts in parts_of(data.funding).items():
        total = lines.get(key)
        if total is None:
            continue
        for column, label in AMOUNT_COLUMNS:
            values = [getattr(p, column) for p in parts if getattr(p, column) is not None]
            if not values:
                continue
            printed, summed = getattr(total, column), sum(values)
            if not printed and summed != 0:
                named = "、".join(f"“{p.name}”{num(getattr(p, column))}" for p in parts if getattr(p, column))
                findings.append(
                    Finding(
                        "funding_total_zero",
                        ERROR,
                        f"资金：{total.name}",
                        num(printed) if printed is not None else None,
                        num(summed),
                        f"“{total.name}”的{label}为 {num(printed) if printed is not None else '空'}，其中 {named}，"
                        f"合计 {num(summed)}；执行率和得分按其中各行合计计算。",
                    )  # fmt: skip
                )
            elif printed is not None and printed != summed:
                findings.append(
                    Finding(
                        "funding_parts_sum",
                        ERROR,
                        f"资金：{total.name}",
                        num(printed),
                        num(summed),
                        f"“{total.name}”的{label} {num(printed)}，其中各行（{'、'.join(p.name for p in parts)}）"
                        f"合计 {num(summed)}。",
                    )  # fmt: skip
                )
    return findings


def _budget_findings(data: EvaluationData) -> list[Finding]:
    findings = _funding_part_findings(data)
    parts = parts_of(data.funding)
    for original in data.funding:
        line = original
        if original.key in parts:  # a total checked on the figures that agree with its 其中 rows
            budget, executed = consistent_figures(original, parts[original.key])
            line = FundingData(original.name, original.is_total, budget, executed, original.rate_printed,
                               original.score_printed, original.key, original.part_of)  # fmt: skip
        if line.budget is not None and line.budget < 0 or line.executed is not None and line.executed < 0:
            findings.append(Finding("negative_amount", ERROR, f"资金：{line.name}", None, None, "金额为负数。"))
            continue
        rate = parse_rate(line.rate_printed, data.rate_in_percent)
        if rate is not None and rate[0] == 0 and not line.budget and not line.executed:
            continue  # 0.00 % printed on an empty row: nothing to check
        if line.budget is not None and line.executed is not None and line.executed > line.budget:
            findings.append(
                Finding(
                    "over_executed",
                    WARNING,
                    f"资金：{line.name}",
                    num(line.executed),
                    num(line.budget),
                    "执行数大于预算数，请核实。",
                )  # fmt: skip
            )
        if line.rate_printed and line.budget == 0:
            findings.append(
                Finding(
                    "rate_without_budget",
                    ERROR,
                    f"资金：{line.name}",
                    line.rate_printed,
                    None,
                    "预算数为 0，无法计算执行率。",
                )
            )
            continue
        agreement = rate_agrees(line.rate_printed, line.executed, line.budget, data.rate_in_percent)
        if agreement and not agreement[0]:
            findings.append(
                Finding(
                    "budget_rate",
                    ERROR,
                    f"资金：{line.name}",
                    line.rate_printed,
                    agreement[1],
                    f"填报执行率 {line.rate_printed}，按执行数 ÷ 预算数应为 {agreement[1]}。",
                )  # fmt: skip
            )
    total_row = total_line(data.funding)
    total_budget, total_executed = budget_figures(data.funding)
    budget_section = next((s for s in data.sections if s.kind == "budget"), None)
    if data.printed_budget_rate and total_row is not None and data.printed_budget_rate != total_row.rate_printed:
        agreement = rate_agrees(data.printed_budget_rate, total_executed, total_budget, data.rate_in_percent)
        if agreement and not agreement[0]:
            findings.append(
                Finding(
                    "budget_rate",
                    ERROR,
                    "预算执行率",
                    data.printed_budget_rate,
                    agreement[1],
                    f"填报预算执行率 {data.printed_budget_rate}，按执行数 ÷ 预算数应为 {agreement[1]}。",
                )  # fmt: skip
            )
    if total_row is not None and budget_section is not None and budget_section.points:
        rate = engine.budget_rate(total_budget, total_executed, data.rules)
        expected = engine.budget_score(budget_section.points, rate, data.rules)
        printed = data.printed_budget_score
        if printed is None:
            printed = total_row.score_printed if total_row.score_printed is not None else budget_section.printed_score
        if expected is not None and printed is not None and printed != expected:
            findings.append(
                Finding(
                    "budget_score",
                    ERROR,
                    budget_section.name,
                    num(printed),
                    num(expected),
                    f"填报预算执行得分 {num(printed)}，按 {num(budget_section.points)} × "
                    f"{format_rate(rate, data.rules.budget_rate_places)} 应为 {num(expected)}。",
                )  # fmt: skip
            )
    return findings


def _row_findings(data: EvaluationData) -> tuple[list[Finding], dict[str, Decimal]]:
    findings, sums = [], {}
    for row in data.rows:
        score = row.score_final if row.score_final is not None else row.score_printed
        if score is not None:
            if score < 0:
                findings.append(Finding("row_negative", ERROR, row.label, num(score), None, "得分小于 0。"))
            if row.weight is not None and score > row.weight:
                findings.append(
                    Finding(
                        "row_over_weight",
                        ERROR,
                        row.label,
                        num(score),
                        num(row.weight),
                        f"得分 {num(score)} 超过分值 {num(row.weight)}。",
                    )  # fmt: skip
                )
            if row.qualitative_band and row.weight and engine.band_of(score, row.weight) != row.qualitative_band:
                findings.append(
                    Finding("row_band", ERROR, row.label, num(score), None, "得分不在所选档次的分数范围内。")
                )
            if row.section:
                sums[row.section] = sums.get(row.section, ZERO) + score
        elif data.scored_rows:
            findings.append(Finding("row_unscored", WARNING, row.label, None, None, "本行没有得分。"))
        if (
            row.score_proposed is not None
            and row.score_final is not None
            and row.score_final != row.score_proposed
            and not row.score_reason.strip()
        ):
            findings.append(
                Finding(
                    "score_reason_missing",
                    WARNING,
                    row.label,
                    num(row.score_final),
                    num(row.score_proposed),
                    f"评定得分 {num(row.score_final)} 与建议得分 {num(row.score_proposed)} 不同，未说明理由。",
                )  # fmt: skip
            )
        values = row.columns.read(row.target, row.actual)
        contradiction = nature_contradiction(row.label, values)
        if contradiction:
            findings.append(contradiction)
        if engine.is_word_actual(values) and (row.score_final is None or not row.score_reason.strip()):
            findings.append(
                Finding(
                    "actual_not_figure",
                    ERROR,
                    row.label,
                    values.actual.text,
                    values.target.format(),
                    f"实际完成值“{values.actual.text}”不是数值，请填写实际完成的数值（目标“{values.target.format()}”），"
                    "或评定得分并说明理由。",
                )  # fmt: skip
            )
        if engine.values_need_reason(values, data.rules) and not row.reason.strip():
            target, actual = values.target, values.actual
            findings.append(
                Finding(
                    "reason_missing",
                    WARNING,
                    row.label,
                    actual.text,
                    target.text,
                    f"实际完成值“{actual.text}”未达到目标值“{target.text}”，未填写未完成原因。",
                )  # fmt: skip
            )
    return findings, sums


def _points_findings(data: EvaluationData) -> list[Finding]:
    """Points belong to the scheme: a section's points differing from its scheme's, and rows whose weights do not
    add up to their section's points."""
    findings = []
    weights: dict[str, Decimal] = {}
    for row in data.rows:
        if row.section and row.weight is not None:
            weights[row.section] = weights.get(row.section, ZERO) + row.weight
    for section in data.sections:
        if section.scheme_points is not None and section.points != section.scheme_points:
            findings.append(
                Finding(
                    "section_points_differ",
                    ERROR,
                    section.name,
                    num(section.points),
                    num(section.scheme_points),
                    f"分值 {num(section.points) or '空'} 与评分方案规定的 {num(section.scheme_points)} 不符。",
                )  # fmt: skip
            )
        if section.code in weights and section.points is not None and weights[section.code] != section.points:
            findings.append(
                Finding(
                    "section_weights",
                    ERROR,
                    section.name,
                    num(weights[section.code]),
                    num(section.points),
                    f"各行分值合计 {num(weights[section.code])}，与分项分值 {num(section.points)} 不符。",
                )  # fmt: skip
            )
    return findings


def check_evaluation(data: EvaluationData) -> list[Finding]:
    """Every inconsistency of one self-evaluation.

    On a form with missing pages, sums that cannot be checked against the rows that are there are
    reported as warnings, not errors: the missing rows, not the form, may be the cause.
    """
    findings = _check_evaluation(data)
    if not data.incomplete:
        return findings
    return [
        Finding(f.code, WARNING, f.field, f.printed, f.computed, f"原件不全，无法完全核对：{f.message}")
        if f.code in {"total_sum", "section_sum"}
        else f
        for f in findings
    ]


def _check_evaluation(data: EvaluationData) -> list[Finding]:
    findings = _budget_findings(data)
    points = [s.points for s in data.sections if s.points is not None]
    if data.sections and len(points) == len(data.sections) and sum(points) != data.full_points:
        findings.append(
            Finding(
                "weights",
                ERROR,
                "分值",
                num(sum(points)),
                num(data.full_points),
                f"各部分分值合计 {num(sum(points))}，应为 {num(data.full_points)}。",
            )  # fmt: skip
        )
    findings += _points_findings(data)
    row_findings, row_sums = _row_findings(data)
    findings += row_findings

    section_scores: dict[str, Decimal | None] = {}
    total_row = next((f for f in data.funding if f.is_total), data.funding[0] if data.funding else None)
    for section in data.sections:
        score = section.printed_score
        if section.kind == "budget" and score is None:
            score = data.printed_budget_score
            if score is None and total_row is not None:
                score = total_row.score_printed
        if section.code in row_sums:
            if score is not None and score != row_sums[section.code]:
                findings.append(
                    Finding(
                        "section_sum",
                        ERROR,
                        section.name,
                        num(score),
                        num(row_sums[section.code]),
                        f"填报小计 {num(score)}，各行得分合计 {num(row_sums[section.code])}。",
                    )  # fmt: skip
                )
            if score is None:
                score = row_sums[section.code]
        if score is not None and section.points is not None and score > section.points:
            findings.append(
                Finding(
                    "section_over_points",
                    ERROR,
                    section.name,
                    num(score),
                    num(section.points),
                    f"得分 {num(score)} 超过分值 {num(section.points)}。",
                )  # fmt: skip
            )
        section_scores[section.code] = score

    if data.printed_total is None:
        if data.filed:
            findings.append(Finding("total_missing", WARNING, "总分", None, None, "没有填写总分。"))
        return findings
    if section_scores and all(v is not None for v in section_scores.values()):
        expected = sum(section_scores.values())
        if expected != data.printed_total:
            findings.append(
                Finding(
                    "total_sum",
                    ERROR,
                    "总分",
                    num(data.printed_total),
                    num(expected),
                    f"填报总分 {num(data.printed_total)}，各部分得分合计 {num(expected)}。",
                )  # fmt: skip
            )
    if data.printed_total > data.full_points or data.printed_total < 0:
        findings.append(
            Finding("total_range", ERROR, "总分", num(data.printed_total), None, "总分超出 0～满分的范围。")
        )
    expected_grade = engine.grade_of(data.printed_total, data.rules)
    if data.printed_grade and data.printed_grade != expected_grade:
        findings.append(
            Finding(
                "grade",
                ERROR,
                "自评等次",
                data.printed_grade,
                expected_grade,
                f"填报等次“{data.printed_grade}”，总分 {num(data.printed_total)} 对应“{expected_grade}”。",
            )  # fmt: skip
        )
    return findings
