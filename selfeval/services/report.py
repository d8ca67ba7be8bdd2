"""The score report: per form, printed and computed totals, grade and findings (``manage.py score_report``)."""

from dataclasses import dataclass

from django.db.models import Q

from indicators.services.checking import Finding, num
from projects.models import Department, DepartmentDeclaration, FinalAccount, ProjectDeclaration
from projects.services.checks import current_declaration_checks, findings_of
from projects.services.findings import department_declaration_findings, final_account_findings

from ..models import SelfEvaluation
from .checks import current_checks

KINDS = ("declaration", "selfeval", "all")


@dataclass
class ReportLine:
    form: str
    department: str
    year: int
    kind: str
    scheme: str | None
    printed_total: str | None
    computed_total: str | None
    grade: str | None
    findings: list[Finding]
    evaluation: object = None  # the self-evaluation and its stored check, for pages that show more
    check: object = None

    def as_dict(self) -> dict:
        return {
            "form": self.form,
            "department": self.department,
            "year": self.year,
            "kind": self.kind,
            "scheme": self.scheme,
            "printed_total": self.printed_total,
            "computed_total": self.computed_total,
            "grade": self.grade,
            "findings": [f.as_dict() for f in self.findings],
        }


def departments_matching(text: str) -> list[int]:
    """Ids of the departments whose code, name or short name is ``text``, with their offices."""
    roots = Department.objects.filter(Q(code=text) | Q(name=text) | Q(short_name=text)).values_list("id", flat=True)
    return with_offices(list(roots))


def with_offices(roots: list[int]) -> list[int]:
    """The departments ``roots`` and, below them, their offices."""
    ids, frontier = list(roots), list(roots)
    while frontier:
        frontier = list(Department.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids += frontier
    return ids


def evaluations_in_scope(*, year: int | None, department_ids: list[int] | None, user=None):
    """The self-evaluations of the report, in its order."""
    qs = SelfEvaluation.objects.all()
    if year is not None:
        qs = qs.filter(year=year)
    if department_ids is not None:
        qs = qs.filter(department__in=department_ids)
    if user is not None:
        qs = qs.for_user(user)
    return qs.order_by("year", "department__code", "kind", "project__key")


def score_report(
    *,
    year: int | None = None,
    department_ids: list[int] | None = None,
    kind: str = "all",
    user=None,
    wait: bool = False,
):
    """The report lines, in a stable order; ``user`` limits them to what that user may read. Too many stale
    stored checks for a page raise ``checks.ChecksPending``; ``wait``: make them all now instead."""
    lines: list[ReportLine] = []

    def scoped(qs, lookup):
        if year is not None:
            qs = qs.filter(year=year)
        if department_ids is not None:
            qs = qs.filter(**{f"{lookup}__in": department_ids})
        return qs.for_user(user) if user is not None else qs

    if kind in ("declaration", "all"):
        declarations = scoped(ProjectDeclaration.objects.all(), "project__department").order_by(
            "year", "project__department__code", "project__key"
        )
        for check in current_declaration_checks(declarations, wait=wait):
            d = check.declaration
            lines.append(
                ReportLine(
                    f"{d.project.name} 项目绩效目标申报表",
                    d.project.department.name,
                    d.year,
                    "declaration",
                    None,
                    None,
                    None,
                    None,
                    findings_of(check),
                )  # fmt: skip
            )
        overall = scoped(DepartmentDeclaration.objects.all(), "department").select_related("department")
        for d in overall.prefetch_related("fund_lines").order_by("year", "department__code"):
            lines.append(
                ReportLine(
                    "部门整体支出绩效目标申报表",
                    d.department.name,
                    d.year,
                    "declaration",
                    None,
                    None,
                    None,
                    None,
                    department_declaration_findings(d),
                )  # fmt: skip
            )
    if kind in ("selfeval", "all"):
        evaluations = evaluations_in_scope(year=year, department_ids=department_ids, user=user)
        for check in current_checks(evaluations, wait=wait):
            e = check.evaluation
            subject = f"{e.project.name} 项目支出绩效自评表" if e.project_id else "部门整体绩效自评表"
            lines.append(
                ReportLine(
                    subject,
                    e.department.name,
                    e.year,
                    "selfeval",
                    e.scheme.code,
                    num(e.printed_total),
                    num(check.computed_total),
                    check.grade or None,
                    findings_of(check),
                    evaluation=e,
                    check=check,
                )
            )
    if kind == "all":
        accounts = scoped(FinalAccount.objects.all(), "department").select_related("department")
        for a in accounts.prefetch_related("lines").order_by("year", "department__code"):
            lines.append(
                ReportLine(
                    "部门决算",
                    a.department.name,
                    a.year,
                    "final_account",
                    None,
                    None,
                    None,
                    None,
                    final_account_findings(a),
                )  # fmt: skip
            )
    return lines
