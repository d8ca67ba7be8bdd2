"""Self-evaluations (绩效自评表) and the scoring schemes they are scored under (docs/domain.md §2.3–§2.4, §5, §7).

Every figure the paper form prints about itself is kept in a ``*_printed`` field exactly as printed. What
the scoring engine computes from it has one stored copy, the form's ``EvaluationCheck`` (written only by
``services.checks.save_figures``), so that the two can be compared and neither ever overwrites the other.
"""

from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords

from indicators.models import IndicatorRowBase
from projects.access import scoped_queryset
from projects.choices import Layout
from projects.models import CheckBase, FormBase, ScoringScheme, money_field

from .choices import EvaluationKind, EvaluationStatus, QualitativeBand
from .locking import EvaluationPartQuerySet, EvaluationQuerySet, LockedEvaluationMixin, LockedPartMixin
from .services.engine import MAX_RATE, MAX_SCORE


def score_field(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=7, decimal_places=2, null=True, blank=True)


def computed_bounds(model: str, **bounds) -> list[models.CheckConstraint]:
    """The database's own bound on each figure the engine writes (``engine.MAX_RATE``, ``MAX_SCORE``), enforced
    by SQLite too: a value beyond it is refused when written, never stored to break every later read."""
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{name}__isnull": True})
            | models.Q(**{f"{name}__gte": -bound, f"{name}__lte": bound}),
            name=f"{model}_{name}_bounded",
            violation_error_message=f"计算结果超出了可保存的范围（±{bound}）。",
        )
        for name, bound in bounds.items()
    ]


class BoundsOnFilledFields:
    """A model whose ``computed_bounds`` are checked by ``full_clean`` only when the caller fills their fields.

    A form that does not fill ``score_proposed`` excludes it, and Django then answers "no error" for its bound
    after building the check's query and meeting a ``FieldError`` (about 1 ms a row on the live preview). The
    answer is the same without the query: a check on an excluded field is left out before it is built."""

    def validate_constraints(self, exclude=None):
        self._excluded = set(exclude or ())
        try:
            super().validate_constraints(exclude)
        finally:
            del self._excluded

    def get_constraints(self):
        excluded = getattr(self, "_excluded", set())
        return [
            (model, [c for c in constraints if not _checks_any(c, excluded)])
            for model, constraints in super().get_constraints()
        ]


def _checks_any(constraint, fields: set) -> bool:
    return isinstance(constraint, models.CheckConstraint) and bool(_referenced(constraint) & fields)


_REFERENCED: dict = {}  # a model's check constraint → the fields its condition reads (the model's own, made once)


def _referenced(constraint) -> frozenset:
    found = _REFERENCED.get(id(constraint))
    if found is None or found[0] is not constraint:
        found = _REFERENCED[id(constraint)] = (
            constraint,
            frozenset(models.Q(constraint.condition).referenced_base_fields),
        )
    return found[1]


class SelfEvaluation(LockedEvaluationMixin, FormBase):
    """项目支出绩效自评表 or 部门整体绩效自评表 of one year, in one layout, scored under one scheme."""

    kind = models.CharField("表类别", max_length=10, choices=EvaluationKind.choices)
    department = models.ForeignKey(
        "projects.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="self_evaluations"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name="项目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="self_evaluations",
    )
    declaration = models.ForeignKey(
        "projects.ProjectDeclaration",
        verbose_name="对应申报表",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="self_evaluations",
    )
    layout = models.CharField("表样", max_length=12, choices=Layout.choices)
    scheme = models.ForeignKey(
        ScoringScheme, verbose_name="评分方案", on_delete=models.PROTECT, related_name="self_evaluations"
    )
    eval_date_printed = models.CharField("自评时间（填报日期）", max_length=40, blank=True)
    fill_unit = models.CharField("填报单位", max_length=120, blank=True)
    supervising_unit = models.CharField("主管部门", max_length=120, blank=True)
    executing_unit = models.CharField("实施单位", max_length=200, blank=True)
    filler = models.CharField("填报人", max_length=60, blank=True)
    phone = models.CharField("联系电话", max_length=60, blank=True)
    basic_expenditure_total = money_field("基本支出总额")
    project_expenditure_total = money_field("项目支出总额")
    goal_target = models.TextField("年初设定目标（年度预期目标）", blank=True)
    goal_actual = models.TextField("全年实际完成情况", blank=True)
    problems = models.TextField("存在问题及原因（说明）", blank=True)
    improvement = models.TextField("改进措施及结果应用方案", blank=True)

    # As printed on the paper form.
    printed_total = score_field("自评得分（填报数）")
    printed_grade = models.CharField("自评等次（填报）", max_length=4, blank=True)
    printed_budget_rate = models.CharField("预算执行率（填报数）", max_length=20, blank=True)
    printed_budget_score = score_field("预算执行得分（填报数）")
    printed_completion_rate = models.CharField("总体完成率（填报数）", max_length=40, blank=True)

    # Workflow (§7).
    status = models.CharField(
        "状态", max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT, db_index=True
    )
    submitted_by = models.ForeignKey(
        "projects.User", verbose_name="提交人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        "projects.User", verbose_name="签署人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField("签署时间", null=True, blank=True)
    signed_digest = models.CharField("签署内容摘要（SHA-256）", max_length=64, blank=True)

    objects = EvaluationQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "绩效自评表"
        verbose_name_plural = "绩效自评表"
        ordering = ["-year", "department__code", "kind", "project__key"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=EvaluationStatus.SIGNED)
                | (models.Q(signed_by__isnull=False, signed_at__isnull=False) & ~models.Q(signed_digest="")),
                name="signed_evaluation_has_signature",
                violation_error_message="已签署的自评表必须有签署人、签署时间和内容摘要。",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=EvaluationKind.PROJECT, project__isnull=False)
                | models.Q(kind=EvaluationKind.DEPARTMENT, project__isnull=True),
                name="evaluation_kind_matches_project",
                violation_error_message="项目自评表必须选择项目，部门整体自评表不选项目。",
            ),
            models.UniqueConstraint(
                fields=["project", "year"],
                condition=models.Q(kind=EvaluationKind.PROJECT),
                name="one_project_evaluation_per_year",
            ),
            models.UniqueConstraint(
                fields=["department", "year"],
                condition=models.Q(kind=EvaluationKind.DEPARTMENT),
                name="one_department_evaluation_per_year",
            ),
        ]

    def __str__(self) -> str:
        subject = self.project.name if self.project_id else f"{self.department} 部门整体"
        return f"{self.year}年 {subject} 自评表"


