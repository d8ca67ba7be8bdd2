"""Every shipped scheme end to end through the API: an administrator creates the department (its 行政区划 code
chooses the scheme) and the project, finance staff file the declaration, the head approves it, finance staff
start, fill and submit the self-evaluation, the head signs it. The figures are worked out by hand below."""

from decimal import Decimal

import pytest

from projects.choices import Role
from projects.models import Department, DepartmentDeclaration, Goal, Indicator
from selfeval.models import SelfEvaluation
from tests.api.test_api import api
from tests.conftest import make_user, set_status

pytestmark = pytest.mark.django_db

ROWS = [
    ("产出指标", "数量指标", "培训场次", "≥10场"),
    ("效益指标", "社会效益指标", "干部能力", "有所提升"),  # qualitative: the evaluator picks a band and scores
    ("满意度指标", "服务对象满意度指标", "满意度", "≥90%"),
]
# per scheme: the division code, the declared weights, the points a Hebei filer prints, the evaluator's filling,
# and the figures expected (worked out by hand in each comment)
CASES = {
    # 财政部: 预算执行 10 × 95/100 = 9.50; 产出 50 × 8/10 = 40.00; 效益 27 (0.9 × 30, band 达成); 满意度 95% ≥ 90% → 10.
    # total 9.50 + 40 + 27 + 10 = 86.50 → 良
    "national_project": {
        "division": "110101", "weights": ["50", "30", "10"], "points": {}, "qualitative": "27", "goal": None,
        "sections": {"budget": "9.50", "output": "40.00", "benefit": "27.00", "satisfaction": "10.00"},
        "total": "86.50", "grade": "良",
    },
    # 湖北: 项目资金 20 × 0.95 = 19.00; 总目标 18 (given); 绩效指标 30 × 8/10 = 24 + 18 (0.9 × 20) + 10 = 52.
    # total 19 + 18 + 52 = 89.00 → 良
    "hubei_project": {
        "division": "420102", "weights": ["30", "20", "10"], "points": {}, "qualitative": "18", "goal": "18",
        "sections": {"funds": "19.00", "goal": "18.00", "indicators": "52.00"}, "total": "89.00", "grade": "良",
    },
    # 四川: 预算执行 10 × 0.95 = 9.50; 绩效指标 45 × 8/10 = 36 + 27 (0.9 × 30) + 15 = 78. total 87.50 → 良
    "sichuan_project": {
        "division": "510104", "weights": ["45", "30", "15"], "points": {}, "qualitative": "27", "goal": None,
        "sections": {"budget": "9.50", "indicators": "78.00"}, "total": "87.50", "grade": "良",
    },
    # 河北: points printed on this form: 产出 60, 效益 30, 满意度 10, 预算执行率/效果/成本 0 (no rows).
    # 产出 60 × 8/10 = 48; 效益 27 (0.9 × 30); 满意度 10. total 48 + 27 + 10 = 85.00 → 良
    "hebei_project": {
        "division": "130102", "weights": ["60", "30", "10"],
        "points": {"output": "60", "budget": "0", "benefit": "30", "effect": "0", "satisfaction": "10", "cost": "0"},
        "qualitative": "27", "goal": None,
        "sections": {"output": "48.00", "budget": "0.00", "benefit": "27.00", "effect": "0.00",
                     "satisfaction": "10.00", "cost": "0.00"},
        "total": "85.00", "grade": "良",
    },
}  # fmt: skip


def people(admin_user_, division: str, scheme: str):
    """The department and project created through the API by an administrator, and its two persons."""
    admin = api(admin_user_)
    body = {"code": f"{division}-flow", "name": f"{scheme} 流程测试部门", "division_code": division}
    department = admin.post("/api/departments/", body, format="json")
    assert department.status_code == 201, department.json()
    dept = Department.objects.get(pk=department.json()["id"])
    project = admin.post(
        "/api/projects/", {"key": f"flow-{scheme}", "department": dept.pk, "name": "干部培训"}, format="json"
    )
    assert project.status_code == 201, project.json()
    finance = make_user(f"f-{scheme}", Role.FINANCE, dept)
    head = make_user(f"h-{scheme}", Role.HEAD, dept)
    return dept, finance, head


def declaration_payload(scheme: str, weights: list[str]) -> dict:
    return {
        "project_key": f"flow-{scheme}", "year": 2024, "unit": "万元", "supervising_unit": "组织部",
        "executing_unit": "干部科", "leader": "王五", "phone": "83265202", "application_reason": "干部培训",
        "total_budget": "100", "annual_budget": "100", "goals": ["完成年度培训"],
        "funding": [{"name": "公共预算财政拨款", "amount": "100"}], "expenses": [{"name": "培训费", "amount": "100"}],
        "indicators": [
            {"level1": l1, "level2": l2, "name": name, "target": target, "weight": weight}
            for (l1, l2, name, target), weight in zip(ROWS, weights, strict=True)
        ],
    }  # fmt: skip


