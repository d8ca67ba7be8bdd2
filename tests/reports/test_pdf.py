"""PDFs of the forms: the CJK font check, every seed form read back from its PDF, page breaks, downloads."""

import datetime
import re
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.urls import reverse

from projects.models import DepartmentDeclaration, ProjectDeclaration
from projects.money import format_amount
from projects.selectors import declaration_page, department_declaration_page
from reports import checks
from reports.services import pdf as pdf_service
from reports.services.pdf import PdfError, form_pdf, render_pdf
from reports.templatetags.paper import paper
from selfeval.models import EvaluationRow, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.sheets import score_text
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, as poppler's pdftotext reads it, without whitespace."""
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True).stdout
    return ["".join(page.decode().split()) for page in text.split(b"\f")]


def squeeze(value) -> str:
    return "".join(paper(value).split())


def missing_from(data: bytes, expected: list[str]) -> list[str]:
    text = "".join(pdf_pages(data))
    return [e for e in expected if e and squeeze(e) not in text]


# -- the CJK font ------------------------------------------------------------------------------------


def test_the_cjk_font_is_installed_and_check_passes():
    assert pdf_service.missing_cjk_font() is None, pdf_service.missing_cjk_font()
    call_command("check", fail_level="ERROR")


def test_check_reports_a_missing_cjk_font_and_nothing_is_rendered(monkeypatch):
    monkeypatch.setattr(pdf_service, "cjk_families", lambda: frozenset({"DejaVu Sans"}))
    errors = checks.cjk_font_check(None)
    assert [e.id for e in errors] == ["reports.E001"]
    assert "fonts-noto-cjk" in errors[0].msg
    with pytest.raises(PdfError, match="中文字体"):
        render_pdf("<p>项目支出绩效自评表</p>")


def test_a_character_no_font_has_is_an_error_not_a_box():
    with pytest.raises(PdfError, match="U\\+F0001"):
        render_pdf("<p>字\U000f0001</p>")


# -- every seed form reads like the seed -------------------------------------------------------------


def evaluation_expected(e: SelfEvaluation) -> list[str]:
    unit = e.unit
    expected = [e.project.name if e.project_id else "", e.printed_grade, e.eval_date_printed]
    expected += [score_text(v) for v in (e.printed_total, e.printed_budget_score)]
    for f in e.funding_rows.all():
        expected += [f.rate_printed, score_text(f.score_printed)] + ([] if f.is_total else [f.name])
        expected += [format_amount(getattr(f, c), unit) for c in ("budget_initial", "budget", "received", "executed")]
    for s in e.sections.all():
        expected.append(score_text(s.printed_score))
    for r in e.rows.all():
        expected += [
            r.name,
            r.target,
            r.actual,
            r.reason,
            score_text(r.score_printed),
            r.level1_printed,
            r.level2_printed,
        ]
    for g in e.goals.all():
        expected += [g.title, score_text(g.printed_score)]
    return expected


def declaration_expected(d: ProjectDeclaration) -> list[str]:
    unit = d.unit
    expected = [d.project.name, format_amount(d.total_budget, unit), format_amount(d.annual_budget, unit)]
    expected += [format_amount(f.amount, unit) for f in d.funding_sources.all()]
    expected += [x for e in d.expense_items.all() for x in (e.name, format_amount(e.amount, unit))]
    expected += [x for p in d.procurement_items.all() for x in (p.name, format_amount(p.amount, unit))]
    expected += [x for r in d.indicators.all() for x in (r.name, r.target, r.prev1, r.prev2, r.standard)]
    return expected


def department_expected(d: DepartmentDeclaration) -> list[str]:
    expected = [d.department.name, d.filler, d.phone]
    expected += [x for f in d.fund_lines.all() for x in (f.name, format_amount(f.amount, d.unit), f.share_printed)]
    expected += [x for r in d.indicators.all() for x in (r.name, r.target)]
    return expected


def test_every_seed_self_evaluation_reads_like_the_seed():
    evaluations = SelfEvaluation.objects.exclude(source="").order_by("pk")
    assert evaluations.count() >= 25
    problems = {}
    for pk in evaluations.values_list("pk", flat=True):
        e = evaluation_with_rows(pk)
        name, data = form_pdf(e)
        assert data.startswith(b"%PDF") and name.endswith(".pdf")
        if missing := missing_from(data, evaluation_expected(e)):
            problems[str(e)] = missing
    assert not problems, problems


def test_every_seed_declaration_reads_like_the_seed():
    problems = {}
    for pk in ProjectDeclaration.objects.exclude(source="").values_list("pk", flat=True):
        d = declaration_page(pk)
        if missing := missing_from(form_pdf(d)[1], declaration_expected(d)):
            problems[str(d)] = missing
    for pk in DepartmentDeclaration.objects.exclude(source="").values_list("pk", flat=True):
        d = department_declaration_page(pk)
        if missing := missing_from(form_pdf(d)[1], department_expected(d)):
            problems[str(d)] = missing
    assert ProjectDeclaration.objects.exclude(source="").count() >= 8
    assert not problems, problems


