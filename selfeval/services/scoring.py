"""Score a self-evaluation: load it through one selector, run the pure engine, save the computed figures."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..choices import EvaluationStatus
from ..locking import EvaluationLocked
from ..models import EvaluationFunding, EvaluationGoal, EvaluationRow, EvaluationSection, ScoringScheme, SelfEvaluation
from ..selectors import evaluation_with_rows
from . import engine


def rules_for(scheme: ScoringScheme) -> engine.Rules:
    """The engine's rules from a scheme's data."""
    bands = tuple((str(name), Decimal(str(minimum))) for name, minimum in scheme.grade_bands)
    return engine.Rules(
        budget_rate_places=scheme.budget_rate_places,
        cap_budget_score=scheme.cap_budget_score,
        reverse_rule=scheme.reverse_rule,
        score_places=scheme.score_places,
        grade_bands=bands or engine.Rules().grade_bands,
        deviation_above=scheme.deviation_above,
    )


def section_kind(evaluation: SelfEvaluation, section: EvaluationSection) -> str:
    """A form's section takes its kind from the scheme section of the same code (goal1…5 are annual goals)."""
    by_code = {s.code: s.kind for s in evaluation.scheme.sections.all()}
    if section.code in by_code:
        return by_code[section.code]
    if section.code.startswith("goal") and section.code[4:].isdigit():
        return "annual_goal"
    return "level1"


def form_input(evaluation: SelfEvaluation) -> engine.FormInput:
    """The plain data the engine needs, from a form loaded by ``evaluation_with_rows``."""
    funding = list(evaluation.funding_rows.all())
    total_row = next((f for f in funding if f.is_total), funding[0] if funding else None)
    sections = []
    for section in evaluation.sections.all():
        kind = section_kind(evaluation, section)
        # 总目标 is scored as a whole by the evaluator.
        given = (
            (section.score_final if section.score_final is not None else section.printed_score)
            if kind == "goal"
            else None
        )
        sections.append(engine.SectionInput(section.code, kind, section.points, given))
    section_codes = {s.pk: s.code for s in evaluation.sections.all()}
    rows = tuple(
        engine.RowInput(
            key=row.pk,
            section=section_codes.get(row.section_id),
            target=row.target,
            actual=row.actual,
            weight=row.weight,
            final_score=row.score_final,
        )
        for row in evaluation.rows.all()
    )
    return engine.FormInput(
        rules=rules_for(evaluation.scheme),
        budget=total_row.budget if total_row else None,
        executed=total_row.executed if total_row else None,
        sections=tuple(sections),
        rows=rows,
    )


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
    from .checks import store_check  # checks read forms through this module's form_input

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
