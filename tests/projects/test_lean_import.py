"""The indicator import's own loop (issue 17) gives what import-export's loop gives: each row's outcome, every
message with its row, nothing written when a row is refused, and the same rows and history when none is."""

import datetime
import io
from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from import_export.formats.base_formats import XLSX
from openpyxl import Workbook

from projects.bulkwrite import COPY_MIN
from projects.choices import Role
from projects.limits import declaration_row_count
from projects.models import Indicator, ProjectDeclaration
from projects.resources import IndicatorResource, SheetXLSX
from tests.builders import make_declaration, make_project, make_user
from tests.conftest import set_status

pytestmark = pytest.mark.django_db

HEADERS = ["项目编码", "年度", "序号", "一级指标", "二级指标", "三级指标", "指标性质", "比较符", "指标值", "计量单位",
           "绩效标准", "分值"]  # fmt: skip


def row(d, seq, name="培训人次", **cells):
    values = {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": name, "指标性质": "", "比较符": "",
              "指标值": "≥100", "计量单位": " 人次 ", "绩效标准": None, "分值": 1}  # fmt: skip
    values.update(cells)
    key, year = (d.project.key, d.year) if isinstance(d, ProjectDeclaration) else d
    return [key, year, seq, *(values[h] for h in HEADERS[3:])]


def outcome(result) -> dict:
    """What a result says, in comparable form."""
    return {
        "types": [r.import_type for r in result.rows],
        "totals": dict(result.totals),
        "invalid": [(r.number, r.error_dict, r.values) for r in result.invalid_rows],
        "errors": [(r.number, [str(e.error) for e in r.errors]) for r in result.error_rows],
        "base": [str(e.error) for e in result.base_errors],
        "reprs": [r.object_repr for r in result.rows],
    }


def both(user, rows) -> tuple[dict, dict]:
    """The import through import-export's loop, then through the resource's own (each rolled back if refused)."""
    theirs = IndicatorResource(user=user, lean=False).import_data(tablib.Dataset(*rows, headers=HEADERS))
    ours = IndicatorResource(user=user).import_data(tablib.Dataset(*rows, headers=HEADERS))
    return outcome(theirs), outcome(ours)


@pytest.fixture
def drafts():
    department_project = make_project()
    declarations = [make_declaration(department_project), make_declaration(make_project(department_project.department))]
    return declarations


def test_every_kind_of_refused_row_gives_the_same_messages_and_nothing_is_written(drafts):
    admin = make_user(role=Role.ADMIN)
    signed = make_declaration(make_project())
    set_status(signed, "approved")
    a, b = drafts
    rows = [
        row(a, 50),
        row(a, 1, name="改过的指标"),  # a stored row: updated
        row(("no-such-project", a.year), 51),
        row(signed, 52),
        row((a.project.key, "二〇三〇"), 53),
        row((a.project.key, 1800), 54),
        row(a, "五十五"),
        row(a, "55.5"),
        row(a, 56, 分值="很多"),
        row(a, 57, 指标性质="中性"),
        row(a, 58, 比较符="约"),
        row(a, 59, name=""),
        row(a, 60, name="长" * 301),
        row(a, 61, 分值=Decimal("1.005")),
        row(a, 62, 分值=12345),
        row(a, 50),  # 序号 given twice
        row(b, 63, 一级指标="效益指标", 二级指标="数量指标"),  # a 二级 of another 一级
        row(b, 64, 指标性质="反向", 比较符="不高于", 分值=2.5),
        row(b, 65, 分值=None, 指标值=None),
    ]
    before = Indicator.objects.count(), Indicator.history.count()
    theirs, ours = both(admin, rows)
    assert ours == theirs
    assert len(ours["invalid"]) + len(ours["errors"]) >= 13
    assert "ConversionSyntax" not in repr(ours)  # every message is the office's words
    messages = " ".join(str(m) for _, errors, _ in ours["invalid"] for ms in errors.values() for m in ms)
    messages += " ".join(m for _, errors in ours["errors"] for m in errors)  # a year that is not one: the row's error
    for expected in ("没有找到项目“no-such-project”", "不能导入修改", "不是有效的年份", "分值“很多”不是数字",
                     "无法识别的指标性质“中性”", "无法识别的比较符“约”", "三级指标不能为空", "在文件中出现了两次",
                     "序号“五十五”不是数字", "序号“55.5”应为整数"):  # fmt: skip
        assert expected in messages, expected
    assert (Indicator.objects.count(), Indicator.history.count()) == before


