"""The target-quality review's rule set (审核规则): versioned rows per jurisdiction, edited in the admin.

The rule kinds are fixed in code (``projects.review_data``, ``projects.services.review``); a row switches one on
or off for a 行政区划 prefix and a range of years, with its severity, parameters, message and advice. For each
kind the row with the longest matching prefix whose years include the form's year applies (as scheme
assignments do), so a province's variant is one more row.
"""

import string

from django.core.exceptions import ValidationError
from django.db import models

from indicators.models import ReferenceQuerySet

from ..choices import FormKind
from ..review_data import ERROR, GRADE, KIND_CHOICES, RULES, SEVERITIES
from ..scheme_data import pick_assignment
from .regional import check_no_overlap, check_year_order, division_prefix_field, range_year_field, years_ordered


class ReviewRuleQuerySet(ReferenceQuerySet):
    def rules_for(self, *, division_code: str, year: int, form_kind: str | None = None) -> dict[str, "ReviewRule"]:
        """The row in force of each rule kind for a form of ``division_code`` filed in ``year``; with ``form_kind``,
        only the kinds whose row in force runs on that form (the row is picked first: a region's row that is off for
        the 部门整体 form does not fall back to the national one)."""
        rows = list(self.all())
        chosen = {}
        for code in {row.code for row in rows}:
            row = pick_assignment([r for r in rows if r.code == code], division_code or "", year)
            if row is not None and (form_kind is None or row.applies_to(form_kind)):
                chosen[code] = row
        return chosen


class ReviewRule(models.Model):
    """One rule of the target-quality review for a region and years: on or off, its severity and parameters."""

    division_prefix = division_prefix_field()
    year_from = range_year_field("起始年度")
    year_to = range_year_field("终止年度")
    code = models.CharField("规则", max_length=30, choices=KIND_CHOICES)
    seq = models.PositiveSmallIntegerField("序号", default=0)
    enabled = models.BooleanField("启用", default=True)
    severity = models.CharField("严重程度", max_length=8, choices=SEVERITIES, default="warning")
    blocks_submission = models.BooleanField(
        "阻止提交", default=False, help_text="仅对“错误”有效：选中后，存在该问题的申报表不能提交。"
    )
    params = models.JSONField(
        "参数", default=dict, blank=True, help_text='如 {"max": 15}；各规则的参数见 docs/review.md。'
    )
    message = models.CharField(
        "问题说明", max_length=300, blank=True, help_text="可用 {name}、{seq}、{target} 等占位符，见 docs/review.md。"
    )
    advice = models.CharField("修改建议", max_length=300, blank=True, help_text="审核意见草稿中“建议”部分的文字。")
    basis = models.CharField("依据", max_length=200, blank=True)
    # Which declarations the rule runs on: a rule that reads a field the form does not have (the 部门整体 form has
    # no 立项依据 or 测算依据) is off for that form kind. Checked on the row in force, so a region's row decides.
    for_project = models.BooleanField("适用于项目申报表", default=True)
    for_department = models.BooleanField(
        "适用于部门整体申报表",
        default=True,
        help_text="部门整体支出绩效目标申报表没有立项依据、测算依据等栏目，相应规则不适用。",
    )

    objects = ReviewRuleQuerySet.as_manager()

    class Meta:
        verbose_name = "目标审核规则"
        verbose_name_plural = "目标审核规则"
        ordering = ["division_prefix", "seq", "code", "year_from"]
        constraints = [years_ordered("review_rule_years_ordered")]

    def __str__(self) -> str:
        where = self.division_prefix or "全国默认"
        return f"{where} · {self.year_from or '…'}–{self.year_to or '…'} · {self.get_code_display()}"

    @property
    def form_kinds(self) -> tuple[str, ...]:
        """The declaration kinds (``FormKind``) the rule runs on."""
        return tuple(kind for kind, ticked in ((FormKind.PROJECT, self.for_project),
                                               (FormKind.DEPARTMENT, self.for_department)) if ticked)  # fmt: skip

    def applies_to(self, form_kind: str) -> bool:
        return form_kind in self.form_kinds

    @property
    def blocking(self) -> bool:
        return self.enabled and self.blocks_submission and self.severity == ERROR

    def clean(self) -> None:
        super().clean()
        check_year_order(self)
        if not self.form_kinds:
            raise ValidationError("请至少选择一种适用的申报表；不用的规则请取消“启用”。")
        if not isinstance(self.params, dict):
            raise ValidationError({"params": '参数应写作 JSON 对象，如 {"max": 15}。'})
        defaults = RULES[self.code][2] if self.code in RULES else {}
        for key, value in self.params.items():
            if key in defaults and type(value) is not type(defaults[key]):
                raise ValidationError({"params": f"参数“{key}”的类型应与默认值相同（默认：{defaults[key]!r}）。"})
        try:
            list(string.Formatter().parse(self.message))
        except ValueError:
            raise ValidationError({"message": "问题说明中的 { } 不成对；占位符写作 {name}。"}) from None
        check_no_overlap(
            self,
            ReviewRule.objects.filter(division_prefix=self.division_prefix, code=self.code),
            "与已有的规则“{other}”年度重叠：同一地区、同一规则的年度不能重叠。",
        )
        if self.code == GRADE:
            _check_grade_params(self.params)


def _check_grade_params(params: dict) -> None:
    message = (
        '评级参数应写作 {"points": {"error": 20, "warning": 5, "hint": 1}, "bands": [["优", 90], …]}，最低分自高到低。'
    )
    points, bands = params.get("points"), params.get("bands")
    if not isinstance(points, dict) or not isinstance(bands, list) or not bands:
        raise ValidationError({"params": message})
    if any(not isinstance(v, int | float) or v < 0 for v in points.values()):
        raise ValidationError({"params": message})
    if any(not (isinstance(b, list) and len(b) == 2 and isinstance(b[1], int | float)) for b in bands):
        raise ValidationError({"params": message})
    minimums = [b[1] for b in bands]
    if minimums != sorted(minimums, reverse=True):
        raise ValidationError({"params": message})
