"""The declaration pages: scope, saving drafts, validation, stale copies and the review workflow."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import IndicatorCategory
from projects.models import DeclarationEvent, Project, ProjectDeclaration

pytestmark = pytest.mark.django_db

FORMSETS = ["basis", "prior_years", "funding", "expenses", "procurement", "goals", "indicators"]


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def category(name, parent=None):
    qs = IndicatorCategory.objects.filter(name=name)
    return qs.get(parent__name=parent) if parent else qs.get(level=1)


def complete_data(declaration, **overrides):
    """A complete page for a new declaration: header, one line per table, a row under each 一级."""
    data = {
        "version": declaration.updated_at.isoformat(),
        "unit": "万元",
        "fill_date": "2022-01-20",
        "supervising_unit": "区委组织部",
        "executing_unit": "人才科",
        "leader": "王洋洋",
        "phone": "83265202",
        "application_reason": "推进人才强区建设。",
        "total_budget": "100",
        "annual_budget": "100",
        "funding_total": "100",
        "expense_total": "100",
    }
    for prefix in FORMSETS:
        data.update(management(prefix, 0))
    data.update(management("funding", 1))
    data.update({"funding-0-name": "公共预算财政拨款", "funding-0-amount": "100", "funding-0-level": "0"})
    data.update(management("expenses", 2))
    data.update(
        {
            "expenses-0-name": "人才活动",
            "expenses-0-amount": "60.5",
            "expenses-1-name": "人才服务",
            "expenses-1-amount": "39.5",
        }
    )
    data.update(management("goals", 1))
    data.update({"goals-0-text": "提升招才引智工作水平"})
    rows = [("产出指标", "数量指标", "招才引智活动", "≥10 场"), ("效益指标", "社会效益指标", "人才服务", "有所提升"),
            ("满意度指标", "服务对象满意度指标", "人才满意度", "≥90%")]  # fmt: skip
    data.update(management("indicators", len(rows)))
    for i, (l1, l2, name, target) in enumerate(rows):
        data.update({
            f"indicators-{i}-level1": str(category(l1).pk), f"indicators-{i}-level2": str(category(l2, l1).pk),
            f"indicators-{i}-name": name, f"indicators-{i}-target": target,
        })  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def project(dongxihu):
    return Project.objects.get(key="dxh2021-rczx")


@pytest.fixture
def draft(client, finance_user, project):
    client.force_login(finance_user)
    response = client.post(reverse("projects:declaration_create", args=[project.pk]), {"year": "2022"})
    declaration = ProjectDeclaration.objects.get(project=project, year=2022)
    assert response.url == reverse("projects:declaration_edit", args=[declaration.pk])
    client.logout()
    return declaration


def test_login_is_required_and_in_chinese(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page and "用户名" in page
    response = client.post(reverse("login"), {"username": "finance", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


def test_home_shows_the_own_department_to_finance_and_everything_to_auditors(
    client, finance_user, auditor_user, django_assert_max_num_queries
):
    client.force_login(finance_user)
    with django_assert_max_num_queries(
        17
    ):  # a page of projects with their forms and monitoring forms, the pager's count, the departments
        response = client.get(reverse("home"), {"year": "2021"})
    names = {row["project"].department.code for row in response.context["rows"]}
    assert names == {"420112-zzb"}
    assert len(response.context["rows"]) == 7
    client.force_login(auditor_user)
    response = client.get(reverse("home"), {"year": "2019"})
    seen = {row["project"].department.code for row in response.context["rows"]}
    assert {"420111-zzb", "130100-zzb"} <= seen  # every department with 2019 forms
    assert "420112-zzb" in seen  # and recurring projects, which may start a declaration for any year
    assert client.get(reverse("home"), {"year": "abc"}).status_code == 200


def test_other_departments_declarations_are_not_found(client, outsider_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    client.force_login(outsider_user)
    assert client.get(reverse("projects:declaration", args=[declaration.pk])).status_code == 404
    assert client.get(reverse("projects:declaration_edit", args=[declaration.pk])).status_code == 404
    response = client.post(reverse("projects:declaration_action", args=[declaration.pk]), {"action": "approve"})
    assert response.status_code == 404


def test_auditors_read_but_cannot_edit(client, auditor_user, draft):
    client.force_login(auditor_user)
    page = client.get(reverse("projects:declaration", args=[draft.pk]))
    assert page.status_code == 200 and not page.context["rights"].edit
    assert client.get(reverse("projects:declaration_edit", args=[draft.pk])).status_code == 403
    assert client.post(reverse("projects:declaration_edit", args=[draft.pk]), complete_data(draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.leader == ""


def test_the_detail_page_reads_with_a_fixed_number_of_queries(client, auditor_user, django_assert_max_num_queries):
    client.force_login(auditor_user)
    declaration = ProjectDeclaration.objects.get(project__key="qk2020-zzbgzjf")
    with django_assert_max_num_queries(20):
        page = client.get(reverse("projects:declaration", args=[declaration.pk]))
    text = page.content.decode()
    assert "7000000.00" in text and "留下大学生 5 万人" in text and "定量 · 等于 50000人 · 正向" in text


def test_a_draft_saves_when_incomplete_and_amounts_convert_to_yuan(client, finance_user, draft):
    client.force_login(finance_user)
    data = complete_data(draft, leader="", annual_budget="12.3456", action="save")
    response = client.post(reverse("projects:declaration_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.annual_budget == Decimal("123456.00")
    assert draft.status == "draft"
    assert [e.amount for e in draft.expense_items.all()] == [Decimal("605000.00"), Decimal("395000.00")]
    assert draft.indicators.count() == 3
    assert draft.indicators.first().level1.name == "产出指标"


def test_an_invalid_submission_saves_nothing_and_says_why(client, finance_user, draft):
    client.force_login(finance_user)
    data = complete_data(draft, action="submit", **{"expenses-1-amount": "30"})
    response = client.post(reverse("projects:declaration_edit", args=[draft.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "本次没有保存任何内容" in page
    assert "各支出明细之和为 90.5" in page
    draft.refresh_from_db()
    assert (draft.status, draft.leader, draft.expense_items.count()) == ("draft", "", 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("annual_budget", "一百万", "请输入数字金额"),
        ("annual_budget", "1.0000001", "小数位"),
        ("funding-0-amount", "abc", "请输入数字金额"),
    ],
)
def test_unparseable_amounts_are_refused_in_chinese(client, finance_user, draft, field, value, message):
    client.force_login(finance_user)
    response = client.post(
        reverse("projects:declaration_edit", args=[draft.pk]), complete_data(draft, action="save", **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProjectDeclaration.objects.get(pk=draft.pk).funding_sources.exists()


def test_a_row_missing_its_categories_blocks_submission(client, finance_user, draft):
    client.force_login(finance_user)
    data = complete_data(draft, action="submit", **{"indicators-2-level1": "", "indicators-2-level2": ""})
    response = client.post(reverse("projects:declaration_edit", args=[draft.pk]), data)
    page = response.content.decode()
    assert "“满意度指标”至少需要一行三级指标" in page
    assert "请选择一级和二级指标" in page


def test_a_stale_copy_is_not_saved(client, finance_user, draft):
    client.force_login(finance_user)
    stale = complete_data(draft, action="save", leader="甲")
    fresh = complete_data(draft, action="save", leader="乙")
    assert client.post(reverse("projects:declaration_edit", args=[draft.pk]), fresh).status_code == 302
    response = client.post(reverse("projects:declaration_edit", args=[draft.pk]), stale)
    assert response.status_code == 200
    assert "被他人修改" in response.content.decode()
    draft.refresh_from_db()
    assert draft.leader == "乙"


def test_review_cycle_return_then_approve(client, finance_user, head_user, draft):
    edit = reverse("projects:declaration_edit", args=[draft.pk])
    act = reverse("projects:declaration_action", args=[draft.pk])
    client.force_login(finance_user)
    assert client.post(edit, complete_data(draft, action="submit")).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by) == ("submitted", finance_user)
    assert client.get(edit).status_code == 403  # submitted: not editable
    assert client.post(act, {"action": "approve"}).status_code == 302  # finance cannot approve
    draft.refresh_from_db()
    assert draft.status == "submitted"

    client.force_login(head_user)
    client.post(act, {"action": "return", "comment": ""})
    draft.refresh_from_db()
    assert draft.status == "submitted"  # a return needs a comment
    client.post(act, {"action": "return", "comment": "满意度指标请细化。"})
    draft.refresh_from_db()
    assert (draft.status, draft.review_comment, draft.reviewed_by) == ("returned", "满意度指标请细化。", head_user)

    client.force_login(finance_user)
    # the head's comment is on top of the form and of its edit page, where the filer mends it
    for url in (reverse("projects:declaration", args=[draft.pk]), edit):
        assert "退回意见：满意度指标请细化。" in client.get(url).content.decode()
    draft.refresh_from_db()
    data = complete_data(draft, action="submit", **{"indicators-2-name": "人才对服务的满意度"})
    # the rows saved before are on the page now: post them as existing rows
    data = resubmit_data(client, draft, data)
    assert client.post(edit, data).status_code == 302

    client.force_login(head_user)
    client.post(act, {"action": "approve", "comment": "同意。"})
    draft.refresh_from_db()
    assert draft.status == "approved"
    actions = list(draft.events.values_list("action", "user__username"))
    assert actions == [
        ("create", "t-finance"), ("submit", "t-finance"), ("return", "t-head"), ("submit", "t-finance"), ("approve", "t-head"),
    ]  # fmt: skip
    assert all(e.at for e in DeclarationEvent.objects.filter(project_declaration=draft))

    client.force_login(finance_user)
    assert client.get(edit).status_code == 403  # approved: read-only
    client.post(act, {"action": "adjust_request", "comment": ""})
    draft.refresh_from_db()
    assert not draft.adjustment_requested
    client.post(act, {"action": "adjust_request", "comment": "上级追加任务，需增加一项指标。"})
    client.force_login(head_user)
    client.post(act, {"action": "adjust_approve"})
    draft.refresh_from_db()
    assert (draft.status, draft.adjustment_requested) == ("draft", False)
    assert list(draft.events.values_list("action", flat=True))[-2:] == ["adjust_request", "adjust_approve"]


def resubmit_data(client, declaration, data):
    """Replace the new-row data by the rows the page now shows (existing rows with their ids)."""
    response = client.get(reverse("projects:declaration_edit", args=[declaration.pk]))
    form, formsets = response.context["form"], response.context["formsets"]
    out = {k: v for k, v in data.items() if not any(k.startswith(p + "-") for p in FORMSETS)}
    out["version"] = form.initial["version"]
    for prefix, formset in formsets.items():
        forms = formset.forms
        out.update(management(prefix, len(forms), len(forms)))
        for i, f in enumerate(forms):
            for name, field in f.fields.items():
                if name == "DELETE":
                    continue
                key = f"{prefix}-{i}-{name}"
                value = data.get(key, f.initial.get(name, field.initial))
                out[key] = "" if value is None else (value.pk if hasattr(value, "pk") else value)
    return out


def test_parse_endpoint(client, finance_user):
    client.force_login(finance_user)
    response = client.get(reverse("indicators:parse"), {"v": "≤48 小时"})
    assert response.json() == {"kind": "quantitative", "text": "定量 · 不高于 48小时 · 反向"}
    assert client.get(reverse("indicators:parse"), {"v": "有所提升"}).json()["kind"] == "qualitative"


def test_carry_over_copies_last_year_with_history_and_shows_changes(client, finance_user, project):
    client.force_login(finance_user)
    response = client.post(
        reverse("projects:declaration_create", args=[project.pk]), {"year": "2022", "carry_over": "1"}
    )
    new = ProjectDeclaration.objects.get(project=project, year=2022)
    assert response.url == reverse("projects:declaration_edit", args=[new.pk])
    old = ProjectDeclaration.objects.get(project=project, year=2021)
    assert (new.status, new.annual_budget, new.leader) == ("draft", old.annual_budget, old.leader)
    assert new.expense_items.count() == old.expense_items.count() == 4
    assert (new.expense_total, new.funding_total) == (old.expense_total, old.funding_total)  # lines with their 合计
    assert list(new.indicators.values_list("name", "target", "prev1")) == [
        (row.name, row.target, row.target)
        for row in old.indicators.all()  # no 2021 self-evaluation: 上年 = target
    ]
    assert new.events.get().action == "carry_over"
    # change a target and remove a row: the page shows both against last year
    row = new.indicators.get(name="招才引智活动")
    row.target = "≥12 场"
    row.save()
    new.indicators.filter(name="人才满意度").delete()
    page = client.get(reverse("projects:declaration", args=[new.pk])).content.decode()
    assert "与 2021 年申报表相比" in page
    assert "指标“招才引智活动”的指标值" in page and "≥12 场" in page
    assert "删去指标“人才满意度”" in page


def test_carry_over_takes_last_years_actuals_from_its_self_evaluation(finance_user):
    from projects.carry_over import declaration_carry_over
    from projects.models import ScoringScheme
    from selfeval.models import EvaluationRow, SelfEvaluation

    old = ProjectDeclaration.objects.get(project__key="dxh2021-rczx", year=2021)
    evaluation = SelfEvaluation.objects.create(
        kind="project", department=old.project.department, project=old.project, year=2021, layout="hubei",
        scheme=ScoringScheme.objects.get(code="hubei_project"),
    )  # fmt: skip
    EvaluationRow.objects.create(evaluation=evaluation, seq=1, name="招才引智活动", target="≥10 场", actual="14 场")
    new = declaration_carry_over(project=old.project, year=2022, user=finance_user)
    row = new.indicators.get(name="招才引智活动")
    assert (row.prev2, row.prev1, row.target) == ("", "14 场", "≥10 场")
    with pytest.raises(ValueError, match="没有上年的申报表"):
        declaration_carry_over(project=Project.objects.get(key="hs2019-rcyz"), year=2020, user=finance_user)


def test_the_003_layout_fields_are_editable(client, finance_user, draft):
    client.force_login(finance_user)
    data = complete_data(draft, action="save", unit="元", annual_budget="7000000", total_budget="21000000",
                         funding_total="", expense_total="")  # fmt: skip
    data.update(management("prior_years", 1))
    data.update({"prior_years-0-year": "2021", "prior_years-0-budget": "3880000", "prior_years-0-executed": "3771000",
                 "prior_years-0-rate_printed": "97.2%", "indicators-0-prev2": "8 场", "indicators-0-prev1": "9 场"})  # fmt: skip
    assert client.post(reverse("projects:declaration_edit", args=[draft.pk]), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.unit, draft.annual_budget) == ("元", Decimal("7000000.00"))
    prior = draft.prior_years.get()
    assert (prior.year, prior.budget, prior.executed, prior.rate_printed) == (
        2021,
        Decimal("3880000.00"),
        Decimal("3771000.00"),
        "97.2%",
    )
    row = draft.indicators.get(name="招才引智活动")
    assert (row.prev2, row.prev1) == ("8 场", "9 场")
    page = client.get(reverse("projects:declaration", args=[draft.pk])).content.decode()
    assert "指标值（前年）" in page and "3880000.00" in page


@pytest.mark.parametrize(
    ("scheme", "wrong", "message", "right"),
    [
        (
            "national_project",  # each 一级's rows add up to its points
            ("40", "30", "10"),
            "“产出指标”各行分值合计 40，按财政部项目支出绩效自评（2020）应为 50",
            ("50", "30", "10"),
        ),
        (
            "hubei_project",  # one pool of 60 shared by every row
            ("40", "30", "10"),
            "各行分值合计 80，按湖北省项目支出绩效自评，“绩效指标”共 60 分",
            ("40", "10", "10"),
        ),
        (
            "sichuan_project",  # one pool of 90
            ("50", "30", "20"),
            "各行分值合计 100，按四川省项目支出绩效自评（预算执行 10 分 + 绩效指标 90 分），“绩效指标”共 90 分",
            ("50", "30", "10"),
        ),
        (
            "hebei_project",  # points printed per form: only the maximum
            ("50", "40", "20"),
            "各行分值合计 110，超过河北省市级部门预算项目绩效自评的满分 100",
            ("50", "30", "10"),
        ),
    ],
)
def test_weights_follow_the_declarations_scheme_where_given(client, finance_user, draft, scheme, wrong, message, right):
    from projects.models import ScoringScheme

    ProjectDeclaration.objects.filter(pk=draft.pk).update(scheme=ScoringScheme.objects.get(code=scheme))
    client.force_login(finance_user)
    url = reverse("projects:declaration_edit", args=[draft.pk])
    partial = complete_data(draft, action="submit", **{"indicators-0-weight": "50"})
    assert "分值要么每行都填写" in client.post(url, partial).content.decode()
    weights = {f"indicators-{i}-weight": w for i, w in enumerate(wrong)}
    assert message in client.post(url, complete_data(draft, action="submit", **weights)).content.decode()
    weights = {f"indicators-{i}-weight": w for i, w in enumerate(right)}
    assert client.post(url, complete_data(draft, action="submit", **weights)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_the_parse_hint_reads_the_rows_unit_comparator_and_nature(client, finance_user):
    client.force_login(finance_user)
    url = reverse("indicators:parse")
    assert client.get(url, {"v": "95"}).json()["text"] == "定量 · 等于 95 · 正向"
    assert client.get(url, {"v": "95", "u": "%", "c": ">="}).json()["text"] == "定量 · 不低于 95% · 正向"
    assert client.get(url, {"v": "48", "u": "小时", "n": "negative"}).json()["text"] == "定量 · 不高于 48小时 · 反向"


def test_a_rows_columns_are_read_on_the_page_and_a_contradicting_nature_is_an_error(client, finance_user, draft):
    client.force_login(finance_user)
    data = complete_data(draft, action="save")
    data.update({"indicators-0-target": "10", "indicators-0-unit": "场", "indicators-0-comparator": ">="})
    data.update({"indicators-2-target": "90", "indicators-2-unit": "%", "indicators-2-nature": "positive"})
    data.update({"indicators-2-comparator": "<="})
    assert client.post(reverse("projects:declaration_edit", args=[draft.pk]), data).status_code == 302
    text = client.get(reverse("projects:declaration", args=[draft.pk])).content.decode()
    assert "定量 · 不低于 10场 · 正向" in text
    assert "第 3 行“人才满意度”" in text and "指标性质为“正向”，指标值却是“≤”" in text
