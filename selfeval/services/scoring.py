"""Score a self-evaluation: load it through one selector, run the pure engine, store the figures (its check)."""

from django.db import transaction

from projects.services.pool import over_batches

from ..choices import EvaluationStatus
from ..locking import EvaluationLocked
from ..models import SelfEvaluation
from ..selectors import evaluation_with_rows
from . import batch, engine
from .adapters import form_input
from .checks import save_figures, save_loaded_figures


@transaction.atomic
def evaluation_score(*, evaluation_id: int) -> engine.FormResult:
    """Compute the budget rate and score, each row's proposal, section scores, total and grade, and store them
    (``checks.save_figures``, the one writer of the computed figures). A signed form is not scored again."""
    return score_loaded(evaluation_with_rows(evaluation_id, for_update=True))


def score_loaded(evaluation, result: engine.FormResult | None = None) -> engine.FormResult:
    """``evaluation_score`` of a form its caller has locked and loaded by ``evaluation_with_rows`` after its last
    write (``result``: the engine's on that load, when the caller has it), in the caller's transaction."""
    if evaluation.status == EvaluationStatus.SIGNED:
        raise EvaluationLocked(f"“{evaluation}”")
    result = result or engine.score_form(form_input(evaluation))
    save_figures(evaluation, result)
    return result


RESCORE_BATCH = 200


def rescore_year(year: int, *, department_ids: list[int] | None = None) -> int:
    """Score again every self-evaluation of ``year`` that is not signed; how many. In batches of forms, each in
    one transaction: the batch locked and read as plain data with one query per table (``batch.load_batch``),
    scored by the engine, and its figures stored in bulk (``checks.save_loaded_figures``) — the same figures as
    scoring each form on its own. The batches are spread over worker processes where they can be
    (``projects.services.pool``)."""
    qs = SelfEvaluation.objects.filter(year=year).exclude(status=EvaluationStatus.SIGNED)
    if department_ids is not None:
        qs = qs.filter(department_id__in=department_ids)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    batches = [ids[start : start + RESCORE_BATCH] for start in range(0, len(ids), RESCORE_BATCH)]
    return sum(over_batches(rescore_batch, batches))


@transaction.atomic
def rescore_batch(ids: list[int]) -> int:
    """Score again the forms ``ids`` that are not signed, in one transaction, locked first; how many."""
    loaded = [form for form in batch.load_batch(ids, for_update=True) if form.head.status != EvaluationStatus.SIGNED]
    save_loaded_figures(loaded)  # a form signed meanwhile is kept as signed
    return len(loaded)
