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
