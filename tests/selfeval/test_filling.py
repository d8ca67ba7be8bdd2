"""One write path for the page and the API: plain changes, the page's messages, unknown ids and fields refused."""

import pytest

from projects.choices import DeclarationStatus
from selfeval.models import EvaluationRow, SelfEvaluation
from selfeval.services.filling import EvaluationChanges, UnknownPart, evaluation_update
from tests.api.test_api import api
from tests.builders import make_declaration, make_evaluation, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(finance_user):
    """A draft of the test's own, in the finance staff's department."""
    project = make_project(finance_user.department)
    return make_evaluation(make_declaration(project, status=DeclarationStatus.APPROVED))


def test_the_api_refuses_unknown_fields_and_ids_in_chinese(draft, finance_user):
    client = api(finance_user)
    detail = client.get(f"/api/evaluations/{draft.pk}/").json()
    row = detail["rows"][0]
    for patch in [
        {"rows": [{"id": row["id"], "name": "改名"}]},  # read-only
        {"rows": [{"id": row["id"], "actaul": "x"}]},  # misspelt
        {"fillr": "某人"},
        {"sections": [{"id": detail["rows"][0]["id"] + 10**6, "points": "10"}]},
    ]:
        response = client.patch(f"/api/evaluations/{draft.pk}/", {"version": detail["version"], **patch}, format="json")
        assert response.status_code == 400, response.json()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json())), response.json()
    assert SelfEvaluation.objects.get(pk=draft.pk).updated_at.isoformat() == detail["version"]


def test_the_api_gives_the_pages_messages_per_field(draft, finance_user):
    client = api(finance_user)
    detail = client.get(f"/api/evaluations/{draft.pk}/").json()
    row = detail["rows"][0]
    patch = {"version": detail["version"], "rows": [{"id": row["id"], "weight": "5", "score_final": "9"}]}
    response = client.patch(f"/api/evaluations/{draft.pk}/", patch, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["rows"][str(row["id"])]["score_final"] == ["得分不能超过分值 5.00。"]


def test_the_service_takes_plain_changes_and_keeps_the_rest(draft, finance_user):
    row = draft.rows.order_by("seq").first()
    version = SelfEvaluation.objects.get(pk=draft.pk).updated_at.isoformat()
    changes = EvaluationChanges(version=version, header={"filler": "张三"}, rows={row.pk: {"actual": "12 场"}})
    result = evaluation_update(evaluation=draft, user=finance_user, changes=changes)
    assert result.saved
    saved = SelfEvaluation.objects.get(pk=draft.pk)
    assert (saved.filler, EvaluationRow.objects.get(pk=row.pk).actual) == ("张三", "12 场")
    assert saved.goal_target == draft.goal_target and saved.updated_at == result.updated_at
    stale = evaluation_update(evaluation=draft, user=finance_user, changes=changes)
    assert stale.stale and not stale.saved and stale.conflict
    with pytest.raises(UnknownPart):
        evaluation_update(
            evaluation=draft,
            user=finance_user,
            changes=EvaluationChanges(version=saved.updated_at.isoformat(), rows={0: {}}),
        )
