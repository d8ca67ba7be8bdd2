"""The target-quality review of the 部门整体支出绩效目标申报表: the same engine and rules, the rules that run on its form
chosen by the rule rows (适用于部门整体申报表), its findings on its edit page and its head's page, in scope.

The values are the 东西湖 2021 部门整体 declaration's (fixtures/seeds/001_dongxihu_2021.yaml); where the seed only
prints a failing value, the passing one is the correction the rule's advice asks for."""

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.choices import FormKind
from projects.models import DepartmentDeclaration, ProjectDeclaration, ReviewRule
from projects.review_data import PROJECT_ONLY, RULES
from projects.selectors import declaration_page, department_declaration_page
from projects.services import workflow
from projects.services.review.data import (
    declaration_review_findings,
    department_declaration_review,
    department_declaration_review_findings,
    department_review_input,
)
from projects.services.review.engine import default_rule, run_review
from projects.services.review.inputs import BASIS, ReviewInput, RowInput
from tests.conftest import set_status

QUANTITY = ("产出指标", "数量指标")
QUALITY = ("产出指标", "质量指标")
TIME = ("产出指标", "时效指标")
COST = ("产出指标", "成本指标")
SUSTAIN = ("效益指标", "可持续影响指标")
SATISFACTION = ("满意度指标", "服务对象满意度指标")

LONG_1 = ("长期目标1", "提升我区招才引智、人才服务工作整体水平；\n2.开展招才引智活动，提升我区区域形象和人才队伍质量。")
LONG_2 = ("长期目标2", "保障两新组织党建相关工作，激发两新组织党组织和党员积极性，引领全区两新组织高质量发展。")
ANNUAL_2 = (
    "年度目标2",
    "1.保障部机关设备正常稳定运行。\n2.提高工作效率。\n3.进一步利用移动互联网平台展现东西湖区委组织部工作动态。",
)
TASKS = "（二）突出“基层基础”，织密筑牢党的组织体系。……教育引导党员干部树牢“四个意识”。"
FUNDS = Decimal("16366300")  # 财政拨款 1636.63 万元, the year's 收入


def row(seq, name, target, names=QUANTITY, goal=ANNUAL_2, **kw) -> RowInput:
    level1 = {"产出指标": "output", "效益指标": "benefit", "满意度指标": "satisfaction"}
    default_nature = "negative" if "成本指标" in names else ""
    return RowInput(key=seq, seq=seq, name=name, target=target, category_names=names, level1_code=level1[names[0]],
                    default_nature=default_nature, goal_name=goal[0], goal_text=goal[1], **kw)  # fmt: skip


# 年度目标2's table, each row corrected as the rules advise (≥1套, 系统正常运行率 …), and 年度目标1's 满意度 row.
TABLE = (
    row(1, "维护设备数量", "≥1套"),
    row(2, "设备正常运行率", "≥99.5%", QUALITY),
    row(3, "设备故障修复时间", "≤48 小时", TIME),
    row(4, "人均培训成本", "0.6 万元", COST),
    row(5, "核心设备正常使用", "≥5年", SUSTAIN),
    row(6, "党建工作满意度", "≥90%", SATISFACTION),
)


def department(**kw) -> ReviewInput:
    """A 部门整体 declaration as ``department_review_input`` reads it."""
    base = dict(year=2021, project_name="东西湖区委组织部", application_text=TASKS,
                goal_text="\n".join((LONG_1[1], LONG_2[1], ANNUAL_2[1])), annual_budget=FUNDS, rows=TABLE)  # fmt: skip
    return ReviewInput(**(base | kw))


def found(code, review_input):
    return [f for f in run_review(review_input, [default_rule(code)]) if f.code == code]


