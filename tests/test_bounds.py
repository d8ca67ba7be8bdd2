"""Bounds on what anyone may store: no negative amount, one range of years on every path, no unknown API keys."""

import pytest
from django.core.exceptions import ValidationError

from projects.models import FundingSource, Project, ProjectDeclaration
from projects.years import YEAR_MAX, YEAR_MESSAGE, YEAR_MIN
from reports.services.batch import ExportError, start_export
from selfeval.models import EvaluationFunding
from selfeval.services.start import evaluation_start
from tests.api.test_api import api, payload
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year, valid", [(YEAR_MIN - 1, False), (YEAR_MIN, True), (YEAR_MAX, True), (99999, False)])
def test_one_year_range_on_the_models(year, valid):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    declaration.year = year
    project = Project.objects.get(key="dxh2021-rczx")
    project.period_start = year
    for obj in (declaration, project):
        if valid:
            obj.clean_fields()
        else:
            with pytest.raises(ValidationError) as caught:
                obj.clean_fields()
            assert YEAR_MESSAGE in str(caught.value)


def test_a_negative_amount_is_refused_by_the_model():
    line = FundingSource.objects.filter(amount__isnull=False).first()
    line.amount = -1
    with pytest.raises(ValidationError) as caught:
        line.full_clean()
    assert "金额不能为负数" in str(caught.value)


@pytest.mark.parametrize(
    "change",
    [
        {"total_budget": "-1"},
        {"funding": [{"name": "公共预算财政拨款", "amount": "-100"}]},
        {"expenses": [{"name": "培训费", "amount": "-0.5"}]},
        {"year": 1800},
        {"year": 99999},
    ],
)
def test_the_api_refuses_negative_amounts_and_years_out_of_range(finance_user, change):
    before = ProjectDeclaration.objects.count()
    response = api(finance_user).post("/api/declarations/", payload("dxh2021-rczx", **change), format="json")
    assert response.status_code == 400
    body = str(response.json())
    assert "金额不能为负数" in body or "2000" in body, body
    assert ProjectDeclaration.objects.count() == before


def test_a_negative_amount_in_a_self_evaluation_is_refused_with_a_chinese_message(finance_user):
    draft = evaluation_start(declaration=ProjectDeclaration.objects.get(project__key="dxh2021-jxkp"))
    client = api(finance_user)
    detail = client.get(f"/api/evaluations/{draft.pk}/").json()
    funding = detail["funding"][0]["id"]
    patch = {"version": detail["version"], "funding": [{"id": funding, "budget": "-10", "executed": "5"}]}
    response = client.patch(f"/api/evaluations/{draft.pk}/", patch, format="json")
    assert response.status_code == 400 and "金额不能为负数" in str(response.json())
    assert EvaluationFunding.objects.get(pk=funding).budget != -100000


def test_the_score_report_and_the_export_take_the_same_years(auditor_user):
    response = api(auditor_user).get("/api/score-report/", {"year": 1950})
    assert response.status_code == 400 and response.json()["detail"] == YEAR_MESSAGE
    with pytest.raises(ExportError, match=str(YEAR_MIN)):
        start_export(user=auditor_user, year=99999, department_id=None)


def test_the_import_takes_the_same_years():
    from projects.resources import YearWidget

    assert YearWidget().clean("2019") == 2019
    with pytest.raises(ValueError, match=str(YEAR_MIN)):
        YearWidget().clean("1995")


def test_unknown_keys_in_a_workflow_call_are_refused(finance_user, head_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "submitted")
    response = api(head_user).post(
        f"/api/declarations/{declaration.pk}/return/", {"coment": "请补充依据"}, format="json"
    )  # a misspelt comment would otherwise return the form with no reason
    assert response.status_code == 400 and "coment" in response.json()
    assert ProjectDeclaration.objects.get(pk=declaration.pk).status == "submitted"
