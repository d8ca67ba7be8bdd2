"""The year's dashboard: built from the score report, so that its numbers are the report's numbers.

Totals, grades and rates come from each form's stored check (``services.checks``), so a province's
10 000 forms are counted without being scored again. The lists of forms, unmet indicators and findings
are shown for one department at a time once the forms in view exceed ``DETAIL_LIMIT``; a department
picked from the summary always shows its own.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from indicators.services.values import format_rate, quantize

from ..models import EvaluationCheck
from . import checks
from .report import evaluations_in_scope, score_report

GRADES = ["优", "良", "中", "差"]
RATE_BANDS = [
    ("≥95%", Decimal("0.95")),
    ("90%–95%", Decimal("0.90")),
    ("80%–90%", Decimal("0.80")),
    ("<80%", Decimal(0)),
]
DETAIL_LIMIT = 300


def dashboard_data(*, user, year: int, department_ids: list[int] | None = None) -> dict:
    evaluations = evaluations_in_scope(year=year, department_ids=department_ids, user=user)
    order, made = checks.refresh_stale(evaluations, limit=checks.READER_LIMIT)
    # The counts read plain values of the stored checks (no model instance per form), or the checks just
    # made when a writer kept them from being stored.
    figures = {
        evaluation_id: rest
        for evaluation_id, *rest in EvaluationCheck.objects.filter(evaluation__in=evaluations.values("pk"))
        .exclude(evaluation__in=list(made))
        .values_list(
            "evaluation_id",
            "evaluation__department_id",
            "evaluation__department__name",
            "computed_total",
            "budget_rate",
            "grade",
            "errors",
            "warnings",
            "unmet",
        )  # fmt: skip
    }
    for pk, c in made.items():
        e = c.evaluation
        figures[pk] = [e.department_id, e.department.name, c.computed_total, c.budget_rate, c.grade, c.errors,
                       c.warnings, c.unmet]  # fmt: skip
    forms = len(order)
    grades, rate_bands = Counter(), Counter()
    departments = defaultdict(lambda: {"name": "", "forms": 0, "scores": [], "rates": [], "errors": 0, "unmet": 0})
    unmet_count = with_findings_count = 0
    for department_id, name, total, rate, grade, errors, warnings, unmet in figures.values():
        dept = departments[department_id]
        dept["name"] = name
        dept["forms"] += 1
        dept["unmet"] += len(unmet)
        dept["errors"] += errors
        unmet_count += len(unmet)
        with_findings_count += bool(errors or warnings)
        if grade:
            grades[grade] += 1
        if total is not None:
            dept["scores"].append(total)
        if rate is not None:
            dept["rates"].append(rate)
            rate_bands[next(label for label, low in RATE_BANDS if rate >= low)] += 1
    summary = [
        {
            "id": department_id,
            "department": d["name"],
            "forms": d["forms"],
            "average_score": _mean(d["scores"]),
            "average_rate": format_rate(_mean(d["rates"])) if d["rates"] else "",
            "errors": d["errors"],
            "unmet": d["unmet"],
        }
        for department_id, d in sorted(departments.items(), key=lambda item: (item[1]["name"], item[0]))
    ]
    detailed = forms <= DETAIL_LIMIT or department_ids is not None  # one department: always its lists
    lines = score_report(year=year, department_ids=department_ids, kind="selfeval", user=user) if detailed else []
    return {
        "lines": lines,
        "summary": summary,
        "grades": [(grade, grades.get(grade, 0)) for grade in GRADES],
        "rate_bands": [(label, rate_bands.get(label, 0)) for label, _ in RATE_BANDS],
        "unmet": [{"evaluation": line.evaluation, "row": row} for line in lines for row in line.check.unmet],
        "unmet_count": unmet_count,
        "with_findings": [
            {"line": line, "errors": line.check.errors, "warnings": line.check.warnings}
            for line in lines
            if line.findings
        ],
        "with_findings_count": with_findings_count,
        "forms": forms,
        "detailed": detailed,
    }


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return quantize(sum(values) / len(values), 4 if values[0] < 2 else 2)
