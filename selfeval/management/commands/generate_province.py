"""Generate a province-sized data set (default 200 departments × 50 projects × 30 indicators) for scale work."""

import time

from django.core.management.base import BaseCommand, CommandError

from selfeval.synthetic import generate_province


class Command(BaseCommand):
    help = "生成省级规模的合成数据（默认 200 个部门 × 50 个项目 × 30 个指标，含申报表与自评表），用于规模测试。"

    def add_arguments(self, parser):
        parser.add_argument("--departments", type=int, default=200)
        parser.add_argument("--projects", type=int, default=50)
        parser.add_argument("--indicators", type=int, default=30)
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--prefix", default="SYN", help="合成部门编码前缀；再次运行会先删除同前缀的数据")

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            made = generate_province(
                departments=options["departments"], projects=options["projects"], indicators=options["indicators"],
                year=options["year"], prefix=options["prefix"],
            )  # fmt: skip
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        parts = "，".join(f"{k} {v}" for k, v in made.items())
        self.stdout.write(f"已生成：{parts}（{time.perf_counter() - started:.0f} 秒）。")