class EvaluationSection(LockedPartMixin, models.Model):
    """A scored section of one form: its points as printed on the form and its printed and computed scores."""

    evaluation = models.ForeignKey(
        SelfEvaluation, verbose_name="自评表", on_delete=models.CASCADE, related_name="sections"
    )
    seq = models.PositiveSmallIntegerField("序号")
    code = models.SlugField("编码", max_length=20)
    name = models.CharField("名称", max_length=60)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    printed_score = score_field("得分（填报数）")
    score_final = score_field("评定得分")

    history = HistoricalRecords()
    objects = EvaluationPartQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "自评分项"
        verbose_name_plural = "自评分项"
        ordering = ["evaluation", "seq"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "code"], name="evaluation_section_code_unique")]

    def __str__(self) -> str:
        return self.name


class EvaluationFunding(LockedPartMixin, models.Model):
    """A money row: 年度资金总额 and its sources (Hubei), 财政资金/其他 (Hebei), 预算执行情况 (department)."""

    evaluation = models.ForeignKey(
        SelfEvaluation, verbose_name="自评表", on_delete=models.CASCADE, related_name="funding_rows"
    )
    seq = models.PositiveSmallIntegerField("序号")
    name = models.CharField("资金项目", max_length=60)
    is_total = models.BooleanField("合计行", default=False)
    part_of = models.ForeignKey(
        "self",
        verbose_name="其中行所属合计行",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
        help_text="本行是该合计行的“其中”行：合计行与其中各行相互核对。",
    )
    budget_initial = money_field("年初预算数")
    budget = money_field("全年预算数（A）")
    received = money_field("到位数")
    executed = money_field("全年执行数（B）")
    rate_printed = models.CharField("预算执行率（填报数）", max_length=20, blank=True)
    score_printed = score_field("得分（填报数）")

    history = HistoricalRecords()
    objects = EvaluationPartQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "项目资金"
        verbose_name_plural = "项目资金"
        ordering = ["evaluation", "seq"]

    def __str__(self) -> str:
        return self.name


class EvaluationGoal(LockedPartMixin, models.Model):
    """A 年度目标 of a department overall self-evaluation (002), with its points and subtotal."""

    evaluation = models.ForeignKey(
        SelfEvaluation, verbose_name="自评表", on_delete=models.CASCADE, related_name="goals"
    )
    seq = models.PositiveSmallIntegerField("序号")
    title = models.TextField("目标内容", blank=True)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, null=True, blank=True)
    printed_score = score_field("得分（填报数）")

    history = HistoricalRecords()
    objects = EvaluationPartQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "年度目标"
        verbose_name_plural = "年度目标"
        ordering = ["evaluation", "seq"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "seq"], name="evaluation_goal_seq_unique")]

    def __str__(self) -> str:
        return f"年度目标{self.seq}"


