"""Score again every unsigned self-evaluation of a year (after a scheme changed, say)."""

import time

from django.core.management.base import BaseCommand

from projects.services.pool import worker_processes
from selfeval.services.scoring import rescore_year


class Command(BaseCommand):
    help = "按现行评分方案重新计算某年度全部未签署自评表的得分：--year 2025"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, year, **options):
        started = time.perf_counter()
        with worker_processes():
            count = rescore_year(year)
        self.stdout.write(f"已重新计算 {count} 张自评表（{time.perf_counter() - started:.1f} 秒）；已签署的不变。")
