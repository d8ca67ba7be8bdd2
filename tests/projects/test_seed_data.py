"""The loaded seed data held against the seed documents: forms, rows and printed figures."""

from decimal import Decimal

import pytest

from projects.models import Department, Project
from selfeval.models import SelfEvaluation

pytestmark = pytest.mark.django_db
D = Decimal


def evaluation(project_name: str, year: int) -> SelfEvaluation:
    return SelfEvaluation.objects.get(project__name=project_name, year=year)


def money(value: Decimal | None, unit: str = "万元") -> Decimal | None:
    """A stored amount (元) in the form's unit."""
    return None if value is None else value / (10000 if unit == "万元" else 1)


# -- 000 洪山 2019: two Hubei self-evaluations ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rows", "budget", "executed", "rate", "budget_score", "subtotal", "total", "items"),
    [
        ("组织日常运转经费", 22, "222.55", "222.43", "99.9%", "19.98", "54", "92.98", 6),
        ("组织工作运行经费", 57, "1292.99", "1272.37", "98.4%", "19.68", "56", "93.68", 10),
    ],
)
def test_000_hongshan(name, rows, budget, executed, rate, budget_score, subtotal, total, items):
    e = evaluation(name, 2019)
    assert e.department.code == "420111-zzb"
    assert (e.layout, e.scheme.code, e.unit) == ("hubei", "hubei_project", "万元")
    assert e.rows.count() == rows
    funds = e.funding_rows.get(is_total=True)
    assert (money(funds.budget), money(funds.executed), funds.rate_printed) == (D(budget), D(executed), rate)
    assert e.printed_budget_rate == rate
    assert e.printed_budget_score == D(budget_score)
    assert e.sections.get(code="indicators").printed_score == D(subtotal)
    assert sum(r.score_printed for r in e.rows.all()) == D(subtotal)
    assert (e.printed_total, e.printed_grade) == (D(total), "优")
    assert e.project.merged_items.count() == items
    assert e.funding_rows.count() == 7


def test_000_second_form_city_subsidy_and_uneven_scores():
    e = evaluation("组织工作运行经费", 2019)
    city = e.funding_rows.get(name="市补助")
    assert (money(city.budget), money(city.executed), city.rate_printed) == (D(662), D(662), "100.0%")
    assert e.rows.get(name="电教片经省委评比获奖").score_printed == D(2)
    assert e.rows.get(name="干部教育培训期数").reason.startswith("下半年因军运会")


def test_000_goal_score_is_derived_not_printed():
    for name, goal in [("组织日常运转经费", "19"), ("组织工作运行经费", "18")]:
        section = evaluation(name, 2019).sections.get(code="goal")
        assert section.printed_score is None
        assert section.score_final == D(goal)


# -- all seeds: every form has its rows and its source ------------------------------------------------


def test_departments_form_a_tree():
    for dept in Department.objects.filter(parent__isnull=False):
        assert dept.root().parent_id is None
        assert dept.code.startswith(dept.root().code)


def test_every_project_belongs_to_a_seeded_department():
    assert not Project.objects.filter(department__isnull=True).exists()
    assert Project.objects.count() >= 2


# -- 001 东西湖 2021: seven project declarations and the department overall declaration ---------------

from projects.models import DepartmentDeclaration, ProjectDeclaration  # noqa: E402


def declaration(name: str, year: int) -> ProjectDeclaration:
    return ProjectDeclaration.objects.get(project__name=name, year=year)


@pytest.mark.parametrize(
    ("name", "rows", "annual", "funding", "expenses", "executing", "project_type", "incomplete"),
    [
        (
            "绩效管理和综合考评工作费用",
            12,
            "20",
            ["20", None],
            ["10", "10"],
            "绩效和综合考评科、信息中心",
            "unknown",
            False,
        ),
        ("办公经费", 10, "45", ["45", None, None], ["10", "10", "12", "10"], "办公室", "unknown", False),
        ("人才专项经费", 8, "1200", ["1200", None, None], ["800", "50", "50", "300"], "人才科", "recurring", False),
        (
            "干部考察、档案、信息系统升级、组织公开选调相关经费",
            8,
            "20",
            ["50", None, None],
            ["15", "10", "15", "10"],
            "干部科",
            "recurring",
            False,
        ),
        (
            "2021 年度干部教育培训",
            6,
            "150",
            ["150", None, None],
            ["150"],
            "干部监督科（干部教育科）",
            "recurring",
            False,
        ),
        ("党建示范点建设经费", 6, "100", ["100", None, None], ["100"], "党建综合服务中心", "recurring", False),
        (
            "红色引擎工作专项经费（包含“七一”活动经费）",
            3,
            "153",
            ["153", None, None],
            ["130", "23"],
            "组织科",
            "unknown",
            True,
        ),
    ],
)
def test_001_dongxihu_declarations(name, rows, annual, funding, expenses, executing, project_type, incomplete):
    d = declaration(name, 2021)
    assert d.project.department.code == "420112-zzb"
    assert (d.unit, d.status, str(d.fill_date)) == ("万元", "approved", "2021-01-28")
    assert d.indicators.count() == rows
    assert money(d.annual_budget) == D(annual)
    assert [money(f.amount) for f in d.funding_sources.all()] == [D(x) if x else None for x in funding]
    assert [money(e.amount) for e in d.expense_items.all()] == [D(x) for x in expenses]
    assert d.executing_unit == executing
    assert d.project.project_type == project_type
    assert d.incomplete is incomplete


