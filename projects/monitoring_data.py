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


def load_monitoring_defaults(Rule, Period) -> None:
    """Create the national rule and its period when there is none with the empty prefix (an administrator's
    rules are kept)."""
    if Rule.objects.filter(division_prefix="", year_from=None).exists():
        return
    rule = Rule.objects.create(**NATIONAL_RULE)
    for seq, name, end_month in NATIONAL_PERIODS:
        Period.objects.create(rule=rule, seq=seq, name=name, end_month=end_month)
