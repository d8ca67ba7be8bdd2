"""The 项目绩效目标申报表 and the 部门整体支出绩效目标申报表, their lines and their workflow events (docs/domain.md §2.1–§2.2, §7)."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from ..access import scoped_queryset
from ..choices import DeclarationAction, DeclarationStatus, FormKind, FundSection
from ..locking import GuardedDeclarationMixin, GuardedPartMixin, guarded_form_queryset, guarded_part_queryset
from ..money import UNIT_CHOICES
from .fields import money_field, unit_field, year_field
from .organisation import Department, Project, User
from .schemes import SchemeAssignment


class NoSchemeAssigned(ValidationError):
    """No scheme assignment fits a new declaration's department and year; the message is for the user."""


def assigned_scheme(department: Department, form_kind: str, year: int):
    """The scheme a new declaration of ``department`` is scored under (``SchemeAssignment``)."""
    division = department.division()
    scheme = SchemeAssignment.objects.scheme_for(division_code=division, form_kind=form_kind, year=year)
    if scheme is None:
        raise NoSchemeAssigned(
            {
                "scheme": f"没有适用于“{department}”（行政区划代码 {division or '未填'}）{year} 年"
                f"{FormKind(form_kind).label}表的评分方案，请管理员在“评分方案适用范围”中添加。"
            }
        )
    return scheme


class FormBase(models.Model):
    """What every filed form carries: the year, its unit, where the data came from, and reading notes."""

    year = year_field(db_index=True)
    unit = unit_field()
    incomplete = models.BooleanField("原件内容不全", default=False, help_text="原件缺页或截断，仅保留现有内容。")
    notes = models.JSONField("录入说明", default=list, blank=True)
    source = models.CharField("数据来源", max_length=120, blank=True, help_text="种子文件名；在系统中填报的为空。")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class ReviewFields(models.Model):
    """A reviewed form's status and who submitted and reviewed it, when, with which comment (§7): declarations and
    monitoring forms."""

    status = models.CharField(
        "状态", max_length=10, choices=DeclarationStatus.choices, default=DeclarationStatus.DRAFT, db_index=True
    )
    submitted_by = models.ForeignKey(
        "projects.User", verbose_name="提交人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "projects.User", verbose_name="审核人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)

    class Meta:
        abstract = True


class DeclarationWorkflow(GuardedDeclarationMixin, ReviewFields):
    """The review states of a target declaration (§7): 草稿 → 已提交 → 已审核 / 已退回.

    Submitted and approved declarations are locked, their workflow fields change only in the workflow
    services (``projects.locking``)."""

    adjustment_requested = models.BooleanField("已申请调整", default=False)
    adjustment_reason = models.TextField("调整理由", blank=True)

    class Meta:
        abstract = True


