"""Declaration workflow (§7): submit, withdraw, approve, return, adjustment requests — each logged with who and when."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from indicators.choices import GoalKind
from indicators.services.checking import ERROR
from indicators.services.text import join_sentences

from ..access import declaration_department_id, declaration_rights, is_filer_of, is_finance_of, is_head_of
from ..choices import DeclarationAction, DeclarationStatus
from ..locking import workflow_transition
from ..models import DeclarationEvent, DepartmentDeclaration, ProjectDeclaration
from ..signals import declaration_approved
from .findings import declaration_findings
from .review.data import declaration_review_findings, department_declaration_review_findings
from .review.inputs import BASIS, ESTIMATION, GOALS


class WorkflowError(Exception):
    """A transition that is not allowed; the message is for the user."""


@dataclass(frozen=True)
class Problem:
    """A reason a declaration cannot be submitted, and where on the page it belongs."""

    place: str  # a header field name, or one of: funding, expenses, goals, indicators
    message: str


def declaration_problems(declaration: ProjectDeclaration) -> list[Problem]:
    """What must be fixed before a project declaration can be submitted (the checker's errors included)."""
    problems = []
    required = {
        "supervising_unit": "请填写项目主管部门。",
        "executing_unit": "请填写项目执行单位。",
        "leader": "请填写项目负责人。",
        "phone": "请填写联系电话。",
        "annual_budget": "请填写项目当年预算。",
    }
    for field, message in required.items():
        if getattr(declaration, field) in (None, ""):
            problems.append(Problem(field, message))
    if not (declaration.application_reason or declaration.main_content or declaration.implementation_plan).strip():
        problems.append(Problem("application_reason", "请填写项目申请理由或主要内容。"))
    if not declaration.funding_sources.exists():
        problems.append(Problem("funding", "请填写资金来源。"))
    if not declaration.expense_items.exists():
        problems.append(Problem("expenses", "请填写项目支出明细。"))
    if not declaration.goals.filter(kind=GoalKind.OVERALL).exclude(text="").exists():
        problems.append(Problem("goals", "请填写项目绩效总目标。"))
    indicators = list(declaration.indicators.select_related("level1"))
    present = {i.level1.code for i in indicators if i.level1_id}
    labels = {"output": "产出指标", "benefit": "效益指标", "satisfaction": "满意度指标"}
    for code, label in labels.items():
        if code not in present:
            problems.append(Problem("indicators", f"“{label}”至少需要一行三级指标。"))
    for row in indicators:
        if not row.level1_id or not row.level2_id:
            problems.append(Problem("indicators", f"第 {row.seq} 行“{row.name}”请选择一级和二级指标。"))
        if not row.target.strip():
            problems.append(Problem("indicators", f"第 {row.seq} 行“{row.name}”请填写指标值。"))
    problems += _weight_problems(declaration, indicators)
    places = {
        "funding_total": "funding", "expense_total": "expenses", "funding_vs_annual": "funding",
        "expense_vs_annual": "expenses", "annual_over_total": "annual_budget",
    }  # fmt: skip
    for finding in declaration_findings(declaration):
        if finding.severity == ERROR:
            problems.append(Problem(places.get(finding.code, "indicators"), finding.message))
    # The target-quality review blocks only where a rule row of severity 错误 says so (阻止提交).
    review_places = {BASIS: "basis", GOALS: "goals", ESTIMATION: "estimation_basis"}
    for finding in declaration_review_findings(declaration):
        if finding.blocking:
            place = review_places.get(finding.place, "indicators")
            problems.append(Problem(place, f"{finding.field}：{finding.message}"))
    return problems


def department_declaration_problems(declaration: DepartmentDeclaration) -> list[Problem]:
    """What must be fixed before a 部门整体 declaration can be submitted: the target-quality review's findings
    whose rule row is marked 阻止提交 (none by default)."""
    places = {GOALS: "goals"}
    return [
        Problem(places.get(finding.place, "indicators"), f"{finding.field}：{finding.message}")
        for finding in department_declaration_review_findings(declaration)
        if finding.blocking
    ]


def _weight_problems(declaration, indicators) -> list[Problem]:
    """Where rows carry 分值, they follow the declaration's scheme: one pool shared by every row (湖北 60, 四川 90),
    or each 一级's rows adding up to that 一级's points (财政部 50/30/10); with points printed per form (河北) the
    rows only may not pass the scheme's maximum."""
    weighted = [row for row in indicators if row.weight is not None]
    if not weighted:
        return []
    if len(weighted) != len(indicators):
        return [Problem("indicators", "分值要么每行都填写，要么都不填写。")]
    scheme = declaration.scheme
    sections = list(scheme.sections.all())
    total = sum((row.weight for row in weighted), Decimal(0))
    pool = next((s for s in sections if s.kind == "indicators"), None)
    if pool is not None and pool.points is not None:
        if total == pool.points:
            return []
        return [
            Problem(
                "indicators",
                f"各行分值合计 {_plain(total)}，按{scheme.name}，“{pool.name}”共 {_plain(pool.points)} 分，"
                f"各行分值合计应为 {_plain(pool.points)}。",
            )
        ]
    points = {s.code: s.points for s in sections if s.kind == "level1" and s.points is not None}
    if not points:
        maximum = scheme.maximum()
        if total > maximum:
            return [Problem("indicators", f"各行分值合计 {_plain(total)}，超过{scheme.name}的满分 {_plain(maximum)}。")]
        return []
    sums: dict[str, Decimal] = {}
    labels = {s.code: s.name for s in sections}
    for row in weighted:
        if row.level1_id and row.level1.code in points:
            sums[row.level1.code] = sums.get(row.level1.code, Decimal(0)) + row.weight
            labels[row.level1.code] = row.level1.name
    return [
        Problem(
            "indicators",
            f"“{labels[code]}”各行分值合计 {_plain(sums.get(code, Decimal(0)))}，按{scheme.name}应为 {_plain(expected)}。",
        )
        for code, expected in points.items()
        if code in sums and sums[code] != expected
    ]


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _log(declaration, user, action, before, comment=""):
    DeclarationEvent.objects.create(
        project_declaration=declaration if isinstance(declaration, ProjectDeclaration) else None,
        department_declaration=None if isinstance(declaration, ProjectDeclaration) else declaration,
        action=action,
        from_status=before,
        to_status=declaration.status,
        user=user,
        comment=comment,
    )


@transaction.atomic
def declaration_submit(*, declaration, user) -> None:
    """草稿/已退回 → 已提交, refused with the problems listed when the declaration is not complete."""
    declaration = type(declaration).objects.select_for_update().get(pk=declaration.pk)
    if not declaration_rights(user, declaration).submit:
        raise WorkflowError("只有本部门的填报人可以提交草稿或已退回的申报表。")
    if isinstance(declaration, ProjectDeclaration):
        problems = declaration_problems(declaration)
    else:
        problems = department_declaration_problems(declaration)
    if problems:
        raise WorkflowError("申报表还不完整：" + join_sentences(p.message for p in problems))
    before = declaration.status
    declaration.status = DeclarationStatus.SUBMITTED
    declaration.submitted_by, declaration.submitted_at = user, timezone.now()
    with workflow_transition(declaration):
        declaration.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    _log(declaration, user, DeclarationAction.SUBMIT, before)


@transaction.atomic
def declaration_withdraw(*, declaration, user, comment: str = "") -> None:
    """已提交 → 草稿: the department's finance staff take back a submitted declaration before the head acts."""
    declaration = type(declaration).objects.select_for_update().get(pk=declaration.pk)
    if not is_finance_of(user, declaration_department_id(declaration)):
        raise WorkflowError("只有本部门的填报人可以撤回申报表。")
    if declaration.status != DeclarationStatus.SUBMITTED:
        raise WorkflowError("只能撤回已提交、尚未审核的申报表。")
    before = declaration.status
    declaration.status = DeclarationStatus.DRAFT
    with workflow_transition(declaration):
        declaration.save(update_fields=["status", "updated_at"])
    _log(declaration, user, DeclarationAction.WITHDRAW, before, comment.strip())


@transaction.atomic
def declaration_review(*, declaration, user, approve: bool, comment: str = "") -> None:
    """The department head approves (已审核) or returns (已退回, with a comment) a submitted declaration."""
    declaration = type(declaration).objects.select_for_update().get(pk=declaration.pk)
    if not is_head_of(user, declaration_department_id(declaration)):
        raise WorkflowError("只有本部门负责人可以审核申报表。")
    if declaration.status != DeclarationStatus.SUBMITTED:
        raise WorkflowError("只能审核已提交的申报表。")
    if not approve and not comment.strip():
        raise WorkflowError("退回时请填写退回意见。")
    before = declaration.status
    declaration.status = DeclarationStatus.APPROVED if approve else DeclarationStatus.RETURNED
    declaration.reviewed_by, declaration.reviewed_at = user, timezone.now()
    declaration.review_comment = comment.strip()
    with workflow_transition(declaration):
        declaration.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    _log(declaration, user, DeclarationAction.APPROVE if approve else DeclarationAction.RETURN, before, comment)
    if approve:
        transaction.on_commit(
            lambda: declaration_approved.send(sender=type(declaration), declaration_id=declaration.pk)
        )


@transaction.atomic
def declaration_request_adjustment(*, declaration, user, reason: str) -> None:
    """An approved declaration changes only through a logged adjustment request of its finance staff."""
    declaration = type(declaration).objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != DeclarationStatus.APPROVED:
        raise WorkflowError("只有已审核的申报表需要申请调整。")
    if not is_filer_of(user, declaration_department_id(declaration)):
        raise WorkflowError("只有本部门的填报人可以申请调整。")
    if not reason.strip():
        raise WorkflowError("请填写调整理由。")
    if declaration.adjustment_requested:
        raise WorkflowError("已有待处理的调整申请。")
    declaration.adjustment_requested, declaration.adjustment_reason = True, reason.strip()
    with workflow_transition(declaration):
        declaration.save(update_fields=["adjustment_requested", "adjustment_reason", "updated_at"])
    _log(declaration, user, DeclarationAction.ADJUST_REQUEST, declaration.status, reason)


@transaction.atomic
def declaration_decide_adjustment(*, declaration, user, allow: bool, comment: str = "") -> None:
    """The head allows an adjustment (the declaration becomes a draft again) or refuses it."""
    declaration = type(declaration).objects.select_for_update().get(pk=declaration.pk)
    if not is_head_of(user, declaration_department_id(declaration)):
        raise WorkflowError("只有本部门负责人可以处理调整申请。")
    if not declaration.adjustment_requested:
        raise WorkflowError("没有待处理的调整申请。")
    before = declaration.status
    declaration.adjustment_requested = False
    if allow:
        declaration.status = DeclarationStatus.DRAFT
    with workflow_transition(declaration):
        declaration.save(update_fields=["adjustment_requested", "status", "updated_at"])
    _log(
        declaration,
        user,
        DeclarationAction.ADJUST_APPROVE if allow else DeclarationAction.ADJUST_REJECT,
        before,
        comment,
    )


@transaction.atomic
def declaration_adjustment_by_decision(*, declaration, user, reason: str) -> None:
    """A monitoring decision (调整绩效目标) of the head or the finance bureau opens an adjustment request on the
    approved declaration; the head then allows it (``declaration_decide_adjustment``) and the targets are edited."""
    declaration = type(declaration).objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != DeclarationStatus.APPROVED:
        raise WorkflowError("只有已审核的申报表可以调整绩效目标。")
    if declaration.adjustment_requested:
        return  # one request at a time: the pending one stands
    declaration.adjustment_requested, declaration.adjustment_reason = True, reason.strip()
    with workflow_transition(declaration):
        declaration.save(update_fields=["adjustment_requested", "adjustment_reason", "updated_at"])
    _log(declaration, user, DeclarationAction.ADJUST_REQUEST, declaration.status, reason)
