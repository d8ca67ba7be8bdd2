"""绩效运行监控: start a monitoring form from an approved declaration, save it, submit, review, record decisions, and
read its lights (the maths is in ``monitoring_lights``). Each step is atomic and logged."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.services.text import join_sentences

from ..access import can_decide_monitoring, is_filer_of, is_head_of, monitoring_rights
from ..choices import DeclarationStatus, MonitoringAction, MonitoringDecisionKind
from ..locking import workflow_transition
from ..models import (
    MonitoringBudgetLine,
    MonitoringDecision,
    MonitoringEvent,
    MonitoringForm,
    MonitoringPeriod,
    MonitoringRow,
    MonitoringRule,
    ProjectDeclaration,
)
from ..signals import monitoring_approved
from .monitoring_checks import store_monitoring_check

# the figures live in ``monitoring_figures`` (the stored checks read them too); readers still find them here
from .monitoring_figures import Problem, budget_totals, form_lights, light_rule, monitoring_problems  # noqa: F401
from .workflow import WorkflowError, declaration_adjustment_by_decision


class MonitoringError(Exception):
    """A monitoring step that is not allowed; the message is for the user."""


class StaleMonitoring(MonitoringError):
    def __init__(self, current: MonitoringForm):
        self.current = current
        when = timezone.localtime(current.updated_at)
        super().__init__(
            f"这张监控表已在 {when:%Y-%m-%d %H:%M} 被他人修改，你看到的是旧的内容。本次没有保存；请刷新页面后重新填写。"
        )


def monitoring_rule(declaration: ProjectDeclaration) -> MonitoringRule | None:
    """The monitoring rule of the declaration's jurisdiction and year (longest 行政区划 prefix)."""
    division = declaration.project.department.division()
    return MonitoringRule.objects.rule_for(division_code=division, year=declaration.year)


def current_period(rule: MonitoringRule, year: int, today: datetime.date | None = None) -> MonitoringPeriod | None:
    """The period to fill now: in the year itself the latest one already over (else the first); a past year's last
    period; a future year's first."""
    periods = sorted(rule.periods.all(), key=lambda p: p.end_month)
    if not periods:
        return None
    today = today or timezone.localdate()
    if year < today.year:
        return periods[-1]
    over = [p for p in periods if year == today.year and p.end_month < today.month]
    return over[-1] if over else periods[0]


@transaction.atomic
def monitoring_start(
    *, declaration: ProjectDeclaration, user, period: MonitoringPeriod | None = None
) -> MonitoringForm:
    """A monitoring form for an approved declaration and a period of its rule: the budget lines are the
    declaration's funding sources (年初预算数 and 全年预算数 their amounts), the rows its indicators."""
    if not is_filer_of(user, declaration.project.department_id):
        raise MonitoringError("只有本部门的填报人可以填报运行监控表。")
    if declaration.status != DeclarationStatus.APPROVED:
        raise MonitoringError("只有已审核的申报表可以填报运行监控表。")
    rule = monitoring_rule(declaration)
    if rule is None:
        raise MonitoringError(f"没有适用于 {declaration.year} 年本地区的运行监控规则，请管理员在“运行监控规则”中添加。")
    period = period or current_period(rule, declaration.year)
    if period is None or period.rule_id != rule.pk:
        raise MonitoringError("监控期间不属于本地区本年度的运行监控规则。")
    existing = MonitoringForm.objects.filter(declaration=declaration, period=period).first()
    if existing:
        return existing
    form = MonitoringForm.objects.create(
        declaration=declaration, period=period, year=declaration.year, end_month=period.end_month, unit=declaration.unit
    )
    MonitoringBudgetLine.objects.bulk_create(
        MonitoringBudgetLine(
            form=form,
            seq=i,
            name=source.name,
            level=source.level,
            initial_budget=source.amount,
            annual_budget=source.amount,
        )  # fmt: skip
        for i, source in enumerate(declaration.funding_sources.order_by("seq"), start=1)
    )
    MonitoringRow.objects.bulk_create(
        MonitoringRow(
            form=form,
            indicator=row,
            seq=i,
            name=row.name,
            target=row.target,
            nature=row.nature,
            comparator=row.comparator,
            unit=row.unit,
            level1=row.level1.name if row.level1_id else row.level1_printed,
            level2=row.level2.name if row.level2_id else row.level2_printed,
        )  # fmt: skip
        for i, row in enumerate(declaration.indicators.select_related("level1", "level2").order_by("seq"), start=1)
    )
    _log(form, user, MonitoringAction.CREATE, "")
    store_monitoring_check(form.pk)
    return form


def _log(form, user, action, before, comment=""):
    MonitoringEvent.objects.create(
        form=form, action=action, from_status=before, to_status=form.status, user=user, comment=comment
    )


def _locked(form: MonitoringForm) -> MonitoringForm:
    return MonitoringForm.objects.select_for_update().select_related("declaration__project").get(pk=form.pk)


