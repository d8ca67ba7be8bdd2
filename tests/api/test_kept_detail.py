"""The API's detail of a self-evaluation, kept per version of the form (selfeval/api.py ``kept_detail``, issue 17):
a second read serialises nothing and reads none of the form's rows; any change, through any path, shows on the next
read; the scope is checked before the cache; what is served is byte for byte the serialisation made without the
cache. And the save (``filling._scored``): one load of the form after the writes serves the proposals taken and the
scoring, with the same rows, stored check and history rows as loading it again for each."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from indicators.models import IndicatorCategory
from projects.models import ProjectDeclaration
from selfeval.api import EvaluationDetailSerializer, kept_detail
from selfeval.models import EvaluationCheck, EvaluationRow, SelfEvaluation
from selfeval.selectors import evaluation_head, evaluation_with_rows
from selfeval.services import engine
from selfeval.services.adapters import form_input
from selfeval.services.filling import _scored
from selfeval.services.prefill import take_proposals
from selfeval.services.scoring import evaluation_score
from selfeval.services.signoff import evaluation_return
from selfeval.services.start import evaluation_start
from tests.conftest import make_user
from tests.selfeval.test_evaluation_pages import page_data
from tests.test_form_rows import admin_types_actual

pytestmark = pytest.mark.django_db

# The form's parts (its stored check is read with the form: a stamp of what the detail is made from).
PART_TABLES = ("selfeval_evaluationrow", "selfeval_evaluationfunding", "selfeval_evaluationsection",
               "selfeval_evaluationgoal", "projects_monitoringrow")  # fmt: skip


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def draft(db):
    return evaluation_start(declaration=ProjectDeclaration.objects.get(project__key="dxh2021-jxkp"))


def uncached(pk: int) -> bytes:
    """The detail as the serializer makes it from the form's rows, without the cache."""
    return JSONRenderer().render(EvaluationDetailSerializer(evaluation_with_rows(pk)).data)


def read(client, pk: int) -> bytes:
    response = client.get(f"/api/evaluations/{pk}/")
    assert response.status_code == 200, response.content[:300]
    return response.content


def test_a_second_read_reads_no_row_table_and_is_the_uncached_serialisation(finance_user, draft):
    client = api(finance_user)
    first = read(client, draft.pk)  # the new form's check is made and stored: kept from the next read on
    read(client, draft.pk)
    with CaptureQueriesContext(connection) as captured:
        kept = read(client, draft.pk)
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert not [table for table in PART_TABLES if table in sql], sql
    # the token with its user, the department's subtree, the form with its stamps, its scheme's sections
    assert len(captured.captured_queries) == 4, [q["sql"][:80] for q in captured.captured_queries]
    assert kept == first == uncached(draft.pk)


def test_every_form_of_the_seeds_is_served_as_serialised(auditor_user):
    client = api(auditor_user)
    for pk in SelfEvaluation.objects.order_by("pk").values_list("pk", flat=True):
        first = read(client, pk)
        assert read(client, pk) == first == uncached(pk), pk


def test_an_edit_through_the_page_the_api_or_the_admin_shows_on_the_next_read(client, finance_user, admin_user_, draft):
    reader = api(finance_user)
    rows = list(draft.rows.order_by("seq"))
    read(reader, draft.pk)
    assert b"\xe9\xa1\xb5" not in read(reader, draft.pk)  # kept

    client.force_login(finance_user)
    edit = reverse("selfeval:evaluation_edit", args=[draft.pk])
    assert client.post(edit, page_data(client, draft, **{"rows-0-actual": "页面填写"})).status_code == 302
    assert "页面填写" in read(reader, draft.pk).decode() and read(reader, draft.pk) == uncached(draft.pk)

    version = reader.get(f"/api/evaluations/{draft.pk}/").json()["version"]
    changes = {"version": version, "rows": [{"id": rows[1].pk, "actual": "接口填写"}]}
    saved = reader.patch(f"/api/evaluations/{draft.pk}/", changes, format="json")
    assert saved.status_code == 200 and saved.content == uncached(draft.pk)  # the save's answer, as serialised
    with CaptureQueriesContext(connection) as captured:
        after = read(reader, draft.pk)  # kept by the save
    assert "接口填写" in after.decode() and after == saved.content
    assert "selfeval_evaluationrow" not in " ".join(q["sql"] for q in captured.captured_queries)

    admin_types_actual(type(client), admin_user_, draft, rows[2], "后台填写")
    assert "后台填写" in read(reader, draft.pk).decode() and read(reader, draft.pk) == uncached(draft.pk)

    SelfEvaluation.objects.filter(pk=draft.pk).update(filler="直接改过")  # a queryset update: its last change stays
    assert read(reader, draft.pk) == uncached(draft.pk) and "直接改过" in read(reader, draft.pk).decode()


