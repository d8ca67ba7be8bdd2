"""The goals of a declaration and its indicator rows (docs/domain.md §2–§3).

Both paper declarations own them; the 一级/二级 categories and the shared row fields come from ``indicators``.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from indicators.choices import GoalKind
from indicators.models import IndicatorRowBase

from ..locking import GuardedPartMixin, guarded_part_queryset


class Goal(GuardedPartMixin):
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

    history = HistoricalRecords(table_name="indicators_historicalgoal")

    PARENT_FIELDS = ("project_declaration", "department_declaration")

    objects = guarded_part_queryset(
        "project_declaration__project__department", "department_declaration__department"
    ).as_manager()

    class Meta:
        base_manager_name = "objects"
        db_table = "indicators_goal"  # the table keeps the name it had in the indicators app
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


class Indicator(GuardedPartMixin, IndicatorRowBase):
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

    history = HistoricalRecords(table_name="indicators_historicalindicator")

    PARENT_FIELDS = ("project_declaration", "department_declaration")

    objects = guarded_part_queryset(
        "project_declaration__project__department", "department_declaration__department"
    ).as_manager()

    class Meta:
        base_manager_name = "objects"
        db_table = "indicators_indicator"  # the table keeps the name it had in the indicators app
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
