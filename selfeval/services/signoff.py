"""Submit, withdraw, return, sign and reopen a self-evaluation; the signed content is fixed by a SHA-256 digest.

Every step writes an ``EvaluationEvent`` (who, when, the comment); a return's comment is what finance staff read
on the form and on the home page (``selfeval.selectors.with_last_step``).
"""

import hashlib
import json
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from projects.access import is_filer_of, is_finance_of, is_head_of
from projects.locking import workflow_transition

from ..choices import EvaluationStatus
from ..models import EvaluationEvent, SelfEvaluation
from ..selectors import evaluation_with_rows
from ..signals import evaluation_signed
from .checks import save_figures
from .findings import BLOCKING, evaluation_findings

CONTENT_FIELDS = [
    "kind", "department_id", "project_id", "year", "unit", "layout", "scheme_id", "eval_date_printed", "fill_unit",
    "supervising_unit", "executing_unit", "filler", "phone", "basic_expenditure_total", "project_expenditure_total",
    "goal_target", "goal_actual", "problems", "improvement", "printed_total", "printed_grade", "printed_budget_rate",
    "printed_budget_score", "printed_completion_rate",
]  # fmt: skip
PART_FIELDS = {
    "sections": ["seq", "code", "name", "points", "printed_score", "score_final"],
    "funding_rows": ["seq", "name", "is_total", "budget_initial", "budget", "received", "executed", "rate_printed", "score_printed"],
    "goals": ["seq", "title", "points", "printed_score"],
    "rows": [
        "seq", "level1_printed", "level2_printed", "level1_id", "level2_id", "name", "target", "actual", "reason",
        "weight", "score_printed", "band", "score_final", "score_reason",
    ],
}  # fmt: skip


class SignoffError(Exception):
    """A transition that is not allowed; the message is for the user."""


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def evaluation_content(evaluation: SelfEvaluation) -> dict:
    """What a signature covers: every filled and printed figure of the form and its parts (no workflow fields)."""
    content = {name: _plain(getattr(evaluation, name)) for name in CONTENT_FIELDS}
    for relation, fields in PART_FIELDS.items():
        parts = sorted(getattr(evaluation, relation).all(), key=lambda p: p.seq)
        content[relation] = [{f: _plain(getattr(p, f)) for f in fields} for p in parts]
    return content


