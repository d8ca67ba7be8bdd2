"""The review's rule set as data (per region and years, in the admin), its places on the pages, the head's grade and
draft, blocking only where a rule row says so, and the README's counts on the seeds."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import Project, ProjectDeclaration, ReviewRule
from projects.review_data import RULES
from projects.selectors import declaration_page
from projects.services import workflow
from projects.services.review.data import declaration_review, declaration_review_findings, review_input
from projects.services.review.report import BEGIN, END, review_report_markdown
from tests.conftest import set_status

pytestmark = pytest.mark.django_db

TALENT = "人才专项经费"  # 东西湖 2021 (420112): row 4 has an 18-character name


def talent() -> ProjectDeclaration:
    return declaration_page(ProjectDeclaration.objects.get(project__name=TALENT, year=2021).pk)


def codes(declaration) -> list[str]:
    return [f.code for f in declaration_review_findings(declaration)]


def test_the_national_defaults_are_shipped():
    national = ReviewRule.objects.filter(division_prefix="")
    assert set(national.values_list("code", flat=True)) == set(RULES) | {"grade"}
    assert not any(rule.blocking for rule in national)


def test_a_provinces_variant_is_one_more_row():
    assert "name_length" in codes(talent())
    ReviewRule.objects.create(division_prefix="42", code="name_length", year_from=2022, params={"max": 30})
    assert "name_length" in codes(talent()), "a 2022 row does not apply to 2021"
    ReviewRule.objects.create(division_prefix="4201", code="name_length", year_to=2021, params={"max": 30})
    assert "name_length" not in codes(talent())
    ReviewRule.objects.create(division_prefix="420112", code="basis_document", enabled=False)
    assert "basis_document" not in codes(talent())


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "name_length", "division_prefix": ""}, "年度重叠"),
        ({"code": "name_length", "division_prefix": "42", "message": "有 {length 个字"}, "不成对"),
        ({"code": "name_length", "division_prefix": "42", "params": {"max": "15"}}, "类型"),
        ({"code": "grade", "division_prefix": "42", "params": {"points": {}, "bands": [["优", 60], ["良", 90]]}}, "自高到低"),
        ({"code": "name_length", "division_prefix": "42", "year_from": 2024, "year_to": 2023}, "起始年度"),
    ],
)  # fmt: skip
def test_a_bad_rule_row_is_refused_with_a_message(fields, message):
    with pytest.raises(ValidationError, match=message):
        ReviewRule(severity="warning", **fields).full_clean()
    ReviewRule(severity="warning", code="name_length", division_prefix="42", params={"max": 20}).full_clean()


def test_the_edit_page_shows_each_finding_under_its_row(client, finance_user):
    declaration = talent()
    set_status(declaration, "draft")
    client.force_login(finance_user)
    page = client.get(reverse("projects:declaration_edit", args=[declaration.pk])).content.decode()
    row4 = page.index("区级人才计划入选人才计划人均资助金额")
    note = page.index("有 18 个字，三级指标名称应不超过 15 个字", row4)
    assert page.index('class="review-row"', row4) < note < page.index("项目持续发挥作用的期限", row4)
    basis = page.index('data-prefix="basis"')
    assert basis < page.index("立项依据没有引用《》标注的文件", basis) < page.index('data-prefix="prior_years"')
    assert page.index("测算依据没有按“单价×数量”列明测算过程", page.index('name="estimation_basis"')) > 0


def test_the_head_sees_a_grade_and_a_draft_opinion_to_edit_then_returns(client, head_user):
    declaration = talent()
    set_status(declaration, "submitted")
    client.force_login(head_user)
    page = client.get(reverse("projects:declaration", args=[declaration.pk])).content.decode()
    _findings, grade, draft = declaration_review(declaration)
    assert f"data-review-grade>{grade.grade}<" in page
    textarea = re.search(r'<textarea name="comment" rows="8" class="review-draft"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea and textarea.group(1).strip().startswith(f"绩效目标质量：{grade.grade}")
    assert "问题：" in textarea.group(1) and "建议：" in textarea.group(1)
    edited = draft.splitlines()[1] + "\n请补充测算依据后重新提交。"
    client.post(reverse("projects:declaration_action", args=[declaration.pk]), {"action": "return", "comment": edited})
    declaration.refresh_from_db()
    assert declaration.status == "returned" and declaration.review_comment == edited


def test_findings_block_a_submission_only_where_a_rule_row_says_so(finance_user):
    declaration = ProjectDeclaration.objects.get(pk=talent().pk)
    set_status(declaration, "draft")
    before = workflow.declaration_problems(declaration)
    rule = ReviewRule.objects.get(division_prefix="", code="name_length")
    rule.severity = "error"
    rule.save()
    assert workflow.declaration_problems(declaration) == before, "an error that is not marked 阻止提交 does not block"
    rule.blocks_submission = True
    rule.save()
    added = [p for p in workflow.declaration_problems(declaration) if p not in before]
    assert [p.message for p in added] == [
        "第 4 行“区级人才计划入选人才计划人均资助金额”：“区级人才计划入选人才计划人均资助金额”有 18 个字，"
        "三级指标名称应不超过 15 个字。"
    ]
    assert added[0].place == "indicators"


def test_a_continuing_project_shows_last_years_grade(finance_user):
    project = Project.objects.get(name="组织工作运行经费")  # 洪山: its 2019 self-evaluation prints 优
    project.project_type = "continuing"
    project.save()
    declaration = declaration_page(ProjectDeclaration.objects.create(project=project, year=2020).pk)
    prior = review_input(declaration).prior_evaluation
    assert prior is not None and prior.year == 2019 and prior.grade == "优"
    notes = [f.message for f in declaration_review_findings(declaration) if f.code == "continuing_prior"]
    assert notes[0].startswith("2019 年自评：") and "优" in notes[0]


def test_the_review_reads_a_page_in_few_queries(django_assert_max_num_queries):
    declaration = talent()
    with django_assert_max_num_queries(5):
        declaration_review(declaration)


def test_the_readme_shows_what_review_report_finds_on_the_seeds():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(BEGIN) + len(BEGIN) : readme.index(END)].strip()
    assert section == review_report_markdown(), "run: python manage.py review_report --readme README.md"


def test_an_administrator_adds_a_provinces_variant_in_the_admin(client, admin_user_):
    client.force_login(admin_user_)
    data = {
        "code": "name_length", "division_prefix": "42", "year_from": "2021", "year_to": "", "seq": "4", "basis": "",
        "enabled": "on", "for_project": "on", "for_department": "on", "severity": "hint", "params": '{"max": 20}', "message": "名称“{name}”{length} 字，超过 {max} 字。",
        "advice": "精简名称。",
    }  # fmt: skip
    response = client.post(reverse("admin:projects_reviewrule_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "name_length" not in codes(talent())  # 18 characters ≤ 20 in 湖北 from 2021
    response = client.post(reverse("admin:projects_reviewrule_add"), data | {"params": '{"max": "二十"}'})
    assert response.status_code == 200 and "类型应与默认值相同" in response.content.decode()
