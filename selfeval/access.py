"""The rights of a user on a self-evaluation, from the predicates of ``projects.access``."""

from projects.access import Rights, is_filer_of, is_head_of

from .choices import EvaluationStatus


def evaluation_rights(user, evaluation) -> Rights:
    """Finance staff fill and submit a draft; the head signs a submitted form and reopens a signed one."""
    filer, head = is_filer_of(user, evaluation.department_id), is_head_of(user, evaluation.department_id)
    draft = evaluation.status == EvaluationStatus.DRAFT
    return Rights(
        edit=draft and filer,
        submit=draft and filer,
        sign=evaluation.status == EvaluationStatus.SUBMITTED and head,
        reopen=evaluation.status == EvaluationStatus.SIGNED and head,
    )
