"""Restore a backup into an empty, migrated database: `manage.py restore perfbudget.json.gz`."""

import gzip
import json
import tempfile

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from projects.models import MonitoringRule, ReviewRule, SchemeAssignment
from projects.services.pool import worker_processes
from selfeval.services.checks import refresh_all

from .backup import EXCLUDE

# Filled by the migrations themselves (the category table, the scoring schemes): the backup holds them too.
FROM_MIGRATIONS = {
    "indicators.indicatorcategory", "projects.scoringscheme", "projects.schemesection", "projects.schemeassignment",
    "projects.schemefundingline", "projects.monitoringrule", "projects.monitoringperiod", "projects.reviewrule",
}  # fmt: skip
# The starting sets the migrations make that administrators edit (scheme assignments, monitoring rules, review
# rules): a backup holding rows of one replaces the migration's; an older backup, written before the model existed,
# keeps them.
REPLACED_BY_BACKUP = {
    "projects.schemeassignment": SchemeAssignment, "projects.monitoringrule": MonitoringRule,
    "projects.reviewrule": ReviewRule,
}  # fmt: skip
# Models that moved between apps (their tables did not): a backup written before the move names them so.
MOVED_MODELS = {
    "indicators.goal": "projects.goal", "indicators.indicator": "projects.indicator",
    "indicators.historicalgoal": "projects.historicalgoal", "indicators.historicalindicator": "projects.historicalindicator",
    "selfeval.scoringscheme": "projects.scoringscheme", "selfeval.schemesection": "projects.schemesection",
}  # fmt: skip

# Fields a backup written before they were removed still holds: the copies of computed figures the forms kept
# beside their stored checks (one stored copy now: the check, made again by ``refresh_all`` below).
REMOVED_FIELDS = {
    "selfeval.selfevaluation": ["computed_budget_rate", "computed_budget_score", "computed_total", "computed_grade", "computed_at"],
    "selfeval.historicalselfevaluation": ["computed_budget_rate", "computed_budget_score", "computed_total", "computed_grade", "computed_at"],
    "selfeval.evaluationsection": ["computed_score"], "selfeval.historicalevaluationsection": ["computed_score"],
    "selfeval.evaluationgoal": ["computed_score"], "selfeval.historicalevaluationgoal": ["computed_score"],
    "selfeval.evaluationfunding": ["computed_rate", "computed_score"],
    "selfeval.historicalevaluationfunding": ["computed_rate", "computed_score"],
}  # fmt: skip


def moved_labels(text: str) -> str:
    """A backup's objects under the labels their models have now, without the fields removed since."""
    try:
        objects = json.loads(text)
    except ValueError as exc:
        raise CommandError(f"备份文件不是有效的 JSON：{exc}") from exc
    if not isinstance(objects, list):
        raise CommandError("备份文件的内容不是对象列表。")
    kept = []
    for obj in objects:
        if isinstance(obj, dict) and obj.get("model") in MOVED_MODELS:
            obj["model"] = MOVED_MODELS[obj["model"]]
        if isinstance(obj, dict) and isinstance(obj.get("fields"), dict):
            for name in REMOVED_FIELDS.get(obj.get("model"), ()):
                obj["fields"].pop(name, None)
        if isinstance(obj, dict) and str(obj.get("model", "")).startswith("authtoken."):
            continue  # an older backup's API tokens: credentials are not carried over (backup leaves them out too)
        kept.append(obj)
    return json.dumps(kept, ensure_ascii=False)


def is_empty() -> bool:
    skipped = {e for e in EXCLUDE if "." not in e}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in skipped or label in EXCLUDE or label in FROM_MIGRATIONS or not model._meta.managed:
            continue
        if model.objects.exists():
            return False
    return True


class Command(BaseCommand):
    help = "把 backup 导出的文件恢复到一个空的、已 migrate 的数据库；数据库不空时拒绝，恢复失败则什么也不写。"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        call_command("migrate", verbosity=0, interactive=False)
        if not is_empty():
            raise CommandError("目标数据库不是空的：请恢复到新建的空数据库，以免覆盖现有数据。")
        try:
            with gzip.open(file, "rt", encoding="utf-8") as f:
                text = f.read()
        except (OSError, EOFError) as exc:
            raise CommandError(f"无法读取备份文件：{exc}") from exc
        restored = moved_labels(text)
        with tempfile.NamedTemporaryFile("w", suffix=".json-full", encoding="utf-8") as tmp:
            tmp.write(restored)
            tmp.flush()
            held = {o.get("model") for o in json.loads(restored)}
            with transaction.atomic():
                for label, model in REPLACED_BY_BACKUP.items():
                    if label in held:
                        model.objects.all().delete()
                call_command("loaddata", tmp.name, verbosity=0)
        with worker_processes():
            evaluations, declarations, monitoring = refresh_all()
        self.stdout.write(
            f"已从 {file} 恢复；重新检查自评表 {evaluations} 张、申报表 {declarations} 张、运行监控表 {monitoring} 张。"
        )
