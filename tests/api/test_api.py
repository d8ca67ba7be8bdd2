"""The REST API: the pages' scope, validation, workflow and lock; token auth; filters, pagination, query counts."""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import Project, ProjectDeclaration
from selfeval.models import EvaluationRow, SelfEvaluation
from selfeval.services.report import score_report
from selfeval.services.start import evaluation_start
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_a_token_is_obtained_with_the_password_and_used(finance_user):
    anonymous = APIClient()
    assert anonymous.get("/api/declarations/").status_code == 403
    response = anonymous.post("/api/token/", {"username": "t-finance", "password": "pw-for-tests-123"}, format="json")
    token = response.json()["token"]
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anonymous.get("/api/declarations/").status_code == 200
    wrong = APIClient().post("/api/token/", {"username": "t-finance", "password": "nope"}, format="json")
    assert wrong.status_code == 400


def test_lists_are_scoped_filtered_and_paginated(finance_user, outsider_user, auditor_user):
    mine = api(finance_user).get("/api/declarations/").json()
    assert mine["count"] == ProjectDeclaration.objects.filter(project__department=finance_user.department).count()
    assert {d["department_code"] for d in mine["results"]} == {"420112-zzb"}
    everything = api(auditor_user).get("/api/declarations/", {"year": 2021, "department_code": "420112-zzb"}).json()
    assert everything["count"] == mine["count"]
    evaluations = api(auditor_user).get("/api/evaluations/", {"year": 2019, "department_code": "130100-zzb"}).json()
    assert evaluations["count"] == 14 and len(evaluations["results"]) == 14
    paged = api(auditor_user).get("/api/evaluations/", {"page": 1}).json()
    assert paged["count"] == SelfEvaluation.objects.count() and "next" in paged
    states = api(auditor_user).get("/api/evaluations/", {"state": "signed"}).json()
    assert states["count"] == SelfEvaluation.objects.filter(status="signed").count()
    bad = api(auditor_user).get("/api/evaluations/", {"state": "nonsense"})
    assert bad.status_code == 400
    declaration = ProjectDeclaration.objects.filter(project__department=finance_user.department).first()
    hidden = api(outsider_user).get(f"/api/declarations/{declaration.pk}/")
    assert hidden.status_code == 404 and hidden.json()["detail"] == "没有找到，或不在你的权限范围内。"
    assert api(outsider_user).get("/api/departments/").json()["count"] == 1


def test_a_declaration_detail_has_its_lines_indicators_and_findings(finance_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    data = api(finance_user).get(f"/api/declarations/{declaration.pk}/").json()
    assert data["annual_budget"] == "1200.00" and data["unit"] == "万元"
    assert [f["amount"] for f in data["funding"] if f["amount"]] == ["1200.00"]
    assert {i["name"] for i in data["indicators"]} == set(declaration.indicators.values_list("name", flat=True))
    assert isinstance(data["findings"], list)


def payload(key: str, **extra) -> dict:
    return {
        "project_key": key, "year": 2023, "unit": "万元", "supervising_unit": "区委组织部", "executing_unit": "人才科",
        "leader": "王五", "phone": "83265202",
        "application_reason": "保障工作运转", "total_budget": "100", "annual_budget": "100",
        "goals": ["完成年度工作任务"],
        "funding": [{"name": "公共预算财政拨款", "amount": "100"}],
        "expenses": [{"name": "培训费", "amount": "100"}],
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "培训场次", "target": "≥10场"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "干部能力", "target": "有所提升"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "target": "≥90%"},
        ],
        **extra,
    }  # fmt: skip


