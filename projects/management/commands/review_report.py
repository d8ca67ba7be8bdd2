"""``python manage.py review_report [--readme README.md]``: the target-quality review over every 项目 and
部门整体 declaration, findings counted per rule and form kind (the README's section is written by this, not by hand)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.services.review.report import BEGIN, END, review_report_markdown, write_into


class Command(BaseCommand):
    help = "对全部项目申报表和部门整体申报表运行目标审核，按规则和表种统计问题数（Markdown 表格）。"

    def add_arguments(self, parser):
        parser.add_argument("--readme", help=f"把结果写入该文件 {BEGIN} 与 {END} 之间")

    def handle(self, *args, readme, **options):
        text = review_report_markdown()
        if readme:
            if not write_into(Path(readme), text):
                raise CommandError(f"{readme} 中没有 {BEGIN} … {END} 标记。")
            self.stdout.write(f"已写入 {readme}。")
            return
        self.stdout.write(text)
