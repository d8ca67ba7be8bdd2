"""The scoring engine (docs/domain.md §5): pure Python, plain data in, plain data out, no ORM.

Used alike by the pages, the API, the PDFs, the CLI and the import; ``selfeval.services.scoring``
loads a form through one selector, calls ``score_form`` and saves what it returns.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.services.values import (
    EQ,
    GE,
    GT,
    LE,
    LT,
    NEGATIVE,
    ParsedValue,
    RowValues,
    format_number,
    parse_row,
    quantize,
)

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)

# The three bands an evaluator picks for a qualitative row: (key, label, low share, high share).
QUALITATIVE_BANDS = (
    ("achieved", "达成年度指标", Decimal("0.8"), Decimal("1")),
    ("partial", "部分达成并具有一定效果", Decimal("0.6"), Decimal("0.8")),
    ("failed", "未达成且效果较差", Decimal("0"), Decimal("0.6")),
)

# The engine's version: change it with any change of what the engine computes, so that every stored check
# made by an older engine is made again (``services.checks``).
# 4 (after main's 3): rows read with their own 指标性质, comparator and unit; deadlines compared as dates;
# 成本 rows 反向.
ENGINE_VERSION = "4"
REVERSE_RATIO, REVERSE_LINEAR = "ratio", "linear"


@dataclass(frozen=True)
class Rules:
    """What a scoring scheme decides (its fields mirror ``ScoringScheme``)."""

    budget_rate_places: int = 1  # the rate as a percentage, rounded to this many places (99.9 %)
    cap_budget_score: bool = True
    reverse_rule: str = REVERSE_RATIO
    score_places: int = 2
    grade_bands: tuple[tuple[str, Decimal], ...] = (
        ("优", Decimal(90)),
        ("良", Decimal(80)),
        ("中", Decimal(60)),
        ("差", Decimal(0)),
    )
    deviation_above: Decimal | None = None  # e.g. 1.30: a reason is also required at ≥ 130 % of target
    maximum: Decimal = Decimal(100)  # the scheme's full marks: no total passes it


# The bounds of every figure the engine gives (the storage of the stored check's figures: the database constraints
# on its columns and the bounds its one writer keeps in its JSON, built from these constants): an execution rate B / A beyond ±10 (1000 %) is an amount in the wrong unit, and
# with it the budget score stays within a score's storage (points ≤ 9 999.99 × 10). A figure beyond its bound is
# not given (None, like a rate without a budget) and the result names it in ``problems``, so that the write
# services refuse the form with that message before anything is written, and no read can meet a value it cannot
# load.
MAX_RATE = Decimal(10)
MAX_SCORE = Decimal("99999.99")


def within(value: Decimal | None, bound: Decimal) -> bool:
    """Whether a figure can be stored under ``bound`` (None always can)."""
    return value is None or -bound <= value <= bound


def rate_problem(budget: Decimal | None, executed: Decimal | None) -> str | None:
    """Why B / A cannot be given (a message for the user), or None when it can (or is simply not computed)."""
    if budget is None or executed is None or budget <= 0:
        return None
    if within(Decimal(executed) / Decimal(budget), MAX_RATE):
        return None
    return f"全年执行数超过全年预算数的 {MAX_RATE} 倍（执行率超过 {MAX_RATE * HUNDRED:.0f}%），无法计算；请核对金额及其单位。"


# -- budget execution ---------------------------------------------------------------------------


def budget_rate(budget: Decimal | None, executed: Decimal | None, rules: Rules = Rules()) -> Decimal | None:
    """B / A as a fraction, rounded to ``budget_rate_places`` of a percent: 222.43 / 222.55 → 0.999."""
    if budget is None or executed is None or budget <= 0 or rate_problem(budget, executed):
        return None
    return quantize(Decimal(executed) / Decimal(budget), rules.budget_rate_places + 2)


def budget_score(weight: Decimal, rate: Decimal | None, rules: Rules = Rules()) -> Decimal | None:
    """weight × rate, never above the weight unless the scheme says otherwise: 20 × 0.999 → 19.98."""
    if rate is None:
        return None
    score = Decimal(weight) * max(rate, ZERO)
    if rules.cap_budget_score:
        score = min(score, Decimal(weight))
    score = quantize(score, rules.score_places)
    return score if within(score, MAX_SCORE) else None


# -- indicator rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """The engine's proposal for one row, and why."""

    score: Decimal | None  # None: the evaluator must score (qualitative, or values that cannot be compared)
    met: bool | None  # None: cannot be told from the values
    explanation: str
    ratio: Decimal | None = None  # actual / target (for 正向) or target / actual (for 反向)


