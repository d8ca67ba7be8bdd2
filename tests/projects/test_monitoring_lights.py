"""The warning lights' maths, table-driven with real figures (no database)."""

from decimal import Decimal

import pytest

from projects.services.monitoring_lights import (
    BLUE,
    GREEN,
    NONE,
    RED,
    YELLOW,
    BudgetInput,
    IndicatorInput,
    Light,
    LightRule,
    ProjectLights,
    budget_light,
    indicator_light,
    parse_plan,
    planned_share,
)

RULE = LightRule()
D = Decimal


@pytest.mark.parametrize(
    ("target", "value", "colour", "formula"),
    [
        # 600 × 7/12 = 350 expected by the end of July
        ("≥600次", "350次", GREEN, "进度 = 1–7月 350 ÷ (600 × 7/12) = 100.0%"),
        ("≥600次", "209", RED, "进度 = 1–7月 209 ÷ (600 × 7/12) = 59.7%"),
        ("≥600次", "210", YELLOW, "进度 = 1–7月 210 ÷ (600 × 7/12) = 60.0%"),
        ("≥600次", "279", YELLOW, "= 79.7%"),
        ("≥600次", "280", GREEN, "= 80.0%"),
        ("≥600次", "419", GREEN, "= 119.7%"),
        ("≥600次", "420", BLUE, "= 120.0%"),
        ("≥1万人", "5000人", GREEN, "进度 = 1–7月 5000 ÷ (10000 × 7/12) = 85.7%"),
        ("3次以上", "0", RED, "= 0.0%"),
        # a rate is a level, not spread over the year
        ("≥90%", "88%", GREEN, "比率指标（不按时间分摊）：进度 = 1–7月 88% ÷ 90% = 97.8%"),
        ("≥95%", "50%", RED, "= 52.6%"),
        # a ceiling (反向): within it is green, above it red/yellow by target ÷ value
        ("≤48小时", "36小时", GREEN, "反向指标：进度 = 目标 48 ÷ 1–7月 36 = 133.3%"),
        ("≤48小时", "60小时", GREEN, "反向指标：进度 = 目标 48 ÷ 1–7月 60 = 80.0%"),  # the bands apply as they are
        ("≤48小时", "62小时", YELLOW, "= 77.4%"),
        ("≤48小时", "96小时", RED, "= 50.0%"),
        ("24小时内", "0", GREEN, "未超过目标"),
    ],
)
def test_indicator_progress_against_time(target, value, colour, formula):
    light = indicator_light(IndicatorInput("指标", target, value), RULE, end_month=7)
    assert light.colour == colour
    assert formula in light.formula


@pytest.mark.parametrize(
    ("target", "value", "likelihood", "colour"),
    [
        ("有所提升", "", "certain", GREEN),
        ("有所提升", "", "possible", YELLOW),
        ("有所提升", "", "impossible", RED),
        ("有所提升", "", "", NONE),
        ("合同约定", "已完成", "", GREEN),
        ("合同约定", "未完成", "possible", YELLOW),
        ("合同约定", "大部分完成", "possible", YELLOW),  # only a word of completion, not one that contains it
        ("≥600次", "大部分完成", "impossible", RED),  # a word where a figure belongs: from the likelihood
        ("≥600次", "", "certain", NONE),  # no value yet: no light
    ],
)
def test_qualitative_rows_take_the_likelihood(target, value, likelihood, colour):
    assert indicator_light(IndicatorInput("指标", target, value, likelihood=likelihood), RULE, 7).colour == colour


def test_nature_column_makes_a_bare_target_a_ceiling():
    light = indicator_light(IndicatorInput("成本", "100", "150", nature="反向", unit="万元"), RULE, 7)
    assert (light.colour, light.rate.quantize(D("0.001"))) == (YELLOW, D("0.667"))


