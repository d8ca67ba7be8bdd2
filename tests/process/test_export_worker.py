"""A batch export on real Celery workers with Redis: a worker killed mid-job, the job finished by the next one."""

import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage

from perfbudget.celery import app
from reports.models import ExportJob, ExportStatus
from reports.services.batch import start_export

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/14"


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def broker(settings):
    if django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("the worker process cannot see the in-memory SQLite test database; runs on PostgreSQL")
    assert redis_up(), "Redis is expected at 127.0.0.1:6379 (`make test` starts it)"
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=BROKER, task_always_eager=False, result_backend=None)
    yield
    app.conf.update(saved)
    redis.Redis.from_url(BROKER).flushdb()


def start_worker(media_root: str) -> subprocess.Popen:
    db = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "perfbudget.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": "",
        "DJANGO_MEDIA_ROOT": media_root,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "perfbudget", "worker", "-P", "solo", "-l", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_a_job_survives_a_worker_killed_mid_way(broker, auditor_user, media_root):
    first = start_worker(media_root)
    try:
        job = start_export(user=auditor_user, year=2019, department_id=None)
        wait_for(lambda: job.items.filter(done=True).count() >= 2, 60, "the first worker to render two forms")
        first.send_signal(signal.SIGKILL)  # no warm shutdown: its message stays unacknowledged
        first.wait(10)
        job.refresh_from_db()
        assert job.status == ExportStatus.RUNNING and not job.file
        done_before = job.items.filter(done=True).count()
        assert done_before < job.total
    finally:
        if first.poll() is None:
            first.kill()
    second = start_worker(media_root)
    try:
        wait_for(lambda: ExportJob.objects.get(pk=job.pk).status in {"done", "failed"}, 90, "the job to finish")
    finally:
        second.terminate()
        second.wait(20)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    with default_storage.open(job.file.name, "rb") as f:
        names = zipfile.ZipFile(f).namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == 16 and "索引.xlsx" in names