def _units_compatible(target: ParsedValue, actual: ParsedValue) -> bool:
    """Same unit, or one side without a unit; a percentage meets a bare number only as a fraction (0.992)."""
    if target.unit == actual.unit:
        return True
    if "%" in (target.unit, actual.unit):
        bare = actual if target.unit == "%" else target
        return not bare.unit and abs(bare.number) <= 2
    return not target.unit or not actual.unit


def _comparable(target: ParsedValue, actual: ParsedValue) -> tuple[Decimal, Decimal]:
    """Target and actual numbers on one scale: a bare fraction against a percentage (0.992 vs ≥80%) is ×100."""
    t, a = target.number, max(actual.number, ZERO)
    if target.unit == "%" and not actual.unit and a <= 2:
        a *= HUNDRED
    elif actual.unit == "%" and not target.unit and t <= 2:
        t *= HUNDRED
    return t, a


@dataclass(frozen=True)
class RowColumns:
    """What a form prints beside a row's target and actual: 指标性质, comparator, unit; and the default 指标性质
    of the row's category (成本 rows: 反向)."""

    unit: str = ""
    comparator: str = ""
    nature: str = ""
    default_nature: str = ""
    year: int | None = None  # the form's year: a deadline printed without one (12月底前) is in it

    def read(self, target_text: str, actual_text: str) -> RowValues:
        return parse_row(
            target_text,
            actual_text,
            unit=self.unit,
            comparator=self.comparator,
            nature=self.nature,
            default_nature=self.default_nature,
            year=self.year,
        )


PLAIN = RowColumns()


def is_met(target: ParsedValue, actual: ParsedValue) -> bool | None:
    """Whether the actual value satisfies the target's comparison; None when they cannot be compared."""
    if target.is_time and actual.is_time:
        return actual.date <= target.date if target.comparison in (LE, LT) else actual.date == target.date
    if not (target.is_quantitative and actual.is_quantitative and _units_compatible(target, actual)):
        return None
    t, a = _comparable(target, actual)
    # "=" scores like 正向 (reaching the target is enough), except that a target of 0 is met only by 0.
    equal = a == t if t == 0 else a >= t
    return {GE: a >= t, GT: a > t, EQ: equal, LE: a <= t, LT: a < t}[target.comparison]


