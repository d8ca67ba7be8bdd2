"""Forms from outside, entered as printed (issue 13 point 6): the figures a paper or Excel self-evaluation prints
about itself — execution rates, row and section scores, total, grade — typed on the page, sent through the API or
imported from the 自评表 template, so that the checker compares them with what the engine computes.

One service for the three paths: every value is read and checked first, then all are saved together under the
form's lock, or none is (a message per value, in Chinese). Only the ``*_printed`` fields change; the computed
figures stay in the stored check, which is made again.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction

from indicators.services.checking import parse_rate

from ..access import evaluation_rights
from ..models import SelfEvaluation
from ..selectors import evaluation_with_rows
from .checks import save_figures

HEADER = {
    "printed_total": "自评得分",
    "printed_grade": "自评等次",
    "printed_budget_rate": "预算执行率",
    "printed_budget_score": "预算执行得分",
}
PART_FIELDS = {"funding": ("rate_printed", "score_printed"), "sections": ("printed_score",), "rows": ("score_printed",)}
RATE_FIELDS = {"printed_budget_rate", "rate_printed"}
SCORE_LIMIT = Decimal("99999.99")  # what a score field holds (7 digits, 2 decimals)


class PrintedFiguresRefused(Exception):
    """Nothing was saved; ``errors`` lists each value's problem in Chinese."""

    def __init__(self, errors: list[str]):
        super().__init__("有内容需要更正，本次没有保存任何内容。")
        self.errors = errors


@dataclass
class PrintedFigures:
    """The printed figures to enter: header fields by name; funding lines, sections and rows as {id: {field: value}}
    (ids of this form's parts). A value of "" or None clears the field; a field not named stays as it is."""

    header: dict = field(default_factory=dict)
    funding: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)


def _score(value, where: str, errors: list) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(f"{where}：“{value}”不是数字。")
        return None
    if not number.is_finite() or number < 0 or number > SCORE_LIMIT or number != round(number, 2):
        errors.append(f"{where}：“{value}”应为 0～{SCORE_LIMIT} 之间、最多两位小数的得分。")
        return None
    return number


def _rate(value, where: str, errors: list) -> str:
    text = "" if value is None else str(value).strip().replace("％", "%")
    if text and parse_rate(text, percent=True) is None:
        errors.append(f"{where}：“{value}”不是执行率（如 99.9% 或 99.9）。")
        return ""
    if len(text) > 20:
        errors.append(f"{where}：执行率最多 20 个字符。")
        return ""
    return text


def _grade(value, evaluation: SelfEvaluation, errors: list) -> str:
    text = "" if value is None else re.sub(r"\s+", "", str(value))
    names = [str(name) for name, _minimum in evaluation.scheme.grade_bands]
    if text and text not in names:
        errors.append(f"自评等次：“{value}”不是评分方案的等次（{'、'.join(names)}）。")
        return ""
    return text


def _read(name: str, value, where: str, evaluation: SelfEvaluation, errors: list):
    if name == "printed_grade":
        return _grade(value, evaluation, errors)
    if name in RATE_FIELDS:
        return _rate(value, where, errors)
    return _score(value, where, errors)


@transaction.atomic
def evaluation_enter_printed(*, evaluation_id: int, user, figures: PrintedFigures) -> SelfEvaluation:
    """Enter a form's printed figures: all of them or none (``PrintedFiguresRefused`` with every problem)."""
    evaluation = evaluation_with_rows(evaluation_id, for_update=True)
    if not evaluation_rights(user, evaluation).enter_printed:
        raise PermissionDenied("只有本部门的财务人员、审计人员和管理员可以录入原表数，已签署的自评表不能录入。")
    errors: list[str] = []
    header = {}
    for name, value in figures.header.items():
        if name not in HEADER:
            errors.append(f"没有“{name}”这一项原表数。")
            continue
        header[name] = _read(name, value, HEADER[name], evaluation, errors)
    parts = {
        "funding": ({f.pk: f for f in evaluation.funding_rows.all()}, lambda f: f"资金“{f.name}”"),
        "sections": ({s.pk: s for s in evaluation.sections.all()}, lambda s: f"分项“{s.name}”"),
        "rows": ({r.pk: r for r in evaluation.rows.all()}, lambda r: f"第 {r.seq} 行“{r.name}”"),
    }
    changed: dict[str, list] = {prefix: [] for prefix in parts}
    for prefix, (objects, label) in parts.items():
        for key, values in (getattr(figures, prefix) or {}).items():
            obj = objects.get(_int(key))
            if obj is None:
                errors.append(
                    f"这张自评表没有 id 为 {key} 的{dict(funding='资金行', sections='分项', rows='指标行')[prefix]}。"
                )
                continue
            for name, value in (values or {}).items():
                if name not in PART_FIELDS[prefix]:
                    errors.append(f"{label(obj)}：“{name}”不是可录入的原表数。")
                    continue
                setattr(obj, name, _read(name, value, label(obj), evaluation, errors))
            changed[prefix].append(obj)
    if errors:
        raise PrintedFiguresRefused(errors)
    for name, value in header.items():
        setattr(evaluation, name, value)
    evaluation.save(update_fields=[*header, "updated_at"])  # its last change moves: the stored check is made again
    for prefix, objects in changed.items():
        for obj in objects:  # one by one, so that the history records each change
            obj.save(update_fields=list(PART_FIELDS[prefix]))
    evaluation = evaluation_with_rows(evaluation.pk)
    save_figures(evaluation)
    return evaluation


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
