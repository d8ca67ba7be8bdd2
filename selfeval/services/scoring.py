"""Score a self-evaluation: load it through one selector, run the pure engine, save the computed figures."""

from django.db import transaction
from django.utils import timezone

from ..choices import EvaluationStatus
from ..locking import EvaluationLocked
from ..models import EvaluationFunding, EvaluationGoal, EvaluationRow, EvaluationSection, SelfEvaluation
from ..selectors import evaluation_with_rows
from . import engine
from .adapters import form_input, rules_for, section_kind
from .checks import store_check


@transaction.atomic
def evaluation_score(*, evaluation_id: int) -> engine.FormResult:
    """Compute and store the budget rate and score, each row's proposal, section scores, total and grade."""
    evaluation = evaluation_with_rows(evaluation_id, for_update=True)
    if evaluation.status == EvaluationStatus.SIGNED:
        raise EvaluationLocked(f"“{evaluation}”")
    result = engine.score_form(form_input(evaluation))
    evaluation.computed_budget_rate = result.budget_rate
    evaluation.computed_budget_score = result.budget_score
    evaluation.computed_total = result.total
    evaluation.computed_grade = result.grade
    evaluation.computed_at = timezone.now()
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(
        computed_budget_rate=result.budget_rate,
        computed_budget_score=result.budget_score,
        computed_total=result.total,
        computed_grade=result.grade,
        computed_at=evaluation.computed_at,
    )
    sections = list(evaluation.sections.all())
    for section in sections:
        section.computed_score = result.section_scores.get(section.code)
    EvaluationSection.objects.bulk_update(sections, ["computed_score"])
    rows = list(evaluation.rows.all())
    for row in rows:
        row.score_proposed = result.proposals[row.pk].score
    EvaluationRow.objects.bulk_update(rows, ["score_proposed"])
    rules = rules_for(evaluation.scheme)
    funding = list(evaluation.funding_rows.all())
    budget_points = next((s.points for s in sections if section_kind(evaluation, s) == "budget"), None)
    for line in funding:
        line.computed_rate = engine.budget_rate(line.budget, line.executed, rules)
        line.computed_score = (
            engine.budget_score(budget_points, line.computed_rate, rules) if line.is_total and budget_points else None
        )
    EvaluationFunding.objects.bulk_update(funding, ["computed_rate", "computed_score"])
    goals = list(evaluation.goals.all())
    for goal in goals:
        goal.computed_score = result.section_scores.get(f"goal{goal.seq}")
    EvaluationGoal.objects.bulk_update(goals, ["computed_score"])

    store_check(evaluation, result)
    return result


def rescore_year(year: int, *, department_ids: list[int] | None = None) -> int:
    """Score again every self-evaluation of ``year`` that is not signed, each in its own transaction; how many."""
    from django.db import transaction

    qs = SelfEvaluation.objects.filter(year=year).exclude(status=EvaluationStatus.SIGNED)
    if department_ids is not None:
        qs = qs.filter(department_id__in=department_ids)
    count = 0
    for pk in qs.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000):
        with transaction.atomic():
            evaluation_score(evaluation_id=pk)
        count += 1
    return count
