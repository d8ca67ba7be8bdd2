"""The year's dashboard: built from the score report, so that its numbers are the report's numbers.

Totals, grades and rates come from each form's stored check (``services.checks``), so a province's
10 000 forms are counted without being scored again. The lists of forms, unmet indicators and findings
are shown for one department at a time once the forms in view exceed ``DETAIL_LIMIT``.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from . import engine
from .report import score_report

GRADES = ["优", "良", "中", "差"]
RATE_BANDS = [
    ("≥95%", Decimal("0.95")),
    ("90%–95%", Decimal("0.90")),
    ("80%–90%", Decimal("0.80")),
    ("<80%", Decimal(0)),
]
DETAIL_LIMIT = 300


def dashboard_data(*, user, year: int, department_ids: list[int] | None = None) -> dict:
    lines = score_report(year=year, department_ids=department_ids, kind="selfeval", user=user)
    grades = Counter(line.grade for line in lines if line.grade)
    rate_bands = Counter()
    departments = defaultdict(lambda: {"id": None, "forms": 0, "scores": [], "rates": [], "errors": 0, "unmet": 0})
    unmet, with_findings = [], []
    for line in lines:
        check = line.check
        dept = departments[line.department]
        dept["id"] = line.evaluation.department_id
        dept["forms"] += 1
        dept["unmet"] += len(check.unmet)
        if check.computed_total is not None:
            dept["scores"].append(check.computed_total)
        if check.budget_rate is not None:
            dept["rates"].append(check.budget_rate)
            rate_bands[next(label for label, low in RATE_BANDS if check.budget_rate >= low)] += 1
        dept["errors"] += check.errors
        if check.findings:
            with_findings.append({"line": line, "errors": check.errors, "warnings": check.warnings})
        unmet += [{"evaluation": line.evaluation, "row": row} for row in check.unmet]
    summary = [
        {
            "id": d["id"],
            "department": name,
            "forms": d["forms"],
            "average_score": _mean(d["scores"]),
            "average_rate": engine.format_rate(_mean(d["rates"])) if d["rates"] else "",
            "errors": d["errors"],
            "unmet": d["unmet"],
        }
        for name, d in sorted(departments.items())
    ]
    detailed = len(lines) <= DETAIL_LIMIT
    return {
        "lines": lines if detailed else [],
        "summary": summary,
        "grades": [(grade, grades.get(grade, 0)) for grade in GRADES],
        "rate_bands": [(label, rate_bands.get(label, 0)) for label, _ in RATE_BANDS],
        "unmet": unmet if detailed else [],
        "unmet_count": len(unmet),
        "with_findings": with_findings if detailed else [],
        "with_findings_count": len(with_findings),
        "forms": len(lines),
        "detailed": detailed,
    }


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return engine.quantize(sum(values) / len(values), 4 if values[0] < 2 else 2)
