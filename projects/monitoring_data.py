"""The national defaults of in-year monitoring (财预〔2019〕136号, FASP lights), loaded by a data migration.

Administrators add a province's or a city's own rules (periods, thresholds, checkpoints) in the admin; the
longest 行政区划 prefix whose years include the form's year wins, as for scoring schemes (``pick_assignment``).
"""

NATIONAL_RULE = {
    "division_prefix": "",
    "name": "全国默认（财预〔2019〕136号）",
    "basis": "财预〔2019〕136号；预算管理一体化系统预警规则",
    "indicator_red_below": "60",
    "indicator_yellow_below": "80",
    "indicator_blue_from": "120",
    "budget_red_below": "60",
    "budget_yellow_below": "80",
    "checkpoints": [],
    "forecast_gap": "20",
}
NATIONAL_PERIODS = [(1, "1–7月", 7)]
# 超进度 (migration 0023): spending 20 % or more ahead of the time schedule (or of its plan) is flagged blue, the
# same band as the indicators' 蓝灯 (120 %), so that both lights read a deviation of a fifth either way alike.
# Spending ahead is no fault in itself (a contract paid in advance), so blue stays milder than yellow.
NATIONAL_BUDGET_BLUE_FROM = "120"


def load_monitoring_defaults(Rule, Period) -> None:
    """Create the national rule and its period when there is none with the empty prefix (an administrator's
    rules are kept)."""
    if Rule.objects.filter(division_prefix="", year_from=None).exists():
        return
    rule = Rule.objects.create(**NATIONAL_RULE)
    for seq, name, end_month in NATIONAL_PERIODS:
        Period.objects.create(rule=rule, seq=seq, name=name, end_month=end_month)


def set_national_budget_blue(Rule) -> None:
    """Give the national rule its 超进度 band where it has none yet (an administrator's choice is kept)."""
    Rule.objects.filter(division_prefix="", year_from=None, budget_blue_from=None).update(
        budget_blue_from=NATIONAL_BUDGET_BLUE_FROM
    )
