"""The layout of the design card, and docker-compose.yml validated by Debian's docker-compose."""

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "path",
    [
        "manage.py", "perfbudget/settings.py", "perfbudget/urls.py", "perfbudget/wsgi.py", "perfbudget/asgi.py",
        "perfbudget/celery.py", "projects", "indicators", "selfeval", "reports", "templates", "static", "fixtures",
        "tests", "pyproject.toml", "docker-compose.yml", "README.md", "Makefile", ".ci/run",
    ],
)  # fmt: skip
def test_design_card_layout(path):
    assert (ROOT / path).exists()


def test_dependencies_declared_with_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = {d.split(">")[0].split("<")[0].split("[")[0].lower(): d for d in project["dependencies"]}
    for name in ["django", "djangorestframework", "django-import-export", "openpyxl", "weasyprint", "psycopg2-binary"]:
        assert name in deps, name
        assert ">=" in deps[name] and "<" in deps[name], deps[name]
    assert deps["django"].startswith("Django>=5.2")
    extras = project["optional-dependencies"]
    assert any(d.startswith("pytest-django") for d in extras["test"])
    assert "dev" in extras


def test_docker_compose_is_valid_and_matches_the_settings():
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose (Debian) is installed by `make test`"
    env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 60}
    result = subprocess.run(
        [compose, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"web", "db", "redis", "worker", "proxy", "migrate"} <= set(services)
    assert services["web"]["command"] == "deploy/serve.sh"  # the image's own CMD, which CI runs too
    assert "gunicorn" in (ROOT / "deploy" / "serve.sh").read_text()
    assert services["web"]["deploy"]["replicas"] == 2 and services["worker"]["deploy"]["replicas"] == 2
    assert (ROOT / "deploy" / "nginx.conf").exists() and (ROOT / "docs" / "deploy.md").exists()
    assert "celery" in services["worker"]["command"]
    app_env = services["web"]["environment"]
    for name in ["DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "PERFBUDGET_PRODUCTION"]:
        assert name in app_env


def test_docker_compose_refuses_a_missing_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0


LANES = {"browser": ROOT / "tests" / "browser", "process": ROOT / "tests" / "process"}


def test_browser_and_process_tests_sit_in_their_folder_with_their_marker():
    for marker, folder in LANES.items():
        files = sorted(folder.glob("test_*.py"))
        assert files, folder
        for path in files:
            assert f"pytest.mark.{marker}" in path.read_text(), f"{path.name} lacks the {marker} marker"
    for path in (ROOT / "tests").rglob("test_*.py"):
        if path.parent not in LANES.values():
            text = path.read_text()
            assert not any(f"pytest.mark.{m}" in text for m in LANES), (
                f"{path} belongs in tests/browser or tests/process"
            )


def test_make_test_fast_leaves_out_the_slow_lanes_and_ci_lints_first():
    makefile = (ROOT / "Makefile").read_text()
    fast = next(line for line in makefile.splitlines() if line.startswith("FAST :="))
    assert fast.split(":=", 1)[1].strip() == "not browser and not process and not slow"
    assert "test-fast:" in makefile and '-m "$(FAST)"' in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert ci.index("make lint") < ci.index("make test")
    registered = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    assert {m.split(":")[0] for m in registered} >= {"browser", "process", "slow"}
