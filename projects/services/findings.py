"""The declaration and final-account checkers' inputs, built from the stored forms."""

from decimal import Decimal

from indicators.models import read_row_values
from indicators.services.checking import ERROR, Finding, amounts_agree, num

from ..models import DepartmentDeclaration, FinalAccount, ProjectDeclaration
from ..money import factor
from . import consistency


def declaration_data(declaration: ProjectDeclaration) -> consistency.DeclarationData:
    """The checker's data of a declaration loaded with its funding sources, expense items and indicators (their
    一级 categories loaded: their codes count)."""
    return declaration_data_of(
        declaration,
        declaration.funding_sources.all(),
        declaration.expense_items.all(),
        [(i, i.level1.code if i.level1_id else None, i.default_nature) for i in declaration.indicators.all()],
    )


def declaration_data_of(declaration, funding, expenses, indicators) -> consistency.DeclarationData:
    """The checker's data from a declaration's figures (any object with the model's attributes) and its parts in
    order: funding sources and expense items (``name``, ``amount``, funding's ``level``), and each indicator as
    (row with ``seq``, ``name``, ``target``, ``unit``, ``comparator``, ``nature``; its 一级 code or None; its default
    指标性质)."""
    year = declaration.year
    return consistency.DeclarationData(
        unit_factor=factor(declaration.unit),
        total_budget=declaration.total_budget,
        annual_budget=declaration.annual_budget,
        funding_total=declaration.funding_total,
        funding=tuple(consistency.LineData(f.name, f.amount, f.level) for f in funding),
        expense_total=declaration.expense_total,
        expenses=tuple(consistency.LineData(e.name, e.amount) for e in expenses),
        level1_present=frozenset(code for _i, code, _nature in indicators if code is not None),
        indicator_count=len(indicators),
        incomplete=declaration.incomplete,
        rows=tuple(
            (f"第 {i.seq} 行“{i.name}”", read_row_values(i, nature, year=year)) for i, _code, nature in indicators
        ),
    )


def declaration_findings(declaration: ProjectDeclaration) -> list[Finding]:
    return consistency.check_declaration(declaration_data(declaration))


def department_declaration_findings(declaration: DepartmentDeclaration) -> list[Finding]:
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
                if not amounts_agree(printed / unit, computed / unit):
                    findings.append(
                        Finding(
                            "fund_total",
                            ERROR,
                            f"{label}（{column_label}）",
                            num(printed / unit),
                            num(computed / unit),
                            f"{label}{column_label}合计 {num(printed / unit)}，各项之和为 {num(computed / unit)}。",
                        )  # fmt: skip
                    )
    return findings


ACCOUNT_COLUMNS = {
    "total": "合计", "fiscal": "财政拨款", "superior": "上级补助", "business": "事业收入", "operating": "经营",
    "affiliated": "附属单位", "other": "其他收入", "basic": "基本支出", "project": "项目支出",
    "to_superior": "上缴上级", "budget": "年初预算", "final": "决算",
}  # fmt: skip


def final_account_findings(account: FinalAccount) -> list[Finding]:
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
