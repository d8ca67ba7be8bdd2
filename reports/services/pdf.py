"""PDFs of the forms, rendered by WeasyPrint from the templates the pages use (issue: PDF reports).

``form_pdf`` renders one form; ``document_for`` says which template, context and file name a form
takes. A missing CJK font or a character the fonts lack is an error, never a PDF full of boxes.
"""

import gc
import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from projects.models import DepartmentDeclaration, MonitoringForm, ProjectDeclaration
from projects.sheets import declaration_sheet, department_sheet, monitoring_sheet
from selfeval.models import SelfEvaluation
from selfeval.services.findings import evaluation_findings
from selfeval.sheets import evaluation_sheet

logger = logging.getLogger(__name__)


class PdfError(Exception):
    """A PDF that cannot be made; the message is for the user."""


@cache
def cjk_families() -> frozenset[str]:
    """The font families fontconfig offers for Chinese (``fc-list :lang=zh family``)."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return frozenset()
    out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def missing_cjk_font() -> str | None:
    """Why Chinese PDFs cannot be made here, or None when the configured CJK font is installed."""
    wanted = settings.PDF_FONT_FAMILIES
    if not set(wanted) & cjk_families():
        return (
            f"没有可用的中文字体（需要 {' 或 '.join(wanted)}）：PDF 中的汉字会显示为方框。"
            "请安装 Debian 的 fonts-noto-cjk（make demo / make test 会安装）。"
        )
    return None


class _GlyphWatch(logging.Handler):
    """Collects WeasyPrint's warnings about characters no font has (``.notdef`` glyphs)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.missing: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if ".notdef" in message or "No glyph" in message:
            self.missing.append(message)


@cache
def _stylesheet_and_fonts():
    """Parsed once per process: the print stylesheet and WeasyPrint's font configuration (its font cache)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    loaded = CSS(filename=finders.find("css/pdf.css"), font_config=fonts), fonts
    # A render allocates some 10^6 objects, so the cyclic collector runs often during it, and each full
    # pass walks every object of the process (Django, the templates, the font cache): up to a third of a
    # 60-row render (bench/pdf_vs_libreoffice.py). The process's long-lived objects, loaded by now, are
    # moved out of its sight once; the render's own garbage is collected as before.
    gc.collect()
    gc.freeze()
    return loaded


def warm() -> None:
    """Load the stylesheet and fonts now (a worker starting), so that what is frozen is the process's own."""
    _stylesheet_and_fonts()


RELEASED_BREAKS = "* { break-inside: auto !important; break-before: auto !important; break-after: auto !important; }"


def render_pdf(html: str) -> bytes:
    """HTML → PDF bytes, refusing to produce boxes in place of characters."""
    from weasyprint import CSS, HTML

    if problem := missing_cjk_font():
        raise PdfError(problem)
    watch = _GlyphWatch()
    wlogger = logging.getLogger("weasyprint")
    wlogger.addHandler(watch)
    try:
        css, fonts = _stylesheet_and_fonts()
        document = HTML(string=html, base_url=str(settings.BASE_DIR))
        try:
            pdf = document.write_pdf(stylesheets=[css], font_config=fonts)
        except AssertionError:
            # WeasyPrint's layout can fail an internal assertion (``assert not page_is_empty``) when a block that
            # must not break (the closing parts, the sign-off) cannot fit any page: the same form is laid out again
            # with those keep-together rules released, so the PDF is made instead of a 500.
            logger.warning("PDF layout with keep-together rules failed; rendering again without them", exc_info=True)
            loose = CSS(string=RELEASED_BREAKS, font_config=fonts)
            pdf = document.write_pdf(stylesheets=[css, loose], font_config=fonts)
    finally:
        wlogger.removeHandler(watch)
    if watch.missing:
        codes = sorted(set(re.findall(r"U\+[0-9A-F]{4,6}", " ".join(watch.missing))))
        raise PdfError(f"表内有字体无法显示的字符（{'、'.join(codes) or '未知'}），没有生成 PDF。")
    return pdf


@dataclass
class Document:
    """What one form's PDF is made of."""

    template: str
    context: dict
    filename: str
    title: str


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:80]


def document_for(form) -> Document:
    """The template, context and file name of a declaration, department declaration, self-evaluation or monitoring form.

    ``form`` is loaded with the selector its page uses, so that the PDF prints what the page shows.
    """

    if isinstance(form, ProjectDeclaration):
        department = form.project.department
        sheet = declaration_sheet(form)
        # 003's 部门预算项目支出（绩效目标）申报表 groups its indicators by 目标名称
        title = "部门预算项目支出（绩效目标）申报表" if sheet["has_groups"] else "项目绩效目标申报表"
        return Document(
            "reports/pdf/declaration.html",
            {**sheet, "form": form, "department": department},
            f"{department.code}_{_safe(department.name)}_{form.year}_申报表_{_safe(form.project.name)}.pdf",
            title,
        )
    if isinstance(form, DepartmentDeclaration):
        department = form.department
        return Document(
            "reports/pdf/department_declaration.html",
            {**department_sheet(form), "form": form, "department": department},
            f"{department.code}_{_safe(department.name)}_{form.year}_部门整体申报表.pdf",
            "部门整体支出绩效目标申报表",
        )
    if isinstance(form, SelfEvaluation):
        department = form.department
        subject = _safe(form.project.name) if form.project_id else "部门整体"
        titles = {
            "hubei": "项目支出绩效自评表",
            "national": "项目支出绩效自评表",
            "hebei": "市级部门预算项目绩效自评表",
            "department": f"{department.name}整体绩效自评表",
            "summary": "项目支出绩效自评结果",
        }
        return Document(
            "reports/pdf/evaluation.html",
            {
                **evaluation_sheet(form),
                "form": form,
                "department": department,
                "findings": evaluation_findings(form),
                "attachment": {"hubei": "附件1", "hebei": "附件2："}.get(form.layout, "附件"),
            },
            f"{department.code}_{_safe(department.name)}_{form.year}_自评表_{subject}.pdf",
            titles.get(form.layout, "绩效自评表"),
        )
    if isinstance(form, MonitoringForm):
        department, project = form.declaration.project.department, form.declaration.project
        return Document(
            "reports/pdf/monitoring.html",
            {**monitoring_sheet(form), "department": department},
            f"{department.code}_{_safe(department.name)}_{form.year}_{_safe(str(form.period))}_监控表_{_safe(project.name)}.pdf",
            "项目支出绩效目标执行监控表",
        )
    raise TypeError(f"no PDF for {type(form).__name__}")


def _html(doc: Document, printed_at=None) -> str:
    moment = timezone.localtime(printed_at) if printed_at else timezone.localtime()
    return render_to_string(doc.template, {**doc.context, "title": doc.title, "printed_at": moment})


def form_html(form) -> str:
    """The HTML the PDF is rendered from (for previews and tests)."""
    return _html(document_for(form))


def form_pdf(form, printed_at=None) -> tuple[str, bytes]:
    """The file name and bytes of ``form``'s PDF (``printed_at``: the time it states it was made)."""
    doc = document_for(form)
    return doc.filename, render_pdf(_html(doc, printed_at))
