"""The live preview scores the page as typed from the submitted data: what saving would give, without writing."""

import time
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.services.checking import num
from projects.choices import Role
from selfeval.forms import FixedRowsFormSet
from selfeval.models import EvaluationCheck, EvaluationRow, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services.filling import bound_forms
from selfeval.services.findings import blocking_at_parts, evaluation_findings
from selfeval.services.preview import input_errors, page_from_forms, typed_page
from tests.conftest import make_user, set_status
from tests.selfeval.test_evaluation_pages import page_data

pytestmark = pytest.mark.django_db

FORM_ENCODED = "application/x-www-form-urlencoded"
WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE", "ROLLBACK")


@pytest.fixture
def large(client):
    """The seed form with the most rows, reopened as a draft and grown to 60 rows, and its finance clerk."""
    evaluation = max(SelfEvaluation.objects.all(), key=lambda e: e.rows.count())
    set_status(evaluation, "draft")
    last = evaluation.rows.order_by("-seq").first()
    for seq in range(last.seq + 1, 61):
        EvaluationRow.objects.create(
            evaluation=evaluation, seq=seq, name=f"补充指标{seq}", target="≥10 场", weight=last.weight, goal=last.goal
        )
    client.force_login(make_user("t-finance-large", Role.FINANCE, evaluation.department))
    evaluation.refresh_from_db()
    assert evaluation.rows.count() == 60
    return evaluation


def saved_with_totals_of(preview: dict, evaluation):
    """The form as saved and its stored check, after checking the preview's total, grade and budget score."""
    saved = evaluation_with_rows(evaluation.pk)
    figures = EvaluationCheck.objects.get(evaluation=saved)
    assert (preview["total"], preview["grade"], preview["budget_score"]) == (
        num(figures.computed_total),
        figures.grade,
        num(figures.budget_score),
    )
    return saved, figures


def typed(client, evaluation):
    changes = {"funding-0-executed": "1", "goal_actual": "完成。"}
    for i in range(30):
        changes[f"rows-{i}-actual"] = "12 场" if i % 2 else "5 场"
        changes[f"rows-{i}-score_final"] = "" if i % 3 else "1"
    return page_data(client, evaluation, **changes)


def test_the_preview_is_what_saving_gives(client, large):
    data = typed(client, large)
    preview = client.post(reverse("selfeval:evaluation_preview", args=[large.pk]), data).json()
    assert preview["ok"], preview
    assert (
        client.post(reverse("selfeval:evaluation_edit", args=[large.pk]), {**data, "action": "save"}).status_code == 302
    )
    saved, figures = saved_with_totals_of(preview, large)
    assert {code: preview["sections"].get(code) for code in (s.code for s in saved.sections.all())} == {
        s.code: num(figures.section_score(s.code)) for s in saved.sections.all()
    }
    assert {key: value["score"] for key, value in preview["rows"].items()} == {
        str(row.pk): num(row.score_proposed) for row in saved.rows.all()
    }
    assert preview["findings"] == [str(f) for f in evaluation_findings(saved)]
    assert preview["findings"]  # the typed shortfalls without reasons are found, as after saving


def test_the_preview_of_60_rows_reads_little_and_writes_nothing(client, large, django_assert_max_num_queries):
    data = typed(client, large)
    url = reverse("selfeval:evaluation_preview", args=[large.pk])
    body = urlencode(data)  # as the page's script sends it (URLSearchParams)
    client.post(url, body, content_type=FORM_ENCODED)  # warm the session
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.post(url, body, content_type=FORM_ENCODED)
        elapsed = time.perf_counter() - started
    assert response.json()["ok"] and len(response.json()["rows"]) == 60
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
    print(f"preview: {len(captured.captured_queries)} queries, {elapsed * 1000:.1f} ms")


def test_the_preview_refuses_what_the_page_could_not_save(client, large):
    """Posted rows are read by their ids among the form's own rows; a bad figure, a foreign id or missing formset
    data give the page's "cannot read" answer, and nothing is scored from them."""
    url = reverse("selfeval:evaluation_preview", args=[large.pk])
    data = typed(client, large)
    assert client.post(url, {**data, "rows-3-weight": "五"}).json()["ok"] is False
    assert client.post(url, {**data, "rows-3-score_final": "-1"}).json()["ok"] is False
    other = EvaluationRow.objects.exclude(evaluation=large).first()
    assert client.post(url, {**data, "rows-3-id": str(other.pk)}).json()["ok"] is False
    assert client.post(url, {k: v for k, v in data.items() if k != "rows-TOTAL_FORMS"}).json()["ok"] is False
    assert client.post(url, data).json()["ok"] is True


def test_the_preview_scores_only_the_typed_changes_over_the_stored_form(client, large):
    """A row typed differently from what is stored changes the proposal; one left as shown keeps its stored value."""
    url = reverse("selfeval:evaluation_preview", args=[large.pk])
    data = page_data(client, large)
    untouched = client.post(url, data).json()
    first = large.rows.order_by("seq").first()
    changed = client.post(url, {**data, "rows-0-weight": str((first.weight or 0) + 3)}).json()
    assert untouched["ok"] and changed["ok"]
    assert changed["total"] != untouched["total"] or changed["rows"][str(first.pk)] != untouched["rows"][str(first.pk)]


def seed_ids():
    """Every seed self-evaluation (the seeds are loaded per test; their order is stable)."""
    return list(range(25))


