"""What the 申报表 sheet shows: amounts in the form's unit, rows in order, the indicator table spanned.

Shared by the page, the PDF and the Excel output, so that all three print the same figures.
"""

from types import SimpleNamespace

from indicators.choices import GoalKind
from indicators.services.layout import span_groups

from .choices import Likelihood
from .models import DepartmentDeclaration, MonitoringForm, ProjectDeclaration
from .money import format_amount
from .services.monitoring_figures import budget_totals, form_lights
from .services.monitoring_lights import pct


def declaration_sheet(d: ProjectDeclaration) -> dict:
    unit = d.unit
    prior_unit = d.prior_years_unit or unit

    def fmt(amount, in_unit=unit):
        return format_amount(amount, in_unit)

    groups = span_groups(list(d.indicators.all()))
    rows = [spanned for group in groups for spanned in group]
    for spanned in rows:
        spanned.parsed = spanned.row.read_values(year=d.year).target.describe() if spanned.row.target else ""
    goals = list(d.goals.all())
    expenses = [SimpleNamespace(**{**vars(e), "amount": fmt(e.amount)}) for e in d.expense_items.all()]
    return {
        "d": d,
        "money": {
            "total_budget": fmt(d.total_budget),
            "annual_budget": fmt(d.annual_budget),
            "funding_total": fmt(d.funding_total),
            "expense_total": fmt(d.expense_total),
        },
        "prior_years": [
            SimpleNamespace(
                year=p.year, budget=fmt(p.budget, prior_unit), executed=fmt(p.executed, prior_unit), rate=p.rate_printed
            )
            for p in d.prior_years.all()
        ],
        "funding": [SimpleNamespace(name=f.name, level=f.level, amount=fmt(f.amount)) for f in d.funding_sources.all()],
        "expenses": expenses,
        "has_subjects": any(e.economic_subject or e.basis for e in expenses),
        "procurement": [
            SimpleNamespace(name=p.name, quantity=p.quantity, amount=fmt(p.amount)) for p in d.procurement_items.all()
        ],
        "overall_goals": [g for g in goals if g.kind == GoalKind.OVERALL],
        "indicator_groups": groups,
        "has_groups": any(s.row.goal_id for s in rows),
        "has_history": any(s.row.prev1 or s.row.prev2 for s in rows),
    }


def department_sheet(d: DepartmentDeclaration) -> dict:
    """Funds in the form's unit and each goal with its spanned indicator rows."""
    rows_by_goal: dict = {}
    for row in d.indicators.all():
        rows_by_goal.setdefault(row.goal_id, []).append(row)
    goals = [
        {"goal": g, "groups": span_groups(rows_by_goal.get(g.pk, []))}
        for g in sorted(d.goals.all(), key=lambda g: (g.kind != "long_term", g.seq))
    ]
    funds = [
        {
            "line": line,
            "amount": format_amount(line.amount, d.unit),
            "prev1": format_amount(line.prev1, d.unit),
            "prev2": format_amount(line.prev2, d.unit),
        }
        for line in d.fund_lines.all()
    ]
    return {"d": d, "funds": funds, "goal_tables": goals}


MONITORING_AMOUNTS = ("initial_budget", "annual_budget", "executed", "forecast")


def _budget_row(values: dict, unit: str) -> dict:
    row = {name: format_amount(values.get(name), unit) for name in MONITORING_AMOUNTS}
    executed, annual = values.get("executed"), values.get("annual_budget")
    return row | {"rate": pct(executed / annual) if executed is not None and annual else "—"}


def monitoring_sheet(form: MonitoringForm) -> dict:
    """The 监控表 as its page, PDF and Excel print it: budget lines in the form's unit with their rates, the total,
    each indicator row with its light, the project's light (``form`` loaded by ``selectors.monitoring_page``)."""
    lights = form_lights(form)
    lines = [
        {"name": line.name, "level": line.level}
        | _budget_row({n: getattr(line, n) for n in MONITORING_AMOUNTS}, form.unit)
        for line in form.budget_lines.all()
    ]
    return {
        "form": form,
        "declaration": form.declaration,
        "lights": lights,
        "rows": list(zip(form.rows.all(), lights.indicators, strict=True)),
        "budget_rows": lines,
        "total_row": _budget_row(budget_totals(form), form.unit),
        "likelihoods": Likelihood.choices,
    }
