"""The monitoring forms' API: list and detail with their lights in scope (another department's form is 404), an update
through the page's service (unknown keys refused, a stale version 409, a domain error 400 in Chinese), submit,
approve and return; the list's queries pinned; the schema describes it."""

import pytest

from projects.choices import DeclarationStatus, Likelihood
from projects.models import MonitoringForm, MonitoringPeriod, MonitoringRule, ProjectDeclaration
from projects.services import monitoring as service
from tests.api.test_api import api
from tests.builders import make_declaration, make_project

pytestmark = pytest.mark.django_db

ROWS = [("output", "培训人次", "≥600人次"), ("satisfaction", "满意度", "≥90%")]


@pytest.fixture
def form(dongxihu, finance_user):
    declaration = make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)
    return service.monitoring_start(declaration=declaration, user=finance_user)


def body(form, **changes):
    line = form.budget_lines.get()
    first, second = form.rows.all()
    data = {
        "version": form.version,
        "budget": [{"id": line.pk, "executed": "35", "forecast": "100"}],
        "rows": [
            {"id": first.pk, "value_to_date": "350", "likelihood": Likelihood.CERTAIN},
            {"id": second.pk, "value_to_date": "92%", "likelihood": Likelihood.CERTAIN},
        ],
    }
    return data | changes


def test_list_and_detail_show_the_lights_in_scope(form, finance_user, auditor_user, outsider_user):
    listed = api(auditor_user).get("/api/monitoring-forms/?year=2030").json()
    assert [f["id"] for f in listed["results"]] == [form.pk]
    assert listed["results"][0]["project_light"]["label"] == "未评"
    assert api(outsider_user).get("/api/monitoring-forms/").json()["results"] == []
    assert api(outsider_user).get(f"/api/monitoring-forms/{form.pk}/").status_code == 404
    detail = api(finance_user).get(f"/api/monitoring-forms/{form.pk}/").json()
    assert detail["version"] == 1 and [r["name"] for r in detail["rows"]] == ["培训人次", "满意度"]
    assert detail["budget"][-1]["name"] == "合计"


def test_update_writes_through_the_page_service_and_a_stale_version_is_409(form, finance_user):
    client = api(finance_user)
    response = client.put(f"/api/monitoring-forms/{form.pk}/", body(form), format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["version"] == 2 and data["budget"][0]["executed"] == "35.00" and data["budget"][0]["rate"] == "35.0%"
    assert data["rows"][0]["light"]["formula"] == "进度 = 1–7月 350 ÷ (600 × 7/12) = 100.0%"
    assert form.events.last().comment == "由接口写入"
    stale = client.put(f"/api/monitoring-forms/{form.pk}/", body(form, version=1), format="json")
    assert stale.status_code == 409 and "被他人修改" in stale.json()["detail"] and stale.json()["version"] == 2


def test_unknown_keys_bad_rows_and_domain_errors_are_400_and_nothing_is_written(form, finance_user, head_user):
    client = api(finance_user)
    url = f"/api/monitoring-forms/{form.pk}/"
    assert client.put(url, body(form, colour="green"), format="json").json() == {
        "colour": ["接口不认识这个栏目，本次没有保存任何内容。"]
    }
    first = form.rows.get(seq=1)
    possible = body(form, rows=[{"id": first.pk, "likelihood": Likelihood.POSSIBLE}])
    response = client.put(url, possible, format="json")
    assert response.status_code == 400 and "请勾选偏差原因" in response.json()["detail"]
    foreign = body(form, rows=[{"id": 999999, "value_to_date": "1"}])
    assert "不属于这张监控表" in client.put(url, foreign, format="json").json()["detail"]
    bad_plan = client.put(url, body(form, spending_plan="10,20"), format="json")
    assert bad_plan.status_code == 400 and "4 个季度" in str(bad_plan.json())
    assert api(head_user).put(url, body(form), format="json").status_code == 400
    assert MonitoringForm.objects.get(pk=form.pk).version == 1


def test_submit_approve_and_return(form, finance_user, head_user):
    url = f"/api/monitoring-forms/{form.pk}/"
    incomplete = api(finance_user).post(url + "submit/")
    assert incomplete.status_code == 400 and "监控表还不完整" in incomplete.json()["detail"]
    api(finance_user).put(url, body(form), format="json")
    assert api(head_user).post(url + "submit/").status_code == 400
    assert api(finance_user).post(url + "submit/").json()["status"] == "submitted"
    assert api(finance_user).post(url + "approve/", {}, format="json").status_code == 400
    assert (
        api(head_user).post(url + "return/", {"comment": ""}, format="json").json()["detail"]
        == "退回时请填写退回意见。"
    )
    returned = api(head_user).post(url + "return/", {"comment": "执行数有误"}, format="json").json()
    assert (returned["status"], returned["review_comment"]) == ("returned", "执行数有误")
    api(finance_user).post(url + "submit/")
    assert api(head_user).post(url + "approve/", {"comment": "同意"}, format="json").json()["status"] == "approved"


def test_the_list_does_not_grow_in_queries(dongxihu, finance_user, auditor_user, django_assert_max_num_queries):
    for _ in range(6):
        declaration = make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)
        service.monitoring_start(declaration=declaration, user=finance_user)
    client = api(auditor_user)
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/monitoring-forms/").json()["results"]) == 6