@pytest.mark.parametrize("layout", ["hubei", "national"])
def test_a_hubei_form_prints_in_the_hubei_and_the_national_layout(layout):
    e = evaluation_with_rows(SelfEvaluation.objects.get(source__startswith="000", printed_total=Decimal("93.68")).pk)
    e.layout = layout
    text = "".join(pdf_pages(form_pdf(e)[1]))
    assert "项目支出绩效自评表" in text and "（2019年度）" in text and "第1页共" in text
    if layout == "hubei":
        assert "全年预算数（A）" in text and "未完成原因和改进措施" in text and "小计56" in text
    else:
        assert "年初预算数" in text and "偏差原因分析及改进措施" in text and "总分93.68" in text


# -- page breaks -------------------------------------------------------------------------------------


def test_a_long_table_keeps_its_labels_and_header_on_every_page():
    e = SelfEvaluation.objects.get(source__startswith="000", printed_total=Decimal("93.68"))
    first = e.rows.order_by("seq").first()
    EvaluationRow.objects.filter(evaluation=e).update(seq=F("seq") + 100)
    EvaluationRow.objects.bulk_create(  # 70 rows of one group ahead of the form's own: too many for page 1
        EvaluationRow(
            evaluation=e, seq=1 + i, level1=first.level1, level2=first.level2,
            level1_printed="长表一级标签", level2_printed="长表二级标签",
            name=f"长表指标{i:02d}", target="≥10次", actual="12次", score_printed=Decimal(1),
        )
        for i in range(70)
    )  # fmt: skip
    pages = pdf_pages(form_pdf(evaluation_with_rows(e.pk))[1])
    with_rows = [p for p in pages if "长表指标" in p]
    assert len(with_rows) >= 2, "the test needs a table over several pages"
    for page in with_rows:
        assert "长表一级标签" in page and "长表二级标签" in page, page[:200]
        assert "一级指标" in page and "未完成原因和改进措施" in page  # the header repeats
    found = "".join(with_rows)
    assert all(f"长表指标{i:02d}" in found for i in range(70))
    # The table starts where its first rows start: its band and column header are not left alone at the
    # foot of the page before (the long goal text leaves too little room on page 2 for the first group).
    starts = next(page for page in pages if "未完成原因和改进措施" in page)
    assert "长表指标00" in starts


def test_every_page_is_numbered_and_a_signed_form_shows_its_signature(head_user):
    e = SelfEvaluation.objects.get(source__startswith="000", printed_total=Decimal("93.68"))
    set_status(e, "signed", signed_by=head_user, signed_at="2026-01-05T10:00:00+08:00", signed_digest="ab" * 32)
    pages = pdf_pages(form_pdf(evaluation_with_rows(e.pk))[1])
    count = len([p for p in pages if p])
    assert count >= 2
    for n, page in enumerate(pages[:count], start=1):
        assert f"第{n}页共{count}页" in page
        assert "ab" * 32 in page  # the digest in every page's footer
    assert "签署人（部门负责人）" in pages[count - 1] and str(head_user) in "".join(pages)


# -- downloads ---------------------------------------------------------------------------------------


def test_the_pdf_downloads_from_the_form_page(client, finance_user):
    client.force_login(finance_user)
    declaration = ProjectDeclaration.objects.filter(project__department=finance_user.department).first()
    page = client.get(reverse("projects:declaration", args=[declaration.pk])).content.decode()
    url = reverse("reports:declaration_pdf", args=[declaration.pk])
    assert url in page
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert "attachment; filename*=UTF-8''420112-zzb" in response["Content-Disposition"]


def test_a_pdf_that_cannot_be_made_gives_a_message_not_a_500(client, finance_user, monkeypatch):
    monkeypatch.setattr(pdf_service, "cjk_families", lambda: frozenset())
    client.force_login(finance_user)
    declaration = ProjectDeclaration.objects.filter(project__department=finance_user.department).first()
    response = client.get(reverse("reports:declaration_pdf", args=[declaration.pk]), follow=True)
    assert response.status_code == 200
    assert "PDF 生成失败" in response.content.decode() and "中文字体" in response.content.decode()


# -- closing parts: the signature block whole, no near-empty last page, an office's footer ------------


def word_boxes(data: bytes) -> list[list[tuple[float, str]]]:
    """Per page, (top, text) of each word as poppler's ``pdftotext -bbox`` places it."""
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append([(float(y), word) for y, word in re.findall(r'yMin="([\d.]+)"[^>]*>([^<]*)</word>', page)])
    return pages


SIGNATURE_LINES = ["签署人", "签署时间", "签署内容摘要", "李部长"]