def propose_row_score(
    target_text: str, actual_text: str, weight: Decimal | None, rules: Rules = Rules(), columns: RowColumns = PLAIN
) -> Proposal:
    """Propose a row's score: met → full weight; 正向 weight × actual/target; 反向 by the scheme's rule; a
    deadline met → full weight, missed → the evaluator scores."""
    values = columns.read(target_text, actual_text)
    target, actual = values.target, values.actual
    if weight is None:
        return Proposal(None, is_met(target, actual), "本行没有分值，无法计算建议得分。")
    weight = Decimal(weight)
    if target.is_time:
        if not actual.is_time:
            return Proposal(None, None, "时限指标：实际完成值不是日期，请填写完成日期或评定得分。")
        if is_met(target, actual):
            return Proposal(quantize(weight, rules.score_places), True, "在时限内完成，得满分。")
        return Proposal(None, False, "未在时限内完成：请说明原因并评定得分。")
    if not target.is_quantitative:
        return Proposal(None, None, "定性指标：请按达成程度选择档次并评分。")
    if not actual.is_quantitative:
        if is_word_actual(values):
            return Proposal(None, None, f"实际完成值“{actual.text}”是文字，请填写实际数值，或评定得分并说明理由。")
        return Proposal(None, None, "实际完成值不是数值，无法与目标值比较，请评定得分。")
    if not _units_compatible(target, actual):
        return Proposal(None, None, f"单位不一致（目标“{target.unit}”，实际“{actual.unit}”），请评定得分。")
    t, a = _comparable(target, actual)
    met = is_met(target, actual)
    if met:
        return Proposal(quantize(weight, rules.score_places), True, "已达到目标值，得满分。")
    if target.direction == NEGATIVE:
        if t <= 0:
            return Proposal(quantize(ZERO, rules.score_places), False, "反向指标目标为 0，实际大于 0，得 0 分。")
        if rules.reverse_rule == REVERSE_LINEAR:
            share = max(ZERO, ONE - (a - t) / t)
            why = f"反向指标：(1 − ({format_number(a)} − {format_number(t)}) ÷ {format_number(t)}) × 分值。"
        else:
            share = t / a
            why = f"反向指标：目标值 {format_number(t)} ÷ 实际值 {format_number(a)} × 分值。"
        return Proposal(quantize(weight * min(share, ONE), rules.score_places), False, why, min(share, ONE))
    if t <= 0:
        return Proposal(quantize(ZERO, rules.score_places), False, "目标值为 0，实际值不符，得 0 分。")
    share = min(a / t, ONE)
    why = f"正向指标：实际值 {format_number(a)} ÷ 目标值 {format_number(t)} × 分值。"
    return Proposal(quantize(weight * share, rules.score_places), False, why, share)


def band_of(score: Decimal, weight: Decimal) -> str | None:
    """The qualitative band a score falls in ([0.8w, w], [0.6w, 0.8w), [0, 0.6w)); None outside [0, w]."""
    if weight is None or weight <= 0 or score < 0 or score > weight:
        return None
    share = Decimal(score) / Decimal(weight)
    for key, _label, low, high in QUALITATIVE_BANDS:
        if low <= share and (share < high or (high == ONE and share <= ONE)):
            return key
    return None


def is_word_actual(values: RowValues) -> bool:
    """A quantitative row whose actual is words without any figure (完成, 已完成, 达标); several figures in a sentence
    (73场383个) are a text for the evaluator to read, not a missing figure."""
    text = values.actual.text.strip()
    return (
        values.target.is_quantitative
        and bool(text)
        and not values.actual.is_quantitative
        and not any(ch.isdigit() for ch in text)
    )


def needs_reason(target_text: str, actual_text: str, rules: Rules = Rules(), columns: RowColumns = PLAIN) -> bool:
    """A row needs 未完成原因/偏差原因 when its target is not met, or (if the scheme says so) far exceeded."""
    return values_need_reason(columns.read(target_text, actual_text), rules)


def values_need_reason(values: RowValues, rules: Rules = Rules()) -> bool:
    """``needs_reason`` of a row's values already read (``RowColumns.read``)."""
    target, actual = values.target, values.actual
    met = is_met(target, actual)
    if met is False:
        return True
    if met and rules.deviation_above and target.is_quantitative and target.direction != NEGATIVE and target.number:
        t, a = _comparable(target, actual)
        return a >= t * rules.deviation_above
    return False


# -- totals --------------------------------------------------------------------------------------


def grade_of(total: Decimal | None, rules: Rules = Rules()) -> str:
    if total is None:
        return ""
    for name, minimum in rules.grade_bands:
        if total >= minimum:
            return name
    return rules.grade_bands[-1][0]


@dataclass(frozen=True)
class SectionInput:
    code: str
    kind: str  # budget | goal | indicators | level1 | annual_goal
    points: Decimal | None
    given_score: Decimal | None = None  # a score the evaluator gives to the whole section (总目标)


