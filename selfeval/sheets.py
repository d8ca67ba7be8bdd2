"""What the 自评表 sheet shows, laid out like the chosen paper form (docs/domain.md §2.3–§2.4).

Shared by the detail page and the PDF. Each figure is the form's own: what was printed on a filed
paper form, else the evaluator's score, else the engine's; the engine's figures are given beside it. The
engine's figures are read from the form's stored check (``services.checks``), so that a signed form shows
what was signed and the sheet says what the lists and the API say.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.services.layout import GROUP_LINES, SpannedRow, span_groups
from indicators.services.values import format_rate
from projects.choices import Layout
from projects.money import format_amount

from .layouts import labels_for
from .models import EvaluationCheck
from .services.adapters import section_kind
from .services.checks import refresh_one


@dataclass
class Cell:
    text: object
    cls: str = ""


@dataclass
class Column:
    label: str
    width: str = ""
    cls: str = ""


@dataclass
class GoalTable:
    goal: object
    score: Decimal | None
    groups: list[list[SpannedRow]] = field(default_factory=list)


def shown(*values):
    """The first value that is there."""
    return next((v for v in values if v is not None and v != ""), None)


def _columns(layout: str, labels: dict, with_reason: bool) -> list[tuple[Column, str]]:
    """The columns after 一级/二级 and the row attribute each shows, per layout."""
    reason = (Column(labels["reason"], "18%"), "reason")
    score = (Column(labels["score"], "7%", "num"), "score")
    weight = (Column("分值", "6%", "num"), "weight")
    name = (Column("指标内容" if layout == Layout.HUBEI else "三级指标", "20%"), "name")
    target = (Column(labels["target"], "15%"), "target")
    actual = (Column(labels["actual"], "15%"), "actual")
    if layout == Layout.HUBEI:
        return [name, target, actual, reason, score]
    if layout == Layout.NATIONAL:
        return [name, target, actual, weight, score, reason]
    return [name, target, actual, score] + ([reason] if with_reason else [])


def _row_cells(spanned: SpannedRow, attrs: list[str]) -> list[Cell]:
    row = spanned.row
    values = {
        "name": row.name,
        "target": row.target,
        "actual": row.actual,
        "reason": row.reason,
        "weight": score_text(row.weight),
        "score": score_text(shown(row.score_final, row.score_printed)),
    }
    return [Cell(values[a], "num" if a in {"weight", "score"} else "") for a in attrs]


def score_text(value) -> str:
    """A score as printed: ``3``, ``19.98``; blank when there is none."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(Decimal('0.01'))}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def evaluation_sheet(e, *, figures: EvaluationCheck | None = None, group_lines: int = GROUP_LINES) -> dict:
    """Everything the sheet prints, for an evaluation loaded by ``evaluation_with_rows``; ``figures``: its current
    stored check, when the caller has it."""
    result = figures or refresh_one(e)
    labels = labels_for(e.layout)
    unit = e.unit
    rows = list(e.rows.all())
    with_reason = any(r.reason for r in rows)
    columns = _columns(e.layout, labels, with_reason)
    attrs = [a for _, a in columns]
    sections = list(e.sections.all())
    points_by_section = {s.pk: s.points for s in sections}

    def groups_of(selected):
        groups = span_groups(selected, group_lines)
        for group in groups:
            for s in group:
                s.cells = _row_cells(s, attrs)
                points = points_by_section.get(s.row.section_id)
                s.level1_points = score_text(points) if e.layout == Layout.HEBEI and points is not None else ""
        return groups

    funding = []
    for f in e.funding_rows.all():
        funding.append(
            {
                # The sheet prints 其中： before the first part itself; a name stored with it would read 其中：其中：
                "name": re.sub(r"^其中[：:]\s*", "", f.name),
                "is_total": f.is_total,
                "amounts": [format_amount(getattr(f, column), unit) for column, _ in labels["funding"]],
                "rate": shown(f.rate_printed, format_rate(result.funding_rate(f.seq))) or "",
                "score": score_text(shown(f.score_printed, result.budget_score if f.is_total else None)),
            }
        )
    section_rows = [
        {
            "section": s,
            "kind": section_kind(e, s),
            "points": score_text(s.points),
            "score": score_text(shown(s.printed_score, s.score_final, result.section_score(s.code))),
            "computed": score_text(result.section_score(s.code)),
        }
        for s in sections
    ]
    by_code = {r["section"].code: r for r in section_rows}
    goal_tables = []
    if e.layout == Layout.DEPARTMENT:
        by_goal: dict = {}
        for r in rows:
            by_goal.setdefault(r.goal_id, []).append(r)
        for goal in e.goals.all():
            code = f"goal{goal.seq}"
            score = shown(goal.printed_score, result.section_score(code))
            goal_tables.append(GoalTable(goal, score_text(score), groups_of(by_goal.get(goal.pk, []))))
        row_groups = []
    else:
        row_groups = groups_of(rows)
    total = shown(e.printed_total, result.total)
    return {
        "e": e,
        "labels": labels,
        "layout": e.layout,
        "columns": [c for c, _ in columns],
        "funding": funding,
        "funding_total": next((f for f in funding if f["is_total"]), None),
        "sections": section_rows,
        "section": by_code,
        "budget_section": next((r for r in section_rows if r["kind"] == "budget"), None),
        "goal_section": next((r for r in section_rows if r["kind"] == "goal"), None),
        "indicator_section": next((r for r in section_rows if r["kind"] == "indicators"), None),
        "row_groups": row_groups,
        "goal_tables": goal_tables,
        "merged_items": list(e.project.merged_items.all()) if e.project_id else [],
        "total": score_text(total),
        "grade": shown(e.printed_grade, result.grade) or "",
        "result": result,
        "computed_total": score_text(result.total),
        "computed_rate": format_rate(result.budget_rate),
        "basic_total": format_amount(e.basic_expenditure_total, "元"),
        "project_total": format_amount(e.project_expenditure_total, "元"),
    }
