#!/usr/bin/env python
"""A bounded load test: gunicorn and PostgreSQL on 127.0.0.1, staff saving forms, heads signing and auditors
downloading PDFs at the same time (locust). Checks that nothing failed and that every saved figure reads back
equal from the database (no lost update), and prints throughput and latency.

    .venv/bin/python bench/load.py [--users 24] [--seconds 60] [--workers 4] [--redis redis://127.0.0.1:6379/13] [--json]

Uses its own database ``perfbudget_load`` (dropped and made again each run). Exit status 1 when a check fails.
``--redis``: as production runs: the workers share their cache there (``REDIS_URL``), persistent database
connections (60 s), and the next Redis database is Celery's broker, with one Celery worker beside gunicorn (a signed
form's PDF is then made by the worker, not in the head's request). Without it: each worker its own memory cache, a
connection per request, tasks run inside the request.
"""

import argparse
import csv
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = os.environ.get("PERFBUDGET_LOAD_DATABASE", "postgres://postgres@127.0.0.1:5432/perfbudget_load")
PASSWORD = "load-test-password-2026"


def fresh_database() -> None:
    import psycopg2
    from psycopg2 import sql

    name = DATABASE.rsplit("/", 1)[-1]
    admin = psycopg2.connect(DATABASE.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def prepare(departments: int, projects: int) -> dict:
    """Data, users and tokens; the plan the locust users follow."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from projects.models import Department, User
    from selfeval.models import SelfEvaluation
    from selfeval.synthetic import generate_province

    call_command("migrate", verbosity=0)
    call_command("load_seeds", "--no-users", verbosity=0)
    generate_province(departments=departments, projects=projects, indicators=20, year=2025, prefix="LOAD")
    password = make_password(PASSWORD)
    plan = {"staff": [], "heads": [], "pdfs": [], "auditor": {"username": "load-auditor", "password": PASSWORD}}
    User.objects.create(username="load-auditor", role="auditor", password=password)
    for department in Department.objects.filter(code__startswith="LOAD-").exclude(parent=None):
        evaluations = SelfEvaluation.objects.filter(department=department)
        drafts = list(evaluations.filter(status="draft").values_list("pk", flat=True))
        submitted = list(evaluations.filter(status="submitted").values_list("pk", flat=True))
        for n in range(2):  # two of each per department: they meet on the same forms
            staff = User.objects.create(
                username=f"f-{department.code}-{n}", role="finance", department=department, password=password
            )
            head = User.objects.create(
                username=f"h-{department.code}-{n}", role="head", department=department, password=password
            )
            plan["staff"].append({"token": Token.objects.create(user=staff).key, "evaluations": drafts})
            plan["heads"].append({"token": Token.objects.create(user=head).key, "evaluations": submitted})
        plan["pdfs"] += drafts[:2] + submitted[:2]
    return plan


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(redis: str) -> dict:
    """What production adds to the environment with Redis at ``redis`` (``redis://host:port/N``): the shared cache
    on database N, Celery's broker on N + 1, persistent database connections."""
    base, _, number = redis.rstrip("/").rpartition("/")
    return {"REDIS_URL": redis, "CELERY_BROKER_URL": f"{base}/{int(number) + 1}", "DATABASE_CONN_MAX_AGE": "60"}


def run(users: int, seconds: int, departments: int = 6, projects: int = 6, workers: int = 4, redis: str = "") -> dict:
    os.environ["DATABASE_URL"] = DATABASE
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    fresh_database()
    plan = prepare(departments, projects)
    work = Path(tempfile.mkdtemp(prefix="perfbudget-load-"))
    (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    env = {**os.environ, "PERFBUDGET_LOAD_PLAN": str(work / "plan.json"), "PERFBUDGET_LOAD_LEDGER": str(work / "ledger.json"),
           "DJANGO_MEDIA_ROOT": str(work / "media"), "AXES_FAILURE_LIMIT": "1000"}  # fmt: skip
    celery = None
    if redis:
        env.update(production_env(redis))
        import redis as redis_client

        for url in (env["REDIS_URL"], env["CELERY_BROKER_URL"]):  # an earlier run's cache and queue
            redis_client.Redis.from_url(url).flushdb()
        celery = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "perfbudget", "worker", "-c", "1", "-l", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "perfbudget.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        import requests

        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):  # a worker still booting on a busy machine
                time.sleep(0.2)
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(users),
             "-r", str(users), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(work / "load"),
             "--only-summary", "--stop-timeout", "10", "--exit-code-on-error", "0"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(20)
        if celery is not None:
            celery.terminate()
            celery.wait(20)
    if not (work / "load_stats.csv").exists():
        raise SystemExit(f"locust did not run:\n{locust.stderr[-3000:]}")
    with open(work / "load_stats.csv", encoding="utf-8") as f:
        stats = list(csv.DictReader(f))
    ledger = json.loads((work / "ledger.json").read_text(encoding="utf-8"))
    from selfeval.models import EvaluationRow

    saved = {
        str(pk): actual
        for pk, actual in EvaluationRow.objects.filter(pk__in=[int(k) for k in ledger["ledger"]]).values_list(
            "pk", "actual"
        )
    }
    mismatched = {k: (v[1], saved.get(k)) for k, v in ledger["ledger"].items() if saved.get(k) != v[1]}
    total = next(s for s in stats if s["Name"] == "Aggregated")
    if int(total["Failure Count"]) and (work / "load_failures.csv").exists():  # say what failed, not only how often
        print((work / "load_failures.csv").read_text(encoding="utf-8")[-3000:], file=sys.stderr)
        print(server.stderr.read().decode("utf-8", "replace")[-3000:], file=sys.stderr)
    return {"stats": stats, "total": total, "mismatched": mismatched, "saves": len(ledger["ledger"]),
            "conflicts": ledger["conflicts"], "signed": ledger["signed"], "seconds": seconds, "users": users}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--redis", default="", help="production's Redis (cache on this database, broker on the next)")
    parser.add_argument("--json", action="store_true", help="one JSON object of the totals")
    args = parser.parse_args()
    result = run(args.users, args.seconds, workers=args.workers, redis=args.redis)
    failed = int(result["total"]["Failure Count"]) or result["mismatched"]
    if args.json:
        total = result["total"]
        print(json.dumps({"rps": round(float(total["Requests/s"]), 1), "p50_ms": int(total["50%"]),
                          "p95_ms": int(total["95%"]), "requests": int(total["Request Count"]),
                          "failures": int(total["Failure Count"]), "lost_updates": len(result["mismatched"]),
                          "saves": result["saves"], "conflicts": result["conflicts"], "signed": result["signed"]}))  # fmt: skip
        sys.exit(1 if failed else 0)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {os.cpu_count()} cores · gunicorn {args.workers} workers · "
          f"PostgreSQL · {args.users} users for {args.seconds} s")  # fmt: skip
    print(f"{'request':22} {'count':>7} {'fails':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for s in result["stats"]:
        print(f"{s['Name']:22} {s['Request Count']:>7} {s['Failure Count']:>6} {float(s['Requests/s']):7.1f} "
              f"{s['50%']:>7} {s['95%']:>7}")  # fmt: skip
    print(f"\nrows saved (distinct): {result['saves']} · stale saves refused with 409: {result['conflicts']} · "
          f"forms signed: {result['signed']}")  # fmt: skip
    print(f"figures read back different from what was saved: {len(result['mismatched'])}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