@pytest.mark.parametrize("scheme", list(CASES))
def test_a_project_form_from_declaration_to_signature(scheme, admin_user_):
    case = CASES[scheme]
    dept, finance, head = people(admin_user_, case["division"], scheme)
    filed = api(finance).post("/api/declarations/", declaration_payload(scheme, case["weights"]), format="json")
    assert filed.status_code == 201, filed.json()
    declaration_id = filed.json()["id"]
    assert api(finance).post(f"/api/declarations/{declaration_id}/submit/").json()["status"] == "submitted"
    assert api(head).post(f"/api/declarations/{declaration_id}/approve/", {}, format="json").status_code == 200

    started = api(finance).post("/api/evaluations/", {"declaration": declaration_id}, format="json")
    assert started.status_code == 201, started.json()
    detail = started.json()
    assert detail["scheme"] == scheme  # the scheme the declaration was created under
    total_row = next(f for f in detail["funding"] if f["is_total"])
    sections = {s["code"]: s["id"] for s in detail["sections"]}
    rows = sorted(detail["rows"], key=lambda r: r["seq"])
    patch = {
        "version": detail["version"],
        "funding": [{"id": total_row["id"], "budget": "100", "executed": "95"}],
        "sections": [{"id": sections[code], "points": points} for code, points in case["points"].items()],
        "rows": [
            {"id": rows[0]["id"], "actual": "8场", "reason": "两场因故顺延", "score_final": None},
            {"id": rows[1]["id"], "actual": "明显提升", "band": "achieved", "score_final": case["qualitative"]},
            {"id": rows[2]["id"], "actual": "95%"},
        ],
    }
    if case["goal"]:
        patch["sections"].append({"id": sections["goal"], "score_final": case["goal"]})
    filled = api(finance).patch(f"/api/evaluations/{detail['id']}/", patch, format="json")
    assert filled.status_code == 200, filled.json()
    # the evaluator takes the engine's proposals for the quantitative rows
    body = filled.json()
    proposals = {r["id"]: r["score_proposed"] for r in body["rows"]}
    accept = {
        "version": body["version"],
        "rows": [{"id": rows[i]["id"], "score_final": proposals[rows[i]["id"]]} for i in (0, 2)],
    }
    body = api(finance).patch(f"/api/evaluations/{detail['id']}/", accept, format="json").json()
    assert {s["code"]: s["computed_score"] for s in body["sections"]} == case["sections"]
    assert (body["result"]["total"], body["result"]["grade"]) == (case["total"], case["grade"])
    assert body["result"]["budget_rate"] == "95.0%"

    submitted = api(finance).post(f"/api/evaluations/{detail['id']}/submit/")
    assert submitted.status_code == 200, submitted.json()
    signed = api(head).post(f"/api/evaluations/{detail['id']}/sign/")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    assert SelfEvaluation.objects.get(pk=detail["id"]).scheme.code == scheme


def test_a_department_form_from_declaration_to_signature(admin_user_):
    """部门整体 (the 20 + 80 scheme): 预算执行 20 × 190/200 = 19.00; 年度目标1 (80): 培训场次 10场 ≥ 10场 → 50,
    满意度 30 × 85/90 = 28.333… → 28.33. total 19 + 50 + 28.33 = 97.33 → 优."""
    dept, finance, head = people(admin_user_, "420103", "department")
    declaration = DepartmentDeclaration.objects.create(department=dept, year=2024)
    assert declaration.scheme.code == "hubei_department"
    goal = Goal.objects.create(department_declaration=declaration, kind="annual", seq=1, text="干部培训")
    for seq, (_, _, name, target), weight in ((1, ROWS[0], "50"), (2, ROWS[2], "30")):
        Indicator.objects.create(
            department_declaration=declaration, goal=goal, seq=seq, name=name, target=target, weight=Decimal(weight)
        )
    api(finance).post("/api/evaluations/", {"department_declaration": declaration.pk}, format="json")  # not approved
    assert not SelfEvaluation.objects.filter(department=dept).exists()
    set_status(declaration, "approved")  # no review API for these yet
    started = api(finance).post("/api/evaluations/", {"department_declaration": declaration.pk}, format="json")
    assert started.status_code == 201, started.json()
    detail = started.json()
    rows = sorted(detail["rows"], key=lambda r: r["seq"])
    patch = {
        "version": detail["version"],
        "funding": [{"id": detail["funding"][0]["id"], "budget": "200", "executed": "190"}],
        "rows": [
            {"id": rows[0]["id"], "actual": "10场", "score_final": "50"},
            {"id": rows[1]["id"], "actual": "85%", "reason": "个别课程评价偏低", "score_final": "28.33"},
        ],
    }
    body = api(finance).patch(f"/api/evaluations/{detail['id']}/", patch, format="json").json()
    assert {s["code"]: s["computed_score"] for s in body["sections"]} == {"budget": "19.00", "goal1": "78.33"}
    assert (body["result"]["total"], body["result"]["grade"]) == ("97.33", "优")
    assert api(finance).post(f"/api/evaluations/{detail['id']}/submit/").status_code == 200
    assert api(head).post(f"/api/evaluations/{detail['id']}/sign/").json()["status"] == "signed"
