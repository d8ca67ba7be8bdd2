"""The score report: per form, printed and computed totals, grade and findings (``manage.py score_report``)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet

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
    return qs.order_by("year", "department__code", "kind", "project__key", "pk")


@dataclass(frozen=True)
class ReportSource:
    """One kind of form of the report: its forms in the report's order, and the lines of any part of them."""

    forms: QuerySet
    lines: Callable[[QuerySet], list[ReportLine]]


def report_sources(
    *,
    year: int | None = None,
    department_ids: list[int] | None = None,
    kind: str = "all",
    user=None,
    wait: bool = False,
) -> list[ReportSource]:
    """The report's kinds of form in its order (declarations, department declarations, self-evaluations, final
    accounts), each scoped to ``user``. Too many stale stored checks for the forms asked raise
    ``checks.ChecksPending``; ``wait``: make them all now instead."""

    def scoped(qs, lookup):
        if year is not None:
            qs = qs.filter(year=year)
        if department_ids is not None:
            qs = qs.filter(**{f"{lookup}__in": department_ids})
        return qs.for_user(user) if user is not None else qs

    sources = []
    if kind in ("declaration", "all"):
        declarations = scoped(ProjectDeclaration.objects.all(), "project__department").order_by(
            "year", "project__department__code", "project__key", "pk"
        )
        sources.append(ReportSource(declarations, lambda forms: _declaration_lines(forms, wait)))
        overall = scoped(DepartmentDeclaration.objects.all(), "department").order_by("year", "department__code", "pk")
        sources.append(ReportSource(overall, _overall_lines))
    if kind in ("selfeval", "all"):
        evaluations = evaluations_in_scope(year=year, department_ids=department_ids, user=user)
        sources.append(ReportSource(evaluations, lambda forms: _evaluation_lines(forms, wait)))
    if kind == "all":
        accounts = scoped(FinalAccount.objects.all(), "department").order_by("year", "department__code", "pk")
        sources.append(ReportSource(accounts, _account_lines))
    return sources


def score_report(**scope) -> list[ReportLine]:
    """The report lines, in a stable order (``report_sources`` for the scope)."""
    return [line for source in report_sources(**scope) for line in source.lines(source.forms)]


class ReportPages:
    """The report as a sequence a paginator slices (``len`` counts the forms, one query per kind): only the forms of
    the slice asked are read and their checks made current."""

    def __init__(self, sources: list[ReportSource]):
        self.sources = sources

    @cached_property
    def counts(self) -> list[int]:
        return [source.forms.count() for source in self.sources]

    def __len__(self) -> int:
        return sum(self.counts)

    def __getitem__(self, window: slice) -> list[ReportLine]:
        start, stop, _step = window.indices(len(self))
        lines, before = [], 0
        for source, count in zip(self.sources, self.counts, strict=True):
            low, high = max(start - before, 0), min(stop - before, count)
            if low < high:
                pks = list(source.forms.values_list("pk", flat=True)[low:high])
                lines += source.lines(source.forms.filter(pk__in=pks))
            before += count
        return lines


def report_batches(sources: list[ReportSource], size: int = 500) -> Iterator[list[ReportLine]]:
    """The whole report in batches of ``size`` forms, in its order: what a streamed download writes as it goes."""
    for source in sources:
        pks = list(source.forms.values_list("pk", flat=True))
        for i in range(0, len(pks), size):
            yield source.lines(source.forms.filter(pk__in=pks[i : i + size]))


def _declaration_lines(declarations, wait: bool) -> list[ReportLine]:
    lines = []
    for check in current_declaration_checks(declarations, wait=wait):
        d = check.declaration
        lines.append(_unscored(f"{d.project.name} 项目绩效目标申报表", d.project.department, d, findings_of(check)))
    return lines


def _unscored(form: str, department, record, findings, kind: str = "declaration") -> ReportLine:
    """A line of a form that has no score (declarations, final accounts): its findings only."""
    return ReportLine(form, department.name, record.year, kind, None, None, None, None, findings)


def _overall_lines(overall) -> list[ReportLine]:
    return [
        _unscored("部门整体支出绩效目标申报表", d.department, d, department_declaration_findings(d))
        for d in overall.select_related("department").prefetch_related("fund_lines")
    ]


def _evaluation_lines(evaluations, wait: bool) -> list[ReportLine]:
    lines = []
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
    return lines


def _account_lines(accounts) -> list[ReportLine]:
    return [
        _unscored("部门决算", a.department, a, final_account_findings(a), kind="final_account")
        for a in accounts.select_related("department").prefetch_related("lines")
    ]
