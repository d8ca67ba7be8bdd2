"""Forms from outside, entered as printed (issue 13 point 6): finance staff and auditors in scope enter a
self-evaluation's printed figures (rates, row and section scores, total, grade) through the service, the API, the
page and the Excel template, all or nothing; the checker then compares printed and computed."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from selfeval.models import EvaluationCheck, SelfEvaluation
from selfeval.services.start import evaluation_start
from tests.api.test_api import api
from tests.selfeval.test_scheme_points import weighted

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def received():
    """A Hubei form received from a department: rows, funding and sections as started from its declaration."""
    evaluation = evaluation_start(declaration=weighted("dxh2021-hsyq", ["20", "20", "20"]))
    return SelfEvaluation.objects.get(pk=evaluation.pk)


def printed_payload(evaluation, total="95", grade="优", rate="100"):
    funding = evaluation.funding_rows.get(is_total=True)
    sections = {s.code: s for s in evaluation.sections.all()}
    rows = list(evaluation.rows.order_by("seq"))
    return {
        "printed_total": total,
        "printed_grade": grade,
        "printed_budget_rate": rate,
        "funding": [{"id": funding.pk, "rate_printed": rate, "score_printed": "20"}],
        "sections": [
            {"id": sections["funds"].pk, "printed_score": "20"},
            {"id": sections["goal"].pk, "printed_score": "15"},
            {"id": sections["indicators"].pk, "printed_score": "60"},
        ],
        "rows": [{"id": r.pk, "score_printed": "20"} for r in rows],
    }


def codes(evaluation) -> dict:
    return {f["code"]: f for f in EvaluationCheck.objects.get(evaluation=evaluation).findings}


@pytest.mark.parametrize("who", ["finance_user", "auditor_user"])
def test_finance_staff_and_auditors_enter_the_printed_figures_through_the_api(request, received, who):
    user = request.getfixturevalue(who)
    response = api(user).post(f"/api/evaluations/{received.pk}/printed/", printed_payload(received), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["printed_total"], body["printed_grade"], body["printed_budget_rate"]) == ("95.00", "优", "100")
    assert {s["printed_score"] for s in body["sections"]} == {"20.00", "15.00", "60.00"}
    stored = SelfEvaluation.objects.get(pk=received.pk)
    assert stored.printed_total == D(95) and stored.rows.filter(score_printed=D(20)).count() == 3
    # the checker compares printed and computed: 20 + 15 + 60 = 95 agrees, the rows' 60 agree with their section;
    # the funds' printed 20 is held against the computed budget score (nothing executed yet: no figure)
    found = codes(received)
    assert "total_sum" not in found and "section_sum" not in found


def test_the_checker_reports_printed_figures_that_do_not_add_up(finance_user, received):
    payload = printed_payload(received, total="99", grade="良")
    response = api(finance_user).post(f"/api/evaluations/{received.pk}/printed/", payload, format="json")
    assert response.status_code == 200
    found = codes(received)
    assert (found["total_sum"]["printed"], found["total_sum"]["computed"]) == ("99", "95")
    assert (found["grade"]["printed"], found["grade"]["computed"]) == ("良", "优")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"printed_total": "九十五"}, "不是数字"),
        ({"printed_grade": "甲"}, "不是评分方案的等次"),
        ({"printed_budget_rate": "约百分百"}, "不是执行率"),
        ({"printed_total": "-3"}, "0～"),
        ({"rows": [{"id": 999999, "score_printed": "1"}]}, "没有 id 为 999999"),
    ],
)
def test_bad_printed_figures_change_nothing(finance_user, received, change, message):
    payload = {**printed_payload(received), **change}
    response = api(finance_user).post(f"/api/evaluations/{received.pk}/printed/", payload, format="json")
    assert response.status_code == 400 and message in str(response.json()["errors"])
    stored = SelfEvaluation.objects.get(pk=received.pk)
    assert stored.printed_total is None and not stored.sections.exclude(printed_score=None).exists()


def test_heads_and_outsiders_cannot_enter_printed_figures(head_user, outsider_user, received):
    payload = printed_payload(received)
    assert api(head_user).post(f"/api/evaluations/{received.pk}/printed/", payload, format="json").status_code == 403
    hidden = api(outsider_user).post(f"/api/evaluations/{received.pk}/printed/", payload, format="json")
    assert hidden.status_code == 404
    assert SelfEvaluation.objects.get(pk=received.pk).printed_total is None


def test_the_page_saves_typed_figures_all_or_nothing(client, auditor_user, received):
    client.force_login(auditor_user)
    url = reverse("selfeval:evaluation_printed", args=[received.pk])
    page = client.get(url)
    assert page.status_code == 200 and "录入原表数" in page.content.decode()
    section = received.sections.get(code="goal")
    bad = client.post(url, {"printed_total": "95", f"sections:{section.pk}:printed_score": "十五"})
    assert bad.status_code == 200 and "不是数字" in bad.content.decode()
    assert SelfEvaluation.objects.get(pk=received.pk).printed_total is None  # nothing half-saved
    good = client.post(
        url, {"printed_total": "95", "printed_grade": "优", f"sections:{section.pk}:printed_score": "15"}
    )
    assert good.status_code == 302
    assert SelfEvaluation.objects.get(pk=received.pk).printed_total == D(95)
    assert received.sections.get(code="goal").printed_score == D(15)


def test_heads_get_no_printed_page(client, head_user, received):
    client.force_login(head_user)
    assert client.get(reverse("selfeval:evaluation_printed", args=[received.pk])).status_code == 403


def _filled_template(client, evaluation, values: dict) -> SimpleUploadedFile:
    response = client.get(reverse("selfeval:evaluation_printed_template", args=[evaluation.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=3):
        if row[0].value in values:
            row[4].value = values[row[0].value]
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("filled.xlsx", out.getvalue())


def test_the_excel_template_is_downloaded_filled_and_imported(client, finance_user, received):
    client.force_login(finance_user)
    funding = received.funding_rows.get(is_total=True)
    row = received.rows.order_by("seq").first()
    upload = _filled_template(
        client,
        received,
        {"printed_total": "88", "printed_grade": "良", f"funding:{funding.pk}:rate_printed": "100",
         f"rows:{row.pk}:score_printed": "18.5"},
    )  # fmt: skip
    response = client.post(reverse("selfeval:evaluation_printed", args=[received.pk]), {"file": upload})
    assert response.status_code == 302
    stored = SelfEvaluation.objects.get(pk=received.pk)
    assert (stored.printed_total, stored.printed_grade) == (D(88), "良")
    assert stored.funding_rows.get(pk=funding.pk).rate_printed == "100"
    assert stored.rows.get(pk=row.pk).score_printed == D("18.5")


def test_an_imported_formula_is_never_run_and_nothing_is_saved(client, finance_user, received):
    client.force_login(finance_user)
    row = received.rows.order_by("seq").first()
    upload = _filled_template(
        client, received, {"printed_total": "90", f"rows:{row.pk}:score_printed": '=HYPERLINK("http://x","1")'}
    )
    response = client.post(reverse("selfeval:evaluation_printed", args=[received.pk]), {"file": upload})
    assert response.status_code == 200 and "单元格是公式" in response.content.decode()
    assert SelfEvaluation.objects.get(pk=received.pk).printed_total is None


def test_a_template_of_another_form_or_not_a_workbook_is_refused(client, finance_user, received):
    client.force_login(finance_user)
    url = reverse("selfeval:evaluation_printed", args=[received.pk])
    upload = _filled_template(client, received, {"printed_total": "90"})
    wb = load_workbook(io.BytesIO(upload.read()))
    wb["模板信息"]["B2"].value = received.pk + 100000  # the template of another form
    out = io.BytesIO()
    wb.save(out)
    other = SimpleUploadedFile("other.xlsx", out.getvalue())
    assert "另一张自评表" in client.post(url, {"file": other}).content.decode()
    junk = SimpleUploadedFile("x.xlsx", b"not a workbook")
    assert "不是有效的 .xlsx" in client.post(url, {"file": junk}).content.decode()
    assert SelfEvaluation.objects.get(pk=received.pk).printed_total is None
