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
