"""The body of a self-evaluation's page (its scores, monitoring record, findings and sheet), rendered once per stamp
of what it shows and kept in the cache (``projects.page_cache``; issue 17: loading the form's rows and rendering them
were most of the page's time). Who may read the page, and what they may do on it, is decided on every request."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from projects.page_cache import cached_parts
from projects.selectors import monitoring_record
from projects.services.monitoring_figures import form_lights

from ..choices import EvaluationStatus
from ..models import EvaluationCheck, SelfEvaluation
from ..selectors import evaluation_with_rows
from ..sheets import evaluation_sheet
from .checks import evaluation_basis, scheme_stamp
from .findings import evaluation_findings


def _current_check(head: SelfEvaluation) -> EvaluationCheck | None:
    """The form's stored check when it is current (as ``refresh_one`` decides), else None."""
    try:
        check = head.check_result
    except EvaluationCheck.DoesNotExist:
        return None
    if check.signed and head.status == EvaluationStatus.SIGNED:
        return check
    expected = evaluation_basis(head.updated_at, scheme_stamp(head.scheme), head.monitoring_changed)
    return check if check.basis == expected else None


def body_stamp(head: SelfEvaluation) -> tuple | None:
    """What the page's body is made from, for a form read by ``evaluation_head``; None while its stored check is not
    current (the body is then made, and the check with it, without the cache)."""
    check = _current_check(head)
    if check is None:
        return None
    return (
        head.updated_at.isoformat(), head.declaration_id, check.pk, check.basis, check.checked_at.isoformat(),
        str(head.monitoring_changed), head.reference_version,
    )  # fmt: skip


def evaluation_page_body(head: SelfEvaluation) -> str:
    """The rendered body of the page of the form ``head`` (read by ``evaluation_head``, in the user's scope)."""
    stamp = body_stamp(head)

    def render() -> tuple[dict, bool]:
        evaluation = evaluation_with_rows(head.pk)
        sheet = evaluation_sheet(evaluation)
        monitoring = monitoring_record(evaluation.declaration_id)
        lights = form_lights(monitoring) if monitoring else None
        context = {
            **sheet,
            "evaluation": evaluation,
            "findings": evaluation_findings(evaluation),
            "monitoring": monitoring,
            "monitoring_lights": lights,
            "monitoring_rows": list(zip(monitoring.rows.all(), lights.indicators, strict=True)) if monitoring else [],
        }
        body = render_to_string("selfeval/_evaluation_detail_body.html", context)
        # Kept only when made from what the stamp names (not from a change committed in between).
        made_from = (evaluation.updated_at, sheet["result"].checked_at)
        return {"body": body}, stamp is not None and made_from == (head.updated_at, head.check_result.checked_at)

    return mark_safe(cached_parts("evaluation", head.pk, stamp, render)["body"])  # noqa: S308 - rendered by templates
