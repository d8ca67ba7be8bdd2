"""The self-evaluation page's cached body (selfeval/services/page.py, projects/page_cache.py): read once, then from the
cache without the form's rows; any change, through any path, shows on the next read; the scope and the buttons are
each reader's own."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from indicators.models import IndicatorCategory
from projects.models import ProjectDeclaration
from selfeval.services.start import evaluation_start
from tests.conftest import set_status
from tests.selfeval.test_evaluation_pages import page_data
from tests.test_form_rows import admin_types_actual

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def draft(db):
    return evaluation_start(declaration=ProjectDeclaration.objects.get(project__key="dxh2021-jxkp"))


def page(client, evaluation) -> str:
    response = client.get(reverse("selfeval:evaluation", args=[evaluation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_read_comes_from_the_cache_without_the_rows_and_is_the_same_page(client, finance_user, draft):
    client.force_login(finance_user)
    page(client, draft)  # the new form's check is made and stored: the page is kept from the next read on
    first = page(client, draft)
    with CaptureQueriesContext(connection) as captured:
        second = page(client, draft)
    assert TOKEN.sub("", second) == TOKEN.sub("", first)
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "selfeval_evaluationrow" not in tables and "selfeval_evaluationfunding" not in tables
    # session, user, the department's subtree with the department itself (the navigation prints it), the form with
    # its stamps, its scheme's sections, its workflow steps
    assert len(captured.captured_queries) == 6, [q["sql"][:80] for q in captured.captured_queries]


def test_an_edit_through_the_page_the_api_or_the_admin_shows_at_once(client, finance_user, admin_user_, draft):
    client.force_login(finance_user)
    rows = list(draft.rows.order_by("seq"))
    assert "页面填写" not in page(client, draft)

    edit = reverse("selfeval:evaluation_edit", args=[draft.pk])
    assert client.post(edit, page_data(client, draft, **{"rows-0-actual": "页面填写"})).status_code == 302
    assert "页面填写" in page(client, draft)

    api = APIClient()
    api.force_authenticate(finance_user)
    version = api.get(f"/api/evaluations/{draft.pk}/").json()["version"]
    changes = {"version": version, "rows": [{"id": rows[1].pk, "actual": "接口填写"}]}
    assert api.patch(f"/api/evaluations/{draft.pk}/", changes, format="json").status_code == 200
    assert "接口填写" in page(client, draft)

    admin_types_actual(type(client), admin_user_, draft, rows[2], "后台填写")
    assert "后台填写" in page(client, draft)


def test_a_change_to_shared_data_shows_at_once(client, finance_user, draft):
    """A project renamed, a category renamed (the rows' 一级 cells print it when the form did not)."""
    client.force_login(finance_user)
    page(client, draft)
    draft.project.name = "改过名字的项目"
    draft.project.save()
    assert "改过名字的项目" in page(client, draft)
    row = draft.rows.exclude(level1=None).filter(level1_printed="").select_related("level1").first()
    if row is not None:
        category = IndicatorCategory.objects.get(pk=row.level1_id)
        category.name = "改过名字的一级指标"
        category.save()
        assert "改过名字的一级指标" in page(client, draft)


def test_the_scope_and_the_buttons_are_each_readers_own(client, finance_user, head_user, outsider_user, draft):
    set_status(draft, "submitted", submitted_by=finance_user)
    client.force_login(head_user)
    assert 'id="sign-link"' in page(client, draft)  # the head signs
    client.force_login(finance_user)
    finance = page(client, draft)
    assert 'id="sign-link"' not in finance and 'value="withdraw"' in finance
    client.force_login(outsider_user)
    assert client.get(reverse("selfeval:evaluation", args=[draft.pk])).status_code == 404
