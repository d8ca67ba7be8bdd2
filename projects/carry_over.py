"""Carry a 常年性/延续性 project's declaration over into the next year, and what changed since last year."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from projects.models import Goal, Indicator

from .choices import DeclarationAction, DeclarationStatus
from .models import (
    DeclarationBasis,
    DeclarationEvent,
    ExpenseItem,
    FundingSource,
    ProcurementItem,
    Project,
    ProjectDeclaration,
)
from .money import format_amount

HEADER_FIELDS = [
    "unit", "supervising_unit", "executing_unit", "leader", "phone", "address", "postcode", "application_reason",
    "main_content", "implementation_plan", "total_budget", "annual_budget", "estimation_basis",
    "funding_total", "expense_total",  # the 合计 of the funding and expense lines copied with them
]  # fmt: skip


def previous_declaration(project: Project, year: int) -> ProjectDeclaration | None:
    return ProjectDeclaration.objects.filter(project=project, year__lt=year).order_by("-year").first()


def last_year_actuals(declaration: ProjectDeclaration) -> dict[str, str]:
    """Actual values of last year's self-evaluation of the project, by 三级 indicator name."""
    # Read through the project's reverse relation: the self-evaluations live in the app above this one.
    evaluations = declaration.project.self_evaluations.filter(year=declaration.year).prefetch_related("rows")
    return {row.name: row.actual for evaluation in evaluations for row in evaluation.rows.all() if row.actual}


@transaction.atomic
def declaration_carry_over(*, project: Project, year: int, user) -> ProjectDeclaration:
    """A new draft for ``year`` copied from the latest earlier declaration; its indicator history filled in.

    Each row's 上年 value is last year's actual value (from last year's self-evaluation) or, where there is
    none, last year's target; its 前年 value is what last year's row recorded as 上年.
    """
    source = previous_declaration(project, year)
    if source is None:
        raise ValueError("没有上年的申报表可以结转。")
    new = ProjectDeclaration(project=project, year=year, fill_date=timezone.localdate(), status=DeclarationStatus.DRAFT)
    for name in HEADER_FIELDS:
        setattr(new, name, getattr(source, name))
    new.prior_budget_note = (
        f"{source.year} 年预算 {format_amount(source.annual_budget, source.unit) or '—'} {source.unit}。"
    )
    new.save()
    for model in (DeclarationBasis, FundingSource, ExpenseItem, ProcurementItem):
        rows = list(model.objects.filter(declaration=source).order_by("seq"))
        for row in rows:
            row.pk, row.declaration = None, new
        model.objects.bulk_create(rows)
    goals = {}
    for goal in Goal.objects.filter(project_declaration=source).order_by("kind", "seq"):
        old_pk = goal.pk
        goal.pk, goal.project_declaration = None, new
        goal.save()
        goals[old_pk] = goal
    actuals = last_year_actuals(source)
    rows = list(Indicator.objects.filter(project_declaration=source).order_by("seq"))
    for row in rows:
        row.prev2, row.prev1 = row.prev1, actuals.get(row.name, row.target)
        row.pk, row.project_declaration = None, new
        row.goal = goals.get(row.goal_id)
    Indicator.objects.bulk_create(rows)
    DeclarationEvent.objects.create(
        project_declaration=new,
        action=DeclarationAction.CARRY_OVER,
        to_status=new.status,
        user=user,
        comment=f"由 {source.year} 年申报表结转",
    )
    return new


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str


def changes_since(previous: ProjectDeclaration, current: ProjectDeclaration) -> list[Change]:
    """What a declaration changes against last year's: budgets, and indicators added, removed or retargeted."""
    out = []
    for field, label in [("total_budget", "项目总预算"), ("annual_budget", "项目当年预算")]:
        before, after = getattr(previous, field), getattr(current, field)
        if before != after:
            out.append(
                Change(
                    label,
                    f"{format_amount(before, current.unit)} {current.unit}",
                    f"{format_amount(after, current.unit)} {current.unit}",
                )
            )
    old = {row.name: row for row in previous.indicators.all()}
    new = {row.name: row for row in current.indicators.all()}
    for name, row in new.items():
        if name not in old:
            out.append(Change(f"新增指标“{name}”", "—", row.target))
        elif old[name].target != row.target:
            out.append(Change(f"指标“{name}”的指标值", old[name].target, row.target))
    for name, row in old.items():
        if name not in new:
            out.append(Change(f"删去指标“{name}”", row.target, "—"))
    return out
