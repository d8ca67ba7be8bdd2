"""``python manage.py load_seeds``: load every seed document and the demo users."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.models import ProjectDeclaration, SchemeAssignment, SchemeFundingLine, SchemeSection, ScoringScheme
from projects.scheme_data import load_assignments, load_funding_lines, load_schemes
from projects.services.checks import refresh_stale_declarations
from selfeval.models import SelfEvaluation
from selfeval.seeds import SEED_DIR, LoadReport, SeedError, ensure_demo_users, load_seed_files, seed_paths
from selfeval.services.checks import refresh_stale
from selfeval.services.library import library_add_from_forms


class Command(BaseCommand):
    help = "载入 fixtures/seeds/ 下的种子数据和演示用户；重复运行不改变已有数据。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="只载入这些 YAML 文件（默认全部）")
        parser.add_argument("--replace", action="store_true", help="重新载入已存在且未签署的种子表单")
        parser.add_argument("--no-users", action="store_true", help="不创建演示用户")

    def handle(self, *args, files, replace, no_users, **options):
        paths = [Path(f) for f in files] if files else seed_paths(SEED_DIR)
        if not paths:
            raise CommandError(f"{SEED_DIR} 下没有种子文件。")
        report = LoadReport()
        # the shipped schemes and their assignments, where a database lost them (an emptied test database)
        load_schemes(ScoringScheme, SchemeSection, only_missing=True)
        load_funding_lines(ScoringScheme, SchemeFundingLine)
        load_assignments(ScoringScheme, SchemeAssignment)
        try:
            load_seed_files(paths, replace=replace, report=report)
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        # the score report and the dashboard read each form's stored scores and findings
        refresh_stale(SelfEvaluation.objects.exclude(source=""), keep=False)
        refresh_stale_declarations(ProjectDeclaration.objects.exclude(source=""), keep=False)
        if not no_users:
            ensure_demo_users(report)
        created = library_add_from_forms()
        report.created["指标库指标"] += created
        for line in report.lines():
            self.stdout.write(line)
