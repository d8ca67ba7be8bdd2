"""The review run over every stored declaration, 项目 and 部门整体: findings per rule and form kind, and grades
(``manage.py review_report``, the README's section on the seeds)."""

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ...models import DepartmentDeclaration, ProjectDeclaration
from ...review_data import RULES, SEVERITIES
from ...selectors import declaration_page, department_declaration_page
from .data import (
    department_review_input,
    department_rules,
    project_rules,
    review_input,
    review_with_draft,
)

BEGIN, END = "<!-- review_report:begin -->", "<!-- review_report:end -->"
GRADES = ("优", "良", "中", "差")


@dataclass
class Tally:
    """One form kind's counts: findings and declarations per rule, the rules that ran at all, the grades."""

    forms: int = 0
    findings: Counter = field(default_factory=Counter)
    declarations: Counter = field(default_factory=Counter)
    ran: set = field(default_factory=set)
    grades: Counter = field(default_factory=Counter)
    severities: dict = field(default_factory=dict)

    def add(self, data, rules, grading) -> None:
        found, grade, _draft = review_with_draft(data, rules, grading)
        self.forms += 1
        self.ran |= {rule.code for rule in rules if rule.enabled}
        self.grades[grade.grade] += 1
        for finding in found:
            self.findings[finding.code] += 1
            self.severities[finding.code] = finding.severity
        for code in {f.code for f in found}:
            self.declarations[code] += 1

    def cells(self, code: str) -> str:
        if code not in self.ran:
            return "— | —"
        return f"{self.findings[code]} | {self.declarations[code]}"

    def grade_line(self) -> str:
        return "，".join(f"{name} {self.grades[name]} 张" for name in GRADES)


def review_report_markdown() -> str:
    """A Markdown table: each rule kind's findings and the declarations they fall on, per form kind (— where the
    rule in force does not run on that form), then the grades."""
    projects, departments = Tally(), Tally()
    for pk in ProjectDeclaration.objects.order_by("year", "project__key").values_list("pk", flat=True):
        declaration = declaration_page(pk)
        projects.add(review_input(declaration), *project_rules(declaration))
    for pk in DepartmentDeclaration.objects.order_by("year", "department__code").values_list("pk", flat=True):
        declaration = department_declaration_page(pk)
        departments.add(department_review_input(declaration), *department_rules(declaration))
    labels = dict(SEVERITIES)
    lines = [
        f"{projects.forms} 张项目申报表、{departments.forms} 张部门整体支出绩效目标申报表，各按其地区和年度适用的"
        "审核规则（“—”：该规则不适用于这种申报表）：",
        "",
        "| 规则 | 编码 | 严重程度 | 项目：问题数 | 项目：涉及申报表 | 部门整体：问题数 | 部门整体：涉及申报表 |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for code, (label, severity, *_rest) in RULES.items():
        shown = labels.get(projects.severities.get(code) or departments.severities.get(code) or severity, "")
        lines.append(f"| {label} | `{code}` | {shown} | {projects.cells(code)} | {departments.cells(code)} |")
    lines.append(
        f"| 合计 | | | {sum(projects.findings.values())} | {projects.forms} "
        f"| {sum(departments.findings.values())} | {departments.forms} |"
    )
    lines += [
        "",
        f"建议等次：项目申报表 {projects.grade_line()}；部门整体申报表 {departments.grade_line()}。",
    ]
    return "\n".join(lines)


def write_into(path: Path, text: str) -> bool:
    """Replace the marked section of ``path`` with ``text``; False when the markers are missing."""
    content = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(content):
        return False
    path.write_text(pattern.sub(lambda _m: f"{BEGIN}\n{text}\n{END}", content), encoding="utf-8")
    return True