# The rule kinds shipped on for the 部门整体 form → (a declaration that passes, one that fails).
CASES = {
    "required_level2": (department(), department(rows=(
        row(1, "全区红色引擎工程相关活动、“七一”大型活动", "≥3次", goal=LONG_2),
        row(2, "深化全区红色引擎工程", "≥99.5%", QUALITY, goal=LONG_2),
    ))),  # 长期目标2's table: 数量 and 质量 only
    "min_rows": (department(), department(rows=(
        row(1, "全区红色引擎工程相关活动、“七一”大型活动", "≥3次", goal=LONG_2),
        row(2, "深化全区红色引擎工程", "≥99.5%", QUALITY, goal=LONG_2),
    ))),
    "satisfaction_public": (department(), department(rows=TABLE[:5])),  # 年度工作任务 names 党员, no 满意度 row
    "name_length": (department(), department(rows=(row(1, "全区红色引擎工程相关活动、“七一”大型活动", "≥3次"),))),
    "name_matches_level2": (department(), department(rows=(row(1, "深化全区红色引擎工程", "≥99.5%", QUALITY),))),
    "duplicate_name": (  # a table copied into a second goal (the seed's notes): the same row twice
        department(), department(rows=(*TABLE, row(7, "党建工作满意度", "≥90%", SATISFACTION, goal=LONG_2))),
    ),
    "copied_last_year": (
        department(prior_year=2020, prior_rows=(replace(TABLE[0], target="≥2套"),)),
        department(prior_year=2020, prior_rows=(TABLE[0],)),
    ),
    "value_unit": (department(), department(rows=(row(1, "培训班次", "5", goal=LONG_1),))),
    "value_form": (department(), department(rows=(row(1, "党建示范点数", "据实统计"),))),
    "value_comparator": (department(), department(rows=(row(1, "维护设备及系统数量", "1 套"),))),
    "timeliness_value": (department(), department(rows=(row(1, "培训完成时间", "200 学时", TIME, goal=LONG_1),))),
    "vague_words": (department(), department(rows=(row(1, "党建工作水平", "有所提升", QUALITY),))),
    "cost_within_budget": (  # last year's total (4175.62 万元) typed as this year's cost
        department(), department(rows=(row(1, "部门整体支出成本", "4175.62 万元", COST),)),
    ),
    "goal_quantity": (  # the seed's goals number their points (2. 1. 2.) but name no quantity: numbering is none
        department(goal_text=LONG_2[1] + "\n1.全年维护设备1套。"), department(),
    ),
    "row_relates_goal": (department(), department(rows=(row(1, "培训班次", "≥5期", goal=LONG_1),))),
}  # fmt: skip


def test_every_rule_kind_on_for_the_department_form_has_a_case():
    assert set(CASES) == set(RULES) - set(PROJECT_ONLY)


@pytest.mark.parametrize("code", list(CASES))
def test_rule_passes_and_fails_on_department_values(code):
    passing, failing = CASES[code]
    assert found(code, passing) == []
    hits = found(code, failing)
    assert hits, code
    assert all(h.severity == RULES[code][1] and h.message and "{" not in h.message for h in hits)


def test_a_row_is_read_against_its_own_goal_and_a_block_has_the_forms_name():
    (hit,) = found("row_relates_goal", CASES["row_relates_goal"][1])
    assert hit.message == "“培训班次”与长期目标1看不出联系（没有共同的关键词）。"
    # 年度目标2 speaks of 设备: the same name under it relates
    assert found("row_relates_goal", department(rows=(row(1, "维护设备数量", "≥1套", goal=ANNUAL_2),))) == []
    # a row without a goal of its own is read against the whole goal, as on a 项目 form
    bare = replace(CASES["row_relates_goal"][1].rows[0], goal_name="", goal_text="")
    (hit,) = found("row_relates_goal", department(rows=(bare,), goal_text=ANNUAL_2[1]))
    assert hit.message == "“培训班次”与绩效总目标看不出联系（没有共同的关键词）。"
    (block,) = found("min_rows", department(rows=TABLE[:2], place_labels={"indicators": "各目标的绩效指标"}))
    assert block.field == "各目标的绩效指标"


