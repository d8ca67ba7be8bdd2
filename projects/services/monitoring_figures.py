"""What a monitoring form reads as: its budget totals, its lights under its rule, what is missing before it can be
submitted, and the stamp of the rule its lights were read with (``monitoring_checks`` stores all of it)."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from ..models import MonitoringForm, MonitoringPeriod, MonitoringRule
from ..money import from_yuan
from .checks import digest
from .monitoring_lights import BudgetInput, IndicatorInput, LightRule, ProjectLights, parse_plan, project_lights


@dataclass(frozen=True)
class Problem:
    place: str  # "budget" or a row's pk
    message: str


def monitoring_problems(form: MonitoringForm) -> list[Problem]:
    """What must be filled before submitting: the 1–X月 execution, and for each row its 1–X月 value and 完成目标可能性
    (有可能 / 完全不可能 with 偏差原因 and 相关建议)."""
    problems = []
    for line in form.budget_lines.all():
        if line.level == 0 and line.annual_budget and line.executed is None:  # a source without budget may stay blank
            problems.append(Problem("budget", f"请填写“{line.name}”的 1–X月执行数。"))
    for row in form.rows.all():
        if not row.value_to_date.strip():
            problems.append(Problem(row.pk, f"第 {row.seq} 行“{row.name}”请填写 1–X月执行情况。"))
        if not row.likelihood:
            problems.append(Problem(row.pk, f"第 {row.seq} 行“{row.name}”请选择完成目标可能性。"))
        try:
            row.clean()
        except ValidationError as exc:
            problems += [Problem(row.pk, f"第 {row.seq} 行：{m}") for m in exc.messages]
    return problems


def light_rule(rule: MonitoringRule) -> LightRule:
    return LightRule(
        indicator_red_below=rule.indicator_red_below,
        indicator_yellow_below=rule.indicator_yellow_below,
        indicator_blue_from=rule.indicator_blue_from,
        budget_red_below=rule.budget_red_below,
        budget_yellow_below=rule.budget_yellow_below,
        checkpoints=tuple((int(m), Decimal(str(p))) for m, p in rule.checkpoints or ()),
        budget_blue_from=rule.budget_blue_from,
    )


def _plan(text: str) -> tuple:
    try:
        return parse_plan(text)
    except ValueError:
        return ()  # the page refuses a bad plan; a stored one (admin) counts as no plan


def budget_totals(form: MonitoringForm) -> dict:
    """The top-level lines' sums (其中 rows are inside them) and the execution rate."""
    top = [line for line in form.budget_lines.all() if line.level == 0]

    def total(name):
        values = [getattr(line, name) for line in top if getattr(line, name) is not None]
        return sum(values, Decimal(0)) if values else None

    totals = {name: total(name) for name in ("initial_budget", "annual_budget", "executed", "forecast")}
    annual, executed = totals["annual_budget"], totals["executed"]
    totals["rate"] = executed / annual if annual and executed is not None else None
    return totals


def form_lights(form: MonitoringForm) -> ProjectLights:
    """The lights of a form loaded with its rows, budget lines and period's rule."""
    totals = budget_totals(form)
    annual, executed = from_yuan(totals["annual_budget"], form.unit), from_yuan(totals["executed"], form.unit)
    budget = BudgetInput(annual, executed, _plan(form.spending_plan))
    rows = [
        IndicatorInput(
            name=row.name,
            target=row.target,
            value=row.value_to_date,
            nature=row.nature,
            comparator=row.comparator,
            unit=row.unit,
            likelihood=row.likelihood,
            plan=_plan(row.plan),
            default_nature=row.default_nature,
        )  # fmt: skip
        for row in form.rows.all()
    ]
    rule = form.period.rule
    return project_lights(budget, rows, light_rule(rule), form.end_month, form.period.elapsed_share)


RULE_FIELDS = (
    "indicator_red_below", "indicator_yellow_below", "indicator_blue_from", "budget_red_below", "budget_yellow_below",
    "budget_blue_from", "checkpoints",
)  # fmt: skip


def rule_stamp(rule: MonitoringRule, period: MonitoringPeriod) -> str:
    """What a form's lights were read with besides its own figures: its rule's thresholds and its period's share of
    the year (an administrator editing either makes the stored lights stale)."""
    return digest([str(getattr(rule, name)) for name in RULE_FIELDS] + [period.end_month, str(period.elapsed_share)])
