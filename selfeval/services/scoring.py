"""Score a self-evaluation: load it through one selector, run the pure engine, store the figures (its check)."""

from django.db import transaction

from ..choices import EvaluationStatus
from ..locking import EvaluationLocked
from ..models import SelfEvaluation
from ..selectors import evaluation_with_rows
from . import engine
from .adapters import form_input
from .checks import save_figures


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


def rescore_year(year: int, *, department_ids: list[int] | None = None) -> int:
    """Score again every self-evaluation of ``year`` that is not signed, each in its own transaction; how many."""
    qs = SelfEvaluation.objects.filter(year=year).exclude(status=EvaluationStatus.SIGNED)
    if department_ids is not None:
        qs = qs.filter(department_id__in=department_ids)
    count = 0
    for pk in qs.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000):
        with transaction.atomic():
            evaluation_score(evaluation_id=pk)
        count += 1
    return count