class ProjectDeclaration(FormBase, DeclarationWorkflow):
    """项目绩效目标申报表: one project's targets for one year (docs/domain.md §2.1)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="declarations")
    fill_date = models.DateField("填报日期", null=True, blank=True)
    supervising_unit = models.CharField("项目主管部门", max_length=120, blank=True)
    executing_unit = models.CharField("项目执行单位", max_length=200, blank=True)
    leader = models.CharField("项目负责人", max_length=60, blank=True)
    phone = models.CharField("联系电话", max_length=60, blank=True)
    address = models.CharField("单位地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=10, blank=True)
    application_reason = models.TextField("项目申请理由", blank=True)
    main_content = models.TextField("项目主要内容", blank=True)
    implementation_plan = models.TextField("项目实施方案", blank=True)
    total_budget = money_field("项目总预算")
    total_budget_printed = models.CharField("项目总预算（原表文字）", max_length=200, blank=True)
    annual_budget = money_field("项目当年预算")
    annual_budget_printed = models.CharField("项目当年预算（原表文字）", max_length=200, blank=True)
    prior_budget_note = models.TextField("前两年预算及当年预算变动情况", blank=True)
    prior_years_unit = models.CharField(
        "历年预算表金额单位", max_length=4, choices=UNIT_CHOICES, blank=True, help_text="与本表单位不同时填写（003）。"
    )
    funding_total = money_field("资金来源合计（填报数）")
    expense_total = money_field("项目支出明细合计（填报数）")
    estimation_basis = models.TextField("测算依据及说明", blank=True)
    scheme = models.ForeignKey(
        "projects.ScoringScheme",
        verbose_name="评分方案",
        on_delete=models.PROTECT,
        related_name="project_declarations",
        help_text="创建时按部门的行政区划代码和年度确定（评分方案适用范围），自评沿用同一方案。",
    )

    objects = guarded_form_queryset("project__department").as_manager()

    history = HistoricalRecords()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "项目绩效目标申报表"
        verbose_name_plural = "项目绩效目标申报表"
        ordering = ["-year", "project__department__code", "project__key"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="one_declaration_per_project_year")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.project.name}"

    def save(self, *args, **kwargs):
        self.assign_scheme()
        super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs):
        self.assign_scheme()
        super().full_clean(*args, **kwargs)

    def assign_scheme(self) -> None:
        """Fix the scheme once, when the declaration is created (``NoSchemeAssigned`` when none fits)."""
        if self.scheme_id is None:
            self.scheme = assigned_scheme(self.project.department, FormKind.PROJECT, self.year)

    @property
    def department(self) -> Department:
        return self.project.department


class DeclarationLine(GuardedPartMixin):
    """A numbered line under a project declaration."""

    seq = models.PositiveSmallIntegerField("序号")

    class Meta:
        abstract = True
        base_manager_name = "objects"
        ordering = ["declaration", "seq"]


class DeclarationBasis(DeclarationLine):
    """One document of the 项目立项依据 list."""

    declaration = models.ForeignKey(
        ProjectDeclaration, verbose_name="申报表", on_delete=models.CASCADE, related_name="basis_items"
    )
    text = models.TextField("立项依据")

    history = HistoricalRecords()

    objects = guarded_part_queryset("declaration__project__department").as_manager()

    class Meta(DeclarationLine.Meta):
        verbose_name = "项目立项依据"
        verbose_name_plural = "项目立项依据"

    def __str__(self) -> str:
        return self.text[:60]


class PriorYearBudget(GuardedPartMixin):
    """A row of the 历年预算执行 table (年度, 预算数, 执行数, 执行率)."""

    declaration = models.ForeignKey(
        ProjectDeclaration, verbose_name="申报表", on_delete=models.CASCADE, related_name="prior_years"
    )
    year = year_field()
    budget = money_field("预算数")
    executed = money_field("执行数")
    rate_printed = models.CharField("执行率（填报数）", max_length=20, blank=True)

    history = HistoricalRecords()

    objects = guarded_part_queryset("declaration__project__department").as_manager()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "历年预算执行情况"
        verbose_name_plural = "历年预算执行情况"
        ordering = ["declaration", "year"]
        constraints = [models.UniqueConstraint(fields=["declaration", "year"], name="prior_year_unique")]

    def __str__(self) -> str:
        return f"{self.year}年"


class FundingSource(DeclarationLine):
    """A line of 资金来源; ``level`` 1 marks a 其中 line under the line before it."""

    declaration = models.ForeignKey(
        ProjectDeclaration, verbose_name="申报表", on_delete=models.CASCADE, related_name="funding_sources"
    )
    name = models.CharField("资金来源", max_length=120)
    amount = money_field("金额")
    level = models.PositiveSmallIntegerField("级次", default=0, help_text="0 为一级，1 为“其中”项。")

    history = HistoricalRecords()

    objects = guarded_part_queryset("declaration__project__department").as_manager()

    class Meta(DeclarationLine.Meta):
        verbose_name = "资金来源"
        verbose_name_plural = "资金来源"

    def __str__(self) -> str:
        return self.name


class ExpenseItem(DeclarationLine):
    """A line of 项目支出明细 (003 adds 经济科目 and 测算依据及说明)."""

    declaration = models.ForeignKey(
        ProjectDeclaration, verbose_name="申报表", on_delete=models.CASCADE, related_name="expense_items"
    )
    name = models.CharField("支出项目", max_length=200)
    amount = money_field("金额")
    economic_subject = models.CharField("经济科目", max_length=120, blank=True)
    basis = models.TextField("测算依据及说明", blank=True)
    remark = models.CharField("备注", max_length=200, blank=True)

    history = HistoricalRecords()

    objects = guarded_part_queryset("declaration__project__department").as_manager()

    class Meta(DeclarationLine.Meta):
        verbose_name = "项目支出明细"
        verbose_name_plural = "项目支出明细"

    def __str__(self) -> str:
        return self.name


class ProcurementItem(DeclarationLine):
    """A line of 项目采购 (品名, 数量, 金额)."""

    declaration = models.ForeignKey(
        ProjectDeclaration, verbose_name="申报表", on_delete=models.CASCADE, related_name="procurement_items"
    )
    name = models.CharField("品名", max_length=200)
    quantity = models.CharField("数量", max_length=60, blank=True)
    amount = money_field("金额")

    history = HistoricalRecords()

    objects = guarded_part_queryset("declaration__project__department").as_manager()

    class Meta(DeclarationLine.Meta):
        verbose_name = "项目采购"
        verbose_name_plural = "项目采购"

    def __str__(self) -> str:
        return self.name


class DepartmentDeclaration(FormBase, DeclarationWorkflow):
    """部门整体支出绩效目标申报表 (docs/domain.md §2.2)."""

    department = models.ForeignKey(
        Department, verbose_name="部门", on_delete=models.PROTECT, related_name="overall_declarations"
    )
    fill_date = models.DateField("填报日期", null=True, blank=True)
    filler = models.CharField("填报人", max_length=60, blank=True)
    phone = models.CharField("联系电话", max_length=60, blank=True)
    functions = models.TextField("部门职能概述", blank=True)
    annual_tasks = models.TextField("年度工作任务", blank=True)
    scheme = models.ForeignKey(
        "projects.ScoringScheme",
        verbose_name="评分方案",
        on_delete=models.PROTECT,
        related_name="department_declarations",
        help_text="创建时按部门的行政区划代码和年度确定（评分方案适用范围），自评沿用同一方案。",
    )

    objects = guarded_form_queryset("department").as_manager()

    history = HistoricalRecords()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "部门整体支出绩效目标申报表"
        verbose_name_plural = "部门整体支出绩效目标申报表"
        ordering = ["-year", "department__code"]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="one_overall_declaration_per_year")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.department} 部门整体"

    def save(self, *args, **kwargs):
        self.assign_scheme()
        super().save(*args, **kwargs)

    def full_clean(self, *args, **kwargs):
        self.assign_scheme()
        super().full_clean(*args, **kwargs)

    def assign_scheme(self) -> None:
        """Fix the scheme once, when the declaration is created (``NoSchemeAssigned`` when none fits)."""
        if self.scheme_id is None:
            self.scheme = assigned_scheme(self.department, FormKind.DEPARTMENT, self.year)


class DepartmentFundLine(GuardedPartMixin):
    """A line of 部门总体资金情况: 收入构成 or 支出构成, this year with its share and the two years before."""

    declaration = models.ForeignKey(
        DepartmentDeclaration, verbose_name="申报表", on_delete=models.CASCADE, related_name="fund_lines"
    )
    seq = models.PositiveSmallIntegerField("序号")
    section = models.CharField("类别", max_length=12, choices=FundSection.choices)
    name = models.CharField("项目", max_length=120)
    amount = money_field("当年金额")
    share_printed = models.CharField("占比（填报数）", max_length=20, blank=True)
    prev1 = money_field("上年金额")
    prev2 = money_field("前年金额")

    history = HistoricalRecords()

    objects = guarded_part_queryset("declaration__department").as_manager()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "部门总体资金情况"
        verbose_name_plural = "部门总体资金情况"
        ordering = ["declaration", "seq"]

    def __str__(self) -> str:
        return f"{self.get_section_display()}：{self.name}"


class WorkflowEventBase(models.Model):
    """One logged step of a form's workflow: what was done, the status before and after, who, when, why."""

    from_status = models.CharField("原状态", max_length=10, choices=DeclarationStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=DeclarationStatus.choices, blank=True)
    user = models.ForeignKey(User, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("意见或理由", blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.user} · {self.at:%Y-%m-%d %H:%M}"


class DeclarationEvent(WorkflowEventBase):
    """One step of a declaration's review (§7): who did what, when, with which comment."""

    project_declaration = models.ForeignKey(
        ProjectDeclaration,
        verbose_name="项目申报表",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    department_declaration = models.ForeignKey(
        DepartmentDeclaration,
        verbose_name="部门整体申报表",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField("操作", max_length=16, choices=DeclarationAction.choices)

    objects = scoped_queryset(
        "project_declaration__project__department", "department_declaration__department"
    ).as_manager()

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project_declaration__isnull=False, department_declaration__isnull=True)
                | models.Q(project_declaration__isnull=True, department_declaration__isnull=False),
                name="event_has_one_declaration",
            )
        ]
