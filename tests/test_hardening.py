"""Hardening (issue 15 point 9): expiring and revocable API tokens, export downloads in scope at download time,
CSP and no-store headers, a working day's session, the schema behind login in production, DEBUG off and a
generated key by default, password rules in Chinese."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reports.services.batch import start_export
from tests.test_settings import PRODUCTION_ENV, run_manage

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def token_for(user, password="pw-for-tests-123") -> dict:
    response = APIClient().post("/api/token/", {"username": user.username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# -- API tokens ------------------------------------------------------------------------------------------------


def test_a_token_expires_after_the_configured_time_and_a_new_one_is_issued(finance_user, settings):
    settings.API_TOKEN_TTL = datetime.timedelta(hours=2)
    issued = token_for(finance_user)
    assert (
        timezone.now() < datetime.datetime.fromisoformat(issued["expires"]) <= timezone.now() + settings.API_TOKEN_TTL
    )
    assert with_token(issued["token"]).get("/api/projects/").status_code == 200
    Token.objects.filter(key=issued["token"]).update(created=timezone.now() - datetime.timedelta(hours=3))
    expired = with_token(issued["token"]).get("/api/projects/")
    assert expired.status_code in {401, 403} and "过期" in expired.json()["detail"]
    renewed = token_for(finance_user)
    assert renewed["token"] != issued["token"]
    assert with_token(renewed["token"]).get("/api/projects/").status_code == 200


def test_a_token_ends_when_its_user_logs_out_or_revokes_it(client, finance_user):
    key = token_for(finance_user)["token"]
    client.force_login(finance_user)
    client.post(reverse("logout"))
    assert with_token(key).get("/api/projects/").status_code in {401, 403}
    key = token_for(finance_user)["token"]
    assert with_token(key).delete("/api/token/").status_code == 204
    assert with_token(key).get("/api/projects/").status_code in {401, 403}
    assert APIClient().delete("/api/token/").status_code in {401, 403}


# -- export downloads -------------------------------------------------------------------------------------------


def test_an_export_is_not_downloadable_once_its_owner_moved_department(client, finance_user, hongshan):
    job = start_export(user=finance_user, year=2021, department_id=finance_user.department_id)
    job.refresh_from_db()
    assert job.status == "done"
    client.force_login(finance_user)
    url = reverse("reports:export_download", args=[job.pk])
    assert client.get(url).status_code == 200
    finance_user.department = hongshan
    finance_user.save()
    assert client.get(url).status_code == 404


# -- response headers -----------------------------------------------------------------------------------------


def test_every_page_has_a_csp_without_inline_scripts_and_signed_in_pages_are_not_cached(client, finance_user):
    anonymous = client.get(reverse("login"))
    csp = anonymous["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    client.force_login(finance_user)
    for url in [reverse("home"), reverse("selfeval:dashboard"), "/api/projects/", reverse("api:docs")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url
        assert "Content-Security-Policy" in response, url
        if "text/html" in response["Content-Type"]:
            html = response.content.decode()
            inline = [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S) if s[1].strip()]
            assert not [s for s in inline if "application/json" not in s[0]], (url, inline)
            assert not re.search(r"\son[a-z]+=", html), url


def test_no_template_has_an_inline_script_or_handler():
    for path in (ROOT / "templates").rglob("*.html"):
        if "pdf" in path.parts:  # rendered by WeasyPrint, never by a browser
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son(change|click|submit|load|input)=", text), path


def test_a_session_lasts_a_working_day():
    assert 8 * 3600 <= settings.SESSION_COOKIE_AGE <= 10 * 3600


# -- settings by default and in production ---------------------------------------------------------------------


SHOW = (
    "from django.conf import settings; from django.test import Client; "
    "r = Client().get('/api/schema/', HTTP_HOST='perfbudget.example.gov.cn', secure=True); "
    "print(settings.DEBUG, r.status_code)"
)


def test_the_schema_is_behind_login_in_production():
    result = run_manage("shell", "-c", SHOW, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] in (["False", "401"], ["False", "403"])


def test_without_settings_debug_is_off_and_the_key_is_generated_and_private(tmp_path):
    show = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
    result = run_manage("shell", "-c", show, PERFBUDGET_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    debug, key = result.stdout.split()[-2:]
    assert debug == "False"
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == key and len(key) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = run_manage("shell", "-c", show, PERFBUDGET_VAR_DIR=str(tmp_path))
    assert again.stdout.split()[-1] == key  # kept: sessions survive a restart
    asked = run_manage("shell", "-c", show, PERFBUDGET_VAR_DIR=str(tmp_path), DJANGO_DEBUG="1")
    assert asked.stdout.split()[-2] == "True"


# -- passwords -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, message",
    [
        ("weak4weak4", "至少 3 种"),
        ("Weak4!Weak4!", "重复"),
        ("demo12345", "演示密码"),
        ("DEMO12345", "演示密码"),
        ("Ab1!", "太短"),
        ("12345678901", "全部为数字"),
        ("password123", "常见密码"),
    ],
)
def test_weak_and_demo_passwords_are_refused_with_a_chinese_message(finance_user, password, message):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user=finance_user)
    assert message in " ".join(caught.value.messages), caught.value.messages


def test_a_strong_password_is_accepted(finance_user):
    validate_password("Jixiao-2026-预算", user=finance_user)


def test_the_admin_refuses_a_weak_password(client, admin_user_, finance_user):
    client.force_login(admin_user_)
    url = reverse("admin:auth_user_password_change", args=[finance_user.pk]).replace("auth/user", "projects/user")
    response = client.post(url, {"password1": "weak4weak4", "password2": "weak4weak4"})
    assert response.status_code == 200 and "至少 3 种" in response.content.decode()
    finance_user.refresh_from_db()
    assert finance_user.check_password("pw-for-tests-123")
