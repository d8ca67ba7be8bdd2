"""Every figure the engine stores is bounded before it is written: a field error in Chinese on the page and the API,
a database constraint (SQLite too) behind it, so that no input can store a value that a later read cannot load."""

from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction
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
    check = EvaluationCheck.objects.get(evaluation=started)  # the stored copy of the figures
    assert check.budget_rate == engine.MAX_RATE
    line = EvaluationFunding.objects.filter(evaluation=started).order_by("seq").first()
    assert check.funding_rate(line.seq) == engine.MAX_RATE
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
    # refused before writing: the rows' weights pass their section (the scheme's points), which also keeps every
    # section score and the total within the scheme (the engine caps them), far below what can be stored
    assert not result.saved and "超过分项分值 60" in result.errors["non_field_errors"][0]
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
        (EvaluationCheck, "computed_total"),
        (EvaluationCheck, "budget_rate"),
        (EvaluationCheck, "budget_score"),
        (EvaluationRow, "score_proposed"),
    ],
)
def test_the_database_refuses_an_unbounded_figure_on_sqlite_too(started, model, field):
    from selfeval.services.scoring import evaluation_score

    evaluation_score(evaluation_id=started.pk)  # its check exists
    qs = model.objects.filter(evaluation=started.pk)
    bound = engine.MAX_RATE if "rate" in field else engine.MAX_SCORE
    # Past the bound: the constraint refuses it (PostgreSQL's numeric column refuses what is past its width first).
    for value in (bound + 1, Decimal("1000000000")):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            qs.update(**{field: value})
    qs.update(**{field: bound})  # the bound itself is stored


def test_the_figures_the_check_keeps_in_json_are_bounded_by_their_writer(client, started, monkeypatch):
    """No constraint reaches into the check's JSON: its one writer keeps out a section score or a funding line's
    rate beyond its bound (the engine gives none; were one given, it is not stored), and the pages keep loading."""
    from selfeval.services import checks
    from selfeval.services.adapters import form_input

    evaluation = evaluation_with_rows(started.pk)
    result = engine.score_form(form_input(evaluation))
    codes = [s.code for s in evaluation.sections.all()]
    result.section_scores = {codes[0]: engine.MAX_SCORE + 1, codes[1]: -engine.MAX_SCORE - 1, codes[2]: Decimal(7)}
    monkeypatch.setattr(engine, "budget_rate", lambda budget, executed, rules=None: Decimal("1000000000"))
    checks.save_figures(evaluation, result)
    stored = EvaluationCheck.objects.get(evaluation=started)
    assert stored.section_scores == {codes[2]: "7"} and stored.funding_rates == {}
    monkeypatch.setattr(engine, "budget_rate", lambda budget, executed, rules=None: engine.MAX_RATE)
    checks.save_figures(evaluation, result)
    stored = EvaluationCheck.objects.get(evaluation=started)
    assert set(stored.funding_rates.values()) == {str(engine.MAX_RATE)}  # the bound itself is stored
    monkeypatch.undo()
    _year_pages_answer(client, started)


# -- crafted formsets: another form's row ids, rows added to a fixed table ---------------------------------------


def _refused(response, evaluation, before):
    assert response.status_code == 200
    assert SelfEvaluation.objects.get(pk=evaluation.pk).updated_at == before
    assert not EvaluationRow.objects.filter(evaluation=evaluation).exclude(actual="").exists()
    return response.content.decode()


def test_an_evaluation_page_with_another_forms_row_id_changes_nothing(client, started):
    other = EvaluationRow.objects.exclude(evaluation=started).first()
    before = SelfEvaluation.objects.get(pk=started.pk).updated_at
    url = reverse("selfeval:evaluation_edit", args=[started.pk])
    data = page_data(client, started, **{"rows-0-id": str(other.pk), "rows-0-actual": "12 场"})
    page = _refused(client.post(url, data), started, before)
    assert "这一行不属于这张表" in page
    data = page_data(client, started, **{"rows-1-actual": "12 场"})
    data["rows-1-id"] = data["rows-0-id"]  # one row twice
    page = _refused(client.post(url, data), started, before)
    assert "表中有重复或无效的行" in page
    assert EvaluationRow.objects.get(pk=other.pk).actual == other.actual


def test_an_evaluation_page_with_more_rows_than_the_form_changes_nothing(client, started):
    before = SelfEvaluation.objects.get(pk=started.pk).updated_at
    url = reverse("selfeval:evaluation_edit", args=[started.pk])
    data = page_data(client, started)
    count = int(data["rows-TOTAL_FORMS"])
    data.update({"rows-TOTAL_FORMS": str(count + 1), f"rows-{count}-actual": "12 场", "rows-0-actual": "3 场"})
    page = _refused(client.post(url, data), started, before)
    assert "不能在此增加或删除" in page
    data.update({"rows-INITIAL_FORMS": str(count + 1)})
    _refused(client.post(url, data), started, before)
    preview = client.post(reverse("selfeval:evaluation_preview", args=[started.pk]), data)
    assert preview.status_code in {200, 400}


def test_a_declaration_page_with_another_forms_row_id_changes_nothing(client, finance_user):
    from projects.models import Indicator
    from tests.projects.test_declaration_pages import complete_data

    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    draft = ProjectDeclaration.objects.create(project=declaration.project, year=2023, unit="万元")
    client.force_login(finance_user)
    url = reverse("projects:declaration_edit", args=[draft.pk])
    assert client.post(url, complete_data(draft)).status_code == 302
    draft.refresh_from_db()
    ids = list(draft.indicators.order_by("seq").values_list("pk", flat=True))
    theirs = Indicator.objects.exclude(project_declaration=draft).first()
    base = complete_data(draft, **{"indicators-INITIAL_FORMS": "3", "indicators-0-name": "改过的名称"})
    base.update({f"indicators-{i}-id": str(pk) for i, pk in enumerate(ids)})
    for tampered in (
        {"indicators-0-id": str(theirs.pk)},  # another declaration's row
        {"indicators-1-id": str(ids[0])},  # one row twice
        {"indicators-INITIAL_FORMS": "0"},  # a new row carrying an id
    ):
        response = client.post(url, {**base, **tampered})
        assert response.status_code == 200, tampered
        assert "请刷新页面后重新填写" in response.content.decode()
        assert not Indicator.objects.filter(name="改过的名称").exists()
    assert Indicator.objects.get(pk=theirs.pk).project_declaration_id == theirs.project_declaration_id
    assert client.post(url, base).status_code == 302  # the page as it was sent
