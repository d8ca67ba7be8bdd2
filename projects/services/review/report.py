"""The review run over every stored project declaration: findings per rule and grades (``manage.py review_report``,
the README's section on the seeds)."""

import re
from collections import Counter
from pathlib import Path

from ...models import ProjectDeclaration
from ...review_data import RULES, SEVERITIES
from ...selectors import declaration_page
from .data import declaration_review

BEGIN, END = "<!-- review_report:begin -->", "<!-- review_report:end -->"


def review_report_markdown() -> str:
    """A Markdown table: each rule kind's findings and the declarations they fall on, then the grades."""
    findings, forms, grades = Counter(), Counter(), Counter()
    severities: dict[str, str] = {}
    ids = list(ProjectDeclaration.objects.order_by("year", "project__key").values_list("pk", flat=True))
    for pk in ids:
        found, grade, _draft = declaration_review(declaration_page(pk))
        grades[grade.grade] += 1
        for finding in found:
            findings[finding.code] += 1
            severities[finding.code] = finding.severity
        for code in {f.code for f in found}:
            forms[code] += 1
    labels = dict(SEVERITIES)
    lines = [
        f"{len(ids)} 张项目申报表，各按其地区和年度适用的审核规则：",
        "",
        "| 规则 | 编码 | 严重程度 | 问题数 | 涉及申报表 |",
        "|---|---|---|---:|---:|",
    ]
    for code, (label, severity, *_rest) in RULES.items():
        shown = labels.get(severities.get(code, severity), "")
        lines.append(f"| {label} | `{code}` | {shown} | {findings[code]} | {forms[code]} |")
    lines.append(f"| 合计 | | | {sum(findings.values())} | {len(ids)} |")
    lines += ["", "建议等次：" + "，".join(f"{name} {grades[name]} 张" for name in ("优", "良", "中", "差")) + "。"]
    return "\n".join(lines)


def write_into(path: Path, text: str) -> bool:
    """Replace the marked section of ``path`` with ``text``; False when the markers are missing."""
    content = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(content):
        return False
    path.write_text(pattern.sub(lambda _m: f"{BEGIN}\n{text}\n{END}", content), encoding="utf-8")
    return True