def test_a_declaration_is_written_and_moved_on_through_the_pages_services(finance_user, head_user):
    project = Project.objects.get(key="dxh2021-rczx")
    created = api(finance_user).post("/api/declarations/", payload(project.key), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["annual_budget"] == "100.00" and len(body["indicators"]) == 3
    stored = ProjectDeclaration.objects.get(pk=body["id"])
    assert stored.annual_budget == Decimal("1000000.00")  # 100 万元 in 元
    updated = api(finance_user).put(
        f"/api/declarations/{stored.pk}/", payload(project.key, leader="张三", version=body["version"]), format="json"
    )
    assert updated.status_code == 200 and updated.json()["leader"] == "张三"
    assert api(head_user).post(f"/api/declarations/{stored.pk}/submit/").status_code == 400  # only finance submits
    submitted = api(finance_user).post(f"/api/declarations/{stored.pk}/submit/").json()
    assert submitted.get("status") == "submitted", submitted
    returned = api(head_user).post(f"/api/declarations/{stored.pk}/return/", {"comment": ""}, format="json")
    assert returned.status_code == 400 and "退回意见" in returned.json()["detail"]
    approved = api(head_user).post(f"/api/declarations/{stored.pk}/approve/", {"comment": "同意"}, format="json")
    assert approved.json()["status"] == "approved" and approved.json()["reviewed_by"] == head_user.pk
    locked = api(finance_user).put(
        f"/api/declarations/{stored.pk}/",
        payload(project.key, leader="李四", version=approved.json()["version"]),
        format="json",
    )
    assert locked.status_code == 400 and "已审核" in locked.json()["detail"]
    assert ProjectDeclaration.objects.get(pk=stored.pk).leader == "张三"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"annual_budget": "一百"}, "annual_budget"),
        ({"unit": "元", "funding": [{"name": "公共预算财政拨款", "amount": "0.001"}]}, "分以下"),
        ({"indicators": [{"level1": "产出指标", "name": ""}]}, "indicators"),
        ({"year": "明年"}, "year"),
        ({"project_key": "dxh2021-unknown"}, "项目不存在"),
    ],
)
def test_bad_declaration_input_gets_a_message_and_changes_nothing(finance_user, change, message):
    before = ProjectDeclaration.objects.count()
    response = api(finance_user).post("/api/declarations/", payload("dxh2021-rczx", **change), format="json")
    assert response.status_code == 400 and message in str(response.json())
    assert ProjectDeclaration.objects.count() == before


def test_nobody_writes_into_another_department(outsider_user, auditor_user):
    for user in (outsider_user, auditor_user):
        response = api(user).post("/api/declarations/", payload("dxh2021-rczx"), format="json")
        assert (
            response.status_code == 400
            and "不在你的部门范围内" in response.json()["detail"]
            or "填报人" in response.json()["detail"]
        )
    assert not ProjectDeclaration.objects.filter(year=2023).exists()


@pytest.fixture
def draft(db):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    return evaluation_start(declaration=declaration)


def test_an_evaluation_is_filled_scored_submitted_signed_and_locked(draft, finance_user, head_user, outsider_user):
    client = api(finance_user)
    detail = client.get(f"/api/evaluations/{draft.pk}/").json()
    assert detail["status"] == "draft" and detail["rows"]
    total = next(f for f in detail["funding"] if f["is_total"])
    weight = str((Decimal(60) / len(detail["rows"])).quantize(Decimal("0.01"), rounding="ROUND_DOWN"))
    rows = [
        {
            "id": r["id"],
            "actual": r["target"],
            "weight": weight,
            "band": "achieved",
            "score_final": weight,
            "reason": "按计划完成",
        }
        for r in detail["rows"]
    ]
    patch = {"version": detail["version"], "funding": [{"id": total["id"], "executed": total["budget"]}], "rows": rows}
    response = client.patch(f"/api/evaluations/{draft.pk}/", patch, format="json")
    assert response.status_code == 200, response.json()
    filled = response.json()
    assert filled["result"]["budget_rate"] == "100.0%"
    assert all(r["score_proposed"] is not None or r["met"] is None for r in filled["rows"])
    assert api(outsider_user).patch(f"/api/evaluations/{draft.pk}/", patch, format="json").status_code == 404
    stale = client.patch(f"/api/evaluations/{draft.pk}/", {**patch, "rows": rows[:1]}, format="json")
    assert stale.status_code == 409 and "被他人修改" in stale.json()["detail"], stale.json()
    assert client.post(f"/api/evaluations/{draft.pk}/sign/").status_code == 400  # finance does not sign
    sections = {s["code"]: s for s in filled["sections"]}
    if "goal" in sections:
        scored = client.patch(
            f"/api/evaluations/{draft.pk}/",
            {"version": filled["version"], "sections": [{"id": sections["goal"]["id"], "score_final": "18"}]},
            format="json",
        ).json()
        assert scored["computed_total"] is not None and scored["result"]["grade"]
    submitted = client.post(f"/api/evaluations/{draft.pk}/submit/")
    assert submitted.status_code == 200, submitted.json()
    signed = api(head_user).post(f"/api/evaluations/{draft.pk}/sign/").json()
    assert signed["status"] == "signed" and len(signed["signed_digest"]) == 64
    before = list(EvaluationRow.objects.filter(evaluation=draft).values_list("actual", flat=True))
    late = client.patch(
        f"/api/evaluations/{draft.pk}/",
        {"version": signed["version"], "rows": [{"id": rows[0]["id"], "actual": "改"}]},
        format="json",
    )
    assert late.status_code == 403 and "不能由你填写" in late.json()["detail"]
    assert list(EvaluationRow.objects.filter(evaluation=draft).values_list("actual", flat=True)) == before
    reopen = api(head_user).post(f"/api/evaluations/{draft.pk}/reopen/", {}, format="json")
    assert reopen.status_code == 400


