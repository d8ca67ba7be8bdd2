#!/usr/bin/env python
"""PDFs at auditor scale, side by side with LibreOffice.

    .venv/bin/python bench/pdf_vs_libreoffice.py [--forms 100] [--signed 500]

Makes ``--forms`` project declarations sized like the seeds' largest (003, filled to 60 indicator rows)
with the project's own code (the Excel template read back and imported, then approved), exports each to
.xlsx with the project's own Excel export, and times in one run:

* LibreOffice (``soffice --headless --convert-to pdf``, Debian's ``libreoffice-calc-nogui``, installed
  when missing) converting those files;
* the project's cold render of the same forms (WeasyPrint, a process per core), and one 60-row
  self-evaluation rendered alone;
* the project's ZIP of the same forms once rendered (the stored PDFs of approved forms);
* the auditor's ZIP of ``--signed`` signed 60-row self-evaluations (made from the declarations, carried
  over year by year, started, filled, submitted and signed with the project's services).

Runs on its own database (``var/bench.sqlite3`` unless ``DATABASE_URL`` is set). Prints figures; asserts nothing.
"""

import argparse
import copy
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
os.environ.pop("CELERY_BROKER_URL", None)  # tasks run in this process
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")

import django  # noqa: E402
from pdfinfo import page_count  # noqa: E402  (bench/pdfinfo.py, beside this script)

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.db.models import F  # noqa: E402

from projects.locking import workflow_transition  # noqa: E402
from projects.models import Department, Project, ProjectDeclaration, User  # noqa: E402
from projects.selectors import declaration_page  # noqa: E402
from projects.services import workflow as declaration_services  # noqa: E402
from projects.services.importing import declaration_import  # noqa: E402
from projects.services.xlsx import export_declaration, read_declaration  # noqa: E402
from projects.signals import declaration_approved  # noqa: E402
from reports.models import StoredPdf  # noqa: E402
from reports.services.batch import start_export  # noqa: E402
from reports.services.parallel import render_forms, store_forms  # noqa: E402
from reports.services.pdf import form_pdf  # noqa: E402
from selfeval.models import EvaluationFunding, EvaluationRow, SelfEvaluation  # noqa: E402
from selfeval.selectors import evaluation_with_rows  # noqa: E402
from selfeval.services.signoff import evaluation_sign, evaluation_submit  # noqa: E402
from selfeval.services.start import evaluation_start  # noqa: E402
from selfeval.signals import evaluation_signed  # noqa: E402

ROWS = 60


def say(text: str) -> None:
    print(text, flush=True)


def setup_database():
    call_command("migrate", verbosity=0)
    call_command("load_seeds", verbosity=0, stdout=io.StringIO())
    qiaokou, hongshan = Department.objects.get(code="420104-zzb"), Department.objects.get(code="420111-zzb")
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin", "is_superuser": True})
    heads = {
        d.pk: User.objects.get_or_create(username=f"bench-head-{d.code}", defaults={"role": "head", "department": d})[0]
        for d in (qiaokou, hongshan)
    }
    auditor, _ = User.objects.get_or_create(username="bench-auditor", defaults={"role": "auditor"})
    return admin, heads, auditor, [qiaokou, hongshan]


def template(rows_like: str = "003"):
    """The largest seed declaration (003) read back from its own Excel export, filled to 60 indicator rows:
    003's own rows (long texts), or the rows of 000's longest self-evaluation (short texts, as most forms)."""
    seed = declaration_page(ProjectDeclaration.objects.get(source__startswith="003").pk)
    with tempfile.TemporaryFile() as f:
        f.write(export_declaration(seed))
        f.seek(0)
        data = read_declaration(f)
    rows = data.indicators
    if rows_like == "000":
        form = SelfEvaluation.objects.filter(source__startswith="000").order_by("-pk").first()
        rows = [
            {"goal": "", "level1": r.level1_printed, "level2": r.level2_printed, "name": r.name, "prev2": "",
             "prev1": "", "target": r.target, "standard": "", "weight": None}
            for r in form.rows.order_by("seq")
        ]  # fmt: skip
    data.indicators = [
        {**rows[i % len(rows)], "name": f"{rows[i % len(rows)]['name']}（{i + 1}）"} for i in range(ROWS)
    ]
    return data


