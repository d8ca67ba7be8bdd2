"""The three-level indicator tree, the goals of a declaration and its indicator rows (DOMAIN §2–§3).

一级 and 二级 come from a fixed national category table (both the older layout and the 2021 one);
what the form printed is always kept beside the matched category, so that a free-form 二级 such as
004's 预算执行率 is stored as printed and shows up as unmatched instead of being rejected.
"""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from .choices import CategoryLayout, GoalKind


class IndicatorCategory(models.Model):
    """A 一级 or 二级 indicator category of the national list."""

    level = models.PositiveSmallIntegerField("级次", choices=[(1, "一级指标"), (2, "二级指标")])
    parent = models.ForeignKey(
        "self", verbose_name="上级指标", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("指标名称", max_length=60)
    layout = models.CharField("适用版本", max_length=8, choices=CategoryLayout.choices, default=CategoryLayout.BOTH)
    aliases = models.JSONField(
        "其他写法", default=list, blank=True, help_text="表中可能出现的其他名称，如“可持续发展影响指标”。"
    )
    seq = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "指标分类"
        verbose_name_plural = "指标分类（一级、二级）"
        ordering = ["level", "seq"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True) | models.Q(level=2, parent__isnull=False),
                name="category_level_matches_parent",
                violation_error_message="一级指标没有上级，二级指标必须有上级。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class Goal(models.Model):
    """A goal of a declaration: a project's 总目标, a department's 长期/年度目标, or 003's 目标名称 group."""

    project_declaration = models.ForeignKey(
        "projects.ProjectDeclaration",
        verbose_name="项目申报表",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
    )
    department_declaration = models.ForeignKey(
        "projects.DepartmentDeclaration",
        verbose_name="部门整体申报表",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
    )
    kind = models.CharField("目标类别", max_length=10, choices=GoalKind.choices)
    seq = models.PositiveSmallIntegerField("序号")
    text = models.TextField("目标内容", blank=True)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "绩效目标"
        verbose_name_plural = "绩效目标"
        ordering = ["kind", "seq"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project_declaration__isnull=False, department_declaration__isnull=True)
                | models.Q(project_declaration__isnull=True, department_declaration__isnull=False),
                name="goal_has_one_declaration",
                violation_error_message="目标必须属于且只属于一张申报表。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{self.seq}：{self.text[:40]}"


class IndicatorRowBase(models.Model):
    """What every indicator row carries, on a declaration or a self-evaluation."""

    seq = models.PositiveSmallIntegerField("序号")
    level1 = models.ForeignKey(
        IndicatorCategory,
        verbose_name="一级指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
    )
    level1_printed = models.CharField("一级指标（表中原文）", max_length=60, blank=True)
    level2 = models.ForeignKey(
        IndicatorCategory,
        verbose_name="二级指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 2},
    )
    level2_printed = models.CharField("二级指标（表中原文）", max_length=120, blank=True)
    name = models.CharField("三级指标（指标内容）", max_length=300)
    target = models.CharField("指标值", max_length=300, blank=True)
    weight = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.level1_id and self.level2_id and self.level2.parent_id != self.level1_id:
            raise ValidationError({"level2": "二级指标不属于所选的一级指标。"})

    @property
    def category_matched(self) -> bool:
        """True when the printed 一级/二级 map to the national table."""
        return bool(self.level1_id) and (bool(self.level2_id) or not self.level2_printed)


class Indicator(IndicatorRowBase):
    """A row of a declaration's 年度绩效指标 table (003 adds 目标名称 and the 前年/上年 values)."""

    project_declaration = models.ForeignKey(
        "projects.ProjectDeclaration",
        verbose_name="项目申报表",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    department_declaration = models.ForeignKey(
        "projects.DepartmentDeclaration",
        verbose_name="部门整体申报表",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    goal = models.ForeignKey(
        Goal, verbose_name="所属目标", null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    standard = models.CharField("绩效标准", max_length=300, blank=True)
    prev2 = models.CharField("指标值（前年）", max_length=300, blank=True)
    prev1 = models.CharField("指标值（上年）", max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "绩效指标"
        verbose_name_plural = "绩效指标"
        ordering = ["seq"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project_declaration__isnull=False, department_declaration__isnull=True)
                | models.Q(project_declaration__isnull=True, department_declaration__isnull=False),
                name="indicator_has_one_declaration",
                violation_error_message="指标必须属于且只属于一张申报表。",
            )
        ]


class LibraryIndicator(models.Model):
    """A common 三级 indicator of the 指标库, curated by administrators and offered while filling."""

    DIRECTIONS = [("positive", "正向（越大越好）"), ("negative", "反向（越小越好）"), ("qualitative", "定性")]

    level2 = models.ForeignKey(
        IndicatorCategory,
        verbose_name="二级指标",
        on_delete=models.PROTECT,
        related_name="library",
        limit_choices_to={"level": 2},
    )
    name = models.CharField("三级指标", max_length=300)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    direction = models.CharField("指标方向", max_length=12, choices=DIRECTIONS, default="positive")
    example = models.CharField("指标值示例", max_length=120, blank=True)
    use_count = models.PositiveIntegerField("使用次数", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "指标库指标"
        verbose_name_plural = "指标库"
        ordering = ["level2__seq", "-use_count", "name"]
        constraints = [models.UniqueConstraint(fields=["level2", "name"], name="library_indicator_unique")]

    def __str__(self) -> str:
        return self.name
