"""Export the whole database to one file (gzip-compressed JSON, timestamps to the microsecond):
`manage.py backup --out perfbudget.json.gz`. The file is written with mode 0600 and holds no API tokens."""

import gzip
import io
import os

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from selfeval.choices import EvaluationStatus
from selfeval.models import EvaluationCheck

# Rebuilt by `migrate` on the target: content types and permissions (referred to by natural keys instead),
# the sessions and login-failure records, which belong to the running site, not to its data, and the stored
# checks, derived data that `restore` makes again from the forms (a copy taken while a form changes could
# otherwise hold a check that claims to be current) — but for the checks of signed forms, which hold what was
# signed and are never made again: they are written after the rest (``signed_checks``).
EXCLUDE = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "selfeval.evaluationcheck",
    "projects.declarationcheck",
    "authtoken",  # API tokens are credentials: a restored site issues new ones (users log in again)
]


def signed_checks() -> str:
    """The stored checks of signed forms (what was signed: a signed form cannot change), as a JSON list."""
    pks = EvaluationCheck.objects.filter(signed=True, evaluation__status=EvaluationStatus.SIGNED).values_list(
        "pk", flat=True
    )
    if not pks:
        return "[]"
    buffer = io.StringIO()
    call_command(
        "dumpdata", "selfeval.evaluationcheck", "--format", "json-full", "--natural-foreign", "--natural-primary",
        "--indent", "0", "--pks", ",".join(map(str, pks)), stdout=buffer,
    )  # fmt: skip
    return buffer.getvalue()


def with_objects(text: str, more: str) -> str:
    """Two JSON lists of objects as one (without parsing the whole database's)."""
    if more.strip() in ("", "[]"):
        return text
    head, tail = text.rstrip(), more.strip()[1:]
    return f"{head[:-1]},{tail}" if head != "[]" else more


class Command(BaseCommand):
    help = "把整个数据库导出为一个文件（gzip 压缩的 JSON），可用 restore 恢复到空数据库。"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="备份文件路径（.json.gz）")

    def handle(self, *args, out, **options):
        buffer = io.StringIO()
        call_command(
            "dumpdata", "--format", "json-full", "--natural-foreign", "--natural-primary", "--indent", "0",
            *[f"--exclude={e}" for e in EXCLUDE], stdout=buffer,
        )  # fmt: skip
        text = with_objects(buffer.getvalue(), signed_checks())
        try:  # readable by its owner only (0600), also when the file exists already
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            raise CommandError(f"无法写入备份文件：{exc}") from exc
        self.stdout.write(f"已备份到 {out}。")
