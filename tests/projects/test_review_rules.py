"""Every rule of the target-quality review, table-driven: a real value that passes and one that fails (most from
the seed declarations). Pure: no database."""

from decimal import Decimal

import pytest

from projects.review_data import RULES
from projects.services.review.engine import (
    RULE_FUNCTIONS,
    Grade,
    default_rule,
    draft_opinion,
    review_grade,
    run_review,
)
from projects.services.review.inputs import ExpenseInput, PriorEvaluation, PriorRow, ReviewInput, RowInput

QUANTITY = ("产出指标", "数量指标")
QUALITY = ("产出指标", "质量指标")
TIME = ("产出指标", "时效指标")
COST = ("成本指标", "经济成本指标")
SOCIAL = ("效益指标", "社会效益指标")
SATISFACTION = ("满意度指标", "服务对象满意度指标")


def row(seq, name, target, names=QUANTITY, **kw) -> RowInput:
    level1 = {"产出指标": "output", "成本指标": "cost", "效益指标": "benefit", "满意度指标": "satisfaction"}
    return RowInput(key=seq, seq=seq, name=name, target=target, category_names=names,
                    level1_code=level1.get(names[0] if names else "", ""), **kw)  # fmt: skip


FULL_TABLE = (
    row(1, "培训班次", "≥5期"),
    row(2, "培训合格率", "≥95%", QUALITY),
    row(3, "培训完成时间", "12月底前", TIME),
    row(4, "培训成本", "≤30万元", COST),
    row(5, "干部业务能力提升", "有效提升", SOCIAL),
    row(6, "参训学员满意度", "≥90%", SATISFACTION),
)
GOAL = "年内举办干部培训班5期，培训干部500人次，提升干部业务能力。"


def data(**kw) -> ReviewInput:
    base = dict(year=2021, project_name="干部教育培训", goal_text=GOAL, rows=FULL_TABLE,
                basis_items=("《干部教育培训工作条例》",), annual_budget=Decimal("300000"),
                expenses=(ExpenseInput("培训费", Decimal("300000"), "600元/人/天×100人×5天"),))  # fmt: skip
    return ReviewInput(**(base | kw))


def found(code, review_input, **changes):
    return [f for f in run_review(review_input, [default_rule(code, **changes)]) if f.code == code]


# rule code → (input that passes, input that fails)
CASES = {
    "required_level2": (
        data(),
        data(rows=tuple(r for r in FULL_TABLE if r.seq != 3)),  # 党建示范点建设经费: no 时效 row
    ),
    "min_rows": (data(), data(rows=FULL_TABLE[:2])),
    "satisfaction_public": (
        data(),
        data(rows=FULL_TABLE[:5], application_text="面向全区群众开展宣传"),  # 组织部工作经费: 群众, no 满意度
    ),
    "name_length": (data(), data(rows=(row(1, "区级人才计划入选人才计划人均资助金额", "≥6万元"),))),
    "name_matches_level2": (data(), data(rows=(row(1, "系统正常运行", "正常", QUALITY),))),
    "duplicate_name": (data(), data(rows=(*FULL_TABLE, row(7, "培训班次", "≥6期")))),
    "copied_last_year": (
        data(prior_year=2020, prior_rows=(PriorRow("培训班次", "≥4期"),)),
        data(prior_year=2020, prior_rows=(PriorRow("培训班次", "≥5 期"),)),
    ),
    "value_unit": (data(), data(rows=(row(1, "培训班次", "5"),))),  # 2021 年度干部教育培训 prints a bare 5
    "value_form": (data(), data(rows=(row(1, "考察人数", "考察方案规定人数"),))),
    "value_comparator": (data(), data(rows=(row(1, "维护设备及系统数量", "1 套"),))),
    "timeliness_value": (data(), data(rows=(row(1, "培训完成时间", "及时", TIME),))),
    "vague_words": (data(), data(rows=(row(1, "党建工作水平", "有所提升", QUALITY),))),
    "basis_document": (data(), data(basis_items=("依据区委组织部年度工作要点",))),
    "estimation_items": (
        data(),
        data(expenses=(ExpenseInput("培训费", Decimal("300000"), "依据前两年度项目经费实际支出情况而定"),)),
    ),
    "cost_within_budget": (data(), data(rows=(row(1, "培训成本", "≤50万元", COST),))),
    "goal_quantity": (data(), data(goal_text="保障部机关设备正常稳定运行。提高工作效率。")),
    "row_relates_goal": (data(), data(rows=(row(1, "微信公众号", "≥100篇"),))),
    "continuing_prior": (
        data(project_type="continuing", prior_evaluation=PriorEvaluation(2020, "优", "95", ())),
        data(project_type="continuing", prior_evaluation=PriorEvaluation(
            2020, "良", "85", ({"name": "培训合格率", "target": "≥95%", "actual": "90%", "reason": ""},))),
    ),
}  # fmt: skip