def test_001_shifted_cells_of_the_fourth_form_are_kept():
    d = declaration("干部考察、档案、信息系统升级、组织公开选调相关经费", 2021)
    assert d.total_budget_printed == "干部考察、档案、信息系统升级、组织公开选调相关经费"
    assert (money(d.total_budget), money(d.annual_budget), money(d.funding_total)) == (D(50), D(20), D(50))
    assert not d.goals.exists()


def test_001_department_overall_declaration():
    d = DepartmentDeclaration.objects.get(department__code="420112-zzb", year=2021)
    assert (d.filler, d.phone, str(d.fill_date)) == ("彭丽莹", "15527764003", "2021-01-25")
    income = {line.name: line for line in d.fund_lines.filter(section="income")}
    assert money(income["财政拨款"].amount) == D("1636.63")
    assert (money(income["合计"].prev2), money(income["合计"].prev1)) == (D("7534.89"), D("4175.62"))
    spending = {line.name: line for line in d.fund_lines.filter(section="expenditure")}
    assert (money(spending["基本支出"].amount), money(spending["项目支出"].amount)) == (D("728.63"), D("908"))
    goals = {(g.kind, g.seq): g.indicators.count() for g in d.goals.all()}
    assert goals == {
        ("long_term", 1): 6, ("long_term", 2): 2, ("long_term", 3): 0,
        ("annual", 1): 6, ("annual", 2): 7, ("annual", 3): 0,
    }  # fmt: skip
    assert d.incomplete


def test_001_internal_offices_are_children_of_the_department():
    dept = Department.objects.get(code="420112-zzb")
    assert set(dept.children.values_list("name", flat=True)) >= {"人才科", "干部科", "信息中心", "组织科"}


# -- 002 汉阳 2022: final accounts, eight summaries, the department overall self-evaluation ------------

from projects.models import FinalAccount  # noqa: E402


def test_002_final_accounts():
    account = FinalAccount.objects.get(department__code="420105-zzb", year=2022)
    lines = {(line.table, line.code): line for line in account.lines.all()}
    total = lines[("expenditure", "")]
    assert (money(total.total), money(total.basic), money(total.project)) == (D("1405.72"), D("597.55"), D("808.17"))
    assert money(lines[("income", "201")].fiscal) == D("1157.27")
    item = lines[("expenditure", "2013201")]
    assert (item.level, item.parent.code, item.parent.parent.code) == (3, "20132", "201")
    assert money(item.basic) == D("504.10")
    assert account.lines.filter(table="income").count() == 25
    assert account.lines.filter(table="expenditure").count() == 25
    budget = lines[("budget_final", "")]
    assert (money(budget.budget), money(budget.final), budget.rate_printed) == (D("1867.57"), D("1405.72"), "75.27%")
    figures = {f.key: f for f in account.figures.all()}
    assert money(figures["three_public_final"].amount) == D("0.09")
    assert figures["vehicles"].amount == 0 and figures["vehicles"].unit == "辆"


@pytest.mark.parametrize(
    ("name", "budget", "executed", "rate"),
    [
        ("基层党建工作经费", "102.24", "87.66", "86%"),
        ("人才工作经费", "409.04", "95.62", "23%"),
        ("干部教育培训经费", "64", "14.68", "23%"),
        ("干部和绩效管理工作经费", "50", "31.93", "64%"),
        ("运行保障服务及机关自身建设经费", "89.5", "61.83", "69%"),
        ("乡村振兴专项经费", "7", "5.34", "76%"),
        ("行政事业单位缴纳残保金", "3.24", "2.88", "89%"),
        ("“2021 年度武汉英才”入选人才资助资金", "350", "350", "100%"),
    ],
)
def test_002_project_summaries(name, budget, executed, rate):
    e = evaluation(name, 2022)
    assert e.layout == "summary"
    line = e.funding_rows.get()
    assert (money(line.budget), money(line.executed), line.rate_printed) == (D(budget), D(executed), rate)


def test_002_department_overall_self_evaluation():
    e = SelfEvaluation.objects.get(kind="department", department__code="420105-zzb", year=2022)
    assert (e.layout, e.scheme.code, e.printed_total, e.printed_budget_score) == (
        "department", "hubei_department", D("95.02"), D("15.12"),
    )  # fmt: skip
    line = e.funding_rows.get()
    assert (money(line.budget), money(line.executed), line.rate_printed) == (D("1859.82"), D("1405.72"), "76%")
    assert (e.basic_expenditure_total, e.project_expenditure_total) == (D("5975504.21"), D("8081713.27"))
    goals = {g.seq: (g.points, g.rows.count(), sum(r.score_printed for r in g.rows.all())) for g in e.goals.all()}
    assert goals == {1: (16, 11, 16), 2: (16, 7, 14), 3: (16, 2, 4), 4: (16, 6, 16), 5: (16, 4, D("15.9"))}
    assert e.goals.get(seq=3).title == ""
    assert e.incomplete