def test_cost_rows_are_ceilings_by_default():
    """人均培训成本 0.6 万元 (001): a 成本 row printing no 指标性质 is 反向."""
    row = IndicatorInput("人均培训成本", "0.6 万元", "0.5万元", default_nature="negative")
    light = indicator_light(row, RULE, 7)
    assert (light.colour, light.formula) == (GREEN, "反向指标：进度 = 目标 0.6 ÷ 1–7月 0.5 = 120.0%")
    spent = indicator_light(IndicatorInput("人均培训成本", "0.6 万元", "0.9万元", default_nature="negative"), RULE, 7)
    assert spent.colour == YELLOW  # 66.7%


def test_a_back_loaded_plan_is_measured_against_the_plan_not_the_calendar():
    """A training programme that runs in autumn: 100 of 600 by July is red against 7/12, green against its plan."""
    straight = indicator_light(IndicatorInput("培训人次", "≥600人次", "100"), RULE, 7)
    assert straight.colour == RED
    plan = parse_plan("0,10,20,70")  # quarters; 1–7月 = 10% + 20% × 1/3 = 16.67%
    planned = indicator_light(IndicatorInput("培训人次", "≥600人次", "100", plan=plan), RULE, 7)
    assert planned.colour == GREEN
    assert "进度 = 1–7月 100 ÷ (600 × 计划 16.7%) = 100.0%" in planned.formula


@pytest.mark.parametrize(
    ("plan", "month", "share"),
    [
        ("25,25,25,25", 6, D("0.5")),
        ("25,25,25,25", 7, D("0.5") + D(25) / 3 / 100),
        ("0,10,20,70", 12, D(1)),
        ("0,0,0,0,0,0,10,10,20,20,20,20", 7, D("0.1")),
        ("0,0,0,0,0,0,10,10,20,20,20,20", 6, D(0)),
    ],
)
def test_planned_share(plan, month, share):
    assert planned_share(parse_plan(plan), month) == share


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10,20,30", "4 个季度或 12 个月"),
        ("10,20,30,30", "合计应为 100，现为 90"),
        ("a,b,c,d", "用逗号分隔的百分数"),
        ("-10,40,40,30", "不能为负数"),
    ],
)
def test_a_bad_plan_is_refused_in_chinese(text, message):
    with pytest.raises(ValueError, match=message):
        parse_plan(text)


def test_plans_read_chinese_separators_and_percent_signs():
    assert parse_plan("10%，20%、30% 40%") == (D(10), D(20), D(30), D(40))
    assert parse_plan("") == ()


@pytest.mark.parametrize(
    ("annual", "executed", "month", "colour", "formula"),
    [
        # 执行率 35% ÷ 7/12 = 60%: yellow starts at 60
        ("600", "210", 7, YELLOW, "执行率 = 1–7月 210 ÷ 600 = 35.0%；进度 = 35.0% ÷ 7/12 = 60.0%"),
        ("600", "209", 7, RED, "进度 = 34.8% ÷ 7/12 = 59.7%"),
        ("600", "280", 7, GREEN, "= 80.0%"),
        ("600", "600", 7, GREEN, "= 171.4%"),  # no blue for money: spending early is not a warning here
        ("222.55", "111.28", 6, GREEN, "执行率 = 1–6月 111.28 ÷ 222.55 = 50.0%"),
    ],
)
def test_budget_light(annual, executed, month, colour, formula):
    light = budget_light(BudgetInput(D(annual), D(executed)), RULE, month)
    assert light.colour == colour
    assert formula in light.formula


def test_budget_without_figures_has_no_light():
    assert budget_light(BudgetInput(None, D(1)), RULE, 7).colour == NONE
    assert budget_light(BudgetInput(D(100), None), RULE, 7).colour == NONE


