"""Rescale a self-evaluation's row weights to its sections' points, shown first and applied on request."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..access import evaluation_rights
from ..models import SelfEvaluation
from ..selectors import evaluation_with_rows
from .scoring import evaluation_score
from .weights import RowWeight, SectionPlan, SectionWeights, rescale_plan


class RescaleError(Exception):
    """The weights cannot be rescaled now; the message is for the user."""


def evaluation_weight_plan(evaluation: SelfEvaluation) -> list[SectionPlan]:
    """For each section whose rows' weights do not add up to its points, the weights a rescale gives (a form
    loaded by ``evaluation_with_rows``; no query)."""
    rows = sorted(evaluation.rows.all(), key=lambda row: row.seq)
    return rescale_plan(
        [
            SectionWeights(
                section.code,
                section.name,
                section.points,
                tuple(
                    RowWeight(r.pk, f"第 {r.seq} 行“{r.name}”", r.weight) for r in rows if r.section_id == section.pk
                ),
            )
            for section in sorted(evaluation.sections.all(), key=lambda s: s.seq)
        ]
    )


@transaction.atomic
def evaluation_rescale(*, evaluation_id: int, user, version: str | None) -> list[SectionPlan]:
    """Apply the plan shown at ``version`` (the form's ``updated_at``): refused when the form changed since."""
    evaluation = evaluation_with_rows(evaluation_id, for_update=True)
    if not evaluation_rights(user, evaluation).edit:
        raise PermissionDenied("这张自评表现在不能由你填写。")
    if version != evaluation.updated_at.isoformat():
        raise RescaleError("这张自评表在你查看调整方案后被修改过，本次没有调整，请重新查看调整方案。")
    plan = evaluation_weight_plan(evaluation)
    if not plan:
        raise RescaleError("各分项的分值合计已与分值一致，无需调整。")
    rows = {row.pk: row for row in evaluation.rows.all()}
    for section in plan:
        for change in section.rows:
            row = rows[change.key]
            if row.weight != change.new:
                row.weight = change.new
                row._change_reason = "按比例调整分值"
                row.save(update_fields=["weight"])
    evaluation.save(update_fields=["updated_at"])  # the version moves
    evaluation_score(evaluation_id=evaluation.pk)
    return plan
