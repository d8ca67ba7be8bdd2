"""The warning lights of in-year monitoring (运行监控, docs/domain.md §9): pure maths, no ORM.

An indicator's progress is r = 1–X月 value ÷ (annual target × the share of the year expected by then): the elapsed
share (X/12) or, where the department planned the year (a back-loaded project), its planned share. A ceiling
(反向: ≤48小时, 成本 ≤ …) and a level (a rate such as 满意度 ≥95%) are not spread over the year: they hold in every
month, so they compare with the target itself. Qualitative rows take their light from a word of completion or
from 完成目标可能性. The budget's light is the execution rate ÷ the expected share, with optional fixed
checkpoints (below 25% at the end of March is red whatever the plan says, unless the spending was planned). The
project's light is its worst. Each light carries the formula with its figures, to be shown beside it.

The thresholds are a ``LightRule`` built from the jurisdiction's ``MonitoringRule`` row (data, editable).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from indicators.services.values import NEGATIVE, format_number, parse_row

RED, YELLOW, GREEN, BLUE, NONE = "red", "yellow", "green", "blue", "none"
LIGHT_LABELS = {RED: "红灯", YELLOW: "黄灯", GREEN: "绿灯", BLUE: "蓝灯", NONE: "未评"}
# How bad a light is, for the project's worst: running far ahead (blue) is a deviation too, milder than yellow.
SEVERITY = {NONE: -1, GREEN: 0, BLUE: 1, YELLOW: 2, RED: 3}
LEVEL_UNITS = {"%", "‰"}  # a rate holds at any moment of the year: not spread over the months
CERTAIN, POSSIBLE, IMPOSSIBLE = "certain", "possible", "impossible"
LIKELIHOOD_LIGHTS = {CERTAIN: GREEN, POSSIBLE: YELLOW, IMPOSSIBLE: RED}
DONE_WORDS = frozenset({"已完成", "完成", "全部完成", "达到", "已达到", "达标", "已达标", "合格", "已实现", "是"})
HUNDRED = Decimal(100)
# What the lights compute from the same figures and rule: raise it when that changes, so stored checks are made again.
# 2: the budget's 超进度 band (``LightRule.budget_blue_from``).
LIGHTS_VERSION = 2


@dataclass(frozen=True)
class LightRule:
    """Thresholds in percent: indicator red < 60, yellow < 80, green < 120, blue ≥ 120; budget red < 60, yellow
    < 80, green ≥ 80 (or green below ``budget_blue_from`` and blue, 超进度, from it when the rule sets that band);
    checkpoints ((month, minimum execution %), …) apply to unplanned spending."""

    indicator_red_below: Decimal = Decimal(60)
    indicator_yellow_below: Decimal = Decimal(80)
    indicator_blue_from: Decimal = Decimal(120)
    budget_red_below: Decimal = Decimal(60)
    budget_yellow_below: Decimal = Decimal(80)
    checkpoints: tuple[tuple[int, Decimal], ...] = ()
    budget_blue_from: Decimal | None = None  # 超进度: spending this far ahead of its expected share; None: no band


@dataclass(frozen=True)
class Light:
    """A light, the ratio it was read from (None for a qualitative row) and its formula with the figures."""

    colour: str
    formula: str
    rate: Decimal | None = None

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self.colour]


@dataclass(frozen=True)
class IndicatorInput:
    name: str
    target: str
    value: str = ""
    nature: str = ""
    comparator: str = ""
    unit: str = ""
    likelihood: str = ""
    plan: tuple[Decimal, ...] = ()  # per-period shares of the annual target in % (4 quarters or 12 months)
    default_nature: str = ""  # "negative" for 成本 rows that print no 指标性质


@dataclass(frozen=True)
class BudgetInput:
    annual_budget: Decimal | None
    executed: Decimal | None
    plan: tuple[Decimal, ...] = ()


@dataclass(frozen=True)
class ProjectLights:
    budget: Light
    indicators: list[Light] = field(default_factory=list)

    @property
    def worst(self) -> Light:
        lights = [self.budget, *self.indicators]
        return max(lights, key=lambda light: SEVERITY[light.colour])


def pct(rate: Decimal | None) -> str:
    """0.6 → ``60.0%``."""
    if rate is None:
        return "—"
    return f"{(rate * HUNDRED).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def elapsed_share(end_month: int, override: Decimal | None = None) -> Decimal:
    """The share of the year gone at the end of ``end_month`` (months ÷ 12 unless the period says otherwise)."""
    return override if override is not None else Decimal(end_month) / Decimal(12)


def elapsed_text(end_month: int, override: Decimal | None = None) -> str:
    return f"{end_month}/12" if override is None else pct(override)


def parse_plan(text: str) -> tuple[Decimal, ...]:
    """``"10, 20, 30, 40"`` (quarters) or twelve monthly shares, in % of the year, adding up to 100; ValueError
    with the user's sentence otherwise. An empty text is no plan."""
    parts = [p for p in str(text or "").replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p]
    if not parts:
        return ()
    try:
        shares = tuple(Decimal(p.rstrip("%")) for p in parts)
    except InvalidOperation:
        raise ValueError("计划须写作用逗号分隔的百分数，如 10,20,30,40（按季度）或 12 个月的百分数。") from None
    if len(shares) not in (4, 12):
        raise ValueError(f"计划须为 4 个季度或 12 个月的百分数，现有 {len(shares)} 个。")
    if any(s < 0 for s in shares):
        raise ValueError("计划的百分数不能为负数。")
    if sum(shares) != HUNDRED:
        raise ValueError(f"计划各期百分数合计应为 100，现为 {format_number(sum(shares))}。")
    return shares


