"""The home page's kept body (perfbudget/home_page.py): read once, then from the cache after one query for the
scope's stamp; a change in the scope shows on the next read; each reader sees their own scope, buttons and CSRF
token; nobody logged out, deactivated or moved is served from the cache."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.access import own_department_ids
from projects.choices import Role
from projects.models import Department, Project, ProjectDeclaration, User
from selfeval.services.signoff import evaluation_return
from selfeval.services.start import evaluation_start
from tests.builders import make_project, make_user
from tests.conftest import set_status

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
YEAR = {"year": "2021"}


@pytest.fixture
def draft(db):
    return evaluation_start(declaration=ProjectDeclaration.objects.get(project__key="dxh2021-jxkp"))


def home(client, **params) -> str:
    response = client.get(reverse("home"), params or YEAR)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="kept on PostgreSQL only: SQLite (the demo) makes the page on every read"
)
def test_a_second_read_is_the_same_page_from_the_cache_in_four_queries(client, finance_user, draft):
    client.force_login(finance_user)
    home(client)  # the year's checks are made current and stored: the page is kept from the next read on
    first = home(client)
    with CaptureQueriesContext(connection) as captured:
        second = home(client)
    assert TOKEN.sub("", second) == TOKEN.sub("", first)
    assert ProjectDeclaration.objects.get(project__key="dxh2021-jxkp").project.name in second
    sql = [q["sql"] for q in captured.captured_queries]
    # the session, the user, the user's department with its offices (one query), the scope's stamp
    assert len(sql) == 4, sql
    assert not any('"projects_project"' in q for q in sql)  # no row of the page is read


def test_the_kept_page_carries_each_requests_own_csrf_token(finance_user, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(finance_user)
    home(client)
    home(client)  # kept from here on (the first read stored the year's checks)
    page = home(client)  # from the cache
    tokens = set(TOKEN.findall(page))
    assert tokens and "<csrf-slot>" not in page and "csrf-slot" not in page
    token = tokens.pop()
    # The token works: the import form of the kept page posts (refused for its missing file, not for CSRF).
    response = client.post(reverse("reports:declaration_import"), {"csrfmiddlewaretoken": token})
    assert response.status_code != 403
    other = Client(enforce_csrf_checks=True)
    other.force_login(finance_user)
    assert TOKEN.findall(home(other))[0] not in tokens | {token}  # another session's page: its own token


def test_a_change_in_the_scope_shows_on_the_next_read(client, finance_user, head_user, draft):
    client.force_login(finance_user)
    set_status(draft, "submitted")  # (the test helper does not move the form's last change: read after it)
    assert "已提交" in home(client)

    evaluation_return(evaluation_id=draft.pk, user=head_user, comment="请补充佐证材料")  # a workflow step
    page = home(client)
    assert "退回意见：请补充佐证材料" in page and "已退回" in page

    draft.refresh_from_db()
    draft.printed_total = 87
    draft.save()  # the form's own figures
    assert "· 87" in home(client)

    project = draft.project
    project.name = "改过名字的项目"
    project.save()  # shared data (ReferenceVersion)
    assert "改过名字的项目" in home(client)

    make_project(finance_user.department, name="新入库的项目", period_start=2021, period_end=2021)
    assert "新入库的项目" in home(client)  # a new project in the scope

    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    assert f'href="{reverse("projects:declaration", args=[declaration.pk])}"' in home(client)
    set_status(declaration, "draft")
    ProjectDeclaration.objects.filter(pk=declaration.pk).delete()  # a deleted form
    assert f'href="{reverse("projects:declaration", args=[declaration.pk])}"' not in home(client)


def test_other_departments_and_roles_see_their_own_page(client, finance_user, head_user, outsider_user, draft):
    mine = draft.project.name
    client.force_login(finance_user)
    finance_page = home(client)
    assert mine in finance_page and "导入申报表" in finance_page

    head = Client()
    head.force_login(head_user)  # the same department, another role: the finance staff's page is kept
    head_page = home(head)
    assert mine in head_page
    assert "导入申报表" not in head_page and "新建申报表" not in head_page and "开始自评" not in head_page

    outsider = Client()
    outsider.force_login(outsider_user)
    assert mine not in home(outsider)
    draft.printed_total = 91
    draft.save()
    assert "· 91" in home(client)
    outside_page = home(outsider)
    assert mine not in outside_page and "· 91" not in outside_page


def test_nobody_logged_out_deactivated_or_moved_is_served_from_the_cache(client, finance_user, hongshan, draft):
    mine = draft.project.name
    client.force_login(finance_user)
    home(client)
    assert mine in home(client)  # kept

    finance_user.department = hongshan  # moved to another department
    finance_user.save()
    moved = home(client)
    assert mine not in moved
    assert Project.objects.filter(department=hongshan).first().name in home(client, year="2019")

    finance_user.department = draft.department
    finance_user.save()
    assert mine in home(client)
    finance_user.is_active = False
    finance_user.save()
    response = client.get(reverse("home"), YEAR)
    assert response.status_code == 302 and reverse("login") in response["Location"]

    finance_user.is_active = True
    finance_user.save()
    client.force_login(finance_user)
    assert mine in home(client)
    client.logout()
    response = client.get(reverse("home"), YEAR)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_scope_is_the_department_with_all_its_offices_and_the_department_read_with_it(dongxihu):
    office = Department.objects.create(code="t-office", name="办公室", parent=dongxihu)
    unit = Department.objects.create(code="t-unit", name="科室", parent=office)
    user = User.objects.get(pk=make_user(role=Role.FINANCE, department=dongxihu).pk)
    with CaptureQueriesContext(connection) as captured:
        ids = own_department_ids(user)
        department = user.department  # read with the scope, not again
    assert len(captured.captured_queries) == 1
    expected, frontier = {dongxihu.pk}, [dongxihu.pk]
    while frontier:
        frontier = list(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        expected |= set(frontier)
    assert ids[0] == dongxihu.pk and {office.pk, unit.pk} < expected and sorted(ids) == sorted(expected)
    fresh = Department.objects.get(pk=dongxihu.pk)
    assert [getattr(department, f.attname) for f in Department._meta.concrete_fields] == [
        getattr(fresh, f.attname) for f in Department._meta.concrete_fields
    ]
