"""Render the first page of each PDF layout from the seed data as a PNG (the pictures in docs/pdf/)."""

import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.models import DepartmentDeclaration, ProjectDeclaration
from projects.selectors import declaration_page, department_declaration_page
from reports.services.pdf import form_pdf
from selfeval.models import SelfEvaluation
from selfeval.selectors import evaluation_with_rows

# name: (loader, how the seed form is found, layout to print it in)
PREVIEWS = {
    "declaration_001": (declaration_page, lambda: ProjectDeclaration.objects.get(project__key="dxh2021-rczx"), None),
    "declaration_003": (declaration_page, lambda: ProjectDeclaration.objects.get(source__startswith="003"), None),
    "department_declaration_001": (
        department_declaration_page,
        lambda: DepartmentDeclaration.objects.get(source__startswith="001"),
        None,
    ),
    "evaluation_hubei_000": (evaluation_with_rows, lambda: SelfEvaluation.objects.filter(layout="hubei").first(), None),
    "evaluation_national_000": (
        evaluation_with_rows,
        lambda: SelfEvaluation.objects.filter(layout="hubei").first(),
        "national",
    ),
    "evaluation_hebei_004": (evaluation_with_rows, lambda: SelfEvaluation.objects.filter(layout="hebei").first(), None),
    "evaluation_department_002": (
        evaluation_with_rows,
        lambda: SelfEvaluation.objects.get(layout="department", source__startswith="002"),
        None,
    ),
}


class Command(BaseCommand):
    help = "把每种 PDF 表样（由种子数据生成）的第一页存为 PNG：--out docs/pdf"

    def add_arguments(self, parser):
        parser.add_argument("--out", default="docs/pdf")
        parser.add_argument("--dpi", type=int, default=80)

    def handle(self, *args, out, dpi, **options):
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        for name, (load, find, layout) in PREVIEWS.items():
            form = find()
            if form is None:
                raise CommandError(f"种子数据中没有 {name} 所需的表，请先运行 load_seeds。")
            form = load(form.pk)
            if layout:
                form.layout = layout  # the same form printed in another layout; not saved
            _, pdf = form_pdf(form)
            with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
                tmp.write(pdf)
                tmp.flush()
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        str(dpi),
                        "-f",
                        "1",
                        "-l",
                        "1",
                        "-singlefile",
                        tmp.name,
                        str(target / name),
                    ],
                    check=True,
                )
            self.stdout.write(f"{target / name}.png")
