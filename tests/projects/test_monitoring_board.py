"""The board of monitoring lights: each form of the year and period with its project light, budget light and worst
indicator; filtered by department, colour and period; counted per department; in scope; its queries pinned."""

import pytest
from django.urls import reverse

from projects.choices import DeclarationStatus, Likelihood
from projects.models import MonitoringPeriod, MonitoringRule
from projects.selectors import monitoring_board_forms
from projects.services import monitoring as service
from projects.services.monitoring_board import light_board
from projects.services.monitoring_checks import current_monitoring_checks
from tests.builders import make_declaration, make_project
from tests.projects.test_monitoring import fill

pytestmark = pytest.mark.django_db

ROWS = [("output", "培训人次", "≥600人次"), ("satisfaction", "满意度", "≥90%")]


def monitored(department, user, training: str, *, name: str):
    """A form filled with ``training`` persons trained by July (600 a year: 350 is green, 150 red)."""
    project = make_project(department, name=name)
    declaration = make_declaration(project, year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)
    form = service.monitoring_start(declaration=declaration, user=user)
    values = {1: {"value_to_date": training, "likelihood": Likelihood.CERTAIN},
              2: {"value_to_date": "92%", "likelihood": Likelihood.CERTAIN}}  # fmt: skip
    return fill(form, user, values)


@pytest.fixture
def board(dongxihu, hongshan, finance_user, outsider_user):
    hongshan_finance = type(finance_user).objects.create_user("f-hs", password="x", role="finance", department=hongshan)
    return {
        "green": monitored(dongxihu, finance_user, "350", name="绿色项目"),
        "red": monitored(dongxihu, finance_user, "150", name="红色项目"),
        "other": monitored(hongshan, hongshan_finance, "150", name="洪山项目"),
    }


def test_lines_show_the_worst_indicator_and_counts_per_department(board, dongxihu, hongshan):
    lines, counts = light_board(current_monitoring_checks(monitoring_board_forms(type(board["red"]).objects.all())))
    red = next(line for line in lines if line.form.pk == board["red"].pk)
    # fill() executes 35 %: the budget is yellow (35 % ÷ 7/12 = 60 %), the training row red, the project red
    assert (red.project.colour, red.budget.colour) == ("red", "yellow")
    assert red.worst_indicator[0] == "培训人次" and red.worst_indicator[1].colour == "red"
    green = next(line for line in lines if line.form.pk == board["green"].pk)
    assert green.worst_indicator[1].colour == "green" and green.project.colour == "yellow"  # its budget
    by_department = {c.department: c.counts for c in counts}
    assert by_department[dongxihu]["red"] == 1 and by_department[dongxihu]["yellow"] == 1
    assert by_department[hongshan]["red"] == 1
    only_red, same_counts = light_board(
        current_monitoring_checks(monitoring_board_forms(type(board["red"]).objects.all())), colour="red"
    )
    assert {line.form.pk for line in only_red} == {board["red"].pk, board["other"].pk}
    assert [c.counts for c in same_counts] == [c.counts for c in counts]


def test_the_page_filters_by_department_and_colour_in_scope(client, board, auditor_user, head_user, hongshan):
    client.force_login(auditor_user)
    url = reverse("projects:monitoring_dashboard")
    page = client.get(url, {"year": 2030}).content.decode()
    assert "绿色项目" in page and "红色项目" in page and "洪山项目" in page
    page = client.get(url, {"year": 2030, "department": hongshan.pk}).content.decode()
    assert "洪山项目" in page and "红色项目" not in page
    page = client.get(url, {"year": 2030, "colour": "red"}).content.decode()
    assert "红色项目" in page and "洪山项目" in page and "绿色项目" not in page
    client.force_login(head_user)  # the head of 东西湖: their department only, whatever is asked
    page = client.get(url, {"year": 2030, "department": hongshan.pk}).content.decode()
    assert "洪山项目" not in page and "红色项目" not in page
    page = client.get(url, {"year": 2030}).content.decode()
    assert "红色项目" in page and "洪山项目" not in page
    assert url in page  # the navigation links it


def test_the_period_filter(client, board, auditor_user, dongxihu, finance_user):
    rule = MonitoringRule.objects.get(division_prefix="", year_from=None)
    half = MonitoringPeriod.objects.create(rule=rule, seq=0, name="1–6月", end_month=6)
    declaration = board["red"].declaration
    service.monitoring_start(declaration=declaration, user=finance_user, period=half)
    client.force_login(auditor_user)
    url = reverse("projects:monitoring_dashboard")
    page = client.get(url, {"year": 2030, "month": 6}).content.decode()
    assert "红色项目" in page and "绿色项目" not in page and "1–6月" in page
    assert "绿色项目" in client.get(url, {"year": 2030, "month": 7}).content.decode()
    assert "绿色项目" in client.get(url, {"year": 2030, "month": "x"}).content.decode()  # the latest period


def test_the_board_does_not_grow_in_queries(
    client, dongxihu, finance_user, auditor_user, django_assert_max_num_queries
):
    for i in range(8):
        monitored(dongxihu, finance_user, "150", name=f"项目{i}")
    client.force_login(auditor_user)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("projects:monitoring_dashboard"), {"year": 2030}).content.decode()
    assert page.count('data-light="project"') == 8
