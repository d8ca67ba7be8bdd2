#!/usr/bin/env python
"""PDF speed: render time per page of each layout, and batch-export throughput with one and two Celery workers.

    .venv/bin/python bench/pdf_render.py [--forms 100] [--repeat 3]

Uses the configured database (``DATABASE_URL``, else the embedded SQLite with the seed data: run
``make seed`` first) and Redis at 127.0.0.1:6379 (database 13) for the workers. Prints figures; asserts nothing.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/13"
sys.path.insert(0, str(ROOT))
os.environ["CELERY_BROKER_URL"] = BROKER
os.environ["CELERY_RESULT_BACKEND"] = ""
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")

import django  # noqa: E402
from pdfinfo import page_count  # noqa: E402  (bench/pdfinfo.py, beside this script)

django.setup()

from perfbudget.celery import app  # noqa: E402
from projects.models import User  # noqa: E402
from reports.management.commands.pdf_previews import PREVIEWS  # noqa: E402
from reports.models import ExportItem, ExportJob, ExportStatus  # noqa: E402
from reports.services.pdf import form_html, render_pdf  # noqa: E402
from selfeval.models import SelfEvaluation  # noqa: E402


def per_layout(repeat: int) -> None:
    print(f"{'layout':28} {'pages':>5} {'s/form':>8} {'s/page':>8}")
    for name, (load, find, layout) in PREVIEWS.items():
        form = load(find().pk)
        if layout:
            form.layout = layout
        times, pages = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            pdf = render_pdf(form_html(form))
            times.append(time.perf_counter() - started)
            pages = page_count(pdf)
        median = statistics.median(times)
        print(f"{name:28} {pages:5d} {median:8.3f} {median / pages:8.3f}")


def start_workers(count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "perfbudget.settings"}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "perfbudget",
                "worker",
                "-P",
                "solo",
                "-l",
                "warning",
                "-n",
                f"bench{i}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for i in range(count)
    ]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=0.5) or []) >= count:
            return workers
    raise SystemExit("the workers did not start (is Redis running at 127.0.0.1:6379?)")


def batch(forms: int, workers: int, user) -> float:
    from reports.tasks import run_export

    evaluations = list(SelfEvaluation.objects.exclude(layout="summary").values_list("pk", flat=True))
    procs = start_workers(workers)  # first: a starting worker resumes every unfinished job it finds
    try:
        job = ExportJob.objects.create(user=user, year=0, total=forms)
        ExportItem.objects.bulk_create(
            ExportItem(job=job, seq=i + 1, kind="evaluation", object_id=evaluations[i % len(evaluations)])
            for i in range(forms)
        )
        started = time.perf_counter()
        run_export.delay(str(job.pk))
        while ExportJob.objects.filter(pk=job.pk).values_list("status", flat=True)[0] not in {"done", "failed"}:
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
    job.refresh_from_db()
    if job.status != ExportStatus.DONE:
        raise SystemExit(f"batch failed: {job.error}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {os.cpu_count()} cores · {platform.python_version()}"
    )
    print(f"# database: {django.conf.settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    per_layout(args.repeat)
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    ExportJob.objects.exclude(status__in=["done", "failed"]).filter(year=0).update(status="failed", error="bench")
    user, _ = User.objects.get_or_create(username="bench-auditor", defaults={"role": "auditor"})
    print(f"\nbatch of {args.forms} self-evaluations (PDFs + ZIP + index):")
    for workers in (1, 2):
        elapsed = batch(args.forms, workers, user)
        print(f"  {workers} worker(s): {elapsed:6.1f} s  ·  {args.forms / elapsed:5.2f} forms/s")


if __name__ == "__main__":
    main()