def typed_seed(client, evaluation):
    """The seed form reopened as a draft and its page data with a few things typed: an actual, a score, a weight."""
    set_status(evaluation, "draft")
    client.force_login(make_user(f"t-finance-{evaluation.pk}", Role.FINANCE, evaluation.department))
    data = page_data(client, evaluation)
    rows = evaluation.rows.order_by("seq")
    changes = {}
    if rows:
        changes["rows-0-actual"] = "12 场"
        changes[f"rows-{len(rows) - 1}-reason"] = "受疫情影响。"
    if len(rows) > 1 and rows[1].weight:
        changes["rows-1-score_final"] = str(rows[1].weight / 2)
    return {**data, **changes}


@pytest.mark.parametrize("index", seed_ids())
def test_the_preview_of_every_seed_form_is_what_saving_and_rescoring_give(client, index):
    """On each seed form, the preview (which binds only the rows typed differently from what is stored) answers
    what the page's save and the stored rescore then give: scores, totals, grade, findings and their places."""
    evaluation = SelfEvaluation.objects.order_by("pk")[index]
    data = typed_seed(client, evaluation)
    preview = client.post(reverse("selfeval:evaluation_preview", args=[evaluation.pk]), data).json()
    assert preview["ok"], preview
    response = client.post(reverse("selfeval:evaluation_edit", args=[evaluation.pk]), {**data, "action": "save"})
    assert response.status_code == 302, index
    saved, figures = saved_with_totals_of(preview, evaluation)
    assert preview["sections"] == {code: num(score) for code, score in preview_sections(saved, figures).items()}
    assert {key: (value["score"], value["final"]) for key, value in preview["rows"].items()} == {
        str(row.pk): (num(row.score_proposed), num(row.score_final)) for row in saved.rows.all()
    }
    assert preview["findings"] == [str(f) for f in evaluation_findings(saved)]
    placed, _loose = blocking_at_parts(saved)
    assert sorted(preview["errors"]) == sorted(placed_inputs(saved, placed))


def preview_sections(saved, figures) -> dict:
    return {code: figures.section_score(code) for code in figures.section_scores}


def placed_inputs(saved, placed) -> list[str]:
    """The input names the page shows the stored blocking findings at (rows and sections in page order)."""
    names = []
    for prefix, parts in (("rows", saved.rows.all()), ("sections", saved.sections.all())):
        for i, part in enumerate(sorted(parts, key=lambda p: p.seq)):
            names += [f"{prefix}-{i}-{name}" for name in placed.get((prefix, part.pk), {})]
    return names


@pytest.mark.parametrize("index", seed_ids())
def test_reading_only_the_typed_rows_answers_as_binding_the_whole_page(client, index):
    """The preview's two paths give the same snapshot and the same answer on each seed form: the whole page bound
    (as saving binds it) and only the rows typed differently from the stored ones."""
    evaluation = SelfEvaluation.objects.order_by("pk")[index]
    data = QueryDict(urlencode(typed_seed(client, evaluation)))
    page = typed_page(evaluation_with_rows(evaluation.pk), data)
    form, formsets, valid = bound_forms(evaluation_with_rows(evaluation.pk), data)
    assert page is not None and valid
    whole = page_from_forms(form, formsets)
    assert page.typed_scores == whole.typed_scores and page.prefixes == whole.prefixes
    for table in whole.parts:
        fields = [f.attname for f in whole.parts[table][0]._meta.concrete_fields] if whole.parts[table] else []
        assert [[getattr(p, f) for f in fields] for p in page.parts[table]] == [
            [getattr(p, f) for f in fields] for p in whole.parts[table]
        ]


def test_a_value_the_page_cannot_read_gives_the_messages_of_the_whole_page(client, large):
    """An unreadable typed value is answered from the whole page bound, as saving binds it: the same messages at
    the same inputs, stored rows included."""
    url = reverse("selfeval:evaluation_preview", args=[large.pk])
    data = typed(client, large)
    bad = {**data, "rows-3-weight": "五", "rows-5-score_final": "-1"}
    answer = client.post(url, bad).json()
    form, formsets, valid = bound_forms(evaluation_with_rows(large.pk), QueryDict(urlencode(bad)))
    assert answer["ok"] is False and not valid
    assert answer["errors"] == {k: [str(m) for m in v] for k, v in input_errors(form, formsets).items()}
    assert set(answer["errors"]) == {"rows-3-weight", "rows-5-score_final"}


def test_a_row_posted_as_stored_is_not_bound(client, large, monkeypatch):
    """Only the rows typed differently from what is stored are checked, as their form checks them but without
    making one (``forms.typed_row``); the others are the stored rows. No row form is made."""
    from selfeval.services import preview

    built, checked = [], []
    original, original_check = FixedRowsFormSet._construct_form, preview.typed_row

    def counting(self, i, **kwargs):
        built.append((self.prefix, i))
        return original(self, i, **kwargs)

    def checking(row, data, prefix, evaluation):
        checked.append(prefix)
        return original_check(row, data, prefix, evaluation)

    data = page_data(client, large, **{"rows-7-actual": "3 场", "rows-9-weight": "4"})
    monkeypatch.setattr(FixedRowsFormSet, "_construct_form", counting)
    monkeypatch.setattr(preview, "typed_row", checking)
    assert client.post(reverse("selfeval:evaluation_preview", args=[large.pk]), data).json()["ok"]
    assert checked == ["rows-7", "rows-9"]
    assert [i for prefix, i in built if prefix == "rows"] == []
