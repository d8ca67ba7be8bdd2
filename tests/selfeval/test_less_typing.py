"""Less typing on a self-evaluation (issue 14 point 4) and honest live scoring (point 5)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ProjectDeclaration
from selfeval.models import EvaluationRow, SelfEvaluation
from tests.conftest import set_status
from tests.selfeval.test_evaluation_pages import page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def profiled(finance_user):
    finance_user.last_name, finance_user.first_name, finance_user.phone = "王", "小红", "027-83891234"
    finance_user.save()
    return finance_user


@pytest.fixture
def started(client, profiled):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    client.force_login(profiled)
    client.post(reverse("selfeval:evaluation_create", args=[declaration.pk]))
    return SelfEvaluation.objects.get(project=declaration.project, year=2021)


def edit(client, evaluation, **changes):
    return client.post(
        reverse("selfeval:evaluation_edit", args=[evaluation.pk]),
        {**page_data(client, evaluation, **changes), "action": "save"},
    )


def preview(client, evaluation, **changes):
    url = reverse("selfeval:evaluation_preview", args=[evaluation.pk])
    return client.post(url, page_data(client, evaluation, **changes)).json()


# -- point 4: less typing -----------------------------------------------------------------------------


def test_funding_rows_and_their_budget_come_from_the_declarations_sources(started):
    # the scheme's rows (湖北); its county-level 区级预算资金 carries the district's 公共预算财政拨款 and
    # 政府性基金预算财政拨款 (its shipped 其他写法), so no source is left to add after them
    lines = [(f.name, f.budget, f.is_total) for f in started.funding_rows.order_by("seq")]
    assert lines == [
        ("年度资金总额", Decimal("12000000.00"), True),
        *[(name, None, False) for name in ["中央补助", "省补助", "市补助", "国债资金"]],
        ("区级预算资金", Decimal("12000000.00"), False),
        ("其他资金", None, False),
    ]


def test_filler_and_phone_come_from_the_profile(started):
    assert (started.filler, started.phone) == ("王小红", "027-83891234")


def test_one_edits_ones_own_profile_and_nothing_else(client, finance_user):
    client.force_login(finance_user)
    staff = finance_user.is_staff
    assert client.get(reverse("projects:profile")).status_code == 200
    response = client.post(
        reverse("projects:profile"),
        {
            "last_name": "李",
            "first_name": "明",
            "phone": "13800000000",
            "email": "",
            "role": "admin",
            "is_staff": "" if staff else "on",
        },
    )
    assert response.status_code == 302
    finance_user.refresh_from_db()
    assert (finance_user.last_name, finance_user.first_name, finance_user.phone) == ("李", "明", "13800000000")
    assert (finance_user.role, finance_user.is_staff) == ("finance", staff)


def test_an_invalid_profile_changes_nothing(client, finance_user):
    client.force_login(finance_user)
    response = client.post(reverse("projects:profile"), {"last_name": "李", "phone": "1" * 80, "email": "x"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    finance_user.refresh_from_db()
    assert finance_user.last_name == "" and finance_user.phone == ""


def test_the_final_score_follows_the_proposal_until_the_evaluator_types_one(client, started):
    row = started.rows.get(seq=1)  # 招才引智活动, target ≥10 场
    assert edit(client, started, **{"rows-0-actual": "12 场", "rows-0-weight": "10"}).status_code == 302
    row.refresh_from_db()
    assert (row.score_proposed, row.score_final) == (Decimal("10.00"), Decimal("10.00"))
    assert edit(client, started, **{"rows-0-actual": "5 场"}).status_code == 302
    row.refresh_from_db()
    assert (row.score_proposed, row.score_final) == (Decimal("5.00"), Decimal("5.00"))  # still following
    assert edit(client, started, **{"rows-0-score_final": "6"}).status_code == 302
    assert edit(client, started, **{"rows-0-actual": "4 场"}).status_code == 302
    row.refresh_from_db()
    assert (row.score_proposed, row.score_final) == (Decimal("4.00"), Decimal("6.00"))  # the evaluator's own


def test_a_reason_is_asked_only_where_the_score_differs(client, started):
    edit(client, started, **{"rows-0-actual": "12 场", "rows-0-weight": "10"})
    result = preview(client, started)
    assert not [t for t in result["blocking"] if "未说明理由" in t]
    result = preview(client, started, **{"rows-0-score_final": "8"})
    assert [t for t in result["blocking"] if "与建议得分 10 不同，未说明理由" in t]
    page = client.get(reverse("selfeval:evaluation_edit", args=[started.pk])).content.decode()
    assert page.count('data-score-reason class="quiet"') == started.rows.count()


def test_the_preview_gives_the_proposal_as_final_score_and_a_provisional_total(client, started):
    result = preview(client, started, **{"rows-0-actual": "12 场", "rows-0-weight": "10"})
    row = started.rows.get(seq=1)
    assert result["rows"][str(row.pk)] | {"explanation": ""} == {
        "score": "10",
        "final": "10",
        "met": True,
        "explanation": "",
    }
    assert result["total"] is None and result["provisional_total"] == "10"


def test_each_qualitative_band_shows_its_point_range(client, started):
    edit(client, started, **{"rows-0-weight": "10"})
    page = client.get(reverse("selfeval:evaluation_edit", args=[started.pk])).content.decode()
    assert "达成年度指标（8–10 分）" in page and "部分达成并具有一定效果（6–8 分）" in page
    assert "未达成且效果较差（0–6 分）" in page


def test_a_filed_paper_form_keeps_its_own_scores(client):
    from projects.choices import Role
    from tests.conftest import make_user

    row = EvaluationRow.objects.filter(evaluation__source__gt="", evaluation__kind="project").first()
    evaluation = row.evaluation
    set_status(evaluation, "draft")
    EvaluationRow.objects.filter(pk=row.pk).update(target="≥10 场", actual="12 场", weight=10, score_final=None)
    client.force_login(make_user("t-filer-filed", Role.FINANCE, evaluation.department))
    assert edit(client, evaluation, goal_actual="完成。").status_code == 302
    row.refresh_from_db()
    assert row.score_final is None and row.score_proposed


# -- point 5: honest live scoring ---------------------------------------------------------------------


def test_an_unreadable_input_is_answered_at_its_field_and_no_figures_stay(client, started):
    edit(client, started, **{"rows-0-actual": "12 场", "rows-0-weight": "10"})
    result = preview(client, started, **{"rows-0-score_final": "12"})
    assert result["ok"] is False
    assert result["errors"] == {"rows-0-score_final": ["得分不能超过分值 10.00。"]}
    assert "total" not in result and "rows" not in result


def test_blocking_findings_read_error_and_stand_apart_from_hints(client, started):
    result = preview(client, started, **{"rows-0-actual": "5 场", "rows-0-weight": "10"})  # short of ≥10 场
    assert result["ok"]
    assert any(t.startswith("[错误] 第 1 行“招才引智活动”：实际完成值“5 场”未达到目标值") for t in result["blocking"])
    assert all(t.startswith("[提示]") for t in result["hints"])
    assert not set(result["blocking"]) & set(result["hints"])
    assert result["errors"]["rows-0-reason"] == ["实际完成值“5 场”未达到目标值“≥10 场”，未填写未完成原因。"]


def test_a_refused_submission_marks_each_field_in_one_message(client, started):
    data = page_data(client, started, **{"rows-0-actual": "5 场", "rows-0-weight": "10", "action": "submit"})
    response = client.post(reverse("selfeval:evaluation_edit", args=[started.pk]), data, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("?check=1")
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 2 and messages[0] == "已保存，得分已重新计算。"
    assert messages[1].startswith("未提交：还有") and "未达到目标的行须填写未完成原因" in messages[1]
    row_html = page.split(f'data-row="{started.rows.get(seq=1).pk}"')[1].split("</tr>")[0]
    assert (
        '<ul class="errorlist blocking"><li>错误：实际完成值“5 场”未达到目标值“≥10 场”，未填写未完成原因。' in row_html
    )
    started.refresh_from_db()
    assert started.status == "draft"
