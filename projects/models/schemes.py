"""Scoring schemes as data: sections, points and the rules the engine applies (docs/domain.md §5).

A declaration's weights are checked against its scheme and its self-evaluation is scored under it.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from indicators.models import ReferenceQuerySet

from ..choices import FormKind, Layout, ReverseRule, SectionKind
from ..scheme_data import pick_assignment
from .regional import check_no_overlap, check_year_order, division_prefix_field, range_year_field, years_ordered


def default_grade_bands() -> list:
    return [["优", "90"], ["良", "80"], ["中", "60"], ["差", "0"]]


class ScoringScheme(models.Model):
    """A scoring scheme as data: its sections and points and the rules the engine applies (docs/domain.md §5)."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("方案名称", max_length=120)
    description = models.TextField("说明", blank=True)
    layout = models.CharField("默认表样", max_length=12, choices=Layout.choices)
    budget_rate_places = models.PositiveSmallIntegerField(
        "执行率保留小数位（百分数）", default=1, help_text="预算执行率按百分数保留的小数位，如 99.9%。"
    )
    cap_budget_score = models.BooleanField("预算执行得分不超过分值", default=True)
    reverse_rule = models.CharField(
        "反向指标超出目标时", max_length=8, choices=ReverseRule.choices, default=ReverseRule.RATIO
    )
    score_places = models.PositiveSmallIntegerField(
        "得分保留小数位",
        default=2,
        validators=[MaxValueValidator(2, "得分保留小数位最多 2 位：得分按两位小数保存。")],
    )
    grade_bands = models.JSONField(
        "等次划分", default=default_grade_bands, help_text='[[等次, 最低分], …] 自高到低，如 [["优", "90"], …]。'
    )
    deviation_above = models.DecimalField(
        "超出目标需说明的比例",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="实际值达到目标值的该倍数（如 1.30）时也须填写偏差原因；为空则只在未达标时要求。",
    )
    weights_per_form = models.BooleanField(
        "分值由各表自定", default=False, help_text="如河北省表：各一级指标分值印在表上。"
    )
    full_points = models.DecimalField(
        "满分",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="总分的上限；为空时取各分项分值之和（分值由各表自定时为 100）。",
    )
    rate_in_percent = models.BooleanField(
        "执行率列为百分数",
        default=True,
        help_text="表头为“执行率(%)”：填写的“100”读作 100%，不是 100 倍。",
    )
    is_active = models.BooleanField("启用", default=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        db_table = "selfeval_scoringscheme"  # the table keeps the name it had in the selfeval app
        verbose_name = "评分方案"
        verbose_name_plural = "评分方案"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def maximum(self) -> Decimal:
        """The most a form scored under this scheme can total (read with the sections prefetched)."""
        if self.full_points is not None:
            return self.full_points
        points = [s.points for s in self.sections.all()]
        return sum(points) if points and None not in points else Decimal(100)

    def clean(self) -> None:
        super().clean()
        bands = self.grade_bands
        message = '等次划分应写作 [["优", "90"], ["良", "80"], …]，最低分自高到低。'
        if not isinstance(bands, list) or not bands:
            raise ValidationError({"grade_bands": message})
        minimums = []
        for band in bands:
            if not (isinstance(band, list | tuple) and len(band) == 2 and str(band[0]).strip()):
                raise ValidationError({"grade_bands": message})
            try:
                minimums.append(Decimal(str(band[1])))
            except InvalidOperation:
                raise ValidationError({"grade_bands": message}) from None
        if minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(minimums):
            raise ValidationError({"grade_bands": message})


class SchemeSection(models.Model):
    """A scored section of a scheme, e.g. 项目资金 20 or 产出指标 50."""

    scheme = models.ForeignKey(
        ScoringScheme, verbose_name="评分方案", on_delete=models.CASCADE, related_name="sections"
    )
    seq = models.PositiveSmallIntegerField("序号")
    code = models.SlugField("编码", max_length=20)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=12, choices=SectionKind.choices)
    points = models.DecimalField(
        "分值", max_digits=6, decimal_places=2, null=True, blank=True, help_text="为空表示分值由各表自定。"
    )

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        db_table = "selfeval_schemesection"
        verbose_name = "评分方案分项"
        verbose_name_plural = "评分方案分项"
        ordering = ["scheme", "seq"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="scheme_section_code_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.points if self.points is not None else '自定'}分）"


class SchemeFundingLine(models.Model):
    """A row of the funding block a scheme's form prints (年度资金总额, 其中：当年财政拨款 …): its name, its place, and
    the total it is a 其中 sub-row of. A self-evaluation started under the scheme gets these rows."""

    scheme = models.ForeignKey(
        ScoringScheme, verbose_name="评分方案", on_delete=models.CASCADE, related_name="funding_lines"
    )
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("资金项目", max_length=60)
    part_of = models.ForeignKey(
        "self",
        verbose_name="其中行所属合计行",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
        help_text="空：合计行（或独立行）；选定：本行是该合计行的“其中”行。",
    )
    aliases = models.CharField(
        "资金来源的其他写法",
        max_length=300,
        blank=True,
        help_text="申报表“资金来源”中对应本行的其他名称，用“、”或逗号分隔；开始自评时，名称为本行名称或这些写法的"
        "资金来源金额计入本行（几项对应同一行时相加）。",
    )

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "评分方案资金行"
        verbose_name_plural = "评分方案资金行"
        ordering = ["scheme", "seq"]
        constraints = [models.UniqueConstraint(fields=["scheme", "seq"], name="scheme_funding_line_seq_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.part_of_id is None:
            return
        if self.part_of_id == self.pk:
            raise ValidationError({"part_of": "资金行不能是自己的其中行。"})
        if self.part_of.scheme_id != self.scheme_id:
            raise ValidationError({"part_of": "所属合计行须是同一评分方案的资金行。"})
        if self.part_of.part_of_id is not None:
            raise ValidationError({"part_of": "所属合计行本身不能是其中行。"})


class SchemeAssignmentQuerySet(ReferenceQuerySet):
    def scheme_for(self, *, division_code: str, form_kind: str, year: int) -> "ScoringScheme | None":
        """The scheme of a form of ``form_kind`` filed in ``year`` by a department of ``division_code``: the
        assignment with the longest matching 行政区划 prefix whose years include ``year`` (the empty prefix is the
        national default); None when no assignment fits."""
        candidates = list(self.filter(form_kind=form_kind).select_related("scheme"))
        chosen = pick_assignment(candidates, division_code or "", year)
        return chosen.scheme if chosen is not None else None


class SchemeAssignment(models.Model):
    """Which scoring scheme a region's forms use: 行政区划 code prefix, form kind and years → scheme.

    The longest prefix that matches a department's 行政区划 code wins (420112 东西湖 → 4201 武汉 → 42 湖北 → the
    national default with an empty prefix), among the assignments whose years include the form's year.
    """

    division_prefix = division_prefix_field("如 42（湖北省）、4201（武汉市）、420112（东西湖区）")
    form_kind = models.CharField("表类别", max_length=10, choices=FormKind.choices, default=FormKind.PROJECT)
    year_from = range_year_field("起始年度")
    year_to = range_year_field("终止年度")
    scheme = models.ForeignKey(
        ScoringScheme, verbose_name="评分方案", on_delete=models.PROTECT, related_name="assignments"
    )
    basis = models.CharField("依据", max_length=200, blank=True, help_text="如 财预〔2020〕10号。")

    objects = SchemeAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "评分方案适用范围"
        verbose_name_plural = "评分方案适用范围"
        ordering = ["form_kind", "division_prefix", "year_from"]
        constraints = [years_ordered("scheme_assignment_years_ordered")]

    def __str__(self) -> str:
        where = self.division_prefix or "全国默认"
        years = f"{self.year_from or '…'}–{self.year_to or '…'}"
        return f"{where} · {self.get_form_kind_display()} · {years} → {self.scheme}"

    def clean(self) -> None:
        super().clean()
        check_year_order(self)
        check_no_overlap(
            self,
            SchemeAssignment.objects.filter(division_prefix=self.division_prefix, form_kind=self.form_kind),
            "与已有的适用范围“{other}”年度重叠：同一地区、同一表类别的年度不能重叠。",
        )