@pytest.mark.django_db
class TestStoredDepartmentDeclaration:
    @pytest.fixture
    def overall(self):
        pk = DepartmentDeclaration.objects.get(department__code="420112-zzb", year=2021).pk
        return department_declaration_page(pk)

    def codes(self, declaration) -> set[str]:
        return {f.code for f in department_declaration_review_findings(declaration)}

    def test_the_input_reads_the_form(self, overall):
        data = department_review_input(overall)
        assert data.annual_budget == FUNDS  # 收入 合计 printed blank: 财政拨款 1636.63 万元 + 其他资金 (blank)
        assert len(data.rows) == 21 and data.rows[0].name == "培训班次" and data.rows[0].goal_name == "长期目标1"
        assert data.rows[0].goal_text.startswith("提升我区招才引智") and data.rows[-1].goal_name == "年度目标2"
        assert data.goal_text.startswith("提升我区招才引智") and "保障部机关设备" in data.goal_text
        assert "党员干部" in data.application_text and data.basis_items == () and data.project_type == ""

    def test_the_shipped_rows_leave_the_project_only_kinds_out(self, overall):
        national = ReviewRule.objects.filter(division_prefix="")
        assert set(national.filter(for_department=False).values_list("code", flat=True)) == set(PROJECT_ONLY)
        assert national.filter(for_project=False).count() == 0
        assert {"value_unit", "row_relates_goal"} <= self.codes(overall)
        assert not self.codes(overall) & set(PROJECT_ONLY)

    def test_which_rules_run_is_data(self, overall):
        ReviewRule.objects.filter(division_prefix="", code="basis_document").update(for_department=True)
        findings = department_declaration_review_findings(overall)
        assert [f.place for f in findings if f.code == "basis_document"] == [BASIS]
        # a region's row off for the 部门整体 form: off there, while a project of that region still gets it
        ReviewRule.objects.create(division_prefix="4201", code="name_length", for_department=False)
        assert "name_length" not in self.codes(overall)
        talent = declaration_page(ProjectDeclaration.objects.get(project__name="人才专项经费", year=2021).pk)
        assert (
            ReviewRule.objects.rules_for(division_code="420112", year=2021, form_kind=FormKind.PROJECT)[
                "name_length"
            ].division_prefix
            == "4201"
        )
        assert "name_length" in {f.code for f in declaration_review_findings(talent)}

    def test_a_row_with_no_form_kind_is_refused(self):
        with pytest.raises(ValidationError, match="至少选择一种适用的申报表"):
            ReviewRule(code="name_length", division_prefix="42", for_project=False, for_department=False).full_clean()

    def test_the_review_reads_the_page_in_few_queries(self, overall, django_assert_max_num_queries):
        with django_assert_max_num_queries(3):  # the rules, last year's declaration and its rows
            department_declaration_review(overall)

    def test_a_blocking_row_refuses_the_submission(self, finance_user, overall):
        set_status(overall, "draft")
        workflow.declaration_submit(declaration=overall, user=finance_user)
        set_status(overall, "draft")
        ReviewRule.objects.filter(division_prefix="", code="name_length").update(
            severity="error", blocks_submission=True
        )
        with pytest.raises(
            workflow.WorkflowError, match="第 7 行“全区红色引擎工程相关活动、“七一”大型活动”：.*21 个字"
        ):
            workflow.declaration_submit(declaration=overall, user=finance_user)
        overall.refresh_from_db()
        assert overall.status == "draft"