@transaction.atomic
def monitoring_save(
    *, form: MonitoringForm, user, version: int, spending_plan: str, budget_lines, rows, channel: str = ""
) -> None:
    """Save the page (or an Excel import, an API write: ``channel`` is logged): the plan, the budget lines and the
    rows (instances from the page's forms); refused whole when the form changed since ``version`` was read or may
    not be edited."""
    current = _locked(form)
    if not monitoring_rights(user, current).edit:
        raise MonitoringError("这张监控表现在不能由你修改。")
    if version != current.version:
        raise StaleMonitoring(current)
    ids = {line.pk for line in budget_lines} | {row.pk for row in rows}
    owned = set(current.budget_lines.values_list("pk", flat=True)) | set(current.rows.values_list("pk", flat=True))
    if not ids <= owned:
        raise MonitoringError("提交的行不属于这张监控表。")
    for item in [*budget_lines, *rows]:
        try:
            item.full_clean()
        except ValidationError as exc:
            raise MonitoringError(f"“{item}”：" + join_sentences(exc.messages)) from None
        item.save()
    current.spending_plan = spending_plan
    current.version += 1
    current.save(update_fields=["spending_plan", "version", "updated_at"])
    _log(current, user, MonitoringAction.EDIT, current.status, channel)
    store_monitoring_check(current.pk)


@transaction.atomic
def monitoring_submit(*, form: MonitoringForm, user) -> None:
    current = _locked(form)
    if not monitoring_rights(user, current).submit:
        raise MonitoringError("只有本部门的填报人可以提交草稿或已退回的监控表。")
    problems = monitoring_problems(current)
    if problems:
        raise MonitoringError("监控表还不完整：" + join_sentences(p.message for p in problems))
    before = current.status
    current.status, current.submitted_by, current.submitted_at = DeclarationStatus.SUBMITTED, user, timezone.now()
    with workflow_transition(current):
        current.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    _log(current, user, MonitoringAction.SUBMIT, before)
    store_monitoring_check(current.pk)


@transaction.atomic
def monitoring_review(*, form: MonitoringForm, user, approve: bool, comment: str = "") -> None:
    """The head approves (locked) or returns (editable again, with a comment) a submitted monitoring form."""
    current = _locked(form)
    if not is_head_of(user, current.declaration.project.department_id):
        raise MonitoringError("只有本部门负责人可以审核监控表。")
    if current.status != DeclarationStatus.SUBMITTED:
        raise MonitoringError("只能审核已提交的监控表。")
    if not approve and not comment.strip():
        raise MonitoringError("退回时请填写退回意见。")
    before = current.status
    current.status = DeclarationStatus.APPROVED if approve else DeclarationStatus.RETURNED
    current.reviewed_by, current.reviewed_at, current.review_comment = user, timezone.now(), comment.strip()
    with workflow_transition(current):
        current.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    _log(current, user, MonitoringAction.APPROVE if approve else MonitoringAction.RETURN, before, comment.strip())
    store_monitoring_check(current.pk)
    if approve:  # its PDF is rendered once and kept (``reports.services.stored``)
        transaction.on_commit(lambda: monitoring_approved.send(sender=MonitoringForm, form_id=current.pk))


@transaction.atomic
def monitoring_decide(
    *, form: MonitoringForm, user, kind: str, reason: str, respond_by: datetime.date | None
) -> MonitoringDecision:
    """Record a decision for the project; 调整绩效目标 also opens an adjustment request on the declaration, which the
    head allows through the declaration's own adjustment workflow (the adjusted targets are its next version)."""
    current = _locked(form)
    if not can_decide_monitoring(user, current.declaration.project.department_id):
        raise MonitoringError("只有部门负责人或财政部门可以作出运行监控处理意见。")
    if current.status == DeclarationStatus.DRAFT:
        raise MonitoringError("监控表提交后才能作出处理意见。")
    if kind not in MonitoringDecisionKind.values:
        raise MonitoringError("请选择处理意见。")
    if not reason.strip():
        raise MonitoringError("请填写处理理由。")
    if respond_by is None:
        raise MonitoringError("请填写部门反馈期限。")
    if respond_by < timezone.localdate():
        raise MonitoringError("部门反馈期限不能早于今天。")
    light = form_lights(current).worst.colour
    decision = MonitoringDecision.objects.create(
        form=current, kind=kind, reason=reason.strip(), respond_by=respond_by, light=light, decided_by=user
    )
    label = MonitoringDecisionKind(kind).label
    _log(
        current,
        user,
        MonitoringAction.DECIDE,
        current.status,
        f"{label}：{reason.strip()}（{respond_by:%Y-%m-%d} 前反馈）",
    )
    if kind == MonitoringDecisionKind.ADJUST_TARGETS:
        try:
            declaration_adjustment_by_decision(
                declaration=current.declaration,
                user=user,
                reason=f"运行监控（{current.period}）处理意见：{reason.strip()}",
            )
        except WorkflowError as exc:
            raise MonitoringError(str(exc)) from None
    return decision
