"""Settings from the environment: SQLite by default, DATABASE_URL, the production mode."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PERFBUDGET_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


SHOW_DB = "from django.conf import settings; d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])"


def test_embedded_sqlite_in_var_by_default():
    result = run_manage("shell", "-c", SHOW_DB)
    assert result.returncode == 0, result.stderr
    engine, name = result.stdout.splitlines()[-1].split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "var" / "perfbudget.sqlite3"
    assert "var/" in (ROOT / ".gitignore").read_text().splitlines()


def test_database_url_switches_to_postgresql():
    result = run_manage("shell", "-c", SHOW_DB, DATABASE_URL="postgres://someone@db.example:5432/budget")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["django.db.backends.postgresql", "budget"]


def test_locale():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


PRODUCTION_ENV = {
    "PERFBUDGET_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-" + "z" * 20,
    "DJANGO_ALLOWED_HOSTS": "perfbudget.example.gov.cn",
}


def test_production_mode_passes_check_deploy_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_mode_refuses_to_start_without_its_settings(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_development_mode_fails_check_deploy():
    """The check is real: the development defaults do produce deploy warnings."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