def test_every_rule_kind_has_a_function_and_a_case():
    assert set(RULES) == set(RULE_FUNCTIONS) == set(CASES)


@pytest.mark.parametrize("code", list(CASES))
def test_rule_passes_and_fails(code):
    passing, failing = CASES[code]
    if code == "continuing_prior":  # the grade is always shown; the unmet rows are what is to be addressed
        assert [f.message for f in found(code, passing)] == ["2020 年自评：95 分，优；未达标指标 0 项。"]
        assert "培训合格率" in found(code, failing)[1].message
        return
    assert found(code, passing) == []
    hits = found(code, failing)
    assert hits, code
    assert all(h.severity == RULES[code][1] and h.message and "{" not in h.message for h in hits)


def test_a_row_finding_is_placed_at_its_row():
    (hit,) = found("name_length", CASES["name_length"][1])
    assert hit.place == "row:1"
    assert hit.field == "第 1 行“区级人才计划入选人才计划人均资助金额”"
    assert hit.message == "“区级人才计划入选人才计划人均资助金额”有 18 个字，三级指标名称应不超过 15 个字。"


def test_parameters_change_what_a_rule_finds():
    long_name = CASES["name_length"][1]
    assert found("name_length", long_name, params={"max": 20}) == []
    assert found("min_rows", data(), params={"min": 7})[0].message == "只有 6 行三级指标，至少应有 7 行。"


def test_a_row_saying_not_applicable_stands_for_its_level2():
    rows = (*[r for r in FULL_TABLE if r.seq != 4], row(4, "成本指标", "不适用", ()))
    assert found("required_level2", data(rows=rows)) == []
    rows = (*[r for r in FULL_TABLE if r.seq != 4], row(4, "成本指标", "—", ()))
    assert [f.message for f in found("required_level2", data(rows=rows))] == [
        "缺少“成本”类指标（若不适用，请设一行并在指标值中写明“不适用”）。"
    ]


def test_the_unit_column_and_the_comparator_column_count():
    with_columns = (row(1, "培训班次", "5", unit="期", comparator="≥"),)
    assert found("value_unit", data(rows=with_columns)) == []
    assert found("value_comparator", data(rows=with_columns)) == []


@pytest.mark.parametrize("target", ["12月底前", "≤5个工作日", "每季度1次", "不适用"])
def test_timeliness_accepts_a_date_a_duration_a_frequency(target):
    assert found("timeliness_value", data(rows=(row(1, "办结时限", target, TIME),))) == []


@pytest.mark.parametrize(
    ("basis", "requested", "agrees"),
    [("300元/人×100人", "30000", True), ("0.5万元×10台", "50000", True), ("2×15", "300000", True),
     ("300元/人×100人", "40000", False)],
)  # fmt: skip
def test_estimation_products_in_yuan_or_wan(basis, requested, agrees):
    review = data(annual_budget=Decimal(requested), expenses=(ExpenseInput("费", Decimal(requested), basis),))
    assert (found("estimation_items", review) == []) is agrees


