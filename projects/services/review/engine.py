"""The target-quality review: the rule set in force run over a declaration's plain data, the grade of its targets'
quality and a draft 审核意见 (docs/review.md). Pure: no ORM; ``projects.services.review.data`` loads the inputs."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from ...review_data import ERROR, GRADE_PARAMS, HINT, RULES, WARNING
from . import rules_money, rules_rows, rules_values
from .inputs import PLACE_LABELS, ReviewFinding, ReviewInput

RULE_FUNCTIONS = {
    "required_level2": rules_rows.required_level2,
    "min_rows": rules_rows.min_rows,
    "satisfaction_public": rules_rows.satisfaction_public,
    "name_length": rules_rows.name_length,
    "name_matches_level2": rules_rows.name_matches_level2,
    "duplicate_name": rules_rows.duplicate_name,
    "copied_last_year": rules_rows.copied_last_year,
    "value_unit": rules_values.value_unit,
    "value_form": rules_values.value_form,
    "value_comparator": rules_values.value_comparator,
    "timeliness_value": rules_values.timeliness_value,
    "vague_words": rules_values.vague_words,
    "basis_document": rules_money.basis_document,
    "estimation_items": rules_money.estimation_items,
    "cost_within_budget": rules_money.cost_within_budget,
    "goal_quantity": rules_money.goal_quantity,
    "row_relates_goal": rules_money.row_relates_goal,
    "continuing_prior": rules_money.continuing_prior,
}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, HINT: 2}
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告", HINT: "提示"}


@dataclass(frozen=True)
class RuleConfig:
    """A rule row in force, as plain data."""

    code: str
    severity: str
    params: dict = field(default_factory=dict)
    message: str = ""
    advice: str = ""
    blocking: bool = False
    enabled: bool = True


def default_rule(code: str, **changes) -> RuleConfig:
    """The national default of a rule kind (the data migration's row), with ``changes``."""
    _label, severity, params, message, advice = RULES[code]
    values = {"severity": severity, "params": params, "message": message, "advice": advice} | changes
    return RuleConfig(code=code, **values)


class _Template(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def fill(template: str, values: dict) -> str:
    """The message template with the hit's values; a placeholder the rule does not give stays as written."""
    try:
        return template.format_map(_Template(values))
    except (ValueError, IndexError, AttributeError):  # an administrator's stray brace: show the template
        return template


def run_review(data: ReviewInput, rules: Iterable[RuleConfig]) -> list[ReviewFinding]:
    """Every enabled rule's findings, worst first, in the order of the page within a severity."""
    rows = {f"row:{row.key}": row for row in data.rows}
    labels = PLACE_LABELS | data.place_labels
    findings = []
    for rule in rules:
        function = RULE_FUNCTIONS.get(rule.code)
        if function is None or not rule.enabled:
            continue
        for hit in function(data, rule.params):
            row = rows.get(hit.place)
            where = f"{row.label}“{row.name}”" if row else labels.get(hit.place, hit.place)
            findings.append(
                ReviewFinding(
                    code=rule.code,
                    rule=RULES[rule.code][0],
                    severity=rule.severity,
                    place=hit.place,
                    field=where,
                    message=fill(rule.message, hit.values),
                    advice=rule.advice,
                    blocking=rule.blocking and rule.severity == ERROR,
                )  # fmt: skip
            )
    order = {place: i for i, place in enumerate(rows)}
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), order.get(f.place, -1)))


@dataclass(frozen=True)
class Grade:
    grade: str
    score: int
    counts: dict


def review_grade(findings: list[ReviewFinding], params: dict | None = None) -> Grade:
    """优/良/中/差 from the findings: 100 less each finding's severity points, placed in the bands."""
    params = params or GRADE_PARAMS
    points = params.get("points", GRADE_PARAMS["points"])
    counts = {severity: sum(1 for f in findings if f.severity == severity) for severity in (ERROR, WARNING, HINT)}
    score = max(0, round(100 - sum(points.get(s, 0) * n for s, n in counts.items())))
    bands = params.get("bands", GRADE_PARAMS["bands"])
    grade = next((name for name, minimum in bands if score >= minimum), bands[-1][0])
    return Grade(grade=grade, score=score, counts=counts)


def draft_opinion(findings: list[ReviewFinding], grade: Grade, *, limit: int = 8) -> str:
    """A draft 审核意见 in 问题 + 建议 form: one item per rule (its places together), worst first."""
    if not findings:
        return f"绩效目标质量：{grade.grade}。未发现问题，建议通过。"
    by_rule: dict[str, list[ReviewFinding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.code, []).append(finding)
    lines = [f"绩效目标质量：{grade.grade}（{grade.score} 分）。主要问题及修改建议："]
    for number, group in enumerate(list(by_rule.values())[:limit], start=1):
        first = group[0]
        more = f"等 {len(group)} 处" if len(group) > 1 else ""
        lines.append(f"{number}. 问题：{first.field}{more}——{first.message}")
        if first.advice:
            lines.append(f"   建议：{first.advice}")
    if len(by_rule) > limit:
        lines.append(f"另有 {len(by_rule) - limit} 类问题，见审核结果。")
    return "\n".join(lines)
