#!/usr/bin/env python
"""Province scale against the floor of the hardware (issue 17): each bulk path, the live preview and the page
throughput, timed beside what the machine does at best for the same work, in the same run.

    .venv/bin/python bench/scale.py [--departments 200 --projects 50 --indicators 30] [--json]
                                    [--only rescore,refresh,import,preview,get,mixed,pdf] [--seconds 20]

Runs on PostgreSQL (``DATABASE_URL``, default: database ``perfbudget_bench`` on 127.0.0.1, created when missing,
shared with ``bench/latency.py``), filled with ``generate_province`` when it does not hold that data set yet.
``--json`` prints one JSON object (the keys of issue 17); otherwise a table with the goals. The mixed load runs
``bench/load.py`` on its own database; the PDF figures use ``bench/pdf_vs_libreoffice.py``'s code (LibreOffice
is installed when missing). Prints figures; asserts nothing; exit status 0.

Floors:
- rescore: read the same rows the rescore reads and bulk-write the same columns (their stored values), one
  transaction per batch, no scoring;
- import: openpyxl's read-only load of the same file, every cell read;
- page GETs: the health endpoint (a fixed answer through the same middleware, gunicorn and locust).
"""

import argparse
import io
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/perfbudget_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
os.environ.pop("CELERY_BROKER_URL", None)

OPERATIONS = ("import", "refresh", "rescore", "preview", "report", "get", "mixed", "pdf")
IMPORT_HEADERS = ["项目编码", "年度", "序号", "一级指标", "二级指标", "三级指标", "指标值", "绩效标准", "分值"]
ROWS_PER_FORM = 400  # under the per-form cap of the declaration's rows
GOALS = {
    "rescore_s": "≤ 10 s and ≤ 3 × floor",
    "refresh_checks_s": "≤ 10 s",
    "import_s": "≤ 5 s and ≤ 3 × floor",
    "preview_queries": "≤ 10",
    "preview_writes": "0",
    "preview_p50_ms": "≤ 30 ms",
    "get_rps": "≥ 100 req/s and ≥ 0.5 × floor",
    "get_p95_ms": "≤ 300 ms",
    "report_page_s": "≤ 1 s",
    "report_all_s": "streamed",
    "dashboard_s": "≤ 1 s",
    "mixed_failures": "0",
    "lost_updates": "0",
    "mixed_p95_ms": "≤ 1000 ms",
    "pdf_cold_s": "≤ 2.5 × LibreOffice",
}
FLOORS = {"rescore_s": "rescore_floor_s", "import_s": "import_floor_s", "get_rps": "get_floor_rps",
          "pdf_cold_s": "libreoffice_s"}  # fmt: skip


def say(text: str, quiet: bool) -> None:
    if not quiet:
        print(text, file=sys.stderr, flush=True)


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- rescore ---------------------------------------------------------------------------------------------------