def test_fixed_checkpoints_make_unplanned_spending_red_and_spare_a_plan():
    rule = LightRule(checkpoints=((3, D(25)), (6, D(40)), (8, D(60)), (10, D(80))))
    # 1–7月 39% ÷ 7/12 = 66.9% would be yellow, but June's checkpoint (40%) has passed: red
    light = budget_light(BudgetInput(D(100), D(39)), rule, 7)
    assert light.colour == RED
    assert "低于 6 月末应达到的 40%" in light.formula
    assert budget_light(BudgetInput(D(100), D(45)), rule, 7).colour == YELLOW  # above 40%: the ratio rules
    assert budget_light(BudgetInput(D(100), D(10)), rule, 2).colour == RED  # before March: the ratio alone (30%)
    # a back-loaded spending plan: 20% by July is below June's 40%, but 20% ÷ 计划 (15% + 25% × 1/3) = 85.7%
    assert budget_light(BudgetInput(D(100), D(20)), rule, 7).colour == RED
    planned = budget_light(BudgetInput(D(100), D(20), parse_plan("5,10,25,60")), rule, 7)
    assert planned.colour == GREEN
    assert "进度 = 20.0% ÷ 计划 23.3% = 85.7%" in planned.formula


def test_thresholds_are_the_rules_not_constants():
    strict = LightRule(indicator_red_below=D(80), indicator_yellow_below=D(90), indicator_blue_from=D(150))
    row = IndicatorInput("指标", "≥600次", "300")  # 85.7%
    assert indicator_light(row, RULE, 7).colour == GREEN
    assert indicator_light(row, strict, 7).colour == YELLOW
    assert indicator_light(IndicatorInput("指标", "≥600次", "500"), strict, 7).colour == GREEN  # 142.9% < 150


def test_elapsed_share_of_a_period_can_be_set():
    light = indicator_light(IndicatorInput("指标", "≥600次", "300"), RULE, 6, share=D("0.5"))
    assert "(600 × 50.0%) = 100.0%" in light.formula


def test_the_project_takes_its_worst_light():
    lights = ProjectLights(Light(GREEN, ""), [Light(BLUE, ""), Light(YELLOW, ""), Light(NONE, "")])
    assert lights.worst.colour == YELLOW
    assert ProjectLights(Light(RED, ""), [Light(GREEN, "")]).worst.colour == RED
    assert ProjectLights(Light(GREEN, ""), [Light(BLUE, "")]).worst.colour == BLUE


def test_spending_far_ahead_is_green_without_an_upper_band_and_blue_with_one():
    # 1–6月 80 of 90 = 88.9% of the budget ÷ 6/12 = 177.8% of the elapsed share
    budget = BudgetInput(D(90), D(80))
    plain = budget_light(budget, RULE, 6)
    assert plain.colour == GREEN
    assert "= 177.8%" in plain.formula and "超进度" not in plain.formula
    banded = LightRule(budget_blue_from=D(120))
    ahead = budget_light(budget, banded, 6)
    assert ahead.colour == BLUE
    assert ahead.formula.endswith("进度 = 88.9% ÷ 6/12 = 177.8%，不低于超进度线 120%（超进度）")


@pytest.mark.parametrize(
    ("executed", "colour"),
    [("69.9", GREEN), ("70", BLUE), ("100", BLUE), ("46.7", GREEN), ("46.6", YELLOW), ("34.9", RED)],
)
def test_the_upper_band_starts_at_its_line(executed, colour):
    # 1–7月: 70% ÷ 7/12 = 120.0% exactly
    assert budget_light(BudgetInput(D(100), D(executed)), LightRule(budget_blue_from=D(120)), 7).colour == colour


def test_the_upper_band_reads_a_plan_and_leaves_checkpoints_to_the_lower_end():
    banded = LightRule(budget_blue_from=D(120), checkpoints=((3, D(25)), (6, D(40))))
    # planned 15% + 25% × 1/3 = 23.3% by July; 40% spent is 171.4% of the plan
    planned = budget_light(BudgetInput(D(100), D(40), parse_plan("5,10,25,60")), banded, 7)
    assert planned.colour == BLUE
    assert "÷ 计划 23.3% = 171.4%，不低于超进度线 120%" in planned.formula
    assert budget_light(BudgetInput(D(100), D(39)), banded, 7).colour == RED  # below June's 40%: still red
    # in the project's worst, 超进度 is milder than a yellow indicator
    lights = ProjectLights(planned, [Light(YELLOW, "")])
    assert lights.worst.colour == YELLOW