def test_a_workflow_step_shows_on_the_next_read(hongshan):
    form = SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019, status="submitted")  # 洪山's
    head = make_user("t-head-kept-hs", "head", form.department)
    reader = api(make_user("t-finance-kept-hs", "finance", form.department))
    read(reader, form.pk)
    assert reader.get(f"/api/evaluations/{form.pk}/").json()["status"] == "submitted"
    evaluation_return(evaluation_id=form.pk, user=head, comment="请补充偏差原因。")  # as the page does
    assert reader.get(f"/api/evaluations/{form.pk}/").json()["status"] == "draft"
    assert read(reader, form.pk) == uncached(form.pk)
    submitted = reader.post(f"/api/evaluations/{form.pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.content == uncached(form.pk) == read(reader, form.pk)
    signed = api(head).post(f"/api/evaluations/{form.pk}/sign/", {"comment": "同意"}, format="json")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    assert read(reader, form.pk) == signed.content == uncached(form.pk)


def test_a_change_to_shared_data_shows_on_the_next_read(finance_user, draft):
    """A project renamed, a category renamed (a row's 一级 prints it when the form did not), a scheme's rules."""
    reader = api(finance_user)
    read(reader, draft.pk)
    read(reader, draft.pk)
    draft.project.name = "改过名字的项目"
    draft.project.save()
    assert reader.get(f"/api/evaluations/{draft.pk}/").json()["project_name"] == "改过名字的项目"
    row = draft.rows.exclude(level1=None).filter(level1_printed="").first()
    assert row is not None
    category = IndicatorCategory.objects.get(pk=row.level1_id)
    category.name = "改过名字的一级指标"
    category.save()
    rows = {r["id"]: r for r in reader.get(f"/api/evaluations/{draft.pk}/").json()["rows"]}
    assert rows[row.pk]["level1"] == "改过名字的一级指标"
    scheme = draft.scheme
    scheme.score_places = 1
    scheme.save()  # a stale check: made again on the next read, as without the cache
    assert read(reader, draft.pk) == uncached(draft.pk)
    assert read(reader, draft.pk) == uncached(draft.pk)


def test_the_scope_is_checked_before_the_cache(finance_user, outsider_user, draft):
    filled = read(api(finance_user), draft.pk)
    assert read(api(finance_user), draft.pk) == filled
    outsider = api(outsider_user).get(f"/api/evaluations/{draft.pk}/")
    assert outsider.status_code == 404 and outsider.json() == {"detail": "没有找到，或不在你的权限范围内。"}
    assert APIClient().get(f"/api/evaluations/{draft.pk}/").status_code == 403  # not signed in
    outsider_user.department = finance_user.department
    outsider_user.is_active = False
    outsider_user.save()
    assert api(outsider_user).get(f"/api/evaluations/{draft.pk}/").status_code in {401, 403}
    filtered = api(finance_user).get(f"/api/evaluations/{draft.pk}/", {"year": draft.year + 1})
    assert filtered.status_code == 404  # a filter in the query still applies, as before
    assert api(finance_user).get(f"/api/evaluations/{draft.pk}/", {"year": draft.year}).content == filled
    assert api(finance_user).get("/api/evaluations/99999999999999999999/").status_code == 404


# -- the save: one load after the writes ----------------------------------------------------------------------


def _stored(pk: int) -> dict:
    """What a save stores: the rows' figures, the check (without its time) and the rows' history."""
    rows = list(EvaluationRow.objects.filter(evaluation_id=pk).order_by("pk").values_list(
        "pk", "score_final", "score_proposed"))  # fmt: skip
    check = EvaluationCheck.objects.filter(evaluation_id=pk).values().get()
    check.pop("checked_at"), check.pop("id")
    history = list(EvaluationRow.history.filter(evaluation_id=pk).order_by("history_id").values_list(
        "id", "score_final", "score_proposed", "actual", "history_type"))  # fmt: skip
    return {"rows": rows, "check": check, "history": history}


def _as_before(pk: int, typed: set) -> None:
    """The save's last steps as they were: load, take the proposals, save them; load again, score, store."""
    loaded = evaluation_with_rows(pk)
    result = engine.score_form(form_input(loaded))
    for row in take_proposals(loaded.rows.all(), result.proposals, typed=typed):
        row.save(update_fields=["score_final"])
    evaluation_score(evaluation_id=pk)


@pytest.mark.parametrize("places", [2, 1])  # 1: a proposal is stored with more places than it has
def test_the_save_stores_what_loading_the_form_again_for_each_step_stores(draft, places):
    scheme = draft.scheme
    scheme.score_places = places
    scheme.save()
    rows = list(draft.rows.order_by("seq"))
    for row in rows[:4]:
        row.weight, row.actual = 5, row.target  # met: full points proposed
        row.save()
    typed = {rows[1].pk}
    rows[1].score_final = 0
    rows[1].save()
    results = []
    for step in (_as_before, _scored):
        with transaction.atomic():
            loaded = step(draft.pk, typed)
            results.append(_stored(draft.pk))
            if loaded is not None:  # the save's answer is made from it: as the form reads when loaded again
                assert JSONRenderer().render(EvaluationDetailSerializer(loaded).data) == uncached(draft.pk)
            transaction.set_rollback(True)
    assert results[0] == results[1]
    taken = {pk: final for pk, final, _ in results[0]["rows"]}
    assert taken[rows[0].pk] == 5 and taken[rows[1].pk] == 0  # a proposal taken; a typed score kept
    assert len(results[0]["history"]) > len(rows)


def test_a_detail_made_by_a_save_is_not_kept_when_the_form_changed_since(finance_user, draft):
    read(api(finance_user), draft.pk)  # its check is current
    loaded = evaluation_with_rows(draft.pk)
    SelfEvaluation.objects.filter(pk=draft.pk).update(filler="之后改过")
    head = evaluation_head(draft.pk, user=finance_user)
    assert JSONRenderer().render(kept_detail(head, loaded)) == uncached(draft.pk)
    assert "之后改过" in read(api(finance_user), draft.pk).decode()


def test_an_api_save_loads_the_form_twice(finance_user, draft):
    """Once to check the changes (in the user's scope), once after the writes under the lock for the proposals,
    the scoring and the answer; the next read is kept."""
    client = api(finance_user)
    detail = client.get(f"/api/evaluations/{draft.pk}/").json()
    row = detail["rows"][0]
    changes = {"version": detail["version"], "rows": [{"id": row["id"], "actual": "3 项", "weight": "5"}]}
    with CaptureQueriesContext(connection) as captured:
        saved = client.patch(f"/api/evaluations/{draft.pk}/", changes, format="json")
    assert saved.status_code == 200 and saved.content == uncached(draft.pk)
    loads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "selfeval_evaluationrow"."id"')]
    assert len(loads) == 2, loads
    # SQLite: Django's bulk_update of the proposals, guarded twice (PostgreSQL: one UPDATE … FROM (VALUES …))
    expected = 38 if connection.vendor == "postgresql" else 41
    assert len(captured.captured_queries) == expected, "\n".join(q["sql"][:100] for q in captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        assert read(client, draft.pk) == saved.content
    assert len(captured.captured_queries) == 4
