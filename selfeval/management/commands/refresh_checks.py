"""``python manage.py refresh_checks``: make again every stale stored check (run after deploying a new checker)."""

from django.core.management.base import BaseCommand

from projects.services.pool import worker_processes
from selfeval.services.checks import refresh_all


class Command(BaseCommand):
    help = "重新生成过期的检查结果（评分方案修改或检查规则更新之后），使概览和评分报告无需等待。"

    def handle(self, *args, **options):
        with worker_processes():
            evaluations, declarations, monitoring = refresh_all()
        self.stdout.write(f"重新检查：自评表 {evaluations} 张，申报表 {declarations} 张，运行监控表 {monitoring} 张。")
