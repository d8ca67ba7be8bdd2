"""Backup and restore: the whole database to one file, restored into an empty database with identical data."""

import gzip
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def manage(*args, database_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "perfbudget.settings", "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the same kind as the suite's."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg2
    from psycopg2 import sql

    name = f"perfbudget_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"])
    admin.autocommit = True
    admin.cursor().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
    finally:
        admin.cursor().execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def records(path) -> list:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return sorted(json.load(f), key=lambda o: (o["model"], json.dumps(o, sort_keys=True, ensure_ascii=False)))


def test_a_backup_restores_into_an_empty_database_with_identical_data(tmp_path, empty_database, finance_user):
    original = tmp_path / "backup.json.gz"
    call_command("backup", "--out", str(original))
    assert len(records(original)) > 1000  # the seed documents and the users
    restored = manage("restore", str(original), database_url=empty_database)
    assert restored.returncode == 0, restored.stderr
    again = tmp_path / "again.json.gz"
    backup = manage("backup", "--out", str(again), database_url=empty_database)
    assert backup.returncode == 0, backup.stderr
    assert records(again) == records(original)
    stamps = [o["fields"]["history_date"] for o in records(original) if "history_date" in o["fields"]]
    assert any(len(stamp) > len("2026-01-01T00:00:00.000+00:00") for stamp in stamps)  # microseconds are kept
    refused = manage("restore", str(original), database_url=empty_database)  # not empty any more
    assert refused.returncode != 0 and "不是空的" in refused.stderr


def test_a_damaged_backup_is_refused_and_writes_nothing(tmp_path):
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(CommandError):
        call_command("restore", str(broken))  # the test database is not empty either: refused first


def test_a_backup_written_before_the_models_moved_restores(tmp_path, empty_database):
    """Goals, indicator rows and schemes moved into ``projects`` (their tables did not): an older backup names
    them ``indicators.*`` / ``selfeval.*`` and restores all the same."""
    from reports.management.commands.restore import MOVED_MODELS

    current = tmp_path / "current.json.gz"
    call_command("backup", "--out", str(current))
    old_labels = {new: old for old, new in MOVED_MODELS.items()}
    objects = records(current)
    renamed = [{**o, "model": old_labels.get(o["model"], o["model"])} for o in objects]
    assert sum(o["model"] != r["model"] for o, r in zip(objects, renamed, strict=True)) > 100
    old = tmp_path / "old.json.gz"
    with gzip.open(old, "wt", encoding="utf-8") as f:
        json.dump(renamed, f, ensure_ascii=False)
    restored = manage("restore", str(old), database_url=empty_database)
    assert restored.returncode == 0, restored.stderr
    again = tmp_path / "again.json.gz"
    assert manage("backup", "--out", str(again), database_url=empty_database).returncode == 0
    assert records(again) == objects


def test_a_signed_forms_figures_and_a_backup_with_the_removed_computed_fields_restore(
    tmp_path, empty_database, hongshan_head
):
    """The check of a signed form holds what was signed (never made again): the backup keeps it. A backup written
    while the forms still kept their own ``computed_*`` copies restores all the same."""
    from reports.management.commands.restore import REMOVED_FIELDS
    from selfeval.models import SelfEvaluation
    from selfeval.services.signoff import evaluation_sign
    from tests.conftest import set_status

    form = SelfEvaluation.objects.get(project__key="hs2019-rcyz", year=2019)
    set_status(form, "submitted")
    evaluation_sign(evaluation_id=form.pk, user=hongshan_head)
    current = tmp_path / "current.json.gz"
    call_command("backup", "--out", str(current))
    objects = records(current)
    (check,) = [o for o in objects if o["model"] == "selfeval.evaluationcheck"]
    assert check["fields"]["signed"] and check["fields"]["computed_total"] is not None
    older = [
        {**o, "fields": {**o["fields"], **dict.fromkeys(REMOVED_FIELDS.get(o["model"], ()), None)}} for o in objects
    ]
    assert sum(o != p for o, p in zip(objects, older, strict=True)) > 100
    old = tmp_path / "old.json.gz"
    with gzip.open(old, "wt", encoding="utf-8") as f:
        json.dump(older, f, ensure_ascii=False)
    restored = manage("restore", str(old), database_url=empty_database)
    assert restored.returncode == 0, restored.stderr
    again = tmp_path / "again.json.gz"
    assert manage("backup", "--out", str(again), database_url=empty_database).returncode == 0
    assert records(again) == objects  # the signed form's figures as signed, not made again


def test_a_backup_is_private_to_its_owner_and_holds_no_api_tokens(tmp_path, finance_user):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=finance_user)
    out = tmp_path / "backup.json.gz"
    out.write_bytes(b"")
    out.chmod(0o644)  # an older file in the way: its mode is tightened, not kept
    call_command("backup", "--out", str(out))
    assert out.stat().st_mode & 0o777 == 0o600
    objects = records(out)
    assert not [o for o in objects if o["model"].startswith("authtoken.")]
    with gzip.open(out, "rt", encoding="utf-8") as f:
        assert token.key not in f.read()


def test_tokens_in_an_older_backup_are_not_restored():
    from reports.management.commands.restore import moved_labels

    objects = [
        {"model": "authtoken.token", "pk": "0" * 40, "fields": {"user": ["t-finance"], "created": "2026-01-01"}},
        {"model": "projects.department", "fields": {"code": "001"}},
    ]
    assert [o["model"] for o in json.loads(moved_labels(json.dumps(objects)))] == ["projects.department"]


def test_a_backup_from_before_monitoring_keeps_the_migrations_monitoring_rules(tmp_path, empty_database):
    """A backup written before 运行监控 existed holds no monitoring rules: the national default the migration made
    stays (a newer backup's rules replace it, as the first test shows by restoring identical data)."""
    current = tmp_path / "current.json.gz"
    call_command("backup", "--out", str(current))
    objects = [o for o in records(current) if not o["model"].startswith("projects.monitoring")]
    old = tmp_path / "old.json.gz"
    with gzip.open(old, "wt", encoding="utf-8") as f:
        json.dump(objects, f, ensure_ascii=False)
    assert manage("restore", str(old), database_url=empty_database).returncode == 0
    again = tmp_path / "again.json.gz"
    assert manage("backup", "--out", str(again), database_url=empty_database).returncode == 0
    rules = [o["fields"] for o in records(again) if o["model"] == "projects.monitoringrule"]
    assert [(r["division_prefix"], r["name"]) for r in rules] == [("", "全国默认（财预〔2019〕136号）")]
