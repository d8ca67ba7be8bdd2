"""The consistency checker (DOMAIN §6): what a form prints, held against what its own figures give.

Pure Python: plain data in, a list of findings out. Nothing here repairs a form; it only reports.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from indicators.services.values import format_number, parse_value

from . import engine

ERROR, WARNING, BLOCKING = "error", "warning", "blocking"
SEVERITY_LABELS = {ERROR: "数据不一致", WARNING: "提示", BLOCKING: "须先更正"}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    severity: str = ERROR
    where: str = ""

    def __str__(self) -> str:
        return f"[{SEVERITY_LABELS[self.severity]}] {self.where + '：' if self.where else ''}{self.message}"


def parse_rate(text: str) -> tuple[Decimal, int] | None:
    """A printed rate as a fraction and its precision in percent places: ``99.9%`` → (0.999, 1); ``0.992`` → (0.992, 1)."""
    cleaned = (text or "").strip().replace("％", "%").replace(" ", "")
    match = re.fullmatch(r"(\d+(?:\.(\d+))?)(%?)", cleaned)
    if not match:
        return None
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None
    decimals = len(match.group(2) or "")
    if match.group(3):
        return number / 100, decimals
    return number, max(decimals - 2, 0)


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "（空）"
    return format_number(value)


# -- self-evaluations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundingData:
    name: str
    is_total: bool
    budget: Decimal | None
    executed: Decimal | None
    rate_printed: str
    score_printed: Decimal | None


@dataclass(frozen=True)
class SectionData:
    code: str
    name: str
    kind: str
    points: Decimal | None
    printed_score: Decimal | None


@dataclass(frozen=True)
class RowData:
    label: str
    section: str | None
    target: str
    actual: str
    reason: str
    weight: Decimal | None
    score_printed: Decimal | None
    score_final: Decimal | None
    score_proposed: Decimal | None = None
    score_reason: str = ""


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
    scored_rows: bool = True  # False where the published form gives no row scores (summaries)
    extra: dict = field(default_factory=dict)


def check_evaluation(data: EvaluationData) -> list[Finding]:
    findings: list[Finding] = []
    rules = data.rules
    total_row = next((f for f in data.funding if f.is_total), data.funding[0] if data.funding else None)

    # Budget execution: the printed rate against B / A at the precision printed, and the score.
    for line in data.funding:
        rate = engine.budget_rate(line.budget, line.executed, rules)
        printed = parse_rate(line.rate_printed)
        if rate is not None and printed is not None:
            exact = Decimal(line.executed) / Decimal(line.budget)
            at_printed = engine.quantize(exact, printed[1] + 2)
            if at_printed != printed[0]:
                findings.append(
                    Finding(
                        "budget_rate",
                        f"表中执行率 {line.rate_printed}，按执行数 ÷ 预算数应为 {engine.format_rate(exact, printed[1])}。",
                        where=f"资金：{line.name}",
                    )
                )
        if line.executed is not None and line.budget is not None and line.executed > line.budget:
            findings.append(Finding("over_executed", "执行数大于预算数。", WARNING, f"资金：{line.name}"))
    budget_section = next((s for s in data.sections if s.kind == "budget"), None)
    if total_row is not None and budget_section is not None and budget_section.points:
        rate = engine.budget_rate(total_row.budget, total_row.executed, rules)
        expected = engine.budget_score(budget_section.points, rate, rules)
        printed_score = data.printed_budget_score or total_row.score_printed or budget_section.printed_score
        if expected is not None and printed_score is not None and printed_score != expected:
            findings.append(
                Finding(
                    "budget_score",
                    f"表中预算执行得分 {_fmt(printed_score)}，按 {_fmt(budget_section.points)} × "
                    f"{engine.format_rate(rate, rules.budget_rate_places)} 应为 {_fmt(expected)}。",
                    where=budget_section.name,
                )
            )

    # Weights: the sections' points add up to the full score.
    points = [s.points for s in data.sections if s.points is not None]
    if data.sections and len(points) == len(data.sections) and sum(points) != data.full_points:
        findings.append(Finding("weights", f"各部分分值合计 {_fmt(sum(points))}，应为 {_fmt(data.full_points)}。"))

    # Rows: scores within their weight, a reason where the target is not met.
    row_sums: dict[str, Decimal] = {}
    for row in data.rows:
        score = row.score_final if row.score_final is not None else row.score_printed
        if score is not None:
            if score < 0:
                findings.append(Finding("row_negative", f"得分 {_fmt(score)} 小于 0。", where=row.label))
            if row.weight is not None and score > row.weight:
                findings.append(
                    Finding("row_over_weight", f"得分 {_fmt(score)} 超过分值 {_fmt(row.weight)}。", where=row.label)
                )
            if row.section:
                row_sums[row.section] = row_sums.get(row.section, Decimal(0)) + score
        elif data.scored_rows:
            findings.append(Finding("row_unscored", "本行没有得分。", WARNING, row.label))
        if engine.needs_reason(row.target, row.actual, rules) and not row.reason.strip():
            target, actual = parse_value(row.target), parse_value(row.actual)
            findings.append(
                Finding(
                    "reason_missing",
                    f"实际完成值 {actual.text} 未达到目标值 {target.text}，未填写未完成原因。",
                    WARNING,
                    row.label,
                )
            )

    # Sections: printed subtotal against its rows and its points.
    section_scores: dict[str, Decimal | None] = {}
    for section in data.sections:
        score = section.printed_score
        if section.kind == "budget":
            score = (
                score if score is not None else (data.printed_budget_score or (total_row and total_row.score_printed))
            )
        elif section.code in row_sums:
            if score is not None and score != row_sums[section.code]:
                findings.append(
                    Finding(
                        "section_sum",
                        f"表中小计 {_fmt(score)}，各行得分合计 {_fmt(row_sums[section.code])}。",
                        where=section.name,
                    )
                )
            if score is None:
                score = row_sums[section.code]
        if score is not None and section.points is not None and score > section.points:
            findings.append(
                Finding(
                    "section_over_points", f"得分 {_fmt(score)} 超过分值 {_fmt(section.points)}。", where=section.name
                )
            )
        section_scores[section.code] = score

    # Total and grade.
    if data.printed_total is None:
        findings.append(Finding("total_missing", "表中没有填写总分。"))
    else:
        if all(v is not None for v in section_scores.values()) and section_scores:
            expected = sum(section_scores.values())
            if expected != data.printed_total:
                findings.append(
                    Finding("total_sum", f"表中总分 {_fmt(data.printed_total)}，各部分得分合计 {_fmt(expected)}。")
                )
        if data.printed_total > data.full_points:
            findings.append(Finding("total_over", f"总分 {_fmt(data.printed_total)} 超过满分。"))
        expected_grade = engine.grade_of(data.printed_total, rules)
        if data.printed_grade and data.printed_grade != expected_grade:
            findings.append(
                Finding(
                    "grade",
                    f"表中等次“{data.printed_grade}”，总分 {_fmt(data.printed_total)} 对应“{expected_grade}”。",
                )
            )
    return findings
