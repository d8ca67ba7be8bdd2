"""Findings across stages (docs/domain.md §9): the self-evaluation held against the project's 运行监控 record.

Pure Python: plain data in, findings out. Two contradictions are reported, as 提示 (the year-end form itself is
not wrong, the story across the year does not hold together):
- a row the department called 确定能 in monitoring that missed its target at year end with no reason given;
- a year-end execution far from the 全年预计执行数 given in monitoring (the threshold is the monitoring rule's).
"""

from dataclasses import dataclass
from decimal import Decimal

from indicators.services.checking import WARNING, Finding, num

from . import engine

CERTAIN = "certain"


@dataclass(frozen=True)
class MonitoredRow:
    name: str
    likelihood: str
    forecast: str = ""
    indicator: int | None = None  # the declaration's row it was copied from


@dataclass(frozen=True)
class EvaluatedRow:
    label: str  # how the checker names the row (第 N 行“…”)
    name: str
    target: str
    actual: str
    reason: str
    columns: engine.RowColumns = engine.PLAIN
    indicator: int | None = None  # the declaration's row it was started from (None: a form started before the link)


@dataclass(frozen=True)
class MonitoringRecord:
    """The project's latest submitted monitoring form: its period, its forecast and its rows."""

    period: str
    forecast: Decimal | None  # 全年预计执行数, 元
    gap_percent: Decimal  # the rule's 提示线
    rows: tuple[MonitoredRow, ...] = ()


def matched(row: EvaluatedRow, monitored: tuple[MonitoredRow, ...]) -> MonitoredRow | None:
    """The monitoring row of ``row``: the one copied from the same declaration row when both carry that link (a row
    reworded at year end is still found, two rows of one name are not confused); by the 三级 name for the forms
    started before the link was kept."""
    linked = {m.indicator: m for m in monitored if m.indicator is not None}
    if row.indicator is not None and linked:
        return linked.get(row.indicator)
    return next((m for m in monitored if m.name == row.name), None)


def cross_stage_findings(
    record: MonitoringRecord | None, rows, executed: Decimal | None, rules: engine.Rules
) -> list[Finding]:
    """``rows``: the self-evaluation's ``EvaluatedRow``s, each matched to the monitoring row of the same declaration
    row (``matched``); ``executed``: its year-end 全年执行数 in 元."""
    if record is None:
        return []
    findings = []
    for row in rows:
        monitored = matched(row, record.rows)
        if monitored is None or monitored.likelihood != CERTAIN or row.reason.strip() or not row.actual.strip():
            continue
        if engine.needs_reason(row.target, row.actual, rules, row.columns):
            findings.append(
                Finding(
                    "monitoring_certain_missed",
                    WARNING,
                    row.label,
                    row.actual,
                    row.target,
                    f"运行监控（{record.period}）时填报“确定能”完成目标，年末实际 {row.actual} 未达到 {row.target}，"
                    "且未说明原因。",
                )  # fmt: skip
            )
    if record.forecast and executed is not None:
        gap = abs(executed - record.forecast) / record.forecast * 100
        if gap > record.gap_percent:
            findings.append(
                Finding(
                    "monitoring_forecast_gap",
                    WARNING,
                    "资金：全年执行数",
                    num(executed),
                    num(record.forecast),
                    f"全年执行数 {num(executed)} 元与运行监控（{record.period}）时的全年预计执行数 "
                    f"{num(record.forecast)} 元相差 {num(gap.quantize(Decimal('0.1')))}%，超过 {num(record.gap_percent)}%。",
                )  # fmt: skip
            )
    return findings