def rescore(year: int) -> dict:
    from django.db import transaction

    from selfeval.choices import EvaluationStatus
    from selfeval.models import (
        EvaluationCheck,
        EvaluationFunding,
        EvaluationGoal,
        EvaluationRow,
        EvaluationSection,
        SelfEvaluation,
    )
    from selfeval.services.scoring import rescore_year

    ids = list(
        SelfEvaluation.objects.filter(year=year)
        .exclude(status=EvaluationStatus.SIGNED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # The floor: what a rescore must read and write, without scoring. Each batch in its own transaction.
    check_fields = [
        f.name for f in EvaluationCheck._meta.concrete_fields if not f.primary_key and f.name != "evaluation"
    ]
    writes = [
        (SelfEvaluation, "pk__in", [f.name for f in SelfEvaluation._meta.concrete_fields if f.name.startswith("computed_")]),
        (EvaluationRow, "evaluation_id__in", ["score_proposed"]),
        (EvaluationSection, "evaluation_id__in", ["computed_score"]),
        (EvaluationFunding, "evaluation_id__in", ["computed_rate", "computed_score"]),
        (EvaluationGoal, "evaluation_id__in", ["computed_score"]),
        (EvaluationCheck, "evaluation_id__in", check_fields),
    ]  # fmt: skip
    # Only the columns the models still have (the computed figures moved into the stored check).
    names = {model: {f.name for f in model._meta.concrete_fields} for model, _, _ in writes}
    writes = [(m, lookup, kept) for m, lookup, fields in writes if (kept := [f for f in fields if f in names[m]])]
    started = time.perf_counter()
    for i in range(0, len(ids), 500):
        batch = ids[i : i + 500]
        with transaction.atomic():
            for model, lookup, fields in writes:
                objects = list(model.objects.filter(**{lookup: batch}).select_for_update(of=("self",)))
                model.objects.bulk_update(objects, fields, batch_size=2000)
    floor = time.perf_counter() - started
    started = time.perf_counter()
    with as_the_command_runs():
        count = rescore_year(year)
    elapsed = time.perf_counter() - started
    try:  # the workers the rescore and the refresh spread their batches over (issue 17, fourth pass)
        from projects.services.pool import processes
    except ImportError:
        return {"rescore_forms": count, "rescore_s": round(elapsed, 2), "rescore_floor_s": round(floor, 2)}
    return {"rescore_forms": count, "rescore_s": round(elapsed, 2), "rescore_floor_s": round(floor, 2),
            "rescore_processes": processes()}  # fmt: skip


def as_the_command_runs():
    """The ``rescore`` and ``refresh_checks`` commands allow worker processes (since the fourth pass)."""
    try:
        from projects.services.pool import worker_processes
    except ImportError:
        import contextlib

        return contextlib.nullcontext()
    return worker_processes()


def refresh() -> dict:
    from projects.models import DeclarationCheck
    from selfeval.models import EvaluationCheck
    from selfeval.services.checks import refresh_all

    # What `refresh_checks` does after a deploy whose new checker makes every stored check stale.
    EvaluationCheck.objects.update(basis="")
    DeclarationCheck.objects.update(basis="")
    started = time.perf_counter()
    with as_the_command_runs():
        made = refresh_all()
    return {"refresh_checks_s": round(time.perf_counter() - started, 2), "refresh_checks": sum(made)}


# --- import ----------------------------------------------------------------------------------------------------


def import_rows(rows: int, prefix: str) -> dict:
    from openpyxl import Workbook, load_workbook

    from projects.admin_base import CheckedImportMixin
    from projects.choices import DeclarationStatus
    from projects.locking import loading_records
    from projects.models import Indicator, ProjectDeclaration, User
    from projects.resources import IndicatorResource

    forms = math.ceil(rows / ROWS_PER_FORM)
    declarations = list(
        ProjectDeclaration.objects.filter(project__key__startswith=f"{prefix.lower()}-")
        .select_related("project")
        .order_by("pk")[:forms]
    )
    statuses = {d.pk: d.status for d in declarations}
    first_seq = 1 + max(Indicator.objects.filter(project_declaration__in=declarations).values_list("seq", flat=True))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("指标")
    sheet.append(IMPORT_HEADERS)
    for n in range(rows):
        d = declarations[n // ROWS_PER_FORM]
        seq = first_seq + n % ROWS_PER_FORM
        sheet.append([d.project.key, d.year, seq, "产出指标", "数量指标", f"培训人次（{seq}）", "≥100 人次", "", 1])
    path = Path(tempfile.mkdtemp(prefix="perfbudget-scale-")) / "indicators.xlsx"
    workbook.save(path)
    content = path.read_bytes()

    started, used = time.perf_counter(), time.process_time()
    wb = load_workbook(path, read_only=True, data_only=True)
    cells = sum(len(row) for row in wb.active.iter_rows(values_only=True))
    wb.close()
    floor, floor_cpu = time.perf_counter() - started, time.process_time() - used
    assert cells == (rows + 1) * len(IMPORT_HEADERS)

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin", "is_superuser": True})
    with loading_records():
        ProjectDeclaration.objects.filter(pk__in=statuses).update(status=DeclarationStatus.DRAFT)
    try:
        started, used = time.perf_counter(), time.process_time()
        dataset = CheckedImportMixin.formats[0]().create_dataset(content)  # the admin's .xlsx, as its import reads it
        result = IndicatorResource(user=admin).import_data(dataset, dry_run=False)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - used
        ok = not result.has_errors() and not result.has_validation_errors()
        imported = Indicator.objects.filter(project_declaration__in=declarations, seq__gte=first_seq).count()
    finally:
        Indicator.objects.filter(project_declaration__in=declarations, seq__gte=first_seq).delete()
        with loading_records():
            for pk, status in statuses.items():
                ProjectDeclaration.objects.filter(pk=pk).update(status=status)
        shutil.rmtree(path.parent, ignore_errors=True)
    # This process's CPU beside the wall clock: steadier on a shared machine (PostgreSQL's own work is not in it).
    return {"import_rows": imported if ok else 0, "import_forms": forms, "import_s": round(elapsed, 2),
            "import_floor_s": round(floor, 2), "import_cpu_s": round(cpu, 2),
            "import_floor_cpu_s": round(floor_cpu, 2)}  # fmt: skip


# --- preview ---------------------------------------------------------------------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE")
FORM_ENCODED = "application/x-www-form-urlencoded"


def page_data(client, evaluation) -> dict:
    """The edit page's form data as the browser sends it, with some figures typed."""
    from django.urls import reverse

    response = client.get(reverse("selfeval:evaluation_edit", args=[evaluation.pk]))
    data = {"version": response.context["form"].initial["version"]}
    data.update({name: "" if v is None else v for name, v in response.context["form"].initial.items()})
    for prefix, formset in response.context["formsets"].items():
        forms = formset.forms
        data.update({f"{prefix}-TOTAL_FORMS": str(len(forms)), f"{prefix}-INITIAL_FORMS": str(len(forms)),
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})  # fmt: skip
        for i, f in enumerate(forms):
            data[f"{prefix}-{i}-id"] = str(f.instance.pk)
            data[f"{prefix}-{i}-evaluation"] = str(evaluation.pk)
            for name in f.fields:
                if name not in {"id", "evaluation"}:
                    value = f.initial.get(name)
                    data[f"{prefix}-{i}-{name}"] = "" if value is None else str(value)
    for i in range(0, 60, 2):
        data[f"rows-{i}-actual"] = "12 场" if i % 4 else "5 场"
    return data


def preview(year: int, prefix: str, repeat: int = 30) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from projects.models import User
    from selfeval.models import EvaluationRow, SelfEvaluation

    evaluation = (
        SelfEvaluation.objects.filter(year=year, status="draft", department__code__startswith=f"{prefix}-")
        .order_by("pk")
        .first()
    )
    last = evaluation.rows.order_by("-seq").first()
    EvaluationRow.objects.bulk_create(
        EvaluationRow(
            evaluation=evaluation, seq=seq, name=f"补充指标{seq}", target="≥10 场", weight=last.weight, goal=last.goal
        )  # fmt: skip
        for seq in range(last.seq + 1, 61)
    )
    assert evaluation.rows.count() == 60
    user, _ = User.objects.get_or_create(
        username="bench-preview", defaults={"role": "finance", "department": evaluation.department}
    )
    client = Client()
    client.force_login(user)
    url = reverse("selfeval:evaluation_preview", args=[evaluation.pk])
    try:
        data = page_data(client, evaluation)
        body = urlencode(data)  # as the page's script sends it (static/js/scoring.js: URLSearchParams)
        assert client.post(url, body, content_type=FORM_ENCODED).json()["ok"]  # warm
        times, cpu = [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started, used = time.perf_counter(), time.process_time()
                response = client.post(url, body, content_type=FORM_ENCODED)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)  # this process's CPU: steadier on a shared machine
            assert len(response.json()["rows"]) == 60
        sql = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    finally:
        EvaluationRow.objects.filter(evaluation=evaluation, seq__gt=last.seq).delete()
    return {"preview_queries": len(sql), "preview_writes": sum(s.startswith(WRITES) for s in sql),
            "preview_p50_ms": round(statistics.median(times), 1),
            "preview_cpu_p50_ms": round(statistics.median(cpu), 1)}  # fmt: skip


# --- the province's score report and dashboard ------------------------------------------------------------------


def report(year: int) -> dict:
    """The whole province as an administrator reads it: the API's first page of the score report, the whole report
    (as the streamed download makes it, batch by batch), and the dashboard's figures."""
    from django.test import Client

    from projects.models import User

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin", "is_superuser": True})
    client = Client()
    client.force_login(admin)
    client.get("/api/score-report/", {"year": year, "page_size": 1})  # warm
    started = time.perf_counter()
    page = client.get("/api/score-report/", {"year": year})
    page_s = time.perf_counter() - started
    started = time.perf_counter()
    download = client.get("/api/score-report/download/", {"year": year})
    lines = json.loads(b"".join(download.streaming_content))
    all_s = time.perf_counter() - started
    started = time.perf_counter()
    dashboard = client.get("/selfeval/dashboard/", {"year": year})
    dashboard_s = time.perf_counter() - started
    assert page.status_code == dashboard.status_code == 200 and len(lines) == page.json()["count"]
    return {"report_page_s": round(page_s, 2), "report_all_s": round(all_s, 2), "report_lines": len(lines),
            "dashboard_s": round(dashboard_s, 2)}  # fmt: skip


# --- page GETs under load --------------------------------------------------------------------------------------


def pages_plan(year: int, prefix: str, users: int) -> dict:
    from django.test import Client

    from projects.models import Department, ProjectDeclaration, User
    from selfeval.models import SelfEvaluation

    plan = []
    departments = Department.objects.filter(code__startswith=f"{prefix}-").exclude(parent=None).order_by("code")
    for department in departments[:users]:
        user, _ = User.objects.get_or_create(
            username=f"bench-reader-{department.code}", defaults={"role": "finance", "department": department}
        )
        client = Client()
        client.force_login(user)
        evaluations = SelfEvaluation.objects.filter(department=department, year=year).order_by("pk")[:5]
        declarations = ProjectDeclaration.objects.filter(project__department=department, year=year).order_by("pk")[:5]
        urls = [f"/?year={year}"] + [f"/selfeval/{e.pk}/" for e in evaluations]
        urls += [f"/declarations/{d.pk}/" for d in declarations]
        plan.append({"session": client.cookies["sessionid"].value, "urls": urls})
    return {"users": plan}


def locust(port: int, env: dict, users: int, seconds: int, work: Path, name: str) -> dict:
    import csv

    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locust_pages.py"), "--headless", "-u", str(users),
         "-r", str(users), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}", "--csv", str(work / name),
         "--only-summary", "--stop-timeout", "5", "--exit-code-on-error", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    with open(work / f"{name}_stats.csv", encoding="utf-8") as f:
        total = next(s for s in csv.DictReader(f) if s["Name"] == "Aggregated")
    return {"rps": float(total["Requests/s"]), "p95": int(total["95%"]), "failures": int(total["Failure Count"]),
            "requests": int(total["Request Count"])}  # fmt: skip


def warm(port: int, plan: dict) -> None:
    """Each user reads each of their pages once (the forms' sheets made and kept)."""
    import requests

    for user in plan["users"]:
        with requests.Session() as session:
            session.cookies.set("sessionid", user["session"])
            for url in user["urls"]:
                session.get(f"http://127.0.0.1:{port}{url}", timeout=60)


def pages(year: int, prefix: str, users: int, seconds: int, port: int | None = None, redis: str = "") -> dict:
    import requests

    work = Path(tempfile.mkdtemp(prefix="perfbudget-pages-"))
    plan = pages_plan(year, prefix, users)
    (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    # Persistent connections, as production settings keep them (DATABASE_CONN_MAX_AGE, 60 s there); with ``redis``
    # the workers share one cache (production's REDIS_URL), else each keeps its own in memory.
    env = {**os.environ, "PERFBUDGET_PAGES_PLAN": str(work / "plan.json"), "DATABASE_CONN_MAX_AGE": "60"}
    env.pop("REDIS_URL", None)
    if redis:
        env["REDIS_URL"] = redis
    port = port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "perfbudget.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz/", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        floor = locust(port, {**env, "PERFBUDGET_PAGES_FLOOR": "1"}, users, seconds, work, "floor")
        # The same users read the same pages: first with the workers just started (each form's sheet made and kept,
        # as after a deploy); then, after each user has read each page once more (twice without a shared cache, as
        # either worker may answer), with the sheets kept, as when users come back to their forms.
        cold = locust(port, env, users, seconds, work, "cold")
        for _ in range(1 if redis else 2):
            warm(port, plan)
        got = locust(port, env, users, seconds, work, "pages")
    finally:
        server.terminate()
        server.wait(20)
        shutil.rmtree(work, ignore_errors=True)
    return {"get_rps": round(got["rps"], 1), "get_p95_ms": got["p95"], "get_failures": got["failures"] + cold["failures"],
            "get_cold_rps": round(cold["rps"], 1), "get_cold_p95_ms": cold["p95"],
            "get_floor_rps": round(floor["rps"], 1), "get_floor_p95_ms": floor["p95"], "get_users": users,
            "get_cache": "redis" if redis else "memory"}  # fmt: skip


def mixed(seconds: int, users: int = 24, redis: str = "") -> dict:
    # load.py drops and makes its database again: one of this bench's own, beside DATABASE_URL's. With ``redis``
    # it runs as production does (shared cache, Celery worker, persistent connections: ``load.production_env``).
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.setdefault("PERFBUDGET_LOAD_DATABASE", os.environ["DATABASE_URL"] + "_load")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--users", str(users), "--seconds", str(seconds),
         "--workers", "2", "--json", *(["--redis", redis] if redis else [])],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        out = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"mixed_error": (done.stdout + done.stderr)[-500:]}
    return {"mixed_rps": out["rps"], "mixed_p95_ms": out["p95_ms"], "mixed_failures": out["failures"],
            "lost_updates": out["lost_updates"], "mixed_users": users, "mixed_config": "production" if redis else "memory"}  # fmt: skip


# --- PDF against LibreOffice -----------------------------------------------------------------------------------


def pdf(copies: int = 10) -> dict:
    import pdf_vs_libreoffice as pvl  # bench/, beside this script

    from projects.models import Project
    from projects.selectors import declaration_page
    from projects.services.xlsx import export_declaration
    from projects.signals import declaration_approved
    from reports.services.parallel import render_forms

    admin, heads, _, departments = pvl.setup_database()
    receivers, declaration_approved.receivers = declaration_approved.receivers, []  # no stored PDF at approval
    try:
        offset = 9000 + Project.objects.filter(key__startswith="bench-").count()  # a new project each run
        pk = pvl.make_declarations(1, admin, heads, departments[0], 2030, offset=offset)[0]
    finally:
        declaration_approved.receivers = receivers
    work = Path(tempfile.mkdtemp(prefix="perfbudget-pdf-"))
    (work / "xlsx").mkdir()
    (work / "lo").mkdir()
    content = export_declaration(declaration_page(pk))
    for i in range(copies):  # one soffice run over copies of the file: LibreOffice's start is not counted per form
        (work / "xlsx" / f"form-{i:02d}.xlsx").write_bytes(content)
    try:
        libreoffice = pvl.libreoffice(work / "xlsx", work / "lo") / copies
    finally:
        shutil.rmtree(work, ignore_errors=True)
    next(render_forms([("declaration", pk)]))  # the process is warm, as a worker is
    times = []
    for _ in range(5):
        started = time.perf_counter()
        next(render_forms([("declaration", pk)]))
        times.append(time.perf_counter() - started)
    return {"pdf_cold_s": round(statistics.median(times), 3), "libreoffice_s": round(libreoffice, 3)}


# --- the run ---------------------------------------------------------------------------------------------------


def table(figures: dict) -> str:
    lines = [f"# {figures['date']} · {figures['machine']} · {figures['cores']} cores · PostgreSQL · "
             f"{figures['departments']} departments × {figures['projects']} projects × {figures['indicators']} "
             f"indicators ({figures['forms']} self-evaluations of {figures['year']})",
             f"{'figure':18} {'value':>10} {'floor':>10} {'× floor':>8}  goal"]  # fmt: skip
    for key, goal in GOALS.items():
        if key not in figures:
            continue
        value, floor = figures[key], figures.get(FLOORS.get(key, ""), "")
        ratio = ""
        if floor not in ("", None) and floor:
            ratio = f"{value / floor:.2f}"
        lines.append(f"{key:18} {value:>10} {floor!s:>10} {ratio:>8}  {goal}")
    extra = {k: v for k, v in figures.items() if k not in GOALS and k not in FLOORS.values()}
    lines.append("also: " + ", ".join(f"{k} {v}" for k, v in extra.items() if k not in {"date", "machine"}))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=200)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--import-rows", type=int, default=10000)
    parser.add_argument("--users", type=int, default=32, help="locust users reading pages")
    parser.add_argument("--seconds", type=int, default=20, help="each locust run")
    parser.add_argument(
        "--port", type=int, default=None, help="gunicorn's port for the page GETs (default: a free one)"
    )
    parser.add_argument(
        "--redis",
        default="",
        help="production's Redis: the page GETs' cache, the mixed load's cache and broker (the next database)",
    )
    parser.add_argument("--only", default=",".join(OPERATIONS), help=f"some of {','.join(OPERATIONS)}")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args()
    only = set(args.only.split(","))
    quiet = False
    if os.environ["DATABASE_URL"].startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from projects.models import Project
    from selfeval.models import SelfEvaluation
    from selfeval.synthetic import generate_province

    setup_test_environment()  # the test client's hosts and the pages' contexts (the preview's form data)
    prefix = "SYN"
    call_command("migrate", verbosity=0)
    call_command("load_seeds", "--no-users", verbosity=0, stdout=io.StringIO())
    if Project.objects.filter(key__startswith="syn-").count() != args.departments * args.projects:
        started = time.perf_counter()
        generate_province(
            departments=args.departments, projects=args.projects, indicators=args.indicators, year=args.year
        )
        say(f"generated the province in {time.perf_counter() - started:.0f} s", quiet)
    if connection.vendor == "postgresql":  # the planner's statistics after a bulk load, as autovacuum would make them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.node()} {platform.machine()}",
        "cores": os.cpu_count(),
        "departments": args.departments,
        "projects": args.projects,
        "indicators": args.indicators,
        "year": args.year,
        "forms": SelfEvaluation.objects.filter(year=args.year, department__code__startswith=f"{prefix}-").count(),
    }
    steps = [
        ("import", lambda: import_rows(args.import_rows, prefix)),
        ("refresh", refresh),
        ("rescore", lambda: rescore(args.year)),
        ("preview", lambda: preview(args.year, prefix)),
        ("report", lambda: report(args.year)),
        ("get", lambda: pages(args.year, prefix, args.users, args.seconds, args.port, args.redis)),
        ("mixed", lambda: mixed(args.seconds, redis=args.redis)),
        ("pdf", pdf),
    ]
    for name, step in steps:
        if name in only:
            started = time.perf_counter()
            try:
                measured = step()
            except Exception as exc:  # noqa: BLE001 - a step that fails is reported; the others still run
                measured = {f"{name}_error": f"{type(exc).__name__}: {exc}"[:300]}
            figures.update(measured)
            say(f"{name}: {time.perf_counter() - started:.0f} s {json.dumps(measured, ensure_ascii=False)}", quiet)
    print(json.dumps(figures, ensure_ascii=False) if args.json else table(figures))


if __name__ == "__main__":
    main()
