"""绩效运行监控 (docs/domain.md §9): the rules and periods per jurisdiction and year, and the 项目支出绩效目标执行
监控表 of an approved declaration for one period with its budget lines, indicator rows, log and decisions."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from indicators.models import ReferenceQuerySet, cost_nature

from ..access import scoped_queryset
from ..choices import DeclarationStatus, Likelihood, MonitoringAction, MonitoringDecisionKind
from ..locking import FormLocked, GuardedFormMixin, GuardedPartMixin, guarded_form_queryset, guarded_part_queryset
from ..scheme_data import pick_assignment
from ..services.monitoring_lights import LIGHT_LABELS
from .declarations import ReviewFields, WorkflowEventBase
from .fields import money_field, unit_field, year_field
from .organisation import User
from .regional import check_no_overlap, check_year_order, division_prefix_field, range_year_field

PERCENT = [
    MinValueValidator(Decimal(0), "百分数不能为负数。"),
    MaxValueValidator(Decimal(1000), "百分数不能超过 1000。"),
]


def percent_field(verbose_name: str, default: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        f"{verbose_name}（%）", max_digits=6, decimal_places=2, default=Decimal(default), validators=PERCENT, **kwargs
    )


class MonitoringRuleQuerySet(ReferenceQuerySet):
    def rule_for(self, *, division_code: str, year: int) -> "MonitoringRule | None":
        """The rule with the longest 行政区划 prefix of ``division_code`` whose years include ``year``."""
        return pick_assignment(list(self.prefetch_related("periods")), division_code or "", year)


class MonitoringRule(models.Model):
    """The monitoring rules of a jurisdiction for a range of years: periods (see ``MonitoringPeriod``) and the
    thresholds of the warning lights (an empty 行政区划 prefix is the national default)."""

    division_prefix = division_prefix_field()
    year_from = range_year_field("起始年度")
    year_to = range_year_field("终止年度")
    name = models.CharField("名称", max_length=120)
    basis = models.CharField("依据", max_length=200, blank=True)
    indicator_red_below = percent_field("指标红灯：进度低于", "60")
    indicator_yellow_below = percent_field("指标黄灯：进度低于", "80")
    indicator_blue_from = percent_field("指标蓝灯：进度不低于", "120")
    budget_red_below = percent_field("预算红灯：进度低于", "60")
    budget_yellow_below = percent_field("预算黄灯：进度低于", "80")
    budget_blue_from = models.DecimalField(
        "预算蓝灯（超进度）：进度不低于（%）",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text="预算执行进度（执行率 ÷ 时间或计划进度）不低于该百分数时亮蓝灯（超进度）；留空不设超进度线。",
    )
    checkpoints = models.JSONField(
        "预算执行固定节点",
        default=list,
        blank=True,
        help_text='[[月份, 最低执行率%], …]，如 [[3, "25"], [6, "40"], [8, "60"], [10, "80"]]：未按计划执行的预算'
        "低于节点即为红灯；留空不设节点。",
    )
    forecast_gap = percent_field(
        "自评时全年执行数偏离预计的提示线",
        "20",
        help_text="全年执行数与监控时的全年预计执行数相差超过该比例时，自评检查提示。",
    )

    objects = MonitoringRuleQuerySet.as_manager()

    class Meta:
        verbose_name = "运行监控规则"
        verbose_name_plural = "运行监控规则"
        ordering = ["division_prefix", "year_from"]

    def __str__(self) -> str:
        years = f"{self.year_from or '…'}–{self.year_to or '…'}"
        return f"{self.division_prefix or '全国默认'} · {years} · {self.name}"

    def clean(self) -> None:
        super().clean()
        check_year_order(self)
        if not (self.indicator_red_below <= self.indicator_yellow_below <= self.indicator_blue_from):
            raise ValidationError({"indicator_yellow_below": "指标的红灯、黄灯、蓝灯界限应自低到高。"})
        if self.budget_red_below > self.budget_yellow_below:
            raise ValidationError({"budget_yellow_below": "预算的红灯界限不能高于黄灯界限。"})
        if self.budget_blue_from is not None and self.budget_blue_from < self.budget_yellow_below:
            raise ValidationError({"budget_blue_from": "预算的超进度线（蓝灯）不能低于黄灯界限。"})
        self.checkpoints = checked_checkpoints(self.checkpoints)
        check_no_overlap(
            self,
            MonitoringRule.objects.filter(division_prefix=self.division_prefix),
            "与已有的监控规则“{other}”年度重叠：同一地区的年度不能重叠。",
        )


def checked_checkpoints(value) -> list:
    """``[[month, "percent"], …]`` with months 1–12 rising; ValidationError with the user's sentence otherwise."""
    message = '预算执行固定节点应写作 [[3, "25"], [6, "40"], …]：月份 1–12 自小到大，执行率 0–100。'
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError({"checkpoints": message})
    months, result = [], []
    for item in value:
        try:
            month, minimum = int(item[0]), Decimal(str(item[1]))
        except (TypeError, ValueError, IndexError, ArithmeticError):
            raise ValidationError({"checkpoints": message}) from None
        if not (1 <= month <= 12 and 0 <= minimum <= 100) or (months and month <= months[-1]):
            raise ValidationError({"checkpoints": message})
        months.append(month)
        result.append([month, str(minimum)])
    return result