class EvaluationRow(BoundsOnFilledFields, LockedPartMixin, IndicatorRowBase):
    """A row of a self-evaluation's indicator table: target, actual, reason and the three kinds of score."""

    evaluation = models.ForeignKey(SelfEvaluation, verbose_name="自评表", on_delete=models.CASCADE, related_name="rows")
    section = models.ForeignKey(
        EvaluationSection,
        verbose_name="所属分项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rows",
    )
    goal = models.ForeignKey(
        EvaluationGoal,
        verbose_name="所属年度目标",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rows",
    )
    # The declaration's row this one was started from: how the cross-stage checker finds the row's 运行监控 record
    # (not by the 三级 name, which may be reworded or repeated). A plain reference, no constraint or cascade: an
    # indicator removed by a later adjustment must neither be blocked by nor change a signed form. Not part of
    # what a signature covers (``signoff.PART_FIELDS``).
    source_indicator = models.ForeignKey(
        "projects.Indicator",
        verbose_name="来源申报表指标",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actual = models.CharField("实际完成值", max_length=300, blank=True)
    reason = models.TextField("未完成原因（偏差原因）", blank=True)
    score_printed = score_field("自评分（填报数）")
    score_proposed = score_field("建议得分（计算）")
    band = models.CharField("定性档次", max_length=10, choices=QualitativeBand.choices, blank=True)
    score_final = score_field("评定得分")
    score_reason = models.TextField("评定得分与建议得分不同的理由", blank=True)

    history = HistoricalRecords()
    objects = EvaluationPartQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        verbose_name = "自评指标"
        verbose_name_plural = "自评指标"
        ordering = ["evaluation", "seq"]
        constraints = computed_bounds("evaluation_row", score_proposed=MAX_SCORE)

    @property
    def score_differs(self) -> bool:
        return (
            self.score_printed is not None and self.score_final is not None and self.score_printed != self.score_final
        )


class EvaluationEvent(models.Model):
    """One step of a self-evaluation's workflow (§7): submitted, withdrawn, returned, signed, reopened — who, when,
    with which comment (a return's reason, a signature's remark)."""

    ACTIONS = [("submit", "提交"), ("withdraw", "撤回"), ("return", "退回"), ("sign", "签署"), ("reopen", "重新打开")]

    evaluation = models.ForeignKey(
        SelfEvaluation, verbose_name="自评表", on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField("操作", max_length=10, choices=ACTIONS)
    user = models.ForeignKey("projects.User", verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("意见或理由", blank=True)
    digest = models.CharField("内容摘要（SHA-256）", max_length=64, blank=True)

    objects = scoped_queryset("evaluation__department").as_manager()

    class Meta:
        verbose_name = "自评表流程记录"
        verbose_name_plural = "自评表流程记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.user} · {self.at:%Y-%m-%d %H:%M}"


class EvaluationCheck(CheckBase):
    """What the scoring engine and the consistency checker say about one self-evaluation: the one stored copy
    of every computed figure (total, grade, budget rate and score, section and goal scores, each funding line's
    rate, findings), read by the lists, the overviews, the home page, the sheet and the API.

    Derived data, never edited, written only by ``services.checks.save_figures``: it is made again whenever
    its basis — the form's last change, its scheme's rules and the engine's and checker's versions — is no
    longer the form's. A signed form's check is what was computed when it was signed and is never made again
    (not even by a new engine version) until the form is reopened.
    """

    evaluation = models.OneToOneField(
        SelfEvaluation, verbose_name="自评表", on_delete=models.CASCADE, related_name="check_result"
    )
    computed_total = score_field("总分（计算）")
    grade = models.CharField("等次（计算）", max_length=4, blank=True)
    budget_rate = models.DecimalField("预算执行率（计算）", max_digits=9, decimal_places=4, null=True, blank=True)
    budget_score = score_field("预算执行得分（计算）")
    section_scores = models.JSONField("分项得分（计算）", default=dict, blank=True, help_text="分项编码 → 得分")
    funding_rates = models.JSONField("各资金行执行率（计算）", default=dict, blank=True, help_text="序号 → 执行率")
    signed = models.BooleanField("签署时的结果", default=False, help_text="签署时计算的结果，不再重新计算。")
    unmet = models.JSONField("未达到目标的指标", default=list, blank=True)

    objects = scoped_queryset("evaluation__department").as_manager()

    class Meta:
        verbose_name = "自评表检查结果"
        verbose_name_plural = "自评表检查结果"
        constraints = computed_bounds(
            "evaluation_check", computed_total=MAX_SCORE, budget_rate=MAX_RATE, budget_score=MAX_SCORE
        )

    def __str__(self) -> str:
        return f"{self.evaluation_id} 的检查结果"

    @property
    def total(self):
        return self.computed_total

    def section_score(self, code: str) -> Decimal | None:
        """The computed score of a section (or ``goal<seq>``), as stored."""
        value = self.section_scores.get(code)
        return None if value is None else Decimal(value)

    def funding_rate(self, seq: int) -> Decimal | None:
        value = self.funding_rates.get(str(seq))
        return None if value is None else Decimal(value)