def planned_share(plan: tuple[Decimal, ...], end_month: int) -> Decimal:
    """The share of the year planned by the end of ``end_month``; in a quarter's plan, a month inside a quarter
    gets its part of that quarter pro rata (1–7月 of 10/20/30/40: 30% + 30% × 1/3 = 40%)."""
    if len(plan) == 12:
        return sum(plan[:end_month], Decimal(0)) / HUNDRED
    quarters, months_in = divmod(end_month, 3)
    done = sum(plan[:quarters], Decimal(0))
    if months_in and quarters < 4:
        done += plan[quarters] * months_in / 3
    return done / HUNDRED


def _expected(end_month: int, override: Decimal | None, plan: tuple) -> tuple[Decimal, str]:
    if plan:
        share = planned_share(plan, end_month)
        return share, f"计划 {pct(share)}"
    return elapsed_share(end_month, override), elapsed_text(end_month, override)


def _band(rate: Decimal, rule: LightRule) -> str:
    percent = rate * HUNDRED
    if percent < rule.indicator_red_below:
        return RED
    if percent < rule.indicator_yellow_below:
        return YELLOW
    if percent < rule.indicator_blue_from:
        return GREEN
    return BLUE


def _qualitative_light(row: IndicatorInput, why: str) -> Light:
    value = row.value.strip()
    if value.rstrip("。") in DONE_WORDS:
        return Light(GREEN, f"{why}：1–X月“{value}”，已完成")
    if row.likelihood in LIKELIHOOD_LIGHTS:
        words = {CERTAIN: "确定能", POSSIBLE: "有可能", IMPOSSIBLE: "完全不可能"}[row.likelihood]
        return Light(LIKELIHOOD_LIGHTS[row.likelihood], f"{why}：按完成目标可能性“{words}”")
    return Light(NONE, f"{why}：未填写完成情况和完成目标可能性")


def indicator_light(row: IndicatorInput, rule: LightRule, end_month: int, share: Decimal | None = None) -> Light:
    """The light of one indicator row at the end of ``end_month`` (``share`` overrides X/12)."""
    months = f"1–{end_month}月"
    values = parse_row(
        row.target, row.value, unit=row.unit, comparator=row.comparator, nature=row.nature,
        default_nature=row.default_nature,
    )  # fmt: skip
    target, actual = values.target, values.actual
    if not target.is_quantitative or target.number is None:
        return _qualitative_light(row, "定性指标")
    if not row.value.strip():
        return Light(NONE, f"{months}执行情况未填写")
    if not actual.is_quantitative or actual.number is None:
        return _qualitative_light(row, f"执行情况“{row.value.strip()}”不是数值")
    t, a = target.number, actual.number
    if target.direction == NEGATIVE:
        if a <= 0:
            return Light(GREEN, f"反向指标：{months} {format_number(a)} 未超过目标 {format_number(t)}", None)
        rate = t / a
        colour = GREEN if rate >= 1 else _band(rate, rule)
        colour = GREEN if colour == BLUE else colour
        formula = f"反向指标：进度 = 目标 {format_number(t)} ÷ {months} {format_number(a)} = {pct(rate)}"
        return Light(colour, formula, rate)
    if target.unit in LEVEL_UNITS:
        if t == 0:
            return Light(GREEN if a >= 0 else RED, f"目标为 0：{months} {format_number(a)}")
        rate = a / t
        formula = f"比率指标（不按时间分摊）：进度 = {months} {format_number(a)}{target.unit} ÷ {format_number(t)}{target.unit} = {pct(rate)}"
        return Light(_band(rate, rule), formula, rate)
    expected, how = _expected(end_month, share, row.plan)
    if t == 0 or expected == 0:
        return Light(GREEN, f"{months}应完成 0（{how}），不评进度")
    rate = a / (t * expected)
    formula = f"进度 = {months} {format_number(a)} ÷ ({format_number(t)} × {how}) = {pct(rate)}"
    return Light(_band(rate, rule), formula, rate)


def budget_light(budget: BudgetInput, rule: LightRule, end_month: int, share: Decimal | None = None) -> Light:
    """The budget's light: execution rate ÷ expected share; below a fixed checkpoint is red (unplanned spending)."""
    months = f"1–{end_month}月"
    if not budget.annual_budget or budget.executed is None:
        return Light(NONE, "全年预算数或执行数未填写")
    rate = budget.executed / budget.annual_budget
    expected, how = _expected(end_month, share, budget.plan)
    if expected == 0:
        return Light(GREEN, f"{months}计划执行 0，不评进度", None)
    progress = rate / expected
    formula = (
        f"执行率 = {months} {format_number(budget.executed)} ÷ {format_number(budget.annual_budget)} = {pct(rate)}；"
        f"进度 = {pct(rate)} ÷ {how} = {pct(progress)}"
    )
    percent = progress * HUNDRED
    colour = RED if percent < rule.budget_red_below else YELLOW if percent < rule.budget_yellow_below else GREEN
    if rule.budget_blue_from is not None and percent >= rule.budget_blue_from:
        colour = BLUE
        formula += f"，不低于超进度线 {format_number(rule.budget_blue_from)}%（超进度）"
    if not budget.plan:
        passed = [(month, minimum) for month, minimum in rule.checkpoints if month <= end_month]
        if passed:
            month, minimum = max(passed)
            if rate * HUNDRED < minimum:
                return Light(RED, f"{formula}；低于 {month} 月末应达到的 {format_number(minimum)}%", progress)
    return Light(colour, formula, progress)


def project_lights(
    budget: BudgetInput, rows: list[IndicatorInput], rule: LightRule, end_month: int, share: Decimal | None = None
) -> ProjectLights:
    return ProjectLights(
        budget=budget_light(budget, rule, end_month, share),
        indicators=[indicator_light(row, rule, end_month, share) for row in rows],
    )
