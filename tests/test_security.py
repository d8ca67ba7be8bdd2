"""Security: login throttling, CSRF on every form, no SQL built from strings, neutralised spreadsheet cells."""

import ast
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.test_permission_matrix import MATRIX, objects, users  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
APPS = ["perfbudget", "projects", "indicators", "selfeval", "reports", "bench"]


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_repeated_failed_logins_lock_that_username_out(finance_user, head_user):
    client = Client()
    codes = [login(client, "t-finance", "wrong-password").status_code for _ in range(5)]
    assert codes[:4] == [200] * 4 and codes[4] == 429  # the fifth failure locks the username out
    assert "_auth_user_id" not in client.session
    locked = login(client, "t-finance", "pw-for-tests-123")  # even the right password now
    assert locked.status_code in {403, 429} and "登录已暂停" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    other = login(Client(), "t-head", "pw-for-tests-123")  # another user is not affected
    assert other.status_code == 302


def test_the_token_endpoint_is_throttled(finance_user, settings):
    cache.clear()
    client = APIClient()
    codes = [client.post("/api/token/", {"username": "t-finance", "password": "x"}).status_code for _ in range(11)]
    assert codes[:10] == [400] * 10 and codes[10] == 429
    cache.clear()


@pytest.mark.parametrize(
    "name", sorted(n for n, (method, _, _) in MATRIX.items() if method == "POST" and n != "api:token")
)
def test_every_form_and_session_api_call_needs_the_csrf_token(name, objects, users):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["admin"])
    argument = MATRIX[name][1]
    url = reverse(name, args=[objects[argument]] if argument else [])
    response = client.post(url, {})
    assert response.status_code == 403, (name, response.status_code)
    assert "CSRF" in response.content.decode() or "csrf" in response.content.decode().lower()


def test_the_login_form_needs_the_csrf_token(finance_user):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "t-finance", "password": "x"})
    assert response.status_code == 403


def built_from_strings(node: ast.AST) -> bool:
    """SQL text made by f-strings, %, + or str.format — not a literal, not psycopg2's sql.SQL composition."""
    if isinstance(node, ast.JoinedStr | ast.BinOp):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        inner = node.func.value
        composed = isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == "SQL"
        return not composed
    return not isinstance(node, ast.Constant)


def unsafe_sql(tree: ast.AST):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in {"raw", "extra", "RawSQL"}:
            yield node  # the ORM's escape hatches are not used at all
        elif name in {"execute", "executemany"} and node.args and built_from_strings(node.args[0]):
            yield node


def test_no_sql_is_built_from_strings():
    """All data access goes through the ORM; the few statements of the bench scripts (CREATE DATABASE) are
    literals with parameters or psycopg2's sql.Identifier compositions, never text built from strings."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for call in unsafe_sql(ast.parse(path.read_text(), str(path))):
                found.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not found, found


def test_the_sql_check_catches_strings():
    caught = [ast.unparse(c) for c in unsafe_sql(ast.parse(
        "cursor.execute(f'SELECT {x}')\ncursor.execute('SELECT %s' % x)\nModel.objects.raw('SELECT 1')\n"
        "cursor.execute('SELECT 1 WHERE a = %s', [x])\ncursor.execute(sql.SQL('DROP {}').format(sql.Identifier(n)))"
    ))]  # fmt: skip
    assert len(caught) == 3 and not any("Identifier" in c or "[x]" in c for c in caught)


def test_the_batch_index_neutralises_formulas(auditor_user):
    import io

    from openpyxl import load_workbook

    from reports.models import ExportItem, ExportJob
    from reports.services.batch import index_workbook

    job = ExportJob.objects.create(user=auditor_user, year=2019, total=1)
    item = ExportItem(
        job=job,
        seq=1,
        kind="evaluation",
        object_id=1,
        index_row={"项目": '=HYPERLINK("http://x")', "文件名": "@cmd", "部门": "-1+2"},
    )
    ws = load_workbook(io.BytesIO(index_workbook(job, [item]))).active
    values = [c.value for c in ws[3]]
    assert {'\'=HYPERLINK("http://x")', "'@cmd", "'-1+2"} <= set(values)


# -- the client's address behind the trusted proxy (issue 15 point 6) -----------------------------------------

PROXY = "10.0.0.1"


@pytest.mark.parametrize(
    "remote, forwarded, expected",
    [
        ("203.0.113.5", "", "203.0.113.5"),
        ("203.0.113.5", "1.1.1.1", "203.0.113.5"),  # not a trusted proxy: its header is not believed
        (PROXY, "", PROXY),
        (PROXY, "1.1.1.1", "1.1.1.1"),
        (PROXY, "9.9.9.9, 1.1.1.1", "1.1.1.1"),  # the client's own prefix is ignored
        (PROXY, "9.9.9.9, 1.1.1.1, 10.0.0.2", "1.1.1.1"),  # 10.0.0.2: another trusted hop (10.0.0.0/24)
        (PROXY, "not-an-address, 1.1.1.1", "1.1.1.1"),
        (PROXY, "1.1.1.1, not-an-address", PROXY),  # garbage next to the proxy: only the proxy is known
        (PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_rightmost_address_that_is_not_a_trusted_proxy(settings, remote, forwarded, expected):
    from django.test import RequestFactory

    from perfbudget.client_ip import client_ip

    settings.PERFBUDGET_TRUSTED_PROXIES = [PROXY, "10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_forged_forwarded_for_does_not_bypass_the_token_throttle(finance_user):
    cache.clear()
    client = APIClient()
    codes = [
        client.post(
            "/api/token/", {"username": "t-finance", "password": "x"}, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}"
        ).status_code
        for n in range(11)
    ]
    assert codes[10] == 429
    cache.clear()


def test_behind_the_trusted_proxy_each_client_has_its_own_token_throttle(finance_user, settings):
    settings.PERFBUDGET_TRUSTED_PROXIES = [PROXY]
    cache.clear()
    client = APIClient(REMOTE_ADDR=PROXY)

    def post(forwarded):
        data = {"username": "t-finance", "password": "x"}
        return client.post("/api/token/", data, HTTP_X_FORWARDED_FOR=forwarded).status_code

    codes = [post(f"{n}.9.9.9, 1.1.1.1") for n in range(11)]  # one client, varying what it writes itself
    assert codes[:10] == [400] * 10 and codes[10] == 429
    assert post("2.2.2.2") == 400  # another client through the same proxy is not throttled
    cache.clear()


def test_a_lockout_from_one_address_does_not_shut_the_user_out_from_another(head_user, settings):
    """Behind the proxy: failures from an attacker's address lock the username only at that address."""
    settings.PERFBUDGET_TRUSTED_PROXIES = [PROXY]
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    codes = [login(attacker, "t-head", "wrong-password").status_code for _ in range(5)]
    assert codes[4] == 429
    assert login(attacker, "t-head", "pw-for-tests-123").status_code in {403, 429}
    head = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert login(head, "t-head", "pw-for-tests-123").status_code == 302
    forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.10, 198.51.100.66")
    assert login(forged, "t-head", "pw-for-tests-123").status_code in {403, 429}  # the attacker stays locked
