"""Past one machine: two web processes (gunicorn) and a Celery worker share PostgreSQL, Redis and the file store.
A batch export started through one web process is followed and downloaded through the other."""

import io
import os
import re
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings

from tests.conftest import make_user

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):  # a worker still booting on a busy machine
            time.sleep(0.2)
    pytest.fail(f"{url} did not come up")


@pytest.fixture
def cluster(tmp_path):
    db = django_settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        pytest.skip("several processes need a database server: runs on PostgreSQL")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "perfbudget.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/12",
        "CELERY_RESULT_BACKEND": "",
        "REDIS_URL": "redis://127.0.0.1:6379/11",  # cache and sessions shared by the web processes
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),  # the shared file store
    }
    import redis

    for n in (11, 12):
        redis.Redis.from_url(f"redis://127.0.0.1:6379/{n}").flushdb()
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "perfbudget.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for port in ports
    ] + [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "perfbudget", "worker", "-P", "solo", "-l", "warning",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    ]  # fmt: skip
    try:
        for port in ports:
            wait_http(f"http://127.0.0.1:{port}/accounts/login/")
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)


def test_a_job_started_on_one_web_process_is_followed_and_downloaded_on_another(cluster, db):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = make_user("t-auditor-mn", "auditor", None)
    # The servers run the production settings, whose hashers do not include the suite's fast one.
    type(user).objects.filter(pk=user.pk).update(
        password=PBKDF2PasswordHasher().encode("pw-for-tests-123", "multinodesalt")
    )
    first, second = cluster
    browser = requests.Session()
    browser.get(f"{first}/accounts/login/")
    login = browser.post(
        f"{first}/accounts/login/",
        {
            "username": "t-auditor-mn",
            "password": "pw-for-tests-123",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": f"{first}/accounts/login/"},
    )
    assert login.ok and "sessionid" in browser.cookies
    page = browser.get(f"{first}/reports/exports/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    started = browser.post(
        f"{first}/reports/exports/",
        {"year": "2019", "department": "", "forms": "all", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{first}/reports/exports/"},
        allow_redirects=False,
    )
    assert started.status_code == 302, started.text[:500]
    job_path = started.headers["Location"]
    deadline = time.monotonic() + 90
    status = {}
    while time.monotonic() < deadline:
        status = browser.get(f"{second}{job_path}status/").json()  # the other web process, the same session
        if status["status"] in {"done", "failed"}:
            break
        time.sleep(0.5)
    assert status["status"] == "done", status
    download = browser.get(f"{second}{status['download']}")
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == 16