@dataclass(frozen=True)
class RowInput:
    key: object
    section: str | None
    target: str
    actual: str
    weight: Decimal | None
    final_score: Decimal | None
    columns: RowColumns = PLAIN


@dataclass(frozen=True)
class FormInput:
    rules: Rules
    budget: Decimal | None  # A
    executed: Decimal | None  # B
    sections: tuple[SectionInput, ...]
    rows: tuple[RowInput, ...]


@dataclass
class FormResult:
    budget_rate: Decimal | None
    budget_score: Decimal | None
    section_scores: dict[str, Decimal | None] = field(default_factory=dict)
    proposals: dict[object, Proposal] = field(default_factory=dict)
    total: Decimal | None = None
    grade: str = ""
    problems: list[str] = field(default_factory=list)  # figures beyond their bounds (not given): why, for the user
    # The sum of what is known so far (a row not yet scored counts its proposal): shown as 暂计 until ``total``.
    provisional_total: Decimal | None = None


def score_form(form: FormInput) -> FormResult:
    """Budget execution, each row's proposal, section totals from the final row scores, the total and grade."""
    rules = form.rules
    rate = budget_rate(form.budget, form.executed, rules)
    budget_section = next((s for s in form.sections if s.kind == "budget"), None)
    b_score = budget_score(budget_section.points, rate, rules) if budget_section and budget_section.points else None
    result = FormResult(budget_rate=rate, budget_score=b_score)
    if problem := rate_problem(form.budget, form.executed):
        result.problems.append(f"预算执行率：{problem}")
    sums: dict[str, Decimal] = {}
    known: dict[str, Decimal] = {}  # final scores, and proposals where no final score is given yet
    for row in form.rows:
        proposal = result.proposals[row.key] = propose_row_score(row.target, row.actual, row.weight, rules, row.columns)
        if row.section is None:
            continue
        if row.final_score is not None:
            sums[row.section] = sums.get(row.section, ZERO) + quantize(Decimal(row.final_score), rules.score_places)
        score = row.final_score if row.final_score is not None else proposal.score
        if score is not None:
            known[row.section] = known.get(row.section, ZERO) + quantize(Decimal(score), rules.score_places)
    total, complete, provisional = ZERO, True, None
    for section in form.sections:
        if section.kind == "budget":
            score = b_score
        elif section.given_score is not None:
            score = Decimal(section.given_score)
        else:
            score = sums.get(section.code)
            if score is None and section.points is not None and Decimal(section.points) == 0:
                score = quantize(
                    ZERO, rules.score_places
                )  # a section the form gives no points (河北's 效果/成本 when unused) has nothing to score
        score = _within(score, section.points)
        if not within(score, MAX_SCORE):
            result.problems.append(
                f"分项“{section.code}”的得分 {format_number(score)} 超出了可保存的范围，请核对各行得分。"
            )
            score = None
        result.section_scores[section.code] = score
        if score is None:
            complete = False
        else:
            total += score
        by_rows = section.kind != "budget" and section.given_score is None
        so_far = _within(known.get(section.code, score), section.points) if by_rows else score
        if so_far is not None:
            provisional = (provisional or ZERO) + so_far
    if complete and form.sections:
        total = min(total, rules.maximum)
        if within(total, MAX_SCORE):
            result.total = quantize(total, rules.score_places)
            result.grade = grade_of(result.total, rules)
        else:
            result.problems.append(f"总分 {format_number(total)} 超出了可保存的范围，请核对各分项得分。")
    if provisional is not None:
        result.provisional_total = quantize(min(provisional, rules.maximum), rules.score_places)
    return result


def _within(score: Decimal | None, points: Decimal | None) -> Decimal | None:
    """A section's score between 0 and its points: rows over their weights or a form's wrong figures are the
    checker's findings, never points the section does not have."""
    if score is None:
        return None
    score = max(score, ZERO)
    return min(score, Decimal(points)) if points is not None else score
