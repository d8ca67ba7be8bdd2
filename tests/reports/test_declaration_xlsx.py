"""The declaration's Excel template: laid out like the form, read back to identical data, bad files refused."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects.models import ProjectDeclaration
from projects.money import from_yuan
from projects.services.importing import declaration_import
from projects.services.xlsx import SheetError, export_declaration, read_declaration
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


def snapshot(d: ProjectDeclaration) -> dict:
    """Everything the template carries, as plain values."""
    header = [
        "unit", "fill_date", "supervising_unit", "executing_unit", "leader", "phone", "address", "postcode",
        "application_reason", "main_content", "implementation_plan", "total_budget", "annual_budget",
        "prior_budget_note", "funding_total", "expense_total", "estimation_basis",
    ]  # fmt: skip
    return {
        "header": {name: getattr(d, name) for name in header},
        "basis": list(d.basis_items.values_list("seq", "text")),
        "funding": list(d.funding_sources.values_list("seq", "name", "amount", "level")),
        "expenses": list(d.expense_items.values_list("seq", "name", "amount", "economic_subject", "basis")),
        "procurement": list(d.procurement_items.values_list("seq", "name", "quantity", "amount")),
        "goals": list(d.goals.order_by("kind", "seq").values_list("kind", "seq", "text")),
        "indicators": list(
            d.indicators.order_by("seq").values_list(
                "seq",
                "goal__text",
                "level1_id",
                "level1_printed",
                "level2_id",
                "level2_printed",
                "name",
                "target",
                "standard",
                "prev2",
                "prev1",
                "weight",
                "nature",
                "comparator",
                "unit",
            )
        ),
    }


def upload(content: bytes, name="申报表.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize("key", ["qk2020-zzbgzjf", "dxh2021-jxkp", "dxh2021-bgjf", "dxh2021-gbkc", "dxh2021-hsyq"])
def test_round_trip_gives_identical_data(key, finance_user, admin_user_):
    declaration = ProjectDeclaration.objects.get(project__key=key)
    set_status(declaration, "draft")
    before = snapshot(declaration)
    content = export_declaration(declaration)
    imported = declaration_import(data=read_declaration(io.BytesIO(content)), user=admin_user_)
    assert imported.pk == declaration.pk
    assert snapshot(imported) == before


def test_the_sheet_is_laid_out_like_the_paper_form():
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    wb = load_workbook(io.BytesIO(export_declaration(declaration)))
    ws = wb.worksheets[0]
    assert ws["A1"].value == "项目绩效目标申报表"
    assert ws["F3"].value == "单位：万元"
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A4"].border.left.style == "thin"
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "绩效管理和综合考评" in values and "小于 2周" in values
    # 一级 cells span their rows: the 产出指标 cell covers its eight rows
    spans = [r for r in ws.merged_cells.ranges if r.min_col == 2 and r.max_row - r.min_row == 7]
    assert spans
    assert wb["_perfbudget"].sheet_state == "hidden"


def test_figures_are_number_cells_with_the_forms_decimals_and_the_sheet_prints_on_a4():
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    ws = load_workbook(io.BytesIO(export_declaration(declaration))).worksheets[0]
    rows = {str(row[0].value or "") + "|" + str(row[1].value or ""): row for row in ws.iter_rows()}
    total = next(row for key, row in rows.items() if key.startswith("项目总预算"))[1]
    assert isinstance(total.value, int | float) and total.number_format == "0.00"
    assert total.alignment.horizontal == "right"
    assert Decimal(repr(total.value)) == from_yuan(declaration.total_budget, declaration.unit)
    funding = [
        row[6]
        for key, row in rows.items()
        if key.split("|")[1].strip() in {"合计", *[f.name for f in declaration.funding_sources.all()]}
        and row[6].value is not None
    ]
    assert funding and all(isinstance(c.value, int | float) and c.number_format == "0.00" for c in funding)
    weights = [row[11].value for row in ws.iter_rows(min_row=2) if isinstance(row[11].value, int | float)]
    assert len(weights) == declaration.indicators.exclude(weight=None).count()
    # section labels span their section's rows; A4, fit to width, the title rows repeated on every page
    merged = {str(r) for r in ws.merged_cells.ranges}
    label_row = next(row for key, row in rows.items() if key.startswith("项目资金来源"))[0].row
    assert any(r.startswith(f"A{label_row}:A") and not r.endswith(f"A{label_row}") for r in merged)
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$3"


def test_a_typed_number_reads_back_exactly(admin_user_):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    set_status(declaration, "draft")
    wb = load_workbook(io.BytesIO(export_declaration(declaration)))
    ws = wb.worksheets[0]
    total = next(row for row in ws.iter_rows() if row[0].value == "项目总预算")
    total[1].value = 12.345678  # what a user types over the number (万元, to the 元)
    out = io.BytesIO()
    wb.save(out)
    data = read_declaration(io.BytesIO(out.getvalue()))
    assert data.header["total_budget"] == Decimal("123456.78")


def test_formula_injection_is_neutralised(admin_user_):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    set_status(declaration, "draft")  # an approved declaration is locked
    declaration.leader = '=HYPERLINK("http://evil","x")'
    declaration.save()
    ws = load_workbook(io.BytesIO(export_declaration(declaration))).worksheets[0]
    assert '\'=HYPERLINK("http://evil","x")' in [c for row in ws.iter_rows(values_only=True) for c in row]
    imported = declaration_import(data=read_declaration(io.BytesIO(export_declaration(declaration))), user=admin_user_)
    assert imported.leader == '=HYPERLINK("http://evil","x")'


def test_download_is_scoped(client, outsider_user, auditor_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    url = reverse("reports:declaration_xlsx", args=[declaration.pk])
    client.force_login(outsider_user)
    assert client.get(url).status_code == 404
    client.force_login(auditor_user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * (60 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a spreadsheet", "申报表.xlsx", "改了扩展名"),
        (b"a,b\n1,2", "申报表.csv", "只能导入 .xlsx"),
        (b"x" * (5 * 1024 * 1024 + 1), "申报表.xlsx", "文件过大"),
        ("bomb", "申报表.xlsx", "压缩炸弹"),
        ("foreign", "申报表.xlsx", "不是由本系统导出"),
    ],
)
def test_bad_files_are_refused_whole(client, finance_user, content, name, message):
    if content == "bomb":
        content = bomb()
    if content == "foreign":
        from openpyxl import Workbook

        wb = Workbook()
        wb.active["A1"] = "随便什么表"
        out = io.BytesIO()
        wb.save(out)
        content = out.getvalue()
    client.force_login(finance_user)
    before = ProjectDeclaration.objects.count()
    response = client.post(reverse("reports:declaration_import"), {"file": upload(content, name)}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ProjectDeclaration.objects.count() == before


def test_a_bad_amount_refuses_the_whole_file(client, finance_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "draft")
    wb = load_workbook(io.BytesIO(export_declaration(declaration)))
    ws = wb.worksheets[0]
    for row in ws.iter_rows():
        if row[1].value == "人才活动相关经费":
            row[4].value = "三百"
        if row[0].value == "项目负责人":
            row[1].value = "新负责人"
    out = io.BytesIO()
    wb.save(out)
    client.force_login(finance_user)
    response = client.post(reverse("reports:declaration_import"), {"file": upload(out.getvalue())}, follow=True)
    page = response.content.decode()
    assert "导入失败，未写入任何内容" in page and "“三百”不是有效的金额" in page
    declaration.refresh_from_db()
    assert declaration.leader == "王洋洋"


def test_import_creates_next_years_declaration_and_refuses_approved_ones(client, finance_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    content = export_declaration(declaration)
    client.force_login(finance_user)
    response = client.post(reverse("reports:declaration_import"), {"file": upload(content)}, follow=True)
    page = response.content.decode()
    assert "申报表现为“已审核”，不能通过导入修改" in page and "已已" not in page
    wb = load_workbook(io.BytesIO(content))
    wb["_perfbudget"]["B3"] = 2022
    out = io.BytesIO()
    wb.save(out)
    response = client.post(reverse("reports:declaration_import"), {"file": upload(out.getvalue())})
    new = ProjectDeclaration.objects.get(project=declaration.project, year=2022)
    assert response.url == reverse("projects:declaration", args=[new.pk])
    assert (new.status, new.indicators.count(), new.events.get().action) == ("draft", 8, "import")


def test_other_departments_cannot_import(client, outsider_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "draft")
    client.force_login(outsider_user)
    response = client.post(
        reverse("reports:declaration_import"), {"file": upload(export_declaration(declaration))}, follow=True
    )
    assert "不在你的部门范围内" in response.content.decode()


def test_read_refuses_a_sheet_without_its_marker():
    with pytest.raises(SheetError):
        read_declaration(io.BytesIO(b"garbage"))


def _indicator_table(ws):
    header = next(row[0].row for row in ws.iter_rows() if row[0].value == "目标名称" and row[1].value == "一级指标")
    return header, [c.value for c in ws[header]]


def test_nature_comparator_and_unit_are_columns_that_round_trip(admin_user_):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    set_status(declaration, "draft")
    first = declaration.indicators.order_by("seq").first()
    first.nature, first.comparator, first.unit, first.target = "negative", "<=", "周", "2"
    first.save()
    ProjectDeclaration.objects.filter(pk=declaration.pk).update(updated_at=timezone.now())  # as a page save does
    declaration.refresh_from_db()
    before = snapshot(declaration)
    ws = load_workbook(io.BytesIO(export_declaration(declaration))).worksheets[0]
    header, titles = _indicator_table(ws)
    assert titles[6:10] == ["指标性质", "比较符", "指标值", "计量单位"]
    assert [c.value for c in ws[header + 1]][6:10] == ["反向", "≤", "2", "周"]
    imported = declaration_import(data=read_declaration(io.BytesIO(export_declaration(declaration))), user=admin_user_)
    assert snapshot(imported) == before


def test_a_template_of_nine_columns_still_reads_and_a_bad_nature_is_refused():
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    wb = load_workbook(io.BytesIO(export_declaration(declaration)))
    ws = wb.worksheets[0]
    header, _titles = _indicator_table(ws)
    ws.delete_cols(7, 2)  # 指标性质, 比较符
    ws.delete_cols(8)  # 计量单位: the table of the first templates
    out = io.BytesIO()
    wb.save(out)
    rows = read_declaration(io.BytesIO(out.getvalue())).indicators
    assert [(r["name"], r["target"], r["nature"]) for r in rows[:1]] == [
        (i.name, i.target, "") for i in declaration.indicators.order_by("seq")[:1]
    ]
    assert len(rows) == declaration.indicators.count()
    wb = load_workbook(io.BytesIO(export_declaration(declaration)))
    wb.worksheets[0].cell(row=header + 1, column=7).value = "越高越好"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SheetError, match=f"第 {header + 1} 行：指标性质“越高越好”应为正向、反向或定性"):
        read_declaration(io.BytesIO(out.getvalue()))


def test_rows_of_long_text_are_tall_enough_to_print_every_line():
    """Excel and LibreOffice do not fit a row of merged cells to its text: the export gives such rows their height."""
    from projects.services.xlsx import LINE_POINTS, text_lines

    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    ws = load_workbook(io.BytesIO(export_declaration(declaration))).worksheets[0]
    width = sum(ws.column_dimensions[c].width for c in "BCDEFGHIJKL")  # the merged value cell of a 项目… row
    checked = 0
    for row in ws.iter_rows():
        label, value = row[0].value, row[1].value
        if label in {"项目立项依据", "项目申请理由", "项目主要内容", "项目实施方案"} and value:
            lines = max(text_lines(value, width), text_lines(label, ws.column_dimensions["A"].width))
            height = ws.row_dimensions[row[0].row].height
            assert lines == 1 and height is None or height == lines * LINE_POINTS, (label, lines, height)
            checked += lines > 1
        if label == "项目名称":
            assert ws.row_dimensions[row[0].row].height is None  # one line: the spreadsheet's own height
    assert checked >= 1
    assert text_lines("一二三四五六七八九十", 12) == 2  # 21 units in 11: a Chinese character takes two
    assert text_lines("甲\n乙\n丙", 40) == 3
    assert text_lines("x" * 10, 12) == 1
    assert text_lines("“①②”——××", 12) == 2  # wide in a Chinese font