# -- 003 硚口 2020: one declaration in 元 with all its tables -----------------------------------------


def test_003_qiaokou_declaration():
    d = declaration("组织部工作经费", 2020)
    assert (d.unit, d.project.project_type, d.project.project_type_printed) == ("元", "special", "专项业务项目")
    assert (d.total_budget, d.annual_budget) == (D("21000000.00"), D("7000000.00"))
    assert (d.address, d.postcode, d.leader) == ("沿河大道 518 号", "430030", "陈华勇")
    assert d.basis_items.count() == 21
    expenses = list(d.expense_items.all())
    assert len(expenses) == 9
    assert {e.economic_subject for e in expenses} == {"其他商品和服务支出"}
    assert sum(e.amount for e in expenses) == D("7000000.00") == d.expense_total
    prior = {p.year: p for p in d.prior_years.all()}
    assert (money(prior[2018].budget), money(prior[2018].executed), prior[2018].rate_printed) == (
        D(388), D("377.1"), "97.2%",
    )  # fmt: skip
    assert [(p.name, p.quantity, p.amount) for p in d.procurement_items.all()] == [
        ("审计服务", "一批", D("30000.00")),
        ("印刷和出版服务", "一批", D("990000.00")),
        ("会议和展览服务", "一批", D("450000.00")),
    ]
    assert d.goals.filter(kind="overall").count() == 4
    assert d.indicators.count() == 15
    row = d.indicators.get(name__startswith="深入推进“百万大学生留汉工程”")
    assert (row.prev2, row.prev1, row.target, row.goal.text) == (
        "留下大学生 4.6 万人",
        "留下大学生 4.8 万人",
        "留下大学生 5 万人",
        "招才引智",
    )
    assert d.goals.filter(kind="group").count() == 9


# -- 004 石家庄 2019: fourteen Hebei self-evaluations ----------------------------------------------------


HEBEI = [
    ("干部信息系统建设经费", 5, "100", ["40", "10", "40", "10"]),
    ("党组织活动经费", 6, "100", ["40", "10", "40", "10"]),
    ("人才绿卡服务管理工作经费", 5, "100", ["40", "10", "40", "10"]),
    ("加强和改进领导班子思想政治建设,提升执政能力和领导水平专项经费", 4, "100", ["60", "20", "20"]),
    ("文件资料印刷费(专项公用)", 3, "100", ["100"]),
    ("“三援”干部补助及考察慰问经费", 3, "100", ["30", "30", "40"]),
    ("干部考核经费及省管、市管干部考核奖金", 5, None, ["60", "40"]),
    ("全市重点工作大督查工作经费", 6, "100", ["40", "10", "40", "10"]),
    ("市委组织部精准脱贫驻村干部工作经费", 4, "100", [None, None]),
    ("“两学一做”学习教育专项经费", 4, "100", ["50", "50"]),
    ("大组工网扩容建设经费", 3, "100", ["50", "50"]),
    ("业务培训费", 4, "100", ["50", "50"]),
    ("全市干部教育培训专项经费", 5, "100", ["50", "50"]),
    ("全市党员信息化教育工作经费", 5, "88", ["50", "50"]),
]


@pytest.mark.parametrize(("name", "rows", "total", "points"), HEBEI)
def test_004_shijiazhuang(name, rows, total, points):
    e = evaluation(name, 2019)
    assert (e.department.code, e.layout, e.scheme.code) == ("130100-zzb", "hebei", "hebei_project")
    assert e.rows.count() == rows
    assert e.printed_total == (D(total) if total else None)
    assert [s.points for s in e.sections.all()] == [D(p) if p else None for p in points]
    assert e.filler == "马建尧"


def test_004_has_fourteen_forms_and_keeps_the_printed_fill_unit():
    assert SelfEvaluation.objects.filter(department__code="130100-zzb", year=2019).count() == 14
    assert evaluation("党组织活动经费", 2019).fill_unit == "共青团石家庄市委"
    printing = evaluation("文件资料印刷费(专项公用)", 2019)
    assert printing.printed_budget_rate == "89.02%"
    assert money(printing.funding_rows.get(is_total=True).executed) == D("78.67")


def test_form_counts_per_seed():
    counts = {
        "000": SelfEvaluation.objects.filter(source__startswith="000").count(),
        "001": ProjectDeclaration.objects.filter(source__startswith="001").count()
        + DepartmentDeclaration.objects.filter(source__startswith="001").count(),
        "002": SelfEvaluation.objects.filter(source__startswith="002").count(),
        "003": ProjectDeclaration.objects.filter(source__startswith="003").count(),
        "004": SelfEvaluation.objects.filter(source__startswith="004").count(),
    }
    assert counts == {"000": 2, "001": 8, "002": 9, "003": 1, "004": 14}
    assert FinalAccount.objects.filter(source__startswith="002").count() == 1
