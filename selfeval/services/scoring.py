"""Score a self-evaluation: load it through one selector, run the pure engine, store the figures (its check)."""

from django.db import transaction

from ..choices import EvaluationStatus
from ..locking import EvaluationLocked
from ..models import SelfEvaluation
from ..selectors import evaluation_with_rows, evaluations_with_rows
from . import engine
from .adapters import form_input
from .checks import save_all_figures, save_figures


@transaction.atomic
def evaluation_score(*, evaluation_id: int) -> engine.FormResult:
    """Compute the budget rate and score, each row's proposal, section scores, total and grade, and store them
    (``checks.save_figures``, the one writer of the computed figures). A signed form is not scored again."""
    evaluation = evaluation_with_rows(evaluation_id, for_update=True)
    if evaluation.status == EvaluationStatus.SIGNED:
        raise EvaluationLocked(f"“{evaluation}”")
    result = engine.score_form(form_input(evaluation))
    save_figures(evaluation, result)
    return result


RESCORE_BATCH = 200


def rescore_year(year: int, *, department_ids: list[int] | None = None) -> int:
    """Score again every self-evaluation of ``year`` that is not signed; how many. In batches of forms, each in
    one transaction: the batch locked and loaded with a fixed number of queries, scored by the engine, and its
    figures stored in bulk (``checks.save_all_figures``) — the same figures as scoring each form on its own."""
    qs = SelfEvaluation.objects.filter(year=year).exclude(status=EvaluationStatus.SIGNED)
    if department_ids is not None:
        qs = qs.filter(department_id__in=department_ids)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    count = 0
    for start in range(0, len(ids), RESCORE_BATCH):
        with transaction.atomic():
            batch = evaluations_with_rows(ids[start : start + RESCORE_BATCH], for_update=True)
            batch = [e for e in batch if e.status != EvaluationStatus.SIGNED]  # signed meanwhile: kept as signed
            save_all_figures([(e, engine.score_form(form_input(e))) for e in batch])
        count += len(batch)
    return count
