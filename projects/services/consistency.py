"""The consistency checker of declarations and of the 部门决算 (docs/domain.md §6): what a form prints, held
against what its own figures give. Pure Python: plain data in, a list of findings out.
"""

from dataclasses import dataclass
from decimal import Decimal

from indicators.services.checking import ERROR, WARNING, ZERO, Finding, amounts_agree, nature_contradiction, num
from indicators.services.values import RowValues

# The checker's version: change it with any change of what the checker finds (stored checks are made again).
# 3: a row's printed 指标性质 contradicting its comparator (the self-evaluation checker's finding, at entry).
CHECKER_VERSION = "3"


# -- declarations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineData:
    name: str
    amount: Decimal | None
    level: int = 0


@dataclass(frozen=True)
class DeclarationData:
    unit_factor: Decimal  # stored 元 per unit of the form, to compare at the printed precision
    total_budget: Decimal | None
    annual_budget: Decimal | None
    funding_total: Decimal | None
    funding: tuple[LineData, ...]
    expense_total: Decimal | None
    expenses: tuple[LineData, ...]
    level1_present: frozenset[str]  # category codes of the 一级 with at least one row
    required_level1: frozenset[str] = frozenset({"output", "benefit", "satisfaction"})
    indicator_count: int = 0
    incomplete: bool = False
    rows: tuple[tuple[str, RowValues], ...] = ()  # each indicator row's label and its values read with its columns


def _sum(lines) -> Decimal | None:
    amounts = [line.amount for line in lines if line.amount is not None and line.level == 0]
    return sum(amounts, ZERO) if amounts else None


def check_declaration(data: DeclarationData) -> list[Finding]:
    """资金来源 and 支出明细 against their 合计 and the 项目当年预算; the 一级 indicators present; 指标性质 against the
    comparator of each row."""
    findings = []
    f = data.unit_factor

    def show(amount):
        return num(Decimal(amount) / f) if amount is not None else None

    checks = [
        ("funding_total", "资金来源合计", data.funding_total, _sum(data.funding), "各资金来源之和"),
        ("expense_total", "项目支出明细合计", data.expense_total, _sum(data.expenses), "各支出明细之和"),
    ]
    for code, field_name, printed, computed, what in checks:
        if printed is not None and computed is not None and not amounts_agree(printed / f, computed / f):
            findings.append(
                Finding(
                    code,
                    ERROR,
                    field_name,
                    show(printed),
                    show(computed),
                    f"填报合计 {show(printed)}，{what}为 {show(computed)}。",
                )  # fmt: skip
            )
    if data.annual_budget is not None:
        for code, field_name, amount in [
            ("funding_vs_annual", "资金来源", data.funding_total if data.funding_total is not None else _sum(data.funding)),
            ("expense_vs_annual", "项目支出明细", data.expense_total if data.expense_total is not None else _sum(data.expenses)),
        ]:  # fmt: skip
            if amount is not None and not amounts_agree(data.annual_budget / f, amount / f):
                findings.append(
                    Finding(
                        code,
                        ERROR,
                        field_name,
                        show(amount),
                        show(data.annual_budget),
                        f"{field_name}合计 {show(amount)} 与项目当年预算 {show(data.annual_budget)} 不一致。",
                    )  # fmt: skip
                )
    if data.total_budget is not None and data.annual_budget is not None and data.annual_budget > data.total_budget:
        findings.append(
            Finding(
                "annual_over_total",
                ERROR,
                "项目当年预算",
                show(data.annual_budget),
                show(data.total_budget),
                "项目当年预算大于项目总预算。",
            )  # fmt: skip
        )
    if data.indicator_count and not data.incomplete:
        labels = {"output": "产出指标", "benefit": "效益指标", "satisfaction": "满意度指标", "cost": "成本指标"}
        for code in sorted(data.required_level1 - data.level1_present):
            findings.append(
                Finding(
                    "level1_missing", WARNING, "年度绩效指标", None, None, f"没有“{labels.get(code, code)}”的指标。"
                )
            )
    findings.extend(filter(None, (nature_contradiction(label, values) for label, values in data.rows)))
    return findings


# -- final accounts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountLineData:
    table: str
    code: str
    name: str
    values: dict  # column → Decimal | None (in 元)


def check_final_account(
    lines: list[AccountLineData], column_labels: dict[str, str], unit_factor: Decimal
) -> list[Finding]:
    """A 类 is the sum of its 款, a 款 of its 项, the 合计 of its 类, at the printed precision."""
    findings = []
    by_table: dict[str, list[AccountLineData]] = {}
    for line in lines:
        by_table.setdefault(line.table, []).append(line)
    for table_lines in by_table.values():
        for parent in table_lines:
            if parent.code:
                children = [
                    c for c in table_lines if len(c.code) == len(parent.code) + 2 and c.code.startswith(parent.code)
                ]
            else:
                children = [c for c in table_lines if len(c.code) == 3]
            if not children:
                continue
            for column, label in column_labels.items():
                printed = parent.values.get(column)
                parts = [c.values.get(column) for c in children if c.values.get(column) is not None]
                if printed is None or not parts:
                    continue
                computed = sum(parts, ZERO)
                if not amounts_agree(printed / unit_factor, computed / unit_factor):
                    name = f"{parent.code} {parent.name}".strip()
                    findings.append(
                        Finding(
                            "account_sum",
                            ERROR,
                            f"{name}（{label}）",
                            num(printed / unit_factor),
                            num(computed / unit_factor),
                            f"{name} 的{label} {num(printed / unit_factor)} 不等于下级科目之和 {num(computed / unit_factor)}。",
                        )  # fmt: skip
                    )
    return findings
