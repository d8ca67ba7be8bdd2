"""部门决算: a department's final accounts and the figures its overall self-evaluation reads (docs/domain.md §2.5)."""

from django.db import models

from ..access import scoped_queryset
from ..choices import AccountTable, SubjectLevel
from .fields import money_field, unit_field, year_field
from .organisation import Department


class FinalAccount(models.Model):
    """部门决算 of one department and year (002): the lines by 功能分类科目 and the other printed figures."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="final_accounts"
    )
    year = year_field(db_index=True)
    unit = unit_field()
    notes = models.JSONField("录入说明", default=list, blank=True)
    source = models.CharField("数据来源", max_length=120, blank=True)

    objects = scoped_queryset("department").as_manager()

    class Meta:
        verbose_name = "部门决算"
        verbose_name_plural = "部门决算"
        ordering = ["-year", "department__code"]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="one_final_account_per_year")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.department} 部门决算"


class FinalAccountLine(models.Model):
    """One 功能分类科目 line (类 3 digits / 款 5 / 项 7; 合计 without code) of a 决算 table."""

    account = models.ForeignKey(FinalAccount, verbose_name="部门决算", on_delete=models.CASCADE, related_name="lines")
    table = models.CharField("表", max_length=14, choices=AccountTable.choices)
    seq = models.PositiveSmallIntegerField("序号")
    code = models.CharField("科目编码", max_length=7, blank=True)
    name = models.CharField("科目名称", max_length=120)
    level = models.PositiveSmallIntegerField("科目级次", choices=SubjectLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级科目", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    total = money_field("合计")
    fiscal = money_field("财政拨款收入")
    superior = money_field("上级补助收入")
    business = money_field("事业收入")
    operating = money_field("经营收入/支出")
    affiliated = money_field("附属单位上缴收入/对附属单位补助支出")
    other = money_field("其他收入")
    basic = money_field("基本支出")
    project = money_field("项目支出")
    to_superior = money_field("上缴上级支出")
    budget = money_field("年初预算")
    final = money_field("决算")
    rate_printed = models.CharField("完成率（填报数）", max_length=20, blank=True)

    objects = scoped_queryset("account__department").as_manager()

    class Meta:
        verbose_name = "决算科目行"
        verbose_name_plural = "决算科目行"
        ordering = ["account", "table", "seq"]
        constraints = [models.UniqueConstraint(fields=["account", "table", "seq"], name="account_line_seq_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @staticmethod
    def level_of(code: str) -> int:
        """类 has 3 digits, 款 5, 项 7; a line without a code is the 合计."""
        return {0: SubjectLevel.TOTAL, 3: SubjectLevel.CLASS, 5: SubjectLevel.SECTION, 7: SubjectLevel.ITEM}[
            len(code or "")
        ]


class DepartmentFigure(models.Model):
    """Another printed figure of a 部门决算 (三公经费, 机关运行经费 …), kept by a stable key."""

    account = models.ForeignKey(FinalAccount, verbose_name="部门决算", on_delete=models.CASCADE, related_name="figures")
    key = models.SlugField("键", max_length=80)
    name = models.CharField("名称", max_length=200)
    amount = models.DecimalField(
        "数值", max_digits=18, decimal_places=4, null=True, blank=True, help_text="金额一律以元存储。"
    )
    unit = models.CharField("单位", max_length=20, blank=True)
    unit_printed = models.CharField("金额单位（原表）", max_length=20, blank=True)
    note = models.TextField("说明", blank=True)

    objects = scoped_queryset("account__department").as_manager()

    class Meta:
        verbose_name = "部门决算其他数据"
        verbose_name_plural = "部门决算其他数据"
        ordering = ["account", "key"]
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="department_figure_key_unique")]

    def __str__(self) -> str:
        return self.name
