"""The year's dashboard: built from the score report, so that its numbers are the report's numbers."""

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


def dashboard_data(*, user, year: int, department_ids: list[int] | None = None) -> dict:
    lines = score_report(year=year, department_ids=department_ids, kind="selfeval", user=user)
    grades = Counter(line.grade for line in lines if line.grade)
    rate_bands = Counter()
    departments = defaultdict(lambda: {"forms": 0, "scores": [], "rates": [], "errors": 0})
    unmet, with_findings = [], []
    for line in lines:
        e, result = line.evaluation, line.result
        dept = departments[line.department]
        dept["forms"] += 1
        if result.total is not None:
            dept["scores"].append(result.total)
        if result.budget_rate is not None:
            dept["rates"].append(result.budget_rate)
            rate_bands[next(label for label, low in RATE_BANDS if result.budget_rate >= low)] += 1
        errors = sum(1 for f in line.findings if f.severity == "error")
        dept["errors"] += errors
        if line.findings:
            with_findings.append({"line": line, "errors": errors, "warnings": len(line.findings) - errors})
        for row in e.rows.all():
            proposal = result.proposals.get(row.pk)
            if proposal is not None and proposal.met is False:
                unmet.append({"evaluation": e, "row": row})
    summary = [
        {
            "department": name,
            "forms": d["forms"],
            "average_score": _mean(d["scores"]),
            "average_rate": engine.format_rate(_mean(d["rates"])) if d["rates"] else "",
            "errors": d["errors"],
        }
        for name, d in sorted(departments.items())
    ]
    return {
        "lines": lines,
        "summary": summary,
        "grades": [(grade, grades.get(grade, 0)) for grade in GRADES],
        "rate_bands": [(label, rate_bands.get(label, 0)) for label, _ in RATE_BANDS],
        "unmet": unmet,
        "with_findings": with_findings,
        "forms": len(lines),
    }


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return engine.quantize(sum(values) / len(values), 4 if values[0] < 2 else 2)
