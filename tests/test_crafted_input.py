"""Crafted input answers 4xx or a form error in Chinese, never a 500, and changes nothing: huge numbers in query
strings, amounts beyond any column in a template, and (hypothesis) any amount through the self-evaluation service."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from indicators.params import param_id, param_int, param_year
from projects.models import ProjectDeclaration
from projects.services.xlsx import export_declaration
from selfeval.models import EvaluationCheck, EvaluationFunding, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services.filling import EvaluationChanges, evaluation_update
from selfeval.services.start import evaluation_start
from tests.api.test_api import api
from tests.conftest import set_status
from tests.reports.test_declaration_xlsx import upload

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999"


def test_param_int_takes_plain_digits_within_bounds():
    assert (param_id("42"), param_id(BIG), param_id("-1"), param_id("１２"), param_id("1.5"), param_id("")) == (
        42, None, None, None, None, None,
    )  # fmt: skip
    assert (param_year("2021"), param_year("99999"), param_year("1800"), param_int("-3", low=-5, high=5)) == (
        2021, None, None, -3,
    )  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        f"/?department={BIG}",
        f"/?year={BIG}",
        f"/?year=2021&department={BIG}&page={BIG}",
        f"/selfeval/dashboard/?year={BIG}&department={BIG}",
        f"/indicators/library/?q=人才&level2={BIG}",
    ],
)
@pytest.mark.parametrize("who", ["finance_user", "auditor_user"])
def test_huge_numbers_in_a_page_query_are_ignored(client, request, who, url):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [f"/api/projects/?department={BIG}", f"/api/declarations/?department={BIG}"])
def test_huge_numbers_in_an_api_query_are_refused_in_chinese(finance_user, url):
    response = api(finance_user).get(url)
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json()))


def test_a_huge_year_or_department_in_a_post_is_refused(client, finance_user):
    client.force_login(finance_user)
    project = ProjectDeclaration.objects.get(project__key="dxh2021-rczx").project
    before = ProjectDeclaration.objects.count()
    response = client.post(reverse("projects:declaration_create", args=[project.pk]), {"year": BIG}, follow=True)
    assert response.status_code == 200 and "年度不正确" in response.content.decode()
    response = client.post(reverse("reports:exports"), {"year": "2021", "department": BIG}, follow=True)
    assert response.status_code == 200 and "请选择有效的年度和部门" in response.content.decode()
    assert ProjectDeclaration.objects.count() == before


@pytest.mark.parametrize("amount", ["1e309", "1E+30", "99999999999999999999", "inf", "NaN"])
def test_a_template_amount_beyond_any_column_refuses_the_file(client, finance_user, amount):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "draft")
    wb = load_workbook(io.BytesIO(export_declaration(declaration)))
    for row in wb.worksheets[0].iter_rows():
        if row[1].value == "人才活动相关经费":
            row[4].value = amount
    out = io.BytesIO()
    wb.save(out)
    client.force_login(finance_user)
    response = client.post(reverse("reports:declaration_import"), {"file": upload(out.getvalue())}, follow=True)
    assert response.status_code == 200
    assert "导入失败，未写入任何内容" in response.content.decode()
    assert ProjectDeclaration.objects.get(pk=declaration.pk).updated_at == declaration.updated_at


# -- fuzz: any amount through the self-evaluation service is saved and loads again, or is refused --------------

AMOUNTS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=0, max_value=10**20).map(str),
    st.sampled_from(["0.000001", "0.01", "1e309", "-1e309", "1E-400", "NaN", "Infinity", "-0", "１２", "", BIG * 2]),
    st.integers(min_value=0, max_value=10**25).map(str),
)


@pytest.fixture
def draft(db):
    return evaluation_start(declaration=ProjectDeclaration.objects.get(project__key="dxh2021-jxkp"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budget=AMOUNTS, executed=AMOUNTS)
def test_any_amount_saves_within_bounds_or_is_refused(draft, finance_user, budget, executed):
    line = EvaluationFunding.objects.filter(evaluation=draft).order_by("seq").first()
    evaluation = evaluation_with_rows(draft.pk)
    changes = EvaluationChanges(
        version=evaluation.updated_at.isoformat(), funding={line.pk: {"budget": budget, "executed": executed}}
    )
    result = evaluation_update(evaluation=evaluation, user=finance_user, changes=changes)
    assert result.saved or result.errors
    evaluation_with_rows(draft.pk)  # every figure loads again
    for check in EvaluationCheck.objects.filter(evaluation=draft):  # the stored copy of every figure
        assert check.budget_rate is None or abs(check.budget_rate) <= Decimal(10)
        assert all(abs(Decimal(rate)) <= Decimal(10) for rate in check.funding_rates.values())
    list(EvaluationCheck.objects.filter(evaluation=draft).values())
    list(SelfEvaluation.objects.filter(pk=draft.pk).values())
    list(EvaluationFunding.objects.filter(evaluation=draft).values())
    if not result.saved:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(result.errors))
