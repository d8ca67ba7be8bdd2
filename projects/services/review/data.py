"""The review's inputs read from a stored declaration (项目 or 部门整体), and the rule set in force for it."""

from dataclasses import replace
from decimal import Decimal

from indicators.choices import GoalKind

from ...carry_over import previous_declaration
from ...choices import FormKind, FundSection
from ...models import DepartmentDeclaration, Indicator, ProjectDeclaration, ReviewRule
from ...review_data import GRADE, GRADE_PARAMS
from .engine import Grade, RuleConfig, draft_opinion, review_grade, run_review
from .inputs import GOALS, INDICATORS, ExpenseInput, PriorEvaluation, PriorRow, ReviewFinding, ReviewInput, RowInput

# The 部门整体 form's names of the blocks a finding may sit at (its edit page's headings).
DEPARTMENT_PLACE_LABELS = {GOALS: "长期目标与年度目标", INDICATORS: "各目标的绩效指标"}


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


def department_row_input(row: Indicator, goal) -> RowInput:
    """A 部门整体 row, read against the goal whose table it sits in (长期目标1 …)."""
    if goal is None:
        return row_input(row)
    return replace(row_input(row), goal_name=f"{goal.get_kind_display()}{goal.seq}", goal_text=goal.text)


def department_amount(declaration: DepartmentDeclaration) -> Decimal | None:
    """The year's funds of a 部门整体 declaration in 元: its 收入 合计 where printed, else the sum of the 收入 lines
    (其中 lines apart); the 支出 side the same way when the 收入 side has no figure."""
    lines = list(declaration.fund_lines.all())
    for section in (FundSection.INCOME, FundSection.EXPENDITURE):
        side = [line for line in lines if line.section == section and line.amount is not None]
        total = next((line.amount for line in side if "合计" in line.name), None)
        if total is not None:
            return total
        parts = [line.amount for line in side if "合计" not in line.name and not line.name.startswith("其中")]
        if parts:
            return sum(parts, Decimal(0))
    return None


def department_review_input(declaration: DepartmentDeclaration) -> ReviewInput:
    """The review's plain data of a 部门整体 declaration loaded by ``selectors.department_declaration_page``: its
    长期 and 年度 goals are its goal (each row read against its own goal's text), its 职能概述 and 年度工作任务 say whom it serves, its
    year's funds are the amount a 成本 row may not pass; it has no 立项依据, 测算依据 or project type."""
    goals = sorted(
        (g for g in declaration.goals.all() if g.kind in (GoalKind.LONG_TERM, GoalKind.ANNUAL)),
        key=lambda g: (g.kind != GoalKind.LONG_TERM, g.seq),
    )
    by_pk = {g.pk: g for g in goals}
    previous = (
        DepartmentDeclaration.objects.filter(department_id=declaration.department_id, year=declaration.year - 1)
        .prefetch_related("indicators")
        .first()
    )
    prior_rows = tuple(PriorRow(r.name, r.target, "") for r in previous.indicators.all()) if previous else ()
    return ReviewInput(
        year=declaration.year,
        project_name=declaration.department.name,
        application_text=" ".join((declaration.functions, declaration.annual_tasks)),
        goal_text="\n".join(g.text for g in goals if g.text.strip()),
        annual_budget=department_amount(declaration),
        rows=tuple(department_row_input(row, by_pk.get(row.goal_id)) for row in declaration.indicators.all()),
        prior_year=previous.year if prior_rows else None,
        prior_rows=prior_rows,
        place_labels=DEPARTMENT_PLACE_LABELS,
    )


def rules_in_force(*, division_code: str, year: int, form_kind: str) -> tuple[list[RuleConfig], dict]:
    """The rule rows that apply to a declaration of ``form_kind`` of that region and year (a row whose form kinds
    leave the form out is not run), and the grade's parameters."""
    chosen = ReviewRule.objects.rules_for(division_code=division_code, year=year, form_kind=form_kind)
    grade = chosen.pop(GRADE, None)
    rules = sorted(chosen.values(), key=lambda r: (r.seq, r.code))
    configs = [
        RuleConfig(code=r.code, severity=r.severity, params=r.params, message=r.message, advice=r.advice,
                   blocking=r.blocking, enabled=r.enabled)
        for r in rules
    ]  # fmt: skip
    return configs, (grade.params if grade is not None and grade.enabled else GRADE_PARAMS)


def review_with_draft(data: ReviewInput, rules: list[RuleConfig], grading: dict) -> tuple[list, Grade, str]:
    findings = run_review(data, rules)
    grade = review_grade(findings, grading)
    return findings, grade, draft_opinion(findings, grade)


def project_rules(declaration: ProjectDeclaration) -> tuple[list[RuleConfig], dict]:
    division = declaration.project.department.division()
    return rules_in_force(division_code=division, year=declaration.year, form_kind=FormKind.PROJECT)


def department_rules(declaration: DepartmentDeclaration) -> tuple[list[RuleConfig], dict]:
    division = declaration.department.division()
    return rules_in_force(division_code=division, year=declaration.year, form_kind=FormKind.DEPARTMENT)


def declaration_review_findings(declaration: ProjectDeclaration) -> list[ReviewFinding]:
    rules, _grading = project_rules(declaration)
    return run_review(review_input(declaration), rules)


def declaration_review(declaration: ProjectDeclaration) -> tuple[list[ReviewFinding], Grade, str]:
    """The findings, the proposed grade of the targets' quality and the draft 审核意见."""
    return review_with_draft(review_input(declaration), *project_rules(declaration))


def department_declaration_review_findings(declaration: DepartmentDeclaration) -> list[ReviewFinding]:
    rules, _grading = department_rules(declaration)
    return run_review(department_review_input(declaration), rules)


def department_declaration_review(declaration: DepartmentDeclaration) -> tuple[list[ReviewFinding], Grade, str]:
    """A 部门整体 declaration's findings under the rules that run on its form, grade and draft 审核意见."""
    return review_with_draft(department_review_input(declaration), *department_rules(declaration))
