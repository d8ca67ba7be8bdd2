"""The engine's and the checker's plain inputs, built from a self-evaluation loaded with its parts."""

from decimal import Decimal

from projects.choices import Layout
from projects.models import ScoringScheme

from ..models import EvaluationSection, SelfEvaluation
from . import consistency, engine


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


def evaluation_data(evaluation: SelfEvaluation) -> consistency.EvaluationData:
    """Plain data of a self-evaluation loaded by ``selectors.evaluation_with_rows``."""
    sections = list(evaluation.sections.all())
    codes = {s.pk: s.code for s in sections}
    goals = {g.pk: g.seq for g in evaluation.goals.all()}
    rows = []
    for row in evaluation.rows.all():
        where = f"年度目标{goals[row.goal_id]} / " if row.goal_id else ""
        rows.append(
            consistency.RowData(
                label=f"{where}第 {row.seq} 行“{row.name}”",
                section=codes.get(row.section_id),
                target=row.target,
                actual=row.actual,
                reason=row.reason,
                weight=row.weight,
                score_printed=row.score_printed,
                score_final=row.score_final,
                score_proposed=row.score_proposed,
                score_reason=row.score_reason,
                qualitative_band=row.band,
            )
        )
    return consistency.EvaluationData(
        rules=rules_for(evaluation.scheme),
        printed_total=evaluation.printed_total,
        printed_grade=evaluation.printed_grade,
        printed_budget_rate=evaluation.printed_budget_rate,
        printed_budget_score=evaluation.printed_budget_score,
        funding=tuple(
            consistency.FundingData(f.name, f.is_total, f.budget, f.executed, f.rate_printed, f.score_printed)
            for f in evaluation.funding_rows.all()
        ),
        sections=tuple(
            consistency.SectionData(s.code, s.name, section_kind(evaluation, s), s.points, s.printed_score)
            for s in sections
        ),
        rows=tuple(rows),
        scored_rows=evaluation.layout != Layout.SUMMARY,
        incomplete=evaluation.incomplete,
        filed=bool(evaluation.source),
    )