def make_declarations(count: int, admin, heads, department, year: int, offset: int = 0, rows_like="003") -> list[int]:
    """``count`` approved declarations of ``department``, imported from the template and approved by its head."""
    data = template(rows_like)
    ids = []
    for i in range(offset, offset + count):
        project, _ = Project.objects.update_or_create(
            key=f"bench-{i:04d}",
            defaults={
                "department": department,
                "name": f"组织部工作经费（样本{i + 1:03d}）",
                "project_type": "recurring",
            },
        )
        SelfEvaluation.objects.filter(project=project).delete()
        ProjectDeclaration.objects.filter(project=project).delete()
        filled = copy.deepcopy(data)  # the import consumes what it reads
        filled.project_key, filled.year = project.key, year
        declaration = declaration_import(data=filled, user=admin)
        with workflow_transition(declaration):  # submitted as the filer would, without the filer's checks
            ProjectDeclaration.objects.filter(pk=declaration.pk).update(status="submitted")
        declaration_services.declaration_review(declaration=declaration, user=heads[department.pk], approve=True)
        ids.append(declaration.pk)
    return ids


def make_signed(declaration_ids: list[int], admin, heads) -> list[int]:
    """Start a self-evaluation from each approved declaration, fill it, submit it and sign it (the services)."""
    ids = []
    for pk in declaration_ids:
        declaration = ProjectDeclaration.objects.get(pk=pk)
        evaluation = SelfEvaluation.objects.filter(project=declaration.project, year=declaration.year).first()
        if evaluation is None:
            evaluation = evaluation_start(declaration=declaration)
            EvaluationFunding.objects.filter(evaluation=evaluation, is_total=True).update(executed=F("budget"))
            for row in EvaluationRow.objects.filter(evaluation=evaluation):
                EvaluationRow.objects.filter(pk=row.pk).update(
                    actual=row.target, weight=1, score_final=1, reason="按计划完成。"
                )
        if evaluation.status == "draft":
            evaluation_submit(evaluation_id=evaluation.pk, user=admin)
            evaluation.refresh_from_db()
        if evaluation.status != "signed":
            evaluation_sign(evaluation_id=evaluation.pk, user=heads[evaluation.department_id])
        ids.append(evaluation.pk)
    return ids