def test_the_schema_describes_the_monitoring_operations(auditor_user):
    schema = api(auditor_user).get("/api/schema/?format=json").json()
    assert {"get", "put"} <= set(schema["paths"]["/api/monitoring-forms/{id}/"])
    assert "post" in schema["paths"]["/api/monitoring-forms/{id}/return/"]
    assert "MonitoringWriteRequest" in schema["components"]["schemas"]


# -- starting a form and recording a decision ----------------------------------------------------------------------


def test_start_through_the_api_as_on_the_page(dongxihu, hongshan, finance_user, head_user, outsider_user):
    declaration = make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)
    url = "/api/monitoring-forms/"
    assert api(outsider_user).post(url, {"declaration": declaration.pk}, format="json").status_code == 404
    refused = api(head_user).post(url, {"declaration": declaration.pk}, format="json")
    assert refused.status_code == 400 and refused.json()["detail"] == "只有本部门的填报人可以填报运行监控表。"
    assert api(finance_user).post(url, {"declaration": "一"}, format="json").status_code == 400
    assert "接口不认识" in str(
        api(finance_user).post(url, {"declaration": declaration.pk, "x": 1}, format="json").json()
    )
    foreign_period = MonitoringPeriod.objects.create(
        rule=MonitoringRule.objects.create(division_prefix="13", name="河北"), seq=1, name="1–6月", end_month=6
    )
    wrong = api(finance_user).post(url, {"declaration": declaration.pk, "period": foreign_period.pk}, format="json")
    assert wrong.status_code == 400 and wrong.json()["detail"] == "监控期间不属于本地区本年度的运行监控规则。"
    missing = api(finance_user).post(url, {"declaration": declaration.pk, "period": 999999}, format="json")
    assert missing.status_code == 400 and missing.json()["detail"] == "监控期间不正确。"
    assert not MonitoringForm.objects.filter(declaration=declaration).exists()
    started = api(finance_user).post(url, {"declaration": declaration.pk}, format="json")
    assert started.status_code == 201, started.json()
    data = started.json()
    assert (data["declaration"], data["period_name"], data["status"]) == (declaration.pk, "1–7月", "draft")
    assert [r["name"] for r in data["rows"]] == ["培训人次", "满意度"]
    again = api(finance_user).post(url, {"declaration": declaration.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert MonitoringForm.objects.filter(declaration=declaration).count() == 1
    draft = make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.DRAFT, rows=ROWS)
    assert (
        "只有已审核的申报表" in api(finance_user).post(url, {"declaration": draft.pk}, format="json").json()["detail"]
    )


def _submitted(form, finance_user):
    api(finance_user).put(f"/api/monitoring-forms/{form.pk}/", body(form), format="json")
    assert api(finance_user).post(f"/api/monitoring-forms/{form.pk}/submit/").status_code == 200


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"kind": "cancel", "reason": "r", "respond_by": "2099-01-01"}, "处理意见应为 继续执行"),
        ({"reason": "r", "respond_by": "2099-01-01"}, "请选择处理意见。"),
        ({"kind": "continue", "reason": "", "respond_by": "2099-01-01"}, "请填写处理理由。"),
        ({"kind": "continue", "reason": "r", "respond_by": "明年"}, "部门反馈期限应写作 YYYY-MM-DD。"),
        ({"kind": "continue", "reason": "r"}, "请填写部门反馈期限。"),
        ({"kind": "continue", "reason": "r", "respond_by": "2020-01-01"}, "部门反馈期限不能早于今天。"),
        ({"kind": "continue", "reason": "r", "respond_by": "2099-01-01", "light": "red"}, "接口不认识这个栏目"),
    ],
)
def test_bad_decisions_are_refused_in_chinese_and_change_nothing(form, finance_user, head_user, given, message):
    _submitted(form, finance_user)
    events = form.events.count()
    response = api(head_user).post(f"/api/monitoring-forms/{form.pk}/decide/", given, format="json")
    assert response.status_code == 400 and message in str(response.json())
    assert not form.decisions.exists() and form.events.count() == events


