"""``python manage.py score_report``: printed vs computed totals, grade and findings per form."""

import json

from django.core.management.base import BaseCommand, CommandError

from selfeval.services.report import KINDS, departments_matching, score_report


class Command(BaseCommand):
    help = "按表列出表中总分、系统计算总分、等次和一致性检查结果。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度")
        parser.add_argument("--department", help="部门编码、全称或简称（含其内设机构）")
        parser.add_argument("--kind", choices=KINDS, default="all", help="declaration | selfeval | all（默认）")
        parser.add_argument("--format", choices=["text", "json"], default="text", dest="fmt")

    def handle(self, *args, year, department, kind, fmt, **options):
        department_ids = None
        if department:
            department_ids = departments_matching(department)
            if not department_ids:
                raise CommandError(f"找不到部门“{department}”。")
        lines = score_report(year=year, department_ids=department_ids, kind=kind, wait=True)
        if fmt == "json":
            self.stdout.write(json.dumps([line.as_dict() for line in lines], ensure_ascii=False, indent=2))
            return
        for line in lines:
            self.stdout.write(f"{line.year}  {line.department}  {line.form}  [{line.kind}]")
            if line.scheme:
                self.stdout.write(
                    f"    方案 {line.scheme}  表中总分 {line.printed_total or '—'}  "
                    f"计算总分 {line.computed_total or '—'}  等次 {line.grade or '—'}"
                )
            for finding in line.findings:
                self.stdout.write(f"    {finding}")
            if not line.findings:
                self.stdout.write("    未发现不一致。")
        self.stdout.write(f"共 {len(lines)} 张表，{sum(len(x.findings) for x in lines)} 条检查结果。")
