"""Who is signed in, read by compiled and prepared statements (perfbudget/sessions.py, projects/precompiled.py): the
same session and user as Django's own store and backend, and nothing kept between requests — a deactivated user, a
moved department, a changed role, a changed password, a logout and an expired session take effect on the next
request, after the statements were compiled and prepared by earlier ones."""

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from perfbudget.sessions import SessionStore, UserBackend
from projects.choices import Role
from projects.models import ProjectDeclaration
from projects.precompiled import STATEMENTS, run_prepared
from selfeval.services.start import evaluation_start
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


@pytest.fixture
def draft(db):
    return evaluation_start(declaration=ProjectDeclaration.objects.get(project__key="dxh2021-jxkp"))


def warm(client, url: str, times: int = 3) -> str:
    """Read ``url`` a few times (the statements compiled, then prepared on this connection); the last page."""
    for _ in range(times):
        response = client.get(url)
        assert response.status_code == 200, response
    return response.content.decode()


def signed_out(client, url: str) -> bool:
    response = client.get(url)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_store_and_the_backend_read_what_djangos_read(finance_user):
    client = Client()
    client.force_login(finance_user)
    key = client.cookies["sessionid"].value
    assert client.session[BACKEND_SESSION_KEY] == "perfbudget.sessions.UserBackend"
    for _ in range(3):  # compiled, then prepared: the same each time
        assert SessionStore(key).load() == DjangoStore(key).load()
        mine, django = UserBackend().get_user(finance_user.pk), ModelBackend().get_user(finance_user.pk)
        fields = [f.attname for f in type(mine)._meta.concrete_fields]
        assert [getattr(mine, f) for f in fields] == [getattr(django, f) for f in fields]
    assert UserBackend().get_user(finance_user.pk + 10_000) is None
    assert UserBackend().get_user(str(finance_user.pk)).pk == finance_user.pk  # as Django reads a non-integer key
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None  # a key with no row: a new session, as Django's
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert SessionStore(key).load() == {}  # expired


