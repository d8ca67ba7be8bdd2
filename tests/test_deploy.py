"""The production build: the Dockerfile's steps are scripts in deploy/, and CI runs the same scripts."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_image_builds_and_serves_with_the_scripts_ci_runs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "RUN deploy/build_static.sh" in dockerfile
    assert 'CMD ["deploy/serve.sh"]' in dockerfile
    assert "collectstatic" not in dockerfile and "gunicorn" not in dockerfile  # one copy of each step
    assert "deploy/ci_production_smoke.sh" in (ROOT / ".ci" / "run").read_text()
    for script in ["build_static.sh", "serve.sh", "ci_production_smoke.sh"]:
        assert os.access(ROOT / "deploy" / script, os.X_OK), script


def test_the_vendored_files_reference_no_missing_source_map():
    for path in (ROOT / "static").rglob("*.js"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "sourceMappingURL=" in line:
                target = line.split("sourceMappingURL=", 1)[1].strip()
                assert (path.parent / target).exists(), (path, target)


def test_the_production_build_serves_the_login_page_and_its_static_files_under_gunicorn():
    """The whole CI smoke: collectstatic in production mode, migrate, gunicorn with DEBUG off, two fetches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PERFBUDGET_"))}
    result = subprocess.run(
        [str(ROOT / "deploy" / "ci_production_smoke.sh")],
        env={**env, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "answered 200" in result.stdout


def test_the_compose_proxy_is_the_trusted_proxy_and_sends_the_client_headers():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    proxy_address = compose["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    assert compose["services"]["web"]["environment"]["PERFBUDGET_TRUSTED_PROXIES"] == proxy_address
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "PERFBUDGET_TRUSTED_PROXIES" in (ROOT / "docs" / "deploy.md").read_text()
