"""The 项目支出绩效目标执行监控表 as an .xlsx laid out like the paper form, and the same template read back.

The visible sheet is what finance staff fill offline: the budget block (amounts as number cells in the form's unit)
and the indicator rows (偏差原因 as ☑/☐ cells, 完成目标可能性 from a list). A hidden sheet names the template, the
form and the version it was exported at, so that a foreign workbook or a stale copy is refused instead of misread.
Reading collects every problem with its row and column before anything is refused; the import writes through
``monitoring_save``, the page's own service, all or nothing.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..choices import Likelihood
from ..formulas import unsafe_cell
from ..limits import row_cap_problem
from ..models import MonitoringForm
from ..money import MoneyError, from_yuan, to_yuan
from .monitoring import MonitoringError, StaleMonitoring, monitoring_save
from .monitoring_figures import budget_totals
from .monitoring_lights import parse_plan
from .xlsx import META, Sheet, SheetError, _text, print_setup

TEMPLATE = "perfbudget-项目支出绩效目标执行监控表-v1"
TICKED, UNTICKED = "☑", "☐"
TICK_WORDS = {TICKED: True, "√": True, "✓": True, "✔": True, "是": True, "1": True, "x": True, "X": True,
              UNTICKED: False, "": False, "否": False, "0": False}  # fmt: skip
LIKELIHOODS = {label: value for value, label in Likelihood.choices}
AMOUNTS = ("initial_budget", "annual_budget", "executed", "forecast")
# The indicator table: header, MonitoringRow field, whether the template's user fills it.
ROW_COLUMNS = (
    ("序号", "seq", False), ("一级指标", "level1", False), ("二级指标", "level2", False), ("三级指标", "name", False),
    ("年度指标值", "target", False), ("1–X月执行情况", "value_to_date", True), ("全年预计完成情况", "forecast", True),
    ("经费保障", "cause_funding", True), ("制度保障", "cause_rules", True), ("人员保障", "cause_staff", True),
    ("硬件条件保障", "cause_facilities", True), ("其他", "cause_other", True), ("完成目标可能性", "likelihood", True),
    ("原因说明", "reason", True), ("相关建议", "suggestion", True), ("备注", "remark", True),
    ("完成计划（%）", "plan", True),
)  # fmt: skip
COLS = len(ROW_COLUMNS)
CAUSES = {key for _h, key, _f in ROW_COLUMNS if key.startswith("cause_")}
BUDGET_HEADER = "资金来源"
BUDGET_COLUMNS = (4, 6, 8, 12)  # where AMOUNTS stand in a budget row (0-based; the rate is column 10, computed)
ROWS_HEADER = "序号"


def _money(value, unit):
    return from_yuan(value, unit) if value is not None else ""


def export_monitoring(form: MonitoringForm) -> bytes:
    """The monitoring form (loaded by ``selectors.monitoring_page``) as .xlsx bytes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标执行监控表"
    for i, width in enumerate([6, 9, 10, 22, 12, 12, 12, 7, 7, 7, 9, 7, 11, 20, 20, 10, 14], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    s, unit, months = Sheet(ws), form.unit, f"1–{form.end_month}月"
    s.line([(1, COLS, "项目支出绩效目标执行监控表")], header=True, height=28)
    s.line([(1, COLS, f"（{form.year} 年度 {form.period}）")], header=True)
    department = form.declaration.project.department
    s.line([(1, 8, f"填报单位：{department.name}"), (9, COLS, f"单位：{unit}")])
    s.line([(1, 3, "项目名称"), (4, COLS, form.declaration.project.name)])
    s.line([(1, 3, "主管部门"), (4, 8, form.declaration.supervising_unit), (9, 11, "实施单位"),
            (12, COLS, form.declaration.executing_unit)])  # fmt: skip
    s.line([(1, 3, "资金支出计划（%）"), (4, COLS, form.spending_plan)])
    heads = [BUDGET_HEADER, "年初预算数", "全年预算数", f"{months}执行数", "执行率", "全年预计执行数"]
    spans = [(1, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, COLS)]
    s.line([(a, b, h) for (a, b), h in zip(spans, heads, strict=True)], header=True)
    totals = budget_totals(form)
    for line in [*form.budget_lines.all(), None]:
        values = totals if line is None else {n: getattr(line, n) for n in AMOUNTS}
        name = "合计" if line is None else "　　" * line.level + line.name
        rate = (
            values["executed"] / values["annual_budget"]
            if values["executed"] is not None and values["annual_budget"]
            else None
        )
        cells = [_money(values[n], unit) for n in AMOUNTS]
        row = [
            name,
            cells[0],
            cells[1],
            cells[2],
            rate.quantize(Decimal("0.0001")) if rate is not None else "",
            cells[3],
        ]
        s.line([(a, b, v) for (a, b), v in zip(spans, row, strict=True)])
        if rate is not None:
            ws.cell(row=s.row, column=11).number_format = "0.0%"
    first = s.line(
        [(i, i, h.replace("1–X月", months)) for i, (h, _k, _f) in enumerate(ROW_COLUMNS, start=1)], header=True
    )
    for row in form.rows.all():
        values = {key: getattr(row, key) for _h, key, _f in ROW_COLUMNS}
        values |= {key: TICKED if values[key] else UNTICKED for key in CAUSES}
        values["likelihood"] = row.get_likelihood_display() if row.likelihood else ""
        values["seq"] = Decimal(row.seq)
        s.line([(i, i, values[key]) for i, (_h, key, _f) in enumerate(ROW_COLUMNS, start=1)])
    if s.row > first:
        ticks = DataValidation(type="list", formula1=f'"{TICKED},{UNTICKED}"', allow_blank=True)
        likely = DataValidation(type="list", formula1=f'"{",".join(LIKELIHOODS)}"', allow_blank=True)
        ws.add_data_validation(ticks)
        ws.add_data_validation(likely)
        ticks.add(f"H{first + 1}:L{s.row}")
        likely.add(f"M{first + 1}:M{s.row}")
    meta = wb.create_sheet(META)
    meta.append(["template", TEMPLATE])
    meta.append(["form", form.pk])
    meta.append(["version", form.version])
    meta.sheet_state = "hidden"
    print_setup(ws, title_rows="1:3", landscape=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class ImportedMonitoring:
    """A filled template as plain data: the form and version it was exported at, the plan, the budget lines' amounts
    in 元 and the rows' filled cells (both in the form's order, each with its sheet row for messages)."""

    form_id: int
    version: int
    spending_plan: str = ""
    budget: list[tuple[int, str, dict]] = field(default_factory=list)
    rows: list[tuple[int, str, dict]] = field(default_factory=list)


def _meta(wb) -> dict:
    if META not in wb.sheetnames:
        raise SheetError(
            ["这不是由本系统导出的绩效目标执行监控表模板（缺少模板标记），请先在监控表页面导出模板再填写。"]
        )
    meta = {str(r[0].value): r[1].value for r in wb[META].iter_rows(min_row=1, max_row=10) if r[0].value}
    if meta.get("template") != TEMPLATE:
        raise SheetError(["模板不是绩效目标执行监控表或版本不符，请在监控表页面重新导出模板。"])
    try:
        return {"form": int(meta.get("form")), "version": int(meta.get("version"))}
    except (TypeError, ValueError):
        raise SheetError(["模板中没有监控表的编号或版本，无法判断是否会覆盖他人的修改；请重新导出模板。"]) from None


def read_monitoring(stream, unit: str) -> ImportedMonitoring:
    """Read the template back (amounts in ``unit``, the form's); every problem is collected before refusing."""
    try:
        wb = load_workbook(stream, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds; the user needs one message
        raise SheetError(["无法读取该 Excel 文件。"]) from None
    meta = _meta(wb)
    data = ImportedMonitoring(form_id=meta["form"], version=meta["version"])
    problems: list[str] = []
    section = None
    for number, row in enumerate(wb.worksheets[0].iter_rows(min_row=4, values_only=True), start=4):
        cells = [_text(v).strip() for v in row] + [""] * COLS
        if cells[0] == "资金支出计划（%）":
            data.spending_plan = cells[3]
        elif cells[0] == BUDGET_HEADER:
            section = "budget"
        elif cells[0] == ROWS_HEADER:
            section = "rows"
        elif section == "budget" and cells[0] and cells[0] != "合计":
            amounts = {}
            for key, column, title in zip(
                AMOUNTS, BUDGET_COLUMNS, ("年初预算数", "全年预算数", "执行数", "全年预计执行数"), strict=True
            ):
                try:
                    amounts[key] = to_yuan(cells[column], unit)
                except MoneyError as exc:
                    problems.append(f"第 {number} 行 {title}：{exc}")
            data.budget.append((number, cells[0], amounts))
        elif section == "rows" and any(cells[:COLS]):
            data.rows.append((number, cells[3], _row_cells(cells, number, problems)))
    if problem := row_cap_problem(len(data.budget) + len(data.rows), "模板中的监控表"):
        problems.insert(0, problem)
    if problems:
        raise SheetError(problems)
    return data


def _row_cells(cells: list[str], number: int, problems: list[str]) -> dict:
    values = {}
    for column, (title, key, filled) in enumerate(ROW_COLUMNS):
        if not filled:
            continue
        text = str(unsafe_cell(cells[column]) or "")
        where = f"第 {number} 行 {title}"
        if key in CAUSES:
            if text not in TICK_WORDS:
                problems.append(f"{where}：“{text}”应为 ☑（勾选）或 ☐（不勾选）。")
            values[key] = TICK_WORDS.get(text, False)
        elif key == "likelihood":
            if text and text not in LIKELIHOODS:
                problems.append(f"{where}：“{text}”应为{'、'.join(LIKELIHOODS)}之一，或留空。")
            values[key] = LIKELIHOODS.get(text, "")
        elif key == "plan":
            try:
                parse_plan(text)
            except ValueError as exc:
                problems.append(f"{where}：{exc}")
            values[key] = text
        else:
            values[key] = text
    return values


def monitoring_import(*, form: MonitoringForm, data: ImportedMonitoring, user) -> None:
    """Write a read template into ``form`` through the page's service: the same rights, the same stale-version
    refusal, the same checks; the template must be this form's and match its lines and rows one to one."""
    if data.form_id != form.pk:
        raise MonitoringError("这个模板属于另一张监控表，请在本监控表页面导出模板后填写。")
    lines, rows = list(form.budget_lines.all()), list(form.rows.all())
    problems = []
    if [name.replace("　", "") for _n, name, _v in data.budget] != [line.name for line in lines]:
        problems.append("模板中资金来源的行与监控表不一致（不能增删或改名），请重新导出模板。")
    if [name for _n, name, _v in data.rows] != [row.name for row in rows]:
        problems.append("模板中绩效指标的行与监控表不一致（不能增删、调换或改名），请重新导出模板。")
    if problems:
        raise SheetError(problems)
    for (number, _name, values), item in [*zip(data.budget, lines, strict=True), *zip(data.rows, rows, strict=True)]:
        for key, value in values.items():
            setattr(item, key, value)
        try:
            item.full_clean()
        except ValidationError as exc:
            problems += [f"第 {number} 行“{item}”：{message}" for message in exc.messages]
    if problems:
        raise SheetError(problems)
    try:
        parse_plan(data.spending_plan)
    except ValueError as exc:
        raise SheetError([f"资金支出计划：{exc}"]) from None
    try:
        monitoring_save(
            form=form,
            user=user,
            version=data.version,
            spending_plan=data.spending_plan,
            budget_lines=lines,
            rows=rows,
            channel="由 Excel 导入",
        )
    except StaleMonitoring as exc:
        when = timezone.localtime(exc.current.updated_at)
        raise MonitoringError(
            f"这张监控表在模板导出之后（{when:%Y-%m-%d %H:%M}）又被修改过，导入会覆盖那次修改，本次没有写入；"
            "请重新导出模板，再把你的数字填入。"
        ) from None