class MonitoringPeriod(models.Model):
    """A monitoring round of a rule: 1–7月 (national), 1–6月, or a quarter; its share of the year is end month ÷ 12
    unless given."""

    rule = models.ForeignKey(MonitoringRule, verbose_name="监控规则", on_delete=models.CASCADE, related_name="periods")
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=30, help_text="如 1–7月、第一季度。")
    end_month = models.PositiveSmallIntegerField(
        "截至月份", validators=[MinValueValidator(1, "月份应为 1–12。"), MaxValueValidator(12, "月份应为 1–12。")]
    )
    elapsed_share = models.DecimalField(
        "时间进度",
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal(0), "时间进度应在 0–1 之间。"),
            MaxValueValidator(Decimal(1), "时间进度应在 0–1 之间。"),
        ],
        help_text="留空按 截至月份 ÷ 12 计算；如 0.5833。",
    )

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "监控期间"
        verbose_name_plural = "监控期间"
        ordering = ["rule", "seq"]
        constraints = [models.UniqueConstraint(fields=["rule", "end_month"], name="monitoring_period_month_unique")]

    def __str__(self) -> str:
        return self.name


class MonitoringLocked(FormLocked):
    def __init__(self, what: str = "这张监控表"):
        super().__init__(f"{what}已提交或已审核，锁定不能修改；如需修改，请部门负责人退回。")


class MonitoringForm(GuardedFormMixin, ReviewFields):
    """项目支出绩效目标执行监控表: one approved declaration's budget execution and indicator progress for a period."""

    WORKFLOW_FIELDS = ("status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_comment")
    LOCKED_STATUSES = frozenset({DeclarationStatus.SUBMITTED, DeclarationStatus.APPROVED})

    declaration = models.ForeignKey(
        "projects.ProjectDeclaration", verbose_name="申报表", on_delete=models.PROTECT, related_name="monitoring_forms"
    )
    period = models.ForeignKey(MonitoringPeriod, verbose_name="监控期间", on_delete=models.PROTECT, related_name="+")
    year = year_field()
    end_month = models.PositiveSmallIntegerField("截至月份")
    unit = unit_field()
    spending_plan = models.CharField(
        "资金支出计划", max_length=120, blank=True, help_text="各季度或各月计划支出占全年的百分数，如 10,20,30,40。"
    )
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = guarded_form_queryset("declaration__project__department").as_manager()
    history = HistoricalRecords()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "项目支出绩效目标执行监控表"
        verbose_name_plural = "项目支出绩效目标执行监控表"
        ordering = ["-year", "end_month", "declaration__project__key"]
        constraints = [models.UniqueConstraint(fields=["declaration", "period"], name="one_monitoring_per_period")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.period} {self.declaration.project.name}"

    @classmethod
    def locked_error(cls, what: str | None = None) -> FormLocked:
        return MonitoringLocked(what or "这张监控表")


class MonitoringBudgetLine(GuardedPartMixin):
    """A row of the budget block: a funding source of the declaration (``level`` 1: a 其中 row)."""

    PARENT_FIELDS = ("form",)

    form = models.ForeignKey(
        MonitoringForm, verbose_name="监控表", on_delete=models.CASCADE, related_name="budget_lines"
    )
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("资金来源", max_length=120)
    level = models.PositiveSmallIntegerField("级次", default=0)
    initial_budget = money_field("年初预算数")
    annual_budget = money_field("全年预算数")
    executed = money_field("1–X月执行数")
    forecast = money_field("全年预计执行数")

    objects = guarded_part_queryset("form__declaration__project__department").as_manager()
    history = HistoricalRecords()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "监控表预算执行"
        verbose_name_plural = "监控表预算执行"
        ordering = ["form", "seq"]

    def __str__(self) -> str:
        return self.name