def test_who_may_decide_through_the_api(form, finance_user, head_user, auditor_user, admin_user_, hongshan_head):
    url = f"/api/monitoring-forms/{form.pk}/decide/"
    decision = {"kind": "继续执行", "reason": "进度正常", "respond_by": "2099-01-01"}
    draft = api(head_user).post(url, decision, format="json")
    assert draft.status_code == 400 and draft.json()["detail"] == "监控表提交后才能作出处理意见。"
    _submitted(form, finance_user)
    assert api(hongshan_head).post(url, decision, format="json").status_code == 404
    for user in (finance_user, auditor_user):
        refused = api(user).post(url, decision, format="json")
        assert refused.status_code == 400 and "只有部门负责人或财政部门" in refused.json()["detail"]
    assert not form.decisions.exists()
    made = api(head_user).post(url, decision, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["decisions"][0] | {"decided_at": None} == {
        "kind": "continue", "kind_display": "继续执行", "reason": "进度正常", "respond_by": "2099-01-01",
        "light": "yellow", "decided_by": str(head_user), "decided_at": None,  # 1–7月 35% ÷ 7/12 = 60.0%
    }  # fmt: skip
    assert api(admin_user_).post(url, decision | {"kind": "suspend"}, format="json").status_code == 201
    assert list(form.decisions.values_list("kind", flat=True)) == ["continue", "suspend"]
    assert form.events.last().comment == "暂缓拨款：进度正常（2099-01-01 前反馈）"


def test_adjusting_targets_through_the_api_opens_the_declarations_adjustment(form, finance_user, head_user):
    _submitted(form, finance_user)
    response = api(head_user).post(
        f"/api/monitoring-forms/{form.pk}/decide/",
        {"kind": "adjust_targets", "reason": "培训改为线上", "respond_by": "2099-01-01"},
        format="json",
    )
    assert response.status_code == 201
    declaration = ProjectDeclaration.objects.get(pk=form.declaration_id)
    assert declaration.adjustment_requested
    assert "培训改为线上" in declaration.adjustment_reason


def test_the_schema_names_the_start_and_decision_bodies(auditor_user):
    schema = api(auditor_user).get("/api/schema/?format=json").json()
    assert "post" in schema["paths"]["/api/monitoring-forms/"]
    assert "post" in schema["paths"]["/api/monitoring-forms/{id}/decide/"]
    assert {"MonitoringStartRequest", "MonitoringDecisionRequest"} <= set(schema["components"]["schemas"])
