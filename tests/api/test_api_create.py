"""Through the API: a self-evaluation is started by the page's service, administrators create departments (with
their 行政区划 code) and projects; all of it in the OpenAPI schema."""

from decimal import Decimal

import pytest

from projects.locking import loading_records
from projects.models import Department, Indicator, Project, ProjectDeclaration
from selfeval.models import SelfEvaluation
from tests.api.test_api import api
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


def approved(key: str) -> ProjectDeclaration:
    declaration = ProjectDeclaration.objects.get(project__key=key)
    set_status(declaration, "approved")
    return declaration


def test_post_starts_a_self_evaluation_through_the_pages_service(finance_user, outsider_user, auditor_user):
    declaration = approved("dxh2021-jxkp")
    for user, code in ((outsider_user, 404), (auditor_user, 403)):
        assert api(user).post("/api/evaluations/", {"declaration": declaration.pk}, format="json").status_code == code
    response = api(finance_user).post("/api/evaluations/", {"declaration": declaration.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    evaluation = SelfEvaluation.objects.get(declaration=declaration)
    assert body["id"] == evaluation.pk and body["scheme"] == "hubei_project" and body["status"] == "draft"
    assert len(body["rows"]) == declaration.indicators.count()
    again = api(finance_user).post("/api/evaluations/", {"declaration": declaration.pk}, format="json")
    assert again.status_code == 400 and "已经存在" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "之一"),
        ({"declaration": "一"}, "declaration"),
        ({"declaration": 1, "extra": 1}, "不认识这个栏目"),
    ],
)
def test_bad_start_requests_get_a_message(finance_user, body, message):
    before = SelfEvaluation.objects.count()
    response = api(finance_user).post("/api/evaluations/", body, format="json")
    assert response.status_code == 400 and message in str(response.json())
    assert SelfEvaluation.objects.count() == before


def test_a_draft_declaration_cannot_be_started(finance_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "submitted")
    response = api(finance_user).post("/api/evaluations/", {"declaration": declaration.pk}, format="json")
    assert response.status_code == 400 and "已审核" in response.json()["detail"]


def test_weights_over_their_section_come_back_with_the_rescale_to_confirm(finance_user):
    declaration = approved("dxh2021-hsyq")
    with loading_records():  # recorded with these weights, as the seed loader writes a document
        for row, weight in zip(declaration.indicators.order_by("seq"), ("50", "30", "10"), strict=True):
            Indicator.objects.filter(pk=row.pk).update(weight=Decimal(weight))
    refused = api(finance_user).post("/api/evaluations/", {"declaration": declaration.pk}, format="json")
    assert refused.status_code == 400
    plan = refused.json()["plan"]
    assert [(p["code"], p["total"], p["points"]) for p in plan] == [("indicators", "90.00", "60.00")]
    assert [r["new"] for r in plan[0]["rows"]] == ["33.33", "20.00", "6.67"]
    started = api(finance_user).post(
        "/api/evaluations/", {"declaration": declaration.pk, "rescale": True}, format="json"
    )
    assert started.status_code == 201
    assert [r["weight"] for r in started.json()["rows"]] == ["33.33", "20.00", "6.67"]


def test_administrators_create_departments_and_projects(admin_user_, finance_user):
    body = {
        "code": "510104-czj",
        "name": "成都市锦江区财政局",
        "region": "四川省成都市锦江区",
        "division_code": "510104",
    }
    assert api(finance_user).post("/api/departments/", body, format="json").status_code == 403
    created = api(admin_user_).post("/api/departments/", body, format="json")
    assert created.status_code == 201, created.json()
    department = Department.objects.get(code="510104-czj")
    assert created.json()["division_code"] == "510104" == department.division_code
    bad = api(admin_user_).post("/api/departments/", {**body, "code": "x", "division_code": "51o1"}, format="json")
    assert bad.status_code == 400 and "数字" in str(bad.json())
    project = {"key": "jj2024-test", "department": department.pk, "name": "测试项目"}
    assert api(finance_user).post("/api/projects/", project, format="json").status_code == 403
    assert api(admin_user_).post("/api/projects/", project, format="json").status_code == 201
    period = {**project, "key": "jj2024-bad", "period_start": 2025, "period_end": 2024}
    refused = api(admin_user_).post("/api/projects/", period, format="json")
    assert refused.status_code == 400 and "起始年度" in str(refused.json())
    assert not Project.objects.filter(key="jj2024-bad").exists()
    # a declaration of the new Sichuan department is scored under the Sichuan scheme
    declaration = ProjectDeclaration.objects.create(project=Project.objects.get(key="jj2024-test"), year=2024)
    assert declaration.scheme.code == "sichuan_project"


def test_the_schema_describes_the_new_operations(auditor_user):
    schema = api(auditor_user).get("/api/schema/?format=json").json()
    assert "post" in schema["paths"]["/api/evaluations/"]
    assert "post" in schema["paths"]["/api/departments/"] and "post" in schema["paths"]["/api/projects/"]
    assert "division_code" in schema["components"]["schemas"]["Department"]["properties"]
    assert {"EvaluationStartRequest"} <= set(schema["components"]["schemas"])