class MonitoringRow(GuardedPartMixin):
    """An indicator row of the monitoring form, copied from the declaration's row when the form is started."""

    PARENT_FIELDS = ("form",)

    form = models.ForeignKey(MonitoringForm, verbose_name="监控表", on_delete=models.CASCADE, related_name="rows")
    indicator = models.ForeignKey(
        "projects.Indicator",
        verbose_name="申报表指标",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seq = models.PositiveSmallIntegerField("序号")
    level1 = models.CharField("一级指标", max_length=60, blank=True)
    level2 = models.CharField("二级指标", max_length=120, blank=True)
    name = models.CharField("三级指标", max_length=300)
    target = models.CharField("年度指标值", max_length=300, blank=True)
    nature = models.CharField("指标性质", max_length=12, blank=True)
    comparator = models.CharField("比较符", max_length=2, blank=True)
    unit = models.CharField("计量单位", max_length=20, blank=True)
    value_to_date = models.CharField("1–X月执行情况", max_length=300, blank=True)
    forecast = models.CharField("全年预计完成情况", max_length=300, blank=True)
    cause_funding = models.BooleanField("经费保障", default=False)
    cause_rules = models.BooleanField("制度保障", default=False)
    cause_staff = models.BooleanField("人员保障", default=False)
    cause_facilities = models.BooleanField("硬件条件保障", default=False)
    cause_other = models.BooleanField("其他", default=False)
    likelihood = models.CharField("完成目标可能性", max_length=12, choices=Likelihood.choices, blank=True)
    reason = models.TextField("原因说明", blank=True)
    suggestion = models.TextField("相关建议", blank=True)
    remark = models.CharField("备注", max_length=300, blank=True)
    plan = models.CharField(
        "完成计划", max_length=120, blank=True, help_text="各季度或各月计划完成占全年的百分数，如 0,10,20,70。"
    )

    CAUSE_FIELDS = ("cause_funding", "cause_rules", "cause_staff", "cause_facilities", "cause_other")

    objects = guarded_part_queryset("form__declaration__project__department").as_manager()
    history = HistoricalRecords()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "监控表绩效指标"
        verbose_name_plural = "监控表绩效指标"
        ordering = ["form", "seq"]

    def __str__(self) -> str:
        return self.name

    @property
    def default_nature(self) -> str:
        """成本 rows are 反向 unless the declaration prints otherwise (as ``IndicatorRowBase.default_nature``)."""
        return cost_nature((), (self.level1, self.level2))

    def ticks(self) -> list[tuple[str, bool]]:
        """The five 偏差原因 in the paper form's order, each with whether it is ticked."""
        return [(str(self._meta.get_field(name).verbose_name), getattr(self, name)) for name in self.CAUSE_FIELDS]

    def causes(self) -> list[str]:
        return [str(self._meta.get_field(name).verbose_name) for name in self.CAUSE_FIELDS if getattr(self, name)]

    def clean(self) -> None:
        super().clean()
        if self.likelihood in {Likelihood.POSSIBLE, Likelihood.IMPOSSIBLE}:
            errors = {}
            if not any(getattr(self, name) for name in self.CAUSE_FIELDS):
                errors["cause_other"] = f"完成目标可能性为“{self.get_likelihood_display()}”时，请勾选偏差原因。"
            if not self.suggestion.strip():
                errors["suggestion"] = f"完成目标可能性为“{self.get_likelihood_display()}”时，请填写相关建议。"
            if errors:
                raise ValidationError(errors)


class MonitoringEvent(WorkflowEventBase):
    """One step of a monitoring form's review: who did what, when, with which comment."""

    form = models.ForeignKey(MonitoringForm, verbose_name="监控表", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=16, choices=MonitoringAction.choices)

    objects = scoped_queryset("form__declaration__project__department").as_manager()

    class Meta(WorkflowEventBase.Meta):
        verbose_name = "监控表审核记录"
        verbose_name_plural = "监控表审核记录"


class MonitoringDecision(models.Model):
    """What the finance bureau or the department head decided for a monitored project, with a reason and the date
    by which the department responds."""

    form = models.ForeignKey(MonitoringForm, verbose_name="监控表", on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField("处理意见", max_length=16, choices=MonitoringDecisionKind.choices)
    reason = models.TextField("理由")
    respond_by = models.DateField("部门反馈期限")
    light = models.CharField("决定时的项目灯", max_length=8, blank=True, choices=list(LIGHT_LABELS.items()))
    decided_by = models.ForeignKey(User, verbose_name="决定人", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("决定时间", auto_now_add=True)

    objects = scoped_queryset("form__declaration__project__department").as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "运行监控处理意见"
        verbose_name_plural = "运行监控处理意见"
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.form}"
