"""The declaration page's cached body (projects/services/page.py, projects/page_cache.py): read once, then from the
cache without the declaration's rows; any change, through any path, shows on the next read; the scope and the
buttons are each reader's own."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import ProjectDeclaration
from projects.services.xlsx import export_declaration
from tests.api.test_api import api, payload
from tests.conftest import set_status
from tests.projects.test_declaration_write import KEY, page_post
from tests.reports.test_declaration_xlsx import upload
from tests.test_form_rows import _admin_post

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def written(finance_user) -> ProjectDeclaration:
    response = api(finance_user).post("/api/declarations/", payload(KEY), format="json")
    assert response.status_code == 201, response.json()
    return ProjectDeclaration.objects.get(pk=response.json()["id"])


def page(client, declaration) -> str:
    response = client.get(reverse("projects:declaration", args=[declaration.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_read_comes_from_the_cache_without_the_rows_and_is_the_same_page(client, finance_user, written):
    client.force_login(finance_user)
    first = page(client, written)
    with CaptureQueriesContext(connection) as captured:
        second = page(client, written)
    assert TOKEN.sub("", second) == TOKEN.sub("", first)
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "projects_indicator" not in tables and "projects_fundingsource" not in tables
    # session, user, the department's subtree with the department itself (the navigation prints it), the
    # declaration with its stamps, its workflow steps with their users (one query), its monitoring forms
    assert len(captured.captured_queries) == 6, [q["sql"][:80] for q in captured.captured_queries]


def test_an_edit_through_the_page_the_api_the_import_or_the_admin_shows_at_once(
    client, finance_user, admin_user_, written
):
    client.force_login(finance_user)
    assert "页面填写人" not in page(client, written)

    edit = reverse("projects:declaration_edit", args=[written.pk])
    assert client.post(edit, page_post(client, written, leader="页面填写人")).status_code == 302
    assert "页面填写人" in page(client, written)

    version = api(finance_user).get(f"/api/declarations/{written.pk}/").json()["version"]
    changed = api(finance_user).put(
        f"/api/declarations/{written.pk}/", payload(KEY, leader="接口填写人", version=version), format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert "接口填写人" in page(client, written)

    workbook = load_workbook(io.BytesIO(export_declaration(ProjectDeclaration.objects.get(pk=written.pk))))
    cell = next(c for row in workbook.worksheets[0].iter_rows() for c in row if c.value == "接口填写人")
    cell.value = "导入填写人"
    content = io.BytesIO()
    workbook.save(content)
    client.post(reverse("reports:declaration_import"), {"file": upload(content.getvalue())})
    assert "导入填写人" in page(client, written)

    admin = type(client)()
    admin.force_login(admin_user_)
    goal = written.goals.get()
    url = reverse("admin:projects_goal_change", args=[goal.pk])
    data = _admin_post(admin, url)
    data["text"] = "后台改写的总目标"
    assert admin.post(url, data).status_code == 302
    assert "后台改写的总目标" in page(client, written)


def test_a_change_to_the_previous_declaration_or_to_shared_data_shows_at_once(client, finance_user, written):
    client.force_login(finance_user)
    page(client, written)
    written.project.name = "改过名字的项目"
    written.project.save()
    assert "改过名字的项目" in page(client, written)
    previous = ProjectDeclaration.objects.filter(project=written.project, year__lt=written.year).order_by("-year")[0]
    set_status(previous, "draft")  # open for a change (the seed's is approved)
    row = previous.indicators.order_by("seq").first()
    assert "上年改过的指标" not in page(client, written)
    row.name = "上年改过的指标"
    row.save()  # its declaration's last change moves with it: the comparison with last year is made again
    assert "上年改过的指标" in page(client, written)


def test_the_scope_and_the_buttons_are_each_readers_own(client, finance_user, head_user, outsider_user, written):
    set_status(written, "submitted", submitted_by=finance_user)
    client.force_login(head_user)
    head = page(client, written)
    assert 'value="approve"' in head and "review-draft" in head
    client.force_login(finance_user)
    finance = page(client, written)
    assert 'value="approve"' not in finance and 'value="withdraw"' in finance
    client.force_login(outsider_user)
    assert client.get(reverse("projects:declaration", args=[written.pk])).status_code == 404


def test_last_years_self_evaluation_shown_by_the_review_is_part_of_the_stamp(client, auditor_user):
    """The review prints last year's grade: a change of that self-evaluation's check shows on the next read."""
    from django.utils import timezone

    from projects.models import Project
    from selfeval.models import EvaluationCheck, SelfEvaluation

    project = Project.objects.get(name="组织工作运行经费")  # 洪山: its 2019 self-evaluation prints 优
    project.project_type = "continuing"
    project.save()
    declaration = ProjectDeclaration.objects.create(project=project, year=2020)
    client.force_login(auditor_user)
    assert "2019 年自评：93.68 分，优" in page(client, declaration)
    prior = SelfEvaluation.objects.get(project=project, year=2019)
    EvaluationCheck.objects.filter(evaluation=prior).update(grade="良", checked_at=timezone.now())
    text = page(client, declaration)
    assert "2019 年自评：93.68 分，良" in text and "93.68 分，优" not in text
