"""Departments, users and projects (项目库)."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models

from ..access import scoped_queryset
from ..choices import ProjectType, Role
from .fields import year_field


class Department(models.Model):
    """A budget unit (部门/单位); internal offices (人才科, 信息中心 …) are children of their department."""

    code = models.CharField("部门编码", max_length=40, unique=True)
    name = models.CharField("部门名称", max_length=120)
    short_name = models.CharField("简称", max_length=60, blank=True)
    region = models.CharField("所属地区", max_length=60, blank=True)
    division_code = models.CharField(
        "行政区划代码",
        max_length=12,
        blank=True,
        validators=[RegexValidator(r"^\d+$", "行政区划代码只能由数字组成，如 420112。")],
        help_text="如 420112（东西湖区）；内设机构可不填，沿用所属部门的代码。决定申报表使用的评分方案。",
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级部门", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = scoped_queryset("id").as_manager()

    class Meta:
        verbose_name = "部门（单位）"
        verbose_name_plural = "部门（单位）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name

    def division(self) -> str:
        """The 行政区划 code that chooses this department's schemes: its own, or its nearest parent's."""
        node = self
        while not node.division_code and node.parent_id is not None:
            node = node.parent
        return node.division_code

    def root(self) -> "Department":
        """The budget department an internal office belongs to (itself for a top-level one)."""
        node = self
        while node.parent_id is not None:
            node = node.parent
        return node


class User(AbstractUser):
    """A person using perfbudget, with one role and (except for auditors and administrators) a department."""

    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.FINANCE)
    department = models.ForeignKey(
        Department, verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField("联系电话", max_length=40, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username


class Project(models.Model):
    """A budget project of a department; its yearly declarations and self-evaluations hang below it."""

    key = models.SlugField("项目编码", max_length=60, unique=True)
    department = models.ForeignKey(
        Department, verbose_name="所属部门", on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField("项目名称", max_length=200)
    project_type = models.CharField("项目类型", max_length=12, choices=ProjectType.choices, default=ProjectType.UNKNOWN)
    project_type_printed = models.CharField("项目类型（原表写法）", max_length=200, blank=True)
    period_start = year_field("延续期起始年度", null=True, blank=True)
    period_end = year_field("延续期终止年度", null=True, blank=True)

    objects = scoped_queryset("department").as_manager()

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目"
        ordering = ["department__code", "key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_start__lte=models.F("period_end")),
                name="project_period_ordered",
                violation_error_message="延续期的起始年度不能晚于终止年度。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class MergedItem(models.Model):
    """One line of a project's 合并明细项目 (000: the items a merged project is made of)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="merged_items")
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("明细项目名称", max_length=200)

    objects = scoped_queryset("project__department").as_manager()

    class Meta:
        verbose_name = "合并明细项目"
        verbose_name_plural = "合并明细项目"
        ordering = ["project", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="merged_item_seq_unique")]

    def __str__(self) -> str:
        return f"{self.seq}、{self.name}"
