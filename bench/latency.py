#!/usr/bin/env python
"""Province scale: p50/p95 latency of the main pages and API endpoints, and the time to rescore a whole year.

    .venv/bin/python bench/latency.py [--departments 200 --projects 50 --indicators 30] [--requests 20]

Runs on PostgreSQL (``DATABASE_URL``, default: database ``perfbudget_bench`` on 127.0.0.1, created when
missing), fills it with ``generate_province`` when it does not hold that data set yet, and times requests
through Django's test client (server time, no network). Prints figures; asserts nothing.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/perfbudget_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")
os.environ.pop("CELERY_BROKER_URL", None)


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[-1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    if os.environ["DATABASE_URL"].startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from projects.models import DeclarationCheck, Department, Project, User
    from selfeval.models import EvaluationCheck, SelfEvaluation
    from selfeval.services.checks import refresh_all
    from selfeval.services.scoring import rescore_year
    from selfeval.synthetic import generate_province

    setup_test_environment()  # the test client's hosts and responses
    call_command("migrate", verbosity=0)
    call_command("load_seeds", "--no-users", verbosity=0)
    expected = args.departments * args.projects
    if Project.objects.filter(key__startswith="syn-").count() != expected:
        started = time.perf_counter()
        made = generate_province(
            departments=args.departments, projects=args.projects, indicators=args.indicators, year=args.year
        )
        print(f"generated {made} in {time.perf_counter() - started:.0f} s", flush=True)
    # What `refresh_checks` does after a deploy whose new checker makes every stored check stale.
    EvaluationCheck.objects.update(basis="")
    DeclarationCheck.objects.update(basis="")
    started = time.perf_counter()
    remade = refresh_all()
    print(f"stale stored checks made again: {remade[0]} self-evaluations, {remade[1]} declarations, {remade[2]} monitoring forms in "
          f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    auditor, _ = User.objects.get_or_create(username="bench-auditor", defaults={"role": "auditor"})
    first = Department.objects.get(code="SYN-001")
    finance, _ = User.objects.get_or_create(username="bench-finance", defaults={"role": "finance", "department": first})
    evaluation = SelfEvaluation.objects.filter(department=first, year=args.year).order_by("pk").first()
    declaration = evaluation.declaration
    y = args.year
    targets = [
        ("home page, auditor (page 1 of all departments)", auditor, f"/?year={y}"),
        ("home page, finance staff", finance, f"/?year={y}"),
        ("self-evaluation page", finance, f"/selfeval/{evaluation.pk}/"),
        ("declaration page", finance, f"/declarations/{declaration.pk}/"),
        ("self-evaluation PDF (cold)", finance, f"/reports/evaluations/{evaluation.pk}/pdf/"),
        ("API declarations, auditor", auditor, f"/api/declarations/?year={y}"),
        ("API self-evaluations, auditor", auditor, f"/api/evaluations/?year={y}"),
        ("API self-evaluation detail", finance, f"/api/evaluations/{evaluation.pk}/"),
        ("API score report, one department", finance, f"/api/score-report/?year={y}&kind=selfeval"),
        ("API score report, whole province (auditor)", auditor, f"/api/score-report/?year={y}&kind=selfeval"),
        ("API score report incl. declarations, province", auditor, f"/api/score-report/?year={y}&kind=all"),
        ("dashboard, one department", finance, f"/selfeval/dashboard/?year={y}"),
        ("dashboard, whole province (auditor)", auditor, f"/selfeval/dashboard/?year={y}"),
        ("dashboard, one department (auditor)", auditor, f"/selfeval/dashboard/?year={y}&department={first.pk}"),
    ]
    n_forms = SelfEvaluation.objects.filter(year=y).count()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {os.cpu_count()} cores · PostgreSQL · "
          f"{Department.objects.filter(code__startswith='SYN-').count() - 1} departments, {n_forms} self-evaluations of {y}")  # fmt: skip
    print(f"{'page or endpoint':45} {'p50 ms':>8} {'p95 ms':>8}")
    for label, user, url in targets:
        client = Client()
        client.force_login(user)
        client.get(url)  # warm
        repeat = args.requests if "province" not in label else max(3, args.requests // 5)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"{label:45} {statistics.median(times):8.0f} {p95:8.0f}", flush=True)
    started = time.perf_counter()
    count = rescore_year(y)
    elapsed = time.perf_counter() - started
    print(f"\nrescore the whole year: {count} self-evaluations in {elapsed:.0f} s ({count / elapsed:.0f} per second)")


if __name__ == "__main__":
    main()
