"""The rights of a user on a self-evaluation, from the predicates of ``projects.access``."""

from projects.access import Rights, can_enter_printed, is_filer_of, is_finance_of, is_head_of

from .choices import EvaluationStatus


def evaluation_rights(user, evaluation) -> Rights:
    """Finance staff fill and submit a draft and may withdraw it while it waits; the head signs or returns a
    submitted form and reopens a signed one."""
    filer, head = is_filer_of(user, evaluation.department_id), is_head_of(user, evaluation.department_id)
    draft = evaluation.status == EvaluationStatus.DRAFT
    submitted = evaluation.status == EvaluationStatus.SUBMITTED
    return Rights(
        edit=draft and filer,
        submit=draft and filer,
        sign=submitted and head,
        reopen=evaluation.status == EvaluationStatus.SIGNED and head,
        withdraw=submitted and is_finance_of(user, evaluation.department_id),
        send_back=submitted and head,
        # a signed form keeps what was signed; before that its printed figures may be entered as received
        enter_printed=evaluation.status != EvaluationStatus.SIGNED
        and can_enter_printed(user, evaluation.department_id),
    )
