"""A project declaration as an .xlsx laid out like the paper form, and the same template read back.

The visible sheet is what people fill and print; a hidden sheet ``_perfbudget`` names the template,
the project and the year, so that a foreign workbook is refused instead of misread.
"""

import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from indicators.services.layout import span_rows
from indicators.services.text import join_sentences
from indicators.services.values import NATURE_LABELS, SYMBOLS, parse_comparator, parse_nature
from projects.formulas import safe_cell, unsafe_cell
from projects.limits import row_cap_problem
from projects.models import ProjectDeclaration
from projects.money import MoneyError, from_yuan, parse_amount, to_yuan

TEMPLATE = "perfbudget-项目绩效目标申报表-v1"
META = "_perfbudget"
# The indicator table's columns (header → field); the import reads them by header, so a template exported before
# 指标性质/比较符/计量单位 were columns (nine columns) still reads.
INDICATOR_COLUMNS = (
    ("目标名称", "goal"), ("一级指标", "level1"), ("二级指标", "level2"), ("指标内容", "name"),
    ("指标值（前年）", "prev2"), ("指标值（上年）", "prev1"), ("指标性质", "nature"), ("比较符", "comparator"),
    ("指标值", "target"), ("计量单位", "unit"), ("绩效标准", "standard"), ("分值", "weight"),
)  # fmt: skip
COLS = len(INDICATOR_COLUMNS)
INDICATOR_TITLES = {key: title for title, key in INDICATOR_COLUMNS}
SHOWN_PROBLEMS = 20  # a message lists the first problems of a file, then how many more
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
RIGHT = Alignment(vertical="center", horizontal="right")
BOLD = Font(bold=True)
INDENT = "　　"  # a 其中 line of 资金来源 is indented with two ideographic spaces
# Excel and LibreOffice fit a row's height to its wrapped text only when none of its cells is merged, so a row of
# long text in merged cells (立项依据, 实施方案, 测算依据…) would print as one clipped line: its height is set here.
LINE_POINTS = 16  # one line of 11 pt text in a CJK font, as both print it
MAX_ROW_POINTS = 409  # Excel's tallest row
DEFAULT_WIDTH = 8.43  # a column without a width of its own, in characters