def libreoffice(xlsx_dir: Path, out_dir: Path) -> float:
    soffice = shutil.which("soffice")
    if not soffice:
        say("installing Debian's libreoffice-calc-nogui …")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        done = subprocess.run(
            [*sudo, "apt-get", "install", "-y", "-q", "libreoffice-calc-nogui"], env=env, capture_output=True, text=True
        )
        if done.returncode:
            sys.exit(f"apt-get install libreoffice-calc-nogui failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        soffice = shutil.which("soffice")
    files = sorted(str(p) for p in xlsx_dir.glob("*.xlsx"))
    profile = Path(tempfile.mkdtemp())
    command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir"]
    subprocess.run([*command, str(out_dir / "warm"), files[0]], check=True, capture_output=True)  # first start
    started = time.perf_counter()
    subprocess.run([*command, str(out_dir), *files], check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    assert len(list(out_dir.glob("*.pdf"))) == len(files)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=100)
    parser.add_argument("--signed", type=int, default=500)
    args = parser.parse_args()
    say(f"# {time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {os.cpu_count()} cores · "
        f"{connections['default'].vendor}")  # fmt: skip
    admin, heads, auditor, departments = setup_database()
    # The forms are made without their PDFs: the PDFs are made below, where they are timed.
    declaration_approved.receivers, evaluation_signed.receivers = [], []
    year = 2030
    total = max(args.forms, args.signed)
    started = time.perf_counter()
    # The compared forms are one department's (the first); the rest of the signed ones another's.
    split = [departments[0]] if total == args.forms else [departments[0], departments[1]]
    shares = [args.forms, total - args.forms] if len(split) == 2 else [total]
    declaration_ids = []
    for department, share in zip(split, shares, strict=True):
        offset = len(declaration_ids)
        declaration_ids += make_declarations(share, admin, heads, department, year, offset)
    say(f"made {len(declaration_ids)} approved declarations of {ROWS} rows in {time.perf_counter() - started:.0f} s")
    compared = declaration_ids[: args.forms]
    n = len(compared)

    work = Path(tempfile.mkdtemp(prefix="perfbudget-bench-"))
    (work / "xlsx").mkdir()
    (work / "lo").mkdir()
    for pk in compared:
        d = declaration_page(pk)
        (work / "xlsx" / f"{d.project.key}.xlsx").write_bytes(export_declaration(d))
    lo = libreoffice(work / "xlsx", work / "lo")

    forms = [("declaration", pk) for pk in compared]
    started = time.perf_counter()
    assert sum(1 for _ in render_forms(forms)) == n
    cold = time.perf_counter() - started

    StoredPdf.objects.all().delete()
    store_forms(forms)  # render once: what approval does in the background
    started = time.perf_counter()
    job = start_export(user=auditor, year=year, department_id=departments[0].pk, forms="declarations")
    zipped = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == "done" and job.total == n, (job.status, job.total, job.error)

    say(f"\n{n} declarations of {ROWS} indicator rows (their .xlsx for LibreOffice; the forms for perfbudget):")
    say(f"  LibreOffice --convert-to pdf          {lo / n:6.3f} s/form  (one soffice run, {lo:.1f} s)")
    say(f"  perfbudget cold render (WeasyPrint)   {cold / n:6.3f} s/form  ({os.cpu_count()} processes, {cold:.1f} s)  "
        f"= {cold / lo:.2f} × LibreOffice")  # fmt: skip
    say(f"  perfbudget ZIP, forms rendered once   {zipped / n:6.3f} s/form  ({zipped:.2f} s)  "
        f"= {zipped / lo:.3f} × LibreOffice")  # fmt: skip

    evaluation_ids = make_signed(declaration_ids[: max(args.signed, 1)], admin, heads)
    short = make_declarations(1, admin, heads, departments[0], year + 1, offset=9000, rows_like="000")
    short_evaluation = make_signed(short, admin, heads)[0]
    say("")
    for label, pk in [("rows like 000's", short_evaluation), ("003's long rows", evaluation_ids[0])]:
        form_pdf(evaluation_with_rows(pk))  # the process is warm, as a worker is
        times = []
        for _ in range(9):
            t = time.perf_counter()
            _, pdf = form_pdf(evaluation_with_rows(pk))
            times.append(time.perf_counter() - t)
        say(f"one {ROWS}-row project self-evaluation ({label}, {page_count(pdf)} pages), cold render in one process: "
            f"median {statistics.median(times):.3f} s, best {min(times):.3f} s (of 9)")  # fmt: skip

    if args.signed:
        started = time.perf_counter()
        store_forms([("evaluation", pk) for pk in evaluation_ids])
        say(f"rendered once and stored {len(evaluation_ids)} signed self-evaluations in "
            f"{time.perf_counter() - started:.0f} s ({os.cpu_count()} processes)")  # fmt: skip
        started = time.perf_counter()
        job = start_export(user=auditor, year=year, department_id=None, forms="evaluations")
        elapsed = time.perf_counter() - started
        job.refresh_from_db()
        assert job.status == "done" and job.total == len(evaluation_ids), (job.status, job.total, job.error)
        size = default_storage.size(job.file.name) / 1e6
        say(f"the auditor's ZIP of {job.total} signed self-evaluations: {elapsed:.2f} s ({size:.0f} MB)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
