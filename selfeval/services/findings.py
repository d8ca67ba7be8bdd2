"""Run the consistency checker over a form: build its plain data (from a loaded form or a snapshot) and return
findings."""

from projects.choices import Layout
from projects.selectors import monitoring_record
from projects.services.monitoring_figures import budget_totals

from ..models import SelfEvaluation
from . import consistency
from .adapters import EvaluationSnapshot, columns_of, evaluation_data, row_label, snapshot_of
from .cross_stage import EvaluatedRow, MonitoredRow, MonitoringRecord, cross_stage_findings

# The findings that refuse a submission (they read 错误 on the page); every other finding is a hint (提示).
BLOCKING = {
    "reason_missing": "未达到目标的行须填写未完成原因",
    "row_over_weight": "得分不能超过分值",
    "row_negative": "得分不能小于 0",
    "row_band": "定性指标的得分须在所选档次内",
    "score_reason_missing": "评定得分与建议得分不同时须说明理由",
    "section_over_points": "分项得分不能超过分值",
    "row_unscored": "每行都须评定得分",
    "section_points_differ": "分项分值由评分方案规定",
    "section_weights": "各行分值合计须等于分项分值",
    "actual_not_figure": "定量指标的实际完成值须填写数值（或评定得分并说明理由）",
}
# The input a blocking finding is about, on its row or section.
FIELD_OF = {
    "reason_missing": "reason",
    "row_over_weight": "score_final",
    "row_negative": "score_final",
    "row_band": "score_final",
    "score_reason_missing": "score_reason",
    "row_unscored": "score_final",
    "section_over_points": "score_final",
    "section_points_differ": "points",
    "section_weights": "points",
    "actual_not_figure": "actual",
}
SECTION_CODES = {"section_over_points", "section_points_differ", "section_weights"}


def is_blocking(finding: consistency.Finding) -> bool:
    return finding.code in BLOCKING


def finding_text(finding: consistency.Finding) -> str:
    """A finding as the page shows it: 错误 for what refuses a submission, 提示 for the rest."""
    return f"[{'错误' if is_blocking(finding) else '提示'}] {finding.field}：{finding.message}"


def findings_at_parts(snapshot: EvaluationSnapshot, findings) -> tuple[dict, list]:
    """Each blocking finding at the part and input it is about: ({("rows" | "sections", pk): {field: [message]}},
    the blocking findings that belong to no single input)."""
    labels = {(("rows", row.pk)): row_label(row, snapshot.goals) for row in snapshot.rows}
    labels |= {("sections", section.pk): section.name for section in snapshot.sections}
    by_label = {label: key for key, label in labels.items()}
    placed, loose = {}, []
    for finding in findings:
        if not is_blocking(finding):
            continue
        key = by_label.get(finding.field)
        if key is None or (key[0] == "sections") != (finding.code in SECTION_CODES):
            loose.append(finding)
            continue
        placed.setdefault(key, {}).setdefault(FIELD_OF[finding.code], []).append(finding.message)
    return placed, loose


def blocking_at_parts(evaluation: SelfEvaluation) -> tuple[dict, list]:
    """The blocking findings of a form loaded by ``selectors.evaluation_with_rows``, at the parts they are about."""
    snapshot = snapshot_of(evaluation)
    return findings_at_parts(snapshot, evaluation_findings(snapshot))


UNREAD = object()


def evaluation_findings(
    evaluation: SelfEvaluation | EvaluationSnapshot, *, proposals: dict | None = None, record=UNREAD
) -> list[consistency.Finding]:
    """The checker's findings on a form; ``record``: its declaration's 运行监控 record when the caller has read it
    (``projects.selectors.monitoring_record``, None without one), else it is read now."""
    snapshot = evaluation if isinstance(evaluation, EvaluationSnapshot) else snapshot_of(evaluation)
    data = evaluation_data(snapshot, proposals=proposals)
    if evaluation.layout == Layout.SUMMARY:
        # Only the budget figures are published: check those and nothing else.
        return consistency._budget_findings(data)
    return consistency.check_evaluation(data) + monitoring_findings(snapshot, data, record)


def monitoring_findings(
    snapshot: EvaluationSnapshot, data: consistency.EvaluationData, record=UNREAD
) -> list[consistency.Finding]:
    """The form held against its declaration's 运行监控 record (``cross_stage``); nothing without one."""
    form = monitoring_record(snapshot.declaration_id) if record is UNREAD else record
    if form is None:
        return []
    record = MonitoringRecord(
        period=form.period.name,
        forecast=budget_totals(form)["forecast"],
        gap_percent=form.period.rule.forecast_gap,
        rows=tuple(MonitoredRow(row.name, row.likelihood, row.forecast, row.indicator_id) for row in form.rows.all()),
    )
    rows = [
        EvaluatedRow(
            row_label(row, snapshot.goals),
            row.name,
            row.target,
            row.actual,
            row.reason,
            columns_of(row, snapshot.year),
            row.source_indicator_id,
        )  # fmt: skip
        for row in snapshot.rows
    ]
    _budget, executed = consistency.budget_figures(data.funding)
    return cross_stage_findings(record, rows, executed, data.rules)