def test_a_clean_file_writes_the_same_rows_and_history_both_ways(drafts):
    admin = make_user(role=Role.ADMIN)
    a, b = drafts
    rows = [row(d, seq, name=f"指标\t{seq}\\“引号”\n", 指标性质="正向" if seq % 2 else "", 比较符="≥",
                分值=Decimal("2.5") if seq % 3 else None) for d in (a, b) for seq in range(100, 100 + COPY_MIN)]  # fmt: skip
    rows.append(row(a, 1, name="改过的指标", 分值=3))

    def written(declarations):
        fields = ["seq", "name", "target", "unit", "standard", "weight", "nature", "comparator", "level1",
                  "level2", "level1_printed", "level2_printed"]  # fmt: skip
        indicators = Indicator.objects.filter(project_declaration__in=declarations).order_by(
            "project_declaration", "seq"
        )
        history = Indicator.history.filter(project_declaration__in=declarations).order_by("project_declaration", "seq",
                                                                                           "history_type")  # fmt: skip
        return (
            [(i.project_declaration.project.key, *(getattr(i, f) for f in fields)) for i in indicators],
            [(h.history_type, h.history_user_id, h.seq, h.name, h.weight) for h in history],
        )

    theirs = IndicatorResource(user=admin, lean=False).import_data(tablib.Dataset(*rows, headers=HEADERS))
    assert not theirs.has_errors() and not theirs.has_validation_errors()
    made_theirs = written([a, b])
    # The same file into two new drafts of the same projects' next year.
    c, d = (make_declaration(x.project, year=x.year + 1) for x in (a, b))
    moved = [[r[0], r[1] + 1, *r[2:]] for r in rows]
    with CaptureQueriesContext(connection) as queries:
        ours = IndicatorResource(user=admin).import_data(tablib.Dataset(*moved, headers=HEADERS))
    assert not ours.has_errors() and not ours.has_validation_errors()
    assert outcome(ours)["types"] == outcome(theirs)["types"] and outcome(ours)["totals"] == outcome(theirs)["totals"]
    assert written([c, d]) == made_theirs
    assert len(queries.captured_queries) < 40, len(queries.captured_queries)  # per declaration and per batch


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite takes at most 999 values a statement: its inserts grow with the rows",
)
def test_the_import_runs_as_many_queries_for_many_rows_as_for_few(drafts):
    admin = make_user(role=Role.ADMIN)
    a, b = drafts
    counts = []
    for first, per_form in ((200, COPY_MIN // 2), (400, 3 * COPY_MIN)):
        rows = [row(d, seq) for d in (a, b) for seq in range(first, first + per_form)]
        with CaptureQueriesContext(connection) as queries:
            result = IndicatorResource(user=admin).import_data(tablib.Dataset(*rows, headers=HEADERS))
        assert not result.has_errors() and not result.has_validation_errors()
        counts.append(len(queries.captured_queries))
    # Per declaration: found, its stored rows, its row count; per batch: the lock check, the keys, (COPY is not
    # logged); then the declarations' last change and the sequence's reset.
    assert counts[0] == counts[1] <= 21, counts


def test_a_declarations_row_count_is_one_query_and_counts_every_table():
    for declaration in ProjectDeclaration.objects.all()[:6]:
        tables = ("basis_items", "prior_years", "funding_sources", "expense_items", "procurement_items", "indicators")
        expected = (
            sum(getattr(declaration, t).count() for t in tables) + declaration.goals.filter(kind="overall").count()
        )
        with CaptureQueriesContext(connection) as queries:
            assert declaration_row_count(declaration) == expected
        assert len(queries.captured_queries) == 1


def test_the_admins_xlsx_reads_the_same_dataset_as_import_exports(settings):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(["p-1", 2030, 1, "产出指标", None, "名称", "", "≥", 0.5, "%", None, Decimal("2.25")])
    sheet.append([None] * len(HEADERS))
    sheet.append(
        ["p-1", "2030", "2", "产出指标", "数量指标", "=1+1", None, None, datetime.datetime(2030, 1, 2), 3, "x", 7]
    )
    sheet.append(["p-2", 2031, 3])
    stream = io.BytesIO()
    book.save(stream)
    content = stream.getvalue()
    for ignore in (False, True):
        settings.IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = ignore
        theirs, ours = XLSX().create_dataset(content), SheetXLSX().create_dataset(content)
        assert ours.headers == theirs.headers and list(ours) == list(theirs)
        assert len(ours) == (3 if ignore else 4)