def signed_57_rows(head_user, problems: str = ""):
    """The PDF of the 57-row seed form, signed (in memory: a signed form cannot be changed), with ``problems``."""
    head_user.first_name = "李部长"
    head_user.save()
    pk = SelfEvaluation.objects.annotate(n=Count("rows")).get(source__startswith="000", n=57).pk
    e = evaluation_with_rows(pk)
    e.status, e.signed_by, e.signed_digest, e.problems = "signed", head_user, "ab" * 32, problems
    e.signed_at = datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC)
    return form_pdf(e)[1]


def test_the_signature_block_of_a_signed_57_row_form_is_never_split(head_user):
    # Where the block falls without extra text; then the 说明 text grows line by line so that the block's
    # top moves across the foot of the page: each position must keep its lines on one page.
    pages = word_boxes(signed_57_rows(head_user))
    top = min(y for y, w in pages[-1] if w.startswith("签署人"))
    foot = 841.89 - 51  # A4 less the 18 mm bottom margin (static/css/pdf.css)
    line = 9.5 * 1.4
    lines = round((foot - 30 - top) / line) % round((foot - 51) / line)
    checked = 0
    for extra in range(max(lines - 3, 0), lines + 3):
        data = signed_57_rows(head_user, "\n".join(f"说明第{i}行" for i in range(extra)))
        text = pdf_pages(data)
        holding = [n for n, page in enumerate(text) if any(w in page for w in SIGNATURE_LINES)]
        assert len(holding) == 1, (extra, holding)
        assert all(w in text[holding[0]] for w in SIGNATURE_LINES), extra
        checked += 1
    assert checked == 6


def test_the_last_page_is_never_only_the_closing_parts():
    # A one-page form whose 目标 text grows line by line: at the first length that needs a second page,
    # the closing parts (总分, 问题, the printed line) take the table's last rows with them instead of
    # standing alone on a near-empty last page.
    hebei = SelfEvaluation.objects.filter(layout="hebei").annotate(n=Count("rows")).order_by("-n", "pk").first()
    e = evaluation_with_rows(hebei.pk)
    last_row = squeeze(list(e.rows.all())[-1].name)

    def pages_with(lines: int) -> list[str]:
        e.goal_actual = "\n".join(f"完成情况第{i}行" for i in range(lines))
        return [p for p in pdf_pages(form_pdf(e)[1]) if p]

    low, high = 0, 80
    assert len(pages_with(low)) == 1 and len(pages_with(high)) >= 2
    while high - low > 1:  # the fewest lines that need a second page
        middle = (low + high) // 2
        low, high = (low, middle) if len(pages_with(middle)) >= 2 else (middle, high)
    for lines in (high, high + 1):
        last = pages_with(lines)[-1]
        assert last_row in last and "总分" in last, (lines, last[:300])


def test_a_declarations_last_page_carries_more_than_its_last_row():
    checked = 0
    for pk in ProjectDeclaration.objects.exclude(source="").values_list("pk", flat=True):
        d = declaration_page(pk)
        pages = [p for p in pdf_pages(form_pdf(d)[1]) if p]
        if len(pages) < 2:
            continue
        checked += 1
        names = {squeeze(r.name) for r in d.indicators.all()}
        on_last = [n for n in names if n in pages[-1] and n not in "".join(pages[:-1])]
        assert len(on_last) >= 2, (str(d), pages[-1][:300])
    assert checked


def test_footers_name_the_department_and_form_not_a_data_file(head_user):
    data = signed_57_rows(head_user)
    pages = [p for p in pdf_pages(data) if p]
    for n, page in enumerate(pages, start=1):
        assert f"中国共产党武汉市洪山区委组织部·2019年度项目支出绩效自评表第{n}页共{len(pages)}页" in page
    text = "".join(pages)
    assert ".yaml" not in text and "000_hongshan" not in text and "公开文件" not in text
    # when the file was made, not a claim that it was printed then (a kept or stored file is served again later)
    assert all(re.search(r"预算绩效管理系统\d{4}-\d{2}-\d{2}\d{2}:\d{2}生成", page) for page in pages)
    assert "打印" not in text


def test_a_layout_that_weasyprint_cannot_keep_together_still_gives_a_pdf(monkeypatch):
    """WeasyPrint may fail ``assert not page_is_empty`` when a keep-together block fits no page (seen under the load
    test): the form is laid out again with the keep-together rules released instead of answering 500."""
    from weasyprint import HTML

    from reports.services.pdf import RELEASED_BREAKS, render_pdf

    original, calls = HTML.write_pdf, []

    def flaky(self, *args, stylesheets=(), **kwargs):
        calls.append(len(stylesheets))
        if len(calls) == 1:
            raise AssertionError
        return original(self, *args, stylesheets=stylesheets, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", flaky)
    pdf = render_pdf("<html><body><p>绩效自评表</p></body></html>")
    assert pdf.startswith(b"%PDF") and calls == [1, 2] and "break-inside: auto" in RELEASED_BREAKS