def test_bad_evaluation_input_gets_a_message_and_changes_nothing(draft, finance_user):
    client = api(finance_user)
    detail = client.get(f"/api/evaluations/{draft.pk}/").json()
    row = detail["rows"][0]
    for patch, status in [
        ({"rows": [{"id": row["id"], "weight": "5", "score_final": "9"}]}, 400),  # above its weight
        ({"rows": [{"id": 999999, "actual": "x"}]}, 400),  # not a row of this form
        ({"rows": [{"id": row["id"], "score_final": "很好"}]}, 400),
        ({"funding": [{"id": detail["funding"][0]["id"], "executed": "1e400"}]}, 400),
    ]:
        response = client.patch(f"/api/evaluations/{draft.pk}/", {"version": detail["version"], **patch}, format="json")
        assert response.status_code == status, response.json()
        assert isinstance(response.json()["detail"] if "detail" in response.json() else response.json(), (str, dict))
    fresh = SelfEvaluation.objects.get(pk=draft.pk)
    assert fresh.updated_at.isoformat() == detail["version"]
    assert not EvaluationRow.objects.filter(evaluation=draft).exclude(actual="").exists()


def test_a_submission_with_blocking_findings_is_refused_with_the_findings(draft, finance_user):
    client = api(finance_user)
    detail = client.get(f"/api/evaluations/{draft.pk}/").json()
    row = detail["rows"][0]
    client.patch(
        f"/api/evaluations/{draft.pk}/",
        {"version": detail["version"], "rows": [{"id": row["id"], "actual": "0", "weight": "10", "score_final": "0"}]},
        format="json",
    )
    response = client.post(f"/api/evaluations/{draft.pk}/submit/")
    assert response.status_code == 400 and response.json()["findings"]
    assert SelfEvaluation.objects.get(pk=draft.pk).status == "draft"


def test_the_score_report_is_the_services_report_in_the_users_scope(auditor_user, finance_user):
    data = api(auditor_user).get("/api/score-report/", {"year": 2019, "kind": "selfeval"}).json()
    assert data["count"] == 16 and data["next"] is None
    assert data["results"] == [line.as_dict() for line in score_report(year=2019, kind="selfeval")]
    mine = api(finance_user).get("/api/score-report/", {"year": 2019}).json()
    assert mine["count"] == 0 and mine["results"] == []  # 东西湖 has no 2019 forms
    assert api(auditor_user).get("/api/score-report/", {"year": "今年"}).status_code == 400
    assert api(auditor_user).get("/api/score-report/download/", {"kind": "其他"}).status_code == 400


@pytest.mark.parametrize("page_size", [1, 7, 50])
def test_the_score_report_pages_and_the_download_are_the_whole_report_in_order(auditor_user, page_size):
    """Pages across the kinds of form (declarations, department declarations, self-evaluations, final accounts)
    join into the service's report; the streamed download is the same list at once."""
    client = api(auditor_user)
    whole = [line.as_dict() for line in score_report(kind="all", user=auditor_user)]
    assert {line["kind"] for line in whole} >= {"declaration", "selfeval", "final_account"}
    paged, page = [], 1
    while True:
        data = client.get("/api/score-report/", {"page": page, "page_size": page_size}).json()
        assert data["count"] == len(whole)
        paged += data["results"]
        if not data["next"]:
            break
        page += 1
    assert paged == whole
    response = client.get("/api/score-report/download/")
    assert response.status_code == 200 and response.streaming
    assert json.loads(b"".join(response.streaming_content)) == whole


