"""The review's inputs read from a stored project declaration, and the rule set in force for it."""

from indicators.choices import GoalKind

from ...carry_over import previous_declaration
from ...models import Indicator, ProjectDeclaration, ReviewRule
from ...review_data import GRADE, GRADE_PARAMS
from .engine import Grade, RuleConfig, draft_opinion, review_grade, run_review
from .inputs import ExpenseInput, PriorEvaluation, PriorRow, ReviewFinding, ReviewInput, RowInput


def row_input(row: Indicator) -> RowInput:
    names = tuple(
        n for n in (row.level1.name if row.level1_id else "", row.level2.name if row.level2_id else "",
                    row.level1_printed, row.level2_printed) if n
    )  # fmt: skip
    return RowInput(
        key=row.pk, seq=row.seq, name=row.name, target=row.target,
        level1_code=row.level1.code if row.level1_id else "", level2_code=row.level2.code if row.level2_id else "",
        category_names=names, nature=row.nature, comparator=row.comparator, unit=row.unit,
        default_nature=row.default_nature,
    )  # fmt: skip


def prior_evaluation(declaration: ProjectDeclaration) -> PriorEvaluation | None:
    """Last year's self-evaluation of the project, with its stored check's grade and unmet rows where it has one."""
    # Read through the project's reverse relation: the self-evaluations live in the app above this one.
    evaluation = (
        declaration.project.self_evaluations.filter(year=declaration.year - 1).select_related("check_result").first()
    )
    if evaluation is None:
        return None
    check = getattr(evaluation, "check_result", None)
    total = check.computed_total if check and check.computed_total is not None else evaluation.printed_total
    return PriorEvaluation(
        year=evaluation.year,
        grade=(check.grade if check else "") or evaluation.printed_grade,
        total="" if total is None else str(total.normalize()),
        unmet=tuple(check.unmet) if check else (),
    )


def review_input(declaration: ProjectDeclaration) -> ReviewInput:
    """The review's plain data of a declaration loaded by ``selectors.declaration_page``."""
    goals = [g.text for g in declaration.goals.all() if g.kind in (GoalKind.OVERALL, GoalKind.ANNUAL)]
    previous = previous_declaration(declaration.project, declaration.year)
    prior_rows = ()
    if previous is not None and previous.year == declaration.year - 1:
        prior_rows = tuple(PriorRow(r.name, r.target, "") for r in previous.indicators.all())
    return ReviewInput(
        year=declaration.year,
        project_name=declaration.project.name,
        project_type=declaration.project.project_type,
        application_text=" ".join(
            (declaration.application_reason, declaration.main_content, declaration.implementation_plan)
        ),
        goal_text="\n".join(goals),
        basis_items=tuple(b.text for b in declaration.basis_items.all()),
        estimation_basis=declaration.estimation_basis,
        expenses=tuple(ExpenseInput(e.name, e.amount, e.basis) for e in declaration.expense_items.all()),
        annual_budget=declaration.annual_budget,
        rows=tuple(row_input(row) for row in declaration.indicators.all()),
        prior_year=previous.year if prior_rows else None,
        prior_rows=prior_rows,
        prior_evaluation=prior_evaluation(declaration),
    )


def rules_in_force(declaration: ProjectDeclaration) -> tuple[list[RuleConfig], dict]:
    """The rule rows that apply to the declaration's region and year, and the grade's parameters."""
    chosen = ReviewRule.objects.rules_for(
        division_code=declaration.project.department.division(), year=declaration.year
    )
    grade = chosen.pop(GRADE, None)
    rules = sorted(chosen.values(), key=lambda r: (r.seq, r.code))
    configs = [
        RuleConfig(code=r.code, severity=r.severity, params=r.params, message=r.message, advice=r.advice,
                   blocking=r.blocking, enabled=r.enabled)
        for r in rules
    ]  # fmt: skip
    return configs, (grade.params if grade is not None and grade.enabled else GRADE_PARAMS)


def declaration_review_findings(declaration: ProjectDeclaration) -> list[ReviewFinding]:
    rules, _grading = rules_in_force(declaration)
    return run_review(review_input(declaration), rules)


def declaration_review(declaration: ProjectDeclaration) -> tuple[list[ReviewFinding], Grade, str]:
    """The findings, the proposed grade of the targets' quality and the draft 审核意见."""
    rules, grading = rules_in_force(declaration)
    findings = run_review(review_input(declaration), rules)
    grade = review_grade(findings, grading)
    return findings, grade, draft_opinion(findings, grade)
