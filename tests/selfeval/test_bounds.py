"""Every figure the engine stores is bounded before it is written: a field error in Chinese on the page and the API,
a database constraint (SQLite too) behind it, so that no input can store a value that a later read cannot load."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from projects.models import ProjectDeclaration
from selfeval.models import EvaluationCheck, EvaluationFunding, EvaluationRow, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services import engine
from selfeval.services.filling import EvaluationChanges, evaluation_update
from tests.api.test_api import api
from tests.selfeval.test_evaluation_pages import page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(client, finance_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    client.force_login(finance_user)
    client.post(reverse("selfeval:evaluation_create", args=[declaration.pk]))
    return SelfEvaluation.objects.get(project=declaration.project, year=2021)


def _year_pages_answer(client, evaluation):
    for url in [
        reverse("home") + "?year=2021",
        reverse("selfeval:dashboard") + "?year=2021",
        reverse("selfeval:evaluation", args=[evaluation.pk]),
        "/api/evaluations/?year=2021",
        f"/api/evaluations/{evaluation.pk}/",
        "/api/score-report/?year=2021",
    ]:
        assert client.get(url).status_code == 200, url


def test_a_rate_beyond_the_bound_is_a_field_error_on_the_page_and_nothing_is_saved(client, started):
    before = SelfEvaluation.objects.get(pk=started.pk).updated_at
    data = page_data(client, started, **{"funding-0-budget": "0.000001", "funding-0-executed": "1000"})
    response = client.post(reverse("selfeval:evaluation_edit", args=[started.pk]), data)
    assert response.status_code == 200
    errors = response.context["formsets"]["funding"].forms[0].errors["executed"]
    assert errors == [engine.rate_problem(Decimal("0.01"), Decimal("10000000"))] and "1000%" in errors[0]
    assert SelfEvaluation.objects.get(pk=started.pk).updated_at == before
    assert EvaluationFunding.objects.get(evaluation=started, seq=1).executed is None
    _year_pages_answer(client, started)


def test_a_rate_beyond_the_bound_is_refused_by_the_api(started, finance_user):
    client = api(finance_user)
    detail = client.get(f"/api/evaluations/{started.pk}/").json()
    line = EvaluationFunding.objects.filter(evaluation=started).order_by("seq").first()
    patch = {"version": detail["version"], "funding": [{"id": line.pk, "budget": "0.000001", "executed": "1000"}]}
    response = client.patch(f"/api/evaluations/{started.pk}/", patch, format="json")
    assert response.status_code == 400
    assert "1000%" in response.json()["errors"]["funding"][str(line.pk)]["executed"][0]
    assert SelfEvaluation.objects.get(pk=started.pk).updated_at.isoformat() == detail["version"]


def test_the_highest_rate_within_the_bound_saves_and_reads(client, started):
    data = page_data(client, started, **{"funding-0-budget": "100", "funding-0-executed": "1000"})
    response = client.post(reverse("selfeval:evaluation_edit", args=[started.pk]), data)
    assert response.status_code == 302
    assert evaluation_with_rows(started.pk).computed_budget_rate == engine.MAX_RATE
    _year_pages_answer(client, started)


def test_a_total_beyond_the_bound_is_refused_before_writing(started, finance_user):
    rows = list(EvaluationRow.objects.filter(evaluation=started, section__code="indicators").order_by("seq"))
    EvaluationRow.objects.filter(pk__in=[r.pk for r in rows]).update(weight=Decimal("9999.99"))
    started = evaluation_with_rows(started.pk)
    goal = started.sections.get(code="goal")
    changes = EvaluationChanges(
        version=started.updated_at.isoformat(),
        rows={r.pk: {"score_final": "9999.99"} for r in rows},
        sections={goal.pk: {"score_final": "99999.99"}},
        funding={started.funding_rows.get(is_total=True).pk: {"executed": "1000"}},
    )
    result = evaluation_update(evaluation=started, user=finance_user, changes=changes)
    assert not result.saved and "总分" in result.errors["non_field_errors"][0]
    assert "超出了可保存的范围" in result.errors["non_field_errors"][0]
    assert not EvaluationRow.objects.filter(evaluation=started, score_final__isnull=False).exists()


def test_the_engine_gives_no_figure_beyond_its_bound():
    assert engine.budget_rate(Decimal("0.01"), Decimal("10000000")) is None
    assert engine.budget_rate(Decimal("100"), Decimal("1000")) == Decimal("10.000")
    form = engine.FormInput(
        rules=engine.Rules(cap_budget_score=False),
        budget=Decimal("0.01"),
        executed=Decimal("1e16"),
        sections=(engine.SectionInput("funds", "budget", Decimal("20")),),
        rows=(),
    )
    result = engine.score_form(form)
    assert (result.budget_rate, result.budget_score, result.total) == (None, None, None)
    assert result.problems and "1000%" in result.problems[0]


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (SelfEvaluation, "computed_budget_rate"),
        (SelfEvaluation, "computed_total"),
        (EvaluationFunding, "computed_rate"),
        (EvaluationRow, "score_proposed"),
        (EvaluationCheck, "budget_rate"),
    ],
)
def test_the_database_refuses_an_unbounded_figure_on_sqlite_too(started, model, field):
    from selfeval.services.scoring import evaluation_score

    evaluation_score(evaluation_id=started.pk)  # its check exists
    relation = "pk" if model is SelfEvaluation else "evaluation"
    qs = model.objects.filter(**{relation: started.pk})
    with pytest.raises(IntegrityError), transaction.atomic():
        qs.update(**{field: Decimal("1000000000")})
    qs.update(**{field: Decimal("1")})  # within the bound: stored