def evaluation_digest(evaluation: SelfEvaluation) -> str:
    canonical = json.dumps(evaluation_content(evaluation), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def digest_matches(evaluation_id: int) -> bool:
    """Recompute the digest of a signed form: True when nothing changed since it was signed."""
    evaluation = evaluation_with_rows(evaluation_id)
    return bool(evaluation.signed_digest) and evaluation_digest(evaluation) == evaluation.signed_digest


@transaction.atomic
def evaluation_sign(*, evaluation_id: int, user, comment: str = "", seen_digest: str | None = None) -> SelfEvaluation:
    """Only the head of the form's department signs a submitted form: status, signer, time and digest; an
    optional comment is logged with the signature. ``seen_digest`` is the digest of the form as the head's
    confirmation showed it: a form changed since (withdrawn, edited and submitted again) is not signed unseen."""
    evaluation = evaluation_with_rows(evaluation_id, for_update=True)
    if not is_head_of(user, evaluation.department_id):
        raise SignoffError("只有本部门负责人可以签署自评表。")
    if evaluation.status != EvaluationStatus.SUBMITTED:
        raise SignoffError("只能签署已提交的自评表。")
    digest = evaluation_digest(evaluation)
    if seen_digest is not None and seen_digest != digest:
        raise SignoffError("自评表在你确认之后有变动，本次没有签署；请重新核对总分和等次后再签署。")
    evaluation.status = EvaluationStatus.SIGNED
    evaluation.signed_by, evaluation.signed_at, evaluation.signed_digest = user, timezone.now(), digest
    with workflow_transition(evaluation):
        evaluation.save(update_fields=["status", "signed_by", "signed_at", "signed_digest", "updated_at"])
    save_figures(evaluation)  # its last change moved: the stored figures follow
    EvaluationEvent.objects.create(
        evaluation=evaluation, action="sign", user=user, digest=digest, comment=comment.strip()
    )
    transaction.on_commit(lambda: evaluation_signed.send(sender=SelfEvaluation, evaluation_id=evaluation.pk))
    return evaluation


@transaction.atomic
def evaluation_return(*, evaluation_id: int, user, comment: str) -> SelfEvaluation:
    """The head returns a submitted form to finance staff with a required comment; it becomes a draft again."""
    evaluation = evaluation_with_rows(evaluation_id, for_update=True)
    if not is_head_of(user, evaluation.department_id):
        raise SignoffError("只有本部门负责人可以退回自评表。")
    if evaluation.status != EvaluationStatus.SUBMITTED:
        raise SignoffError("只能退回已提交、尚未签署的自评表。")
    if not comment.strip():
        raise SignoffError("退回时请填写退回意见，说明需要修改的内容。")
    return _back_to_draft(evaluation, user, "return", comment)


@transaction.atomic
def evaluation_withdraw(*, evaluation_id: int, user, comment: str = "") -> SelfEvaluation:
    """Finance staff of the department take back a submitted form before the head signs or returns it."""
    evaluation = evaluation_with_rows(evaluation_id, for_update=True)
    if not is_finance_of(user, evaluation.department_id):
        raise SignoffError("只有本部门的填报人可以撤回自评表。")
    if evaluation.status != EvaluationStatus.SUBMITTED:
        raise SignoffError("只能撤回已提交、尚未签署的自评表。")
    return _back_to_draft(evaluation, user, "withdraw", comment)


def _back_to_draft(evaluation: SelfEvaluation, user, action: str, comment: str) -> SelfEvaluation:
    """A submitted form becomes a draft again (returned or withdrawn): the step, its stored figures and its log."""
    evaluation.status = EvaluationStatus.DRAFT
    with workflow_transition(evaluation):
        evaluation.save(update_fields=["status", "updated_at"])
    save_figures(evaluation)  # its last change moved: the stored figures follow
    EvaluationEvent.objects.create(evaluation=evaluation, action=action, user=user, comment=comment.strip())
    return evaluation


@transaction.atomic
def evaluation_reopen(*, evaluation_id: int, user, reason: str) -> SelfEvaluation:
    """The head reopens a signed form with a written reason; it becomes a draft again and the step is logged."""
    evaluation = evaluation_with_rows(evaluation_id, for_update=True)
    if not is_head_of(user, evaluation.department_id):
        raise SignoffError("只有本部门负责人可以重新打开已签署的自评表。")
    if evaluation.status != EvaluationStatus.SIGNED:
        raise SignoffError("只有已签署的自评表需要重新打开。")
    if len(reason.strip()) < 4:
        raise SignoffError("请写明重新打开的理由。")
    old_digest = evaluation.signed_digest
    evaluation.status = EvaluationStatus.DRAFT
    evaluation.signed_by, evaluation.signed_at, evaluation.signed_digest = None, None, ""
    with workflow_transition(evaluation):
        evaluation.save(update_fields=["status", "signed_by", "signed_at", "signed_digest", "updated_at"])
    save_figures(evaluation)  # its last change moved: the stored figures follow
    EvaluationEvent.objects.create(
        evaluation=evaluation, action="reopen", user=user, comment=reason.strip(), digest=old_digest
    )
    return evaluation


class SubmitBlocked(SignoffError):
    """Findings that must be fixed before submitting; ``findings`` lists them."""

    def __init__(self, findings):
        super().__init__("自评表还有须更正的内容，未提交。")
        self.findings = findings


def blocking_findings(evaluation: SelfEvaluation) -> list:

    return [f for f in evaluation_findings(evaluation) if f.code in BLOCKING]


@transaction.atomic
def evaluation_submit(*, evaluation_id: int, user) -> SelfEvaluation:
    """Finance staff of the department submit a draft; blocking findings refuse it and are listed."""
    evaluation = evaluation_with_rows(evaluation_id, for_update=True)
    if not is_filer_of(user, evaluation.department_id):
        raise SignoffError("只有本部门的填报人可以提交自评表。")
    if evaluation.status != EvaluationStatus.DRAFT:
        raise SignoffError("只能提交草稿状态的自评表。")
    blocked = blocking_findings(evaluation)
    if blocked:
        raise SubmitBlocked(blocked)
    evaluation.status = EvaluationStatus.SUBMITTED
    evaluation.submitted_by, evaluation.submitted_at = user, timezone.now()
    with workflow_transition(evaluation):
        evaluation.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    save_figures(evaluation)  # its last change moved: the stored figures follow
    EvaluationEvent.objects.create(evaluation=evaluation, action="submit", user=user)
    return evaluation