def text_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` characters wide (a Chinese character takes two and a
    bit; every paragraph starts a line)."""
    room = max(width - 1, 1.0)  # the cell's own margins
    lines = 0
    for paragraph in text.split("\n"):
        # wide, full-width and ambiguous (“ ” — × ①: wide in a Chinese font) characters take two and a bit
        used = sum(2.1 if unicodedata.east_asian_width(ch) in "WFA" else 1.0 for ch in paragraph)
        lines += max(1, math.ceil(used / room))
    return lines


def number_format(value: Decimal) -> str:
    """The cell format that shows ``value`` with the decimals the form prints it with: ``0``, ``0.00``, ``0.0000``."""
    places = max(-value.as_tuple().exponent, 0) if value.is_finite() else 0
    return "0." + "0" * places if places else "0"


def put_number(cell, value: Decimal | int | None) -> None:
    """A figure as a number cell (sums and filters work), right-aligned, with the form's decimals."""
    cell.value = value
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        cell.number_format = number_format(Decimal(value))
    cell.alignment = RIGHT


def print_setup(ws, *, title_rows: str, landscape: bool = False) -> None:
    """A4, fit to the page's width (as many pages down as needed), ``title_rows`` repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


class Sheet:
    def __init__(self, ws):
        self.ws, self.row = ws, 0

    def line(self, cells: list[tuple[int, int, object]], *, header=False, height=None):
        """Write one row: (first column, last column, value) per cell, merged and ruled; a Decimal is a number cell."""
        self.row += 1
        lines = 1
        for first, last, value in cells:
            cell = self.ws.cell(row=self.row, column=first)
            if isinstance(value, Decimal):
                put_number(cell, value)
            else:
                cell.value = safe_cell(value)
                cell.alignment = CENTER if header else WRAP
                if value:
                    lines = max(lines, text_lines(str(value), self.width(first, last)))
            if header:
                cell.font = BOLD
            if last > first:
                self.ws.merge_cells(start_row=self.row, start_column=first, end_row=self.row, end_column=last)
            for col in range(first, last + 1):
                self.ws.cell(row=self.row, column=col).border = BORDER
        if height or lines > 1:
            self.ws.row_dimensions[self.row].height = height or min(lines * LINE_POINTS, MAX_ROW_POINTS)
        return self.row

    def width(self, first: int, last: int) -> float:
        """The printed width of columns ``first`` to ``last`` (a merged cell), in characters."""
        dimensions = self.ws.column_dimensions  # read without making a dimension (openpyxl's default is 13 wide)
        letters = (get_column_letter(c) for c in range(first, last + 1))
        return sum(dimensions[x].width if x in dimensions else DEFAULT_WIDTH for x in letters)

    def label(self, first: int) -> None:
        """The section label in column A spans its section's rows (from ``first`` to the last written), as on paper."""
        if self.row > first:
            self.ws.merge_cells(start_row=first, start_column=1, end_row=self.row, end_column=1)
            self.ws.cell(row=first, column=1).alignment = CENTER

    def pair(self, label, value, label2=None, value2=None):
        if label2 is None:
            return self.line([(1, 1, label), (2, COLS, value)])
        return self.line([(1, 1, label), (2, 4, value), (5, 5, label2), (6, COLS, value2)])


def _weight(weight: Decimal | None) -> Decimal | str:
    """A 分值 as a number with the decimals it has (``5``, ``2.5``); blank when there is none."""
    if weight is None:
        return ""
    normalized = weight.normalize()
    return normalized.quantize(Decimal(1)) if normalized == normalized.to_integral() else normalized


def _parts(d, relation: str) -> list:
    """A declaration's rows of one table; a blank template (an unsaved declaration) has none."""
    return list(getattr(d, relation).all()) if d.pk else []


def blank_declaration(project, year: int, unit: str):
    """An unsaved declaration of ``project`` for ``year``, the header filled from the project: what the blank
    template of a project shows. Imported back, it creates that year's declaration."""
    return ProjectDeclaration(project=project, year=year, unit=unit, supervising_unit=project.department.name)


def export_declaration(d) -> bytes:
    """The declaration as .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "项目绩效目标申报表"
    widths = [12, 11, 12, 28, 11, 11, 8, 6, 14, 8, 10, 6]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    s = Sheet(ws)
    s.line([(1, COLS, "项目绩效目标申报表")], header=True, height=28)
    ws.cell(row=1, column=1).font = Font(bold=True, size=16)
    s.line([(1, COLS, f"（{d.year} 年度）")], header=True)
    s.line([(1, 5, f"填报日期：{d.fill_date.isoformat() if d.fill_date else ''}"), (6, COLS, f"单位：{d.unit}")])
    unit, money = d.unit, (lambda value: from_yuan(value, d.unit))
    s.pair("项目名称", d.project.name)
    s.pair("项目主管部门", d.supervising_unit, "项目执行单位", d.executing_unit)
    s.pair("项目负责人", d.leader, "联系电话", d.phone)
    s.pair("单位地址", d.address, "邮政编码", d.postcode)
    s.pair("项目类型", d.project.project_type_printed or d.project.get_project_type_display())
    s.pair("项目立项依据", "\n".join(f"{i}、{b.text}" for i, b in enumerate(_parts(d, "basis_items"), start=1)))
    s.pair("项目申请理由", d.application_reason)
    s.pair("项目主要内容", d.main_content)
    s.pair("项目实施方案", d.implementation_plan)
    total = money(d.total_budget) if d.total_budget is not None else d.total_budget_printed
    s.pair("项目总预算", total, "项目当年预算", money(d.annual_budget))
    s.pair("前两年预算及当年预算变动情况", d.prior_budget_note)
    first = s.line([(1, 1, "项目资金来源"), (2, 6, "资金来源"), (7, COLS, f"金额（{unit}）")], header=True)
    s.line([(1, 1, ""), (2, 6, "合计"), (7, COLS, money(d.funding_total))])
    for f in _parts(d, "funding_sources"):
        s.line([(1, 1, ""), (2, 6, INDENT * f.level + f.name), (7, COLS, money(f.amount))])
    s.label(first)
    first = s.line(
        [
            (1, 1, "项目支出明细"),
            (2, 3, "支出项目"),
            (4, 4, "经济科目"),
            (5, 5, f"金额（{unit}）"),
            (6, COLS, "测算依据及说明"),
        ],
        header=True,
    )
    s.line([(1, 1, ""), (2, 3, "合计"), (4, 4, ""), (5, 5, money(d.expense_total)), (6, COLS, "")])
    for e in _parts(d, "expense_items"):
        s.line([(1, 1, ""), (2, 3, e.name), (4, 4, e.economic_subject), (5, 5, money(e.amount)), (6, COLS, e.basis)])
    s.label(first)
    s.pair("测算依据及说明", d.estimation_basis)
    first = s.line(
        [(1, 1, "项目采购"), (2, 5, "采购品名"), (6, 6, "采购数量"), (7, COLS, f"金额（{unit}）")], header=True
    )
    for p in _parts(d, "procurement_items"):
        s.line([(1, 1, ""), (2, 5, p.name), (6, 6, p.quantity), (7, COLS, money(p.amount))])
    s.label(first)
    overall = [g for g in _parts(d, "goals") if g.kind == "overall"]
    s.pair("项目绩效总目标", "\n".join(f"{i}、{g.text}" for i, g in enumerate(overall, start=1)))
    s.line([(1, COLS, "项目年度绩效指标")], header=True)
    first_row = s.line([(i, i, h) for i, (h, _key) in enumerate(INDICATOR_COLUMNS, start=1)], header=True)
    rows = span_rows(list(_parts(d, "indicators")), printed_only=True)
    for spanned in rows:
        r = spanned.row
        values = {
            **{key: getattr(r, key) for _h, key in INDICATOR_COLUMNS if key not in {"goal", "level1", "level2"}},
            "goal": r.goal.text if r.goal_id else "", "level1": spanned.level1, "level2": spanned.level2,
            "nature": NATURE_LABELS.get(r.nature, ""), "comparator": SYMBOLS.get(r.comparator, ""),
            "weight": _weight(r.weight),
        }  # fmt: skip
        s.line([(i, i, values[key]) for i, (_h, key) in enumerate(INDICATOR_COLUMNS, start=1)])
    # 一级/二级 cells span their rows as on paper.
    for offset, spanned in enumerate(rows, start=first_row + 1):
        for column, span in ((2, spanned.level1_span), (3, spanned.level2_span)):
            if span > 1:
                ws.merge_cells(start_row=offset, start_column=column, end_row=offset + span - 1, end_column=column)
    meta = wb.create_sheet(META)
    meta.append(["template", TEMPLATE])
    meta.append(["project", safe_cell(d.project.key)])
    meta.append(["year", d.year])
    # The version the template was exported at: an import of an older copy is refused (projects/services/writing.py).
    meta.append(["version", d.updated_at.isoformat() if d.updated_at else ""])
    meta.sheet_state = "hidden"
    print_setup(ws, title_rows="1:3")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class SheetError(ValueError):
    """The workbook cannot be read as this template; ``problems`` lists each place."""

    def __init__(self, problems: list[str]):
        shown = problems[:SHOWN_PROBLEMS]
        more = [f"另有 {len(problems) - len(shown)} 处问题未列出"] if len(problems) > len(shown) else []
        super().__init__(join_sentences(shown + more))
        self.problems = problems


@dataclass
class ImportedDeclaration:
    project_key: str
    year: int
    unit: str
    header: dict = field(default_factory=dict)
    basis: list[str] = field(default_factory=list)
    funding: list[dict] = field(default_factory=list)
    expenses: list[dict] = field(default_factory=list)
    procurement: list[dict] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    prior_years: list[dict] | None = None  # only the page carries the 历年预算 table; None leaves it as it is
    version: str | None = None  # the declaration's updated_at the copy was read at (the template's, if any)

    def row_count(self) -> int:
        """The rows of all its tables, as the row cap counts them (``projects.limits``)."""
        tables = (self.basis, self.funding, self.expenses, self.procurement, self.goals, self.indicators)
        return sum(len(rows) for rows in tables) + len(self.prior_years or ())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # a number cell: its shortest exact text (1234.5, not 1234.4999999)
        return format(Decimal(repr(value)), "f")
    text = str(value)
    return text[1:] if text.startswith("'") else text


def _numbered(text: str) -> list[str]:
    return [re.sub(r"^\d+、", "", line).strip() for line in text.splitlines() if line.strip()]


def read_declaration(stream) -> ImportedDeclaration:
    """Read the template back into plain data; every problem is collected before anything is refused."""
    try:
        wb = load_workbook(stream, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds; the user needs one message
        raise SheetError(["无法读取该 Excel 文件。"]) from None
    if META not in wb.sheetnames:
        raise SheetError(["这不是由本系统导出的项目绩效目标申报表模板（缺少模板标记），请先导出模板再填写。"])
    meta = {str(r[0].value): r[1].value for r in wb[META].iter_rows(min_row=1, max_row=10) if r[0].value}
    if meta.get("template") != TEMPLATE:
        raise SheetError(["模板版本不符，请重新导出模板。"])
    ws = wb.worksheets[0]
    problems: list[str] = []
    unit_cell = _text(ws.cell(row=3, column=6).value)
    unit = unit_cell.replace("单位：", "").strip()
    if unit not in {"万元", "元"}:
        problems.append(f"第 3 行：金额单位“{unit_cell}”应为“单位：万元”或“单位：元”。")
        unit = "万元"
    try:
        year = int(meta.get("year"))
    except (TypeError, ValueError):
        raise SheetError(["模板中的年度无效。"]) from None
    version = str(meta.get("version") or "").strip() or None
    data = ImportedDeclaration(
        project_key=str(unsafe_cell(meta.get("project")) or ""), year=year, unit=unit, version=version
    )

    def amount(value, where):
        text = _text(value).strip()
        try:
            number = parse_amount(text)
            return to_yuan(number, unit) if number is not None else None
        except MoneyError as exc:
            problems.append(f"{where}：{exc}")
            return None

    fill = _text(ws.cell(row=3, column=1).value).replace("填报日期：", "").strip()
    data.header["fill_date"] = fill or None
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    labels = {
        "项目主管部门": ("supervising_unit", "executing_unit"), "项目负责人": ("leader", "phone"),
        "单位地址": ("address", "postcode"),
    }  # fmt: skip
    single = {
        "项目申请理由": "application_reason", "项目主要内容": "main_content", "项目实施方案": "implementation_plan",
        "前两年预算及当年预算变动情况": "prior_budget_note", "测算依据及说明": "estimation_basis",
    }  # fmt: skip
    section = None
    header: dict[str, int] = {}
    # Cells covered by a merged 一级/二级 cell repeat the value above; a cell left blank stays blank.
    covered = {
        (r, c)
        for merged in ws.merged_cells.ranges
        for r in range(merged.min_row, merged.max_row + 1)
        for c in range(merged.min_col, merged.max_col + 1)
        if (r, c) != (merged.min_row, merged.min_col)
    }
    for number, row in enumerate(rows, start=4):
        cells = [_text(v) for v in row] + [""] * COLS
        label = cells[0].strip()
        where = f"第 {number} 行"
        if label in labels:
            data.header[labels[label][0]], data.header[labels[label][1]] = cells[1].strip(), cells[5].strip()
            section = None
        elif label in single:
            data.header[single[label]] = cells[1].strip()
            section = None
        elif label == "项目立项依据":
            data.basis, section = _numbered(cells[1]), None
        elif label == "项目绩效总目标":
            data.goals, section = _numbered(cells[1]), None
        elif label == "项目总预算":
            data.header["total_budget"] = amount(row[1], f"{where} 项目总预算")
            data.header["annual_budget"] = amount(row[5], f"{where} 项目当年预算")
            section = None
        elif label in {"项目资金来源", "项目支出明细", "项目采购"}:
            section = label
        elif label == "项目年度绩效指标" or (label == "目标名称" and cells[1] == "一级指标"):
            section = "indicators" if label == "目标名称" else "indicators-title"
            if section == "indicators":
                header = {h.strip(): i for i, h in enumerate(cells) if h.strip()}
        elif label in {"项目名称", "项目类型"}:
            section = None
        elif section == "项目资金来源":
            name = cells[1]
            if name.strip() == "合计":
                data.header["funding_total"] = amount(row[6], f"{where} 资金来源合计")
            elif name.strip():
                level = (len(name) - len(name.lstrip("　"))) // len(INDENT)
                data.funding.append({"name": name.strip(), "level": min(level, 1), "amount": amount(row[6], where)})
        elif section == "项目支出明细":
            if cells[1].strip() == "合计":
                data.header["expense_total"] = amount(row[4], f"{where} 支出明细合计")
            elif cells[1].strip():
                data.expenses.append({
                    "name": cells[1].strip(), "economic_subject": cells[3].strip(), "amount": amount(row[4], where),
                    "basis": cells[5].strip(),
                })  # fmt: skip
        elif section == "项目采购" and cells[1].strip():
            data.procurement.append(
                {"name": cells[1].strip(), "quantity": cells[5].strip(), "amount": amount(row[6], where)}
            )
        elif section == "indicators" and any(c.strip() for c in cells[:COLS]):
            data.indicators.append(_indicator_row(cells, header, number, covered, data.indicators, problems))
    if problem := row_cap_problem(data.row_count(), "模板中的申报表"):
        problems.insert(0, problem)
    if problems:
        raise SheetError(problems)
    return data


def _indicator_row(cells: list[str], header: dict, number: int, covered: set, previous: list, problems: list) -> dict:
    """One row of the indicator table, its cells found by the table's header; a cell covered by a merged 一级/二级
    cell repeats the row above, a cell left blank stays blank."""
    where = f"第 {number} 行"
    values = {}
    for title, key in INDICATOR_COLUMNS:
        column = header.get(title)
        if column is not None and key in {"level1", "level2"} and (number, column + 1) in covered and previous:
            values[key] = previous[-1][key]
        else:
            values[key] = cells[column].strip() if column is not None else ""
    if not values["name"]:
        problems.append(f"{where}：三级指标（指标内容）不能为空。")
    weight, values["weight"] = values["weight"], None
    if weight:
        try:
            values["weight"] = Decimal(weight)
        except ArithmeticError:
            problems.append(f"{where}：分值“{weight}”不是数字。")
    for key, read, allowed in (
        ("nature", parse_nature, "正向、反向或定性"), ("comparator", parse_comparator, "≥、>、=、<、≤"),
    ):  # fmt: skip
        printed, values[key] = values[key], read(values[key]) if values[key] else ""
        if printed and not values[key] and printed != "定量":  # 定量 says no more than a number does
            problems.append(f"{where}：{INDICATOR_TITLES[key]}“{printed}”应为{allowed}。")
    return values