def test_the_schema_and_the_docs_are_served(auditor_user):
    client = api(auditor_user)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and "/api/evaluations/{id}/" in schema.json()["paths"]
    client.force_authenticate(auditor_user)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert client.get("/api/redoc/").status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/declarations/", "/api/evaluations/", "/api/projects/", "/api/department-declarations/"]
)
def test_list_endpoints_keep_a_constant_number_of_queries(auditor_user, url, django_assert_max_num_queries):
    client = api(auditor_user)
    client.get(url)  # warm the token and the user's scope
    with django_assert_max_num_queries(8):
        response = client.get(url, {"page_size": 50})
    assert response.status_code == 200 and response.json()["count"] > 0


def test_a_form_detail_keeps_a_constant_number_of_queries(auditor_user, django_assert_max_num_queries):
    client = api(auditor_user)
    small = SelfEvaluation.objects.filter(layout="hebei").first()
    large = SelfEvaluation.objects.filter(layout="department").first()
    client.get(f"/api/evaluations/{small.pk}/")
    counts = []
    for evaluation in (small, large):
        cache.clear()  # both made from their rows (a kept detail reads none: tests/api/test_kept_detail.py)
        with django_assert_max_num_queries(20) as captured:
            client.get(f"/api/evaluations/{evaluation.pk}/")
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts  # as many queries for 5 rows as for 40


def test_hostile_ids_and_methods(auditor_user, finance_user):
    client = api(finance_user)
    assert client.get("/api/evaluations/99999999/").status_code == 404
    assert client.get("/api/evaluations/abc/").status_code == 404
    assert client.delete(f"/api/evaluations/{SelfEvaluation.objects.first().pk}/").status_code in {404, 405}
    assert api(auditor_user).delete("/api/declarations/1/").status_code == 405


def test_staff_of_another_role_cannot_fill(draft, head_user, auditor_user):
    version = SelfEvaluation.objects.get(pk=draft.pk).updated_at.isoformat()
    for user in (head_user, auditor_user):
        response = api(user).patch(
            f"/api/evaluations/{draft.pk}/", {"version": version, "filler": "某人"}, format="json"
        )
        assert response.status_code == 403
    assert SelfEvaluation.objects.get(pk=draft.pk).filler == ""
    make_user("t-spare", "finance", None)


def test_the_browsable_api_shows_a_declaration(client, finance_user):
    from projects.models import ProjectDeclaration

    declaration = ProjectDeclaration.objects.for_user(finance_user).first()
    client.force_login(finance_user)
    response = client.get(f"/api/declarations/{declaration.pk}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    page = response.content.decode()
    assert declaration.project.name in page and declaration.project.key in page  # the detail and the PUT form


def test_the_head_returns_and_finance_withdraws_through_the_api_and_a_signature_names_what_was_read(head_user):
    form = SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019, status="submitted")  # 洪山's
    head = api(make_user("t-head-api-hs", "head", form.department))
    finance = api(make_user("t-finance-api-hs", "finance", form.department))
    url = f"/api/evaluations/{form.pk}"
    refused = head.post(f"{url}/return/", {}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    assert api(head_user).post(f"{url}/return/", {"reason": "x"}, format="json").status_code == 404  # 东西湖's head
    returned = head.post(f"{url}/return/", {"reason": "请补充偏差原因。"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "draft"
    assert form.events.get(action="return").comment == "请补充偏差原因。"
    assert finance.post(f"{url}/withdraw/", {}, format="json").status_code == 400  # a draft is not withdrawn
    assert finance.post(f"{url}/submit/").status_code == 200
    withdrawn = finance.post(f"{url}/withdraw/", {"comment": "金额填错"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "draft"
    assert finance.post(f"{url}/submit/").status_code == 200
    read = head.get(f"{url}/").json()
    SelfEvaluation.objects.filter(pk=form.pk).update(filler="改过")  # changed after the head read it
    stale = head.post(f"{url}/sign/", {"digest": read["digest"], "comment": "同意"}, format="json")
    assert stale.status_code == 400 and "确认之后有变动" in stale.json()["detail"]
    assert head.post(f"{url}/sign/", {"unknown": 1}, format="json").status_code == 400
    current = head.get(f"{url}/").json()["digest"]
    signed = head.post(f"{url}/sign/", {"digest": current, "comment": "同意"}, format="json")
    assert signed.status_code == 200 and signed.json()["signed_digest"] == current
    assert form.events.get(action="sign").comment == "同意"
