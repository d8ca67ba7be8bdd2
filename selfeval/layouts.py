"""What each paper layout calls its columns (docs/domain.md §2.3–§2.4), for the fill and detail pages."""

LAYOUT_LABELS = {
    "hubei": {
        "funding": [("budget", "全年预算数（A）"), ("executed", "全年执行数（B）")],
        "target": "年度目标值", "actual": "全年完成值", "reason": "未完成原因和改进措施", "score": "自评分",
        "goal_target": "年初设定目标", "goal_actual": "全年实际完成情况", "problems": "说明",
    },
    "national": {
        "funding": [("budget_initial", "年初预算数"), ("budget", "全年预算数"), ("executed", "全年执行数")],
        "target": "年度指标值", "actual": "实际完成值", "reason": "偏差原因分析及改进措施", "score": "得分",
        "goal_target": "预期目标", "goal_actual": "实际完成情况", "problems": "说明",
    },
    "hebei": {
        "funding": [("budget", "预算数（调整后）"), ("received", "到位数"), ("executed", "执行数")],
        "target": "预期指标值", "actual": "实际完成值", "reason": "原因说明", "score": "自评得分",
        "goal_target": "年度预期目标", "goal_actual": "具体完成情况", "problems": "存在问题、原因及下一步整改措施",
    },
    "department": {
        "funding": [("budget", "预算数（A）"), ("executed", "执行数（B）")],
        "target": "年初目标值（A）", "actual": "实际完成值（B）", "reason": "偏差原因", "score": "得分",
        "goal_target": "年度目标", "goal_actual": "完成情况", "problems": "偏差大或目标未完成原因分析",
    },
}  # fmt: skip


def labels_for(layout: str) -> dict:
    return LAYOUT_LABELS.get(layout, LAYOUT_LABELS["national"])
