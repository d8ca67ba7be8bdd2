"""The Excel template of a self-evaluation's printed figures (issue 13 point 6): download, fill as the paper form
prints them, import — all or nothing, through ``printed.evaluation_enter_printed`` like the page and the API.

Each figure is one line: 类别, 名称, 项目, 表中数, and a 编号 that says which part and field it is. Text the sheet
would run as a formula is written with an apostrophe (``projects.formulas``); a formula in an uploaded cell is
never evaluated: it is refused with the cell's place.
"""

import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from indicators.services.checking import num
from projects.formulas import safe_cell, unsafe_cell

from ..models import SelfEvaluation
from .printed import HEADER, PrintedFigures

TEMPLATE = "selfeval-printed-1"
META = "模板信息"
COLUMNS = ["编号", "类别", "名称", "项目", "原表数"]
PART_LABELS = {
    ("funding", "rate_printed"): "执行率",
    ("funding", "score_printed"): "得分",
    ("sections", "printed_score"): "得分",
    ("rows", "score_printed"): "自评分",
}
KINDS = {"funding": "资金", "sections": "分项", "rows": "指标"}


class PrintedSheetError(ValueError):
    """The workbook cannot be read as this template; ``problems`` lists each place."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def printed_lines(evaluation: SelfEvaluation):
    """(编号, 类别, 名称, 项目, 表中数) of each printed figure of the form, in the order the form prints them."""
    for name, label in HEADER.items():
        value = getattr(evaluation, name)
        yield name, "表头", "", label, num(value) if name in {"printed_total", "printed_budget_score"} else value
    for f in evaluation.funding_rows.all():
        yield f"funding:{f.pk}:rate_printed", KINDS["funding"], f.name, "执行率", f.rate_printed
        yield f"funding:{f.pk}:score_printed", KINDS["funding"], f.name, "得分", num(f.score_printed)
    for s in evaluation.sections.all():
        yield (
            f"sections:{s.pk}:printed_score",
            KINDS["sections"],
            s.name,
            f"得分（分值 {num(s.points)}）",
            num(s.printed_score),
        )
    for r in evaluation.rows.all():
        yield f"rows:{r.pk}:score_printed", KINDS["rows"], f"第 {r.seq} 行 {r.name}", "自评分", num(r.score_printed)


def printed_template(evaluation: SelfEvaluation) -> bytes:
    """The template of one form loaded by ``evaluation_with_rows``, holding its printed figures as they are."""
    wb = Workbook()
    ws = wb.active
    ws.title = "自评表原表数"
    ws.append([safe_cell(f"{evaluation} · 原表数（按纸质或 Excel 自评表填写，不要改动编号列）")])
    ws.append(COLUMNS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for line in printed_lines(evaluation):
        ws.append([safe_cell("" if value is None else value) for value in line])
    for column, width in zip("ABCDE", (26, 8, 40, 20, 14), strict=True):
        ws.column_dimensions[column].width = width
    meta = wb.create_sheet(META)
    meta.append(["template", TEMPLATE])
    meta.append(["evaluation", evaluation.pk])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(value, where: str, problems: list):
    if isinstance(value, str) and value.startswith("="):
        problems.append(f"{where}：单元格是公式，不能导入，请直接填写数值。")
        return None
    value = unsafe_cell(value)
    return "" if value is None else str(value).strip()


def read_printed(stream, evaluation: SelfEvaluation) -> PrintedFigures:
    """The figures of a filled template of ``evaluation``; every problem collected before anything is refused."""
    try:
        wb = load_workbook(stream, data_only=False)  # formulas are read as text, never evaluated
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds; the user needs one message
        raise PrintedSheetError(["无法读取该 Excel 文件。"]) from None
    if META not in wb.sheetnames:
        raise PrintedSheetError(["这不是由本系统导出的自评表原表数模板（缺少模板标记），请先下载模板再填写。"])
    meta = {str(r[0].value): r[1].value for r in wb[META].iter_rows(min_row=1, max_row=10) if r[0].value}
    if meta.get("template") != TEMPLATE:
        raise PrintedSheetError(["模板版本不符，请重新下载模板。"])
    if str(meta.get("evaluation")) != str(evaluation.pk):
        raise PrintedSheetError(["这份模板属于另一张自评表，请下载本表的模板。"])
    problems: list[str] = []
    figures = PrintedFigures()
    for number, row in enumerate(wb.worksheets[0].iter_rows(min_row=3, values_only=True), start=3):
        if not row or all(v is None for v in row):
            continue
        key = str(unsafe_cell(row[0]) or "").strip()
        value = _cell(row[4] if len(row) > 4 else None, f"第 {number} 行", problems)
        if key in HEADER:
            figures.header[key] = value
            continue
        prefix, _, rest = key.partition(":")
        pk, _, name = rest.partition(":")
        if (prefix, name) not in PART_LABELS or not pk.isdigit():
            problems.append(f"第 {number} 行：编号“{key}”无法识别，请不要改动编号列。")
            continue
        getattr(figures, prefix).setdefault(int(pk), {})[name] = value
    if problems:
        raise PrintedSheetError(problems)
    return figures
