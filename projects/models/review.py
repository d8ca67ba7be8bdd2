"""The target-quality review's rule set (审核规则): versioned rows per jurisdiction, edited in the admin.

The rule kinds are fixed in code (``projects.review_data``, ``projects.services.review``); a row switches one on
or off for a 行政区划 prefix and a range of years, with its severity, parameters, message and advice. For each
kind the row with the longest matching prefix whose years include the form's year applies (as scheme
assignments do), so a province's variant is one more row.
"""

import string

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from indicators.models import ReferenceQuerySet

from ..review_data import ERROR, GRADE, KIND_CHOICES, RULES, SEVERITIES
from ..scheme_data import pick_assignment


class ReviewRuleQuerySet(ReferenceQuerySet):
    def rules_for(self, *, division_code: str, year: int) -> dict[str, "ReviewRule"]:
        """The row in force of each rule kind for a form of ``division_code`` filed in ``year``."""
        rows = list(self.all())
        chosen = {}
        for code in {row.code for row in rows}:
            row = pick_assignment([r for r in rows if r.code == code], division_code or "", year)
            if row is not None:
                chosen[code] = row
        return chosen


class ReviewRule(models.Model):
    """One rule of the target-quality review for a region and years: on or off, its severity and parameters."""

    division_prefix = models.CharField(
        "行政区划代码前缀",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d+$", "行政区划代码前缀只能由数字组成，如 42（湖北省）、4201（武汉市）。")],
        help_text="如 42（湖北省）、4201（武汉市）；留空为全国默认。",
    )
    year_from = models.PositiveSmallIntegerField("起始年度", null=True, blank=True, help_text="留空表示不限。")
    year_to = models.PositiveSmallIntegerField("终止年度", null=True, blank=True, help_text="留空表示不限。")
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

    objects = ReviewRuleQuerySet.as_manager()

    class Meta:
        verbose_name = "目标审核规则"
        verbose_name_plural = "目标审核规则"
        ordering = ["division_prefix", "seq", "code", "year_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_from__isnull=True)
                | models.Q(year_to__isnull=True)
                | models.Q(year_from__lte=models.F("year_to")),
                name="review_rule_years_ordered",
                violation_error_message="起始年度不能晚于终止年度。",
            )
        ]

    def __str__(self) -> str:
        where = self.division_prefix or "全国默认"
        return f"{where} · {self.year_from or '…'}–{self.year_to or '…'} · {self.get_code_display()}"

    @property
    def blocking(self) -> bool:
        return self.enabled and self.blocks_submission and self.severity == ERROR

    def clean(self) -> None:
        super().clean()
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ValidationError({"year_to": "起始年度不能晚于终止年度。"})
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
        low, high = self.year_from or 0, self.year_to or 9999
        others = ReviewRule.objects.filter(division_prefix=self.division_prefix, code=self.code).exclude(pk=self.pk)
        for other in others:
            if (other.year_from or 0) <= high and low <= (other.year_to or 9999):
                raise ValidationError(f"与已有的规则“{other}”年度重叠：同一地区、同一规则的年度不能重叠。")
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
