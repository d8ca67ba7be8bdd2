"""The live preview scores the page as typed from the submitted data: what saving would give, without writing."""

import time
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.services.checking import num
from projects.choices import Role
from selfeval.models import EvaluationCheck, EvaluationRow, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services.findings import evaluation_findings
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
    saved = evaluation_with_rows(large.pk)
    figures = EvaluationCheck.objects.get(evaluation=saved)
    assert (preview["total"], preview["grade"], preview["budget_score"]) == (
        num(figures.computed_total),
        figures.grade,
        num(figures.budget_score),
    )
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