@pytest.mark.django_db
class TestPages:
    @pytest.fixture
    def overall(self):
        return DepartmentDeclaration.objects.get(department__code="420112-zzb", year=2021)

    def test_the_edit_page_shows_each_finding_under_its_row(self, client, finance_user, overall):
        set_status(overall, "draft")
        client.force_login(finance_user)
        page = client.get(reverse("projects:department_declaration_edit", args=[overall.pk])).content.decode()
        assert "目标审核（按已保存的内容，22 条，标在各栏目下）" in page
        row7 = page.index('value="全区红色引擎工程相关活动、“七一”大型活动"')
        note = page.index("有 21 个字，三级指标名称应不超过 15 个字", row7)
        assert page.index('class="review-row"', row7) < note < page.index('value="深化全区红色引擎工程"', row7)
        row1 = page.index('value="培训班次"')
        assert row1 < page.index("指标值“5”只有数字", row1) < page.index("与长期目标1看不出联系", row1) < row7
        assert "立项依据" not in page  # the project-only rules do not run on this form

    def test_the_head_sees_the_grade_and_the_draft_then_returns_with_it_edited(self, client, head_user, overall):
        set_status(overall, "submitted")
        client.force_login(head_user)
        page = client.get(reverse("projects:department_declaration", args=[overall.pk])).content.decode()
        _findings, grade, draft = department_declaration_review(department_declaration_page(overall.pk))
        assert grade.grade == "差" and f"data-review-grade>{grade.grade}<" in page
        assert "第 7 行“全区红色引擎工程相关活动、“七一”大型活动”</b>：" in page  # the card lists the findings
        textarea = re.search(
            r'<textarea name="comment" rows="8" class="review-draft"[^>]*>(.*?)</textarea>', page, re.S
        )
        assert textarea and textarea.group(1).strip().startswith(f"绩效目标质量：{grade.grade}")
        assert "问题：第 1 行“培训班次”——指标值“5”只有数字" in textarea.group(1) and "建议：" in textarea.group(1)
        edited = draft.splitlines()[1] + "\n请各目标的指标与目标对应后重新提交。"
        client.post(reverse("projects:department_declaration_action", args=[overall.pk]),
                    {"action": "return", "comment": edited})  # fmt: skip
        overall.refresh_from_db()
        assert overall.status == "returned" and overall.review_comment == edited
        page = client.get(reverse("projects:department_declaration", args=[overall.pk])).content.decode()
        assert "退回意见：" in page and "review-draft" not in page

    def test_finance_staff_see_no_draft_to_approve(self, client, finance_user, overall):
        set_status(overall, "submitted")
        client.force_login(finance_user)
        page = client.get(reverse("projects:department_declaration", args=[overall.pk])).content.decode()
        assert "data-review-grade>" in page and "review-draft" not in page

    def test_another_departments_head_cannot_open_or_review_it(self, client, hongshan_head, overall):
        set_status(overall, "submitted")
        client.force_login(hongshan_head)
        for name in ("projects:department_declaration", "projects:department_declaration_edit"):
            assert client.get(reverse(name, args=[overall.pk])).status_code == 404
        response = client.post(
            reverse("projects:department_declaration_action", args=[overall.pk]), {"action": "approve"}
        )
        assert response.status_code == 404
        overall.refresh_from_db()
        assert overall.status == "submitted" and not overall.events.exists()

    def test_an_administrator_switches_a_rule_on_for_the_department_form_in_the_admin(self, client, admin_user_):
        client.force_login(admin_user_)
        data = {
            "code": "basis_document", "division_prefix": "42", "year_from": "", "year_to": "", "seq": "13",
            "basis": "", "for_project": "on", "for_department": "on", "enabled": "on", "severity": "hint",
            "params": "{}", "message": "立项依据没有引用《》标注的文件。", "advice": "",
        }  # fmt: skip
        response = client.post(reverse("admin:projects_reviewrule_add"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert ReviewRule.objects.get(division_prefix="42", code="basis_document").for_department
        response = client.post(reverse("admin:projects_reviewrule_add"), data | {"division_prefix": "43",
                                                                               "for_project": "", "for_department": ""})  # fmt: skip
        assert response.status_code == 200 and "至少选择一种适用的申报表" in response.content.decode()


@pytest.mark.django_db
def test_a_goal_finding_sits_under_the_goals_block(client, finance_user):
    overall = DepartmentDeclaration.objects.get(department__code="420112-zzb", year=2021)
    set_status(overall, "draft")
    overall.goals.update(text=LONG_2[1])  # no number, no date in any goal
    client.force_login(finance_user)
    page = client.get(reverse("projects:department_declaration_edit", args=[overall.pk])).content.decode()
    goals = page.index('data-prefix="goals"')
    assert goals < page.index("绩效总目标没有写明数量或时间。", goals) < page.index('data-prefix="indicators"')