def test_the_floor_and_the_pages_read_session_and_user_in_one_query_each(client, finance_user, draft):
    client.force_login(finance_user)
    warm(client, "/healthz/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/healthz/")
    assert len(captured.captured_queries) == 2, [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("url", ["home", "evaluation", "declaration", "health"])
def test_a_deactivated_user_is_signed_out_at_once(client, finance_user, draft, url):
    page = {
        "home": reverse("home") + "?year=2021",
        "evaluation": reverse("selfeval:evaluation", args=[draft.pk]),
        "declaration": reverse("projects:declaration", args=[draft.declaration_id]),
        "health": "/healthz/",
    }[url]
    client.force_login(finance_user)
    warm(client, page)
    finance_user.is_active = False
    finance_user.save()
    if url == "health":  # answers everyone; the user it reads is anonymous now
        response = client.get(page)
        assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")
        assert "_auth_user_id" in client.session  # (Django leaves the session: the user is refused on each read)
    else:
        assert signed_out(client, page)
    finance_user.is_active = True
    finance_user.save()
    assert client.get(page).status_code == 200  # the same session again, as Django's backend does


def test_a_changed_password_or_a_logout_ends_the_session_at_once(client, finance_user, draft):
    page = reverse("selfeval:evaluation", args=[draft.pk])
    client.force_login(finance_user)
    warm(client, page)
    finance_user.set_password(PASSWORD + "-new")
    finance_user.save()
    assert signed_out(client, page)
    assert SESSION_KEY not in client.session  # flushed, as Django's get_user does on a hash that does not match

    client.force_login(finance_user)  # signed in again: the new password's session
    warm(client, page)
    client.post(reverse("logout"))
    assert signed_out(client, page)
    other = Client()
    other.force_login(finance_user)
    warm(other, page)
    Session.objects.all().update(expire_date=timezone.now() - timedelta(seconds=1))
    assert signed_out(other, page)


def test_a_moved_user_or_a_changed_role_is_read_at_once(client, finance_user, hongshan, draft):
    evaluation = reverse("selfeval:evaluation", args=[draft.pk])
    declaration = reverse("projects:declaration", args=[draft.declaration_id])
    client.force_login(finance_user)
    page = warm(client, evaluation)
    assert "填写 / 修改" in page and "东西湖" in warm(client, declaration)

    finance_user.department = hongshan  # moved: the forms of the old department are not found
    finance_user.save()
    assert client.get(evaluation).status_code == 404 and client.get(declaration).status_code == 404
    assert f"· {hongshan}" in warm(client, reverse("home"))  # the navigation prints the new department

    finance_user.department = draft.department
    finance_user.role = Role.HEAD  # another role: the head's buttons, not the filer's
    finance_user.save()
    page = warm(client, evaluation, times=1)
    assert "填写 / 修改" not in page and "负责人" in page


def test_a_statement_is_prepared_on_its_second_run_and_outlives_a_rollback(db):
    if connection.vendor != "postgresql":
        assert run_prepared("SELECT %s + 1", [1]) == [(2,)]
        return
    sql = "SELECT %s::integer + %s, '100%%'"
    for expected in range(3):
        assert run_prepared(sql, [expected, 0]) == [(expected, "100%")]
    names = [name for name, text in STATEMENTS.items() if text == sql]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        prepared = {row[0] for row in cursor.fetchall()}
    assert set(names) & prepared  # prepared on this connection
    try:
        with transaction.atomic():
            assert run_prepared(sql, [5, 1]) == [(6, "100%")]
            raise RuntimeError
    except RuntimeError:
        pass
    assert run_prepared(sql, [7, 1]) == [(8, "100%")]  # still there after the rollback


def test_a_statement_postgresql_cannot_prepare_runs_as_it_is(db):
    sql = "SELECT %s || %s"  # two parameters of unknown type: PREPARE refuses it, the plain statement runs
    for _ in range(3):
        with transaction.atomic():  # the refusal must not break the caller's transaction
            assert run_prepared(sql, ["a", "b"]) == [("ab",)]
            assert ProjectDeclaration.objects.exists()


def test_a_statements_name_is_the_same_in_every_process():
    """Named from its SQL, not from a counter: where server connections are shared, a name never means another
    statement."""
    from projects.precompiled import _Prepared

    assert _Prepared("SELECT %s").name == _Prepared("SELECT %s").name != _Prepared("SELECT %s + 1").name


def test_nothing_is_prepared_when_preparing_is_off(db, settings):
    settings.PERFBUDGET_PREPARE = False  # behind a pooler that shares server connections
    sql = "SELECT %s * 3"
    for n in range(3):
        assert run_prepared(sql, [n]) == [(n * 3,)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            assert not any("* 3" in row[0] for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_statement_a_migration_made_stale_runs_as_plain_sql_and_the_connection_is_renewed():
    """A column's type changed while the connection had the statement prepared (a deploy's migration beside the old
    processes): PostgreSQL refuses the prepared plan; outside a transaction the plain statement answers, inside one
    the error is the caller's; either way the connection is closed when the request ends."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    from django.db import DatabaseError

    from projects.precompiled import _Prepared

    sql = "SELECT v FROM pb_stale_probe WHERE %s::integer = %s::integer"
    connection.ensure_connection()
    kept_until = connection.close_at
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE pb_stale_probe (v varchar(10))")
        cursor.execute("INSERT INTO pb_stale_probe VALUES ('甲')")
    try:
        for _ in range(3):  # run, then prepared and executed
            assert run_prepared(sql, [1, 1]) == [("甲",)]
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE pb_stale_probe ALTER COLUMN v TYPE varchar(120)")
        assert connection.close_at != 0
        assert run_prepared(sql, [1, 1]) == [("甲",)]
        assert connection.close_at == 0  # closed at the end of the request
        connection.close_at = kept_until
        for _ in range(3):  # prepared again on the same connection (dropped and forgotten), for the new type
            assert run_prepared(sql, [1, 1]) == [("甲",)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements")
            assert _Prepared(sql).name in {row[0] for row in cursor.fetchall()}
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE pb_stale_probe ALTER COLUMN v TYPE varchar(200)")
            run_prepared(sql, [1, 1])
        assert connection.close_at == 0
    finally:
        connection.close_at = kept_until
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS pb_stale_probe")
