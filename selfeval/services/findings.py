"""Run the consistency checker over stored forms: build its plain data from the ORM and return findings."""

from decimal import Decimal

from projects.models import DepartmentDeclaration, FinalAccount, ProjectDeclaration
from projects.money import factor

from ..choices import Layout
from ..models import SelfEvaluation
from . import consistency
from .scoring import rules_for, section_kind


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


def evaluation_findings(evaluation: SelfEvaluation) -> list[consistency.Finding]:
    if evaluation.layout == Layout.SUMMARY:
        # Only the budget figures are published: check those and nothing else.
        data = evaluation_data(evaluation)
        return consistency._budget_findings(data)
    return consistency.check_evaluation(evaluation_data(evaluation))


def declaration_data(declaration: ProjectDeclaration) -> consistency.DeclarationData:
    indicators = list(declaration.indicators.all())
    return consistency.DeclarationData(
        unit_factor=factor(declaration.unit),
        total_budget=declaration.total_budget,
        annual_budget=declaration.annual_budget,
        funding_total=declaration.funding_total,
        funding=tuple(consistency.LineData(f.name, f.amount, f.level) for f in declaration.funding_sources.all()),
        expense_total=declaration.expense_total,
        expenses=tuple(consistency.LineData(e.name, e.amount) for e in declaration.expense_items.all()),
        level1_present=frozenset(i.level1.code for i in indicators if i.level1_id),
        indicator_count=len(indicators),
        incomplete=declaration.incomplete,
    )


def declaration_findings(declaration: ProjectDeclaration) -> list[consistency.Finding]:
    return consistency.check_declaration(declaration_data(declaration))


def department_declaration_findings(declaration: DepartmentDeclaration) -> list[consistency.Finding]:
    """The funds table: 合计 lines against their parts, per section and per year column."""
    findings = []
    unit = factor(declaration.unit)
    for section, label in [("income", "收入构成"), ("expenditure", "支出构成")]:
        lines = [line for line in declaration.fund_lines.all() if line.section == section]
        totals = [line for line in lines if "合计" in line.name]
        parts = [line for line in lines if "合计" not in line.name and not line.name.startswith("其中")]
        for total in totals:
            for column, column_label in [("amount", "当年"), ("prev1", "上年"), ("prev2", "前年")]:
                printed = getattr(total, column)
                values = [getattr(p, column) for p in parts if getattr(p, column) is not None]
                if printed is None or not values:
                    continue
                computed = sum(values, Decimal(0))
                if not consistency.amounts_agree(printed / unit, computed / unit):
                    findings.append(
                        consistency.Finding(
                            "fund_total",
                            consistency.ERROR,
                            f"{label}（{column_label}）",
                            consistency.num(printed / unit),
                            consistency.num(computed / unit),
                            f"{label}{column_label}合计 {consistency.num(printed / unit)}，"
                            f"各项之和为 {consistency.num(computed / unit)}。",
                        )  # fmt: skip
                    )
    return findings


ACCOUNT_COLUMNS = {
    "total": "合计", "fiscal": "财政拨款", "superior": "上级补助", "business": "事业收入", "operating": "经营",
    "affiliated": "附属单位", "other": "其他收入", "basic": "基本支出", "project": "项目支出",
    "to_superior": "上缴上级", "budget": "年初预算", "final": "决算",
}  # fmt: skip


def final_account_findings(account: FinalAccount) -> list[consistency.Finding]:
    lines = [
        consistency.AccountLineData(
            table=line.table,
            code=line.code,
            name=line.name,
            values={column: getattr(line, column) for column in ACCOUNT_COLUMNS},
        )
        for line in account.lines.all()
    ]
    return consistency.check_final_account(lines, ACCOUNT_COLUMNS, factor(account.unit))