def test_disabled_rules_find_nothing():
    assert found("min_rows", CASES["min_rows"][1], enabled=False) == []


def test_an_administrators_stray_brace_shows_the_template():
    (hit,) = found("min_rows", CASES["min_rows"][1], message="只有 {count 行")
    assert hit.message == "只有 {count 行"


def test_grade_from_the_findings_and_the_bands():
    bands = {"points": {"error": 20, "warning": 5, "hint": 1}, "bands": [["优", 90], ["良", 75], ["中", 60], ["差", 0]]}
    all_rules = [default_rule(code) for code in RULES]
    assert review_grade(run_review(data(), all_rules), bands) == Grade("优", 100, {"error": 0, "warning": 0, "hint": 0})
    poor = data(rows=FULL_TABLE[:2], goal_text="提高工作效率", basis_items=())
    grade = review_grade(run_review(poor, all_rules), bands)
    assert grade.counts["error"] == 1 and grade.score < 60 and grade.grade == "差"
    assert review_grade(run_review(poor, all_rules), {**bands, "points": {"error": 1}}).grade == "优"


def test_draft_opinion_is_problem_and_advice_per_rule():
    all_rules = [default_rule(code) for code in RULES]
    findings = run_review(data(rows=(row(1, "培训班次", "5"), row(2, "培训人次", "500"))), all_rules)
    draft = draft_opinion(findings, review_grade(findings))
    lines = draft.splitlines()
    assert lines[0].startswith("绩效目标质量：")
    assert "1. 问题：年度绩效指标——只有 2 行三级指标，至少应有 3 行。" in lines  # the 错误 first
    assert any(line.startswith("   建议：") for line in lines)
    unit = next(line for line in lines if "只有数字" in line)
    assert unit.endswith("第 1 行“培训班次”等 2 处——指标值“5”只有数字，没有计量单位。")
    assert draft_opinion([], review_grade([])) == "绩效目标质量：优。未发现问题，建议通过。"


def test_a_continuing_project_without_last_years_evaluation_says_so_and_a_one_off_project_is_not_asked():
    (note,) = found("continuing_prior", data(project_type="recurring"))
    assert note.message == "没有本项目 2020 年的自评表，无法对照上年完成情况。"
    assert found("continuing_prior", data(project_type="one_off")) == []


@pytest.mark.parametrize(
    "goal",
    [
        "1、保障机关正常运转。2、提高工作效率。",
        "（1）保障机关正常运转；（2）提高工作效率",
        "一、保障机关正常运转 二、提高工作效率",
    ],
)
def test_the_numbers_of_a_list_are_no_quantity_in_the_goal(goal):
    assert [f.message for f in found("goal_quantity", data(goal_text=goal))] == ["绩效总目标没有写明数量或时间。"]


@pytest.mark.parametrize("goal", ["1、年内举办培训班5期。2、培训干部500人次。", "1.5万人次受益", "（1）年底前完成验收"])
def test_a_numbered_goal_with_a_quantity_or_a_date_passes(goal):
    assert found("goal_quantity", data(goal_text=goal)) == []


@pytest.mark.parametrize(
    ("changes", "kind"),
    [({}, "数量指标"), ({"names": COST}, "成本指标"), ({"names": QUALITY, "nature": "正向"}, "正向指标")],
)
def test_an_unmeasurable_value_is_told_why_the_row_is_measured_not_called_quantitative(changes, kind):
    """The page shows such a row as 定性 (judged from its value): the review says why it should be measured."""
    (hit,) = found("value_form", data(rows=(row(1, "考察人数", "考察方案规定人数", **changes),)))
    assert hit.message == f"{kind}应可衡量，指标值“考察方案规定人数”不是“比较符＋数值＋单位”或日期。"
