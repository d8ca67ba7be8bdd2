"""The dashboard: its numbers are the score report's, scoped by role, read in a fixed number of queries."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_numbers_match_score_report(client, auditor_user, django_assert_max_num_queries):
    client.force_login(auditor_user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("selfeval:dashboard"), {"year": "2019"})
    context = response.context
    out = StringIO()
    call_command("score_report", "--year", "2019", "--kind", "selfeval", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert context["forms"] == len(report) == 16
    shown = {(line.form, line.computed_total, line.grade) for line in context["lines"]}
    assert shown == {(r["form"], r["computed_total"], r["grade"]) for r in report}
    grades = dict(context["grades"])
    assert sum(grades.values()) == sum(1 for r in report if r["grade"])
    assert grades["优"] == sum(1 for r in report if r["grade"] == "优")
    assert len(context["with_findings"]) == sum(1 for r in report if r["findings"])
    page = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in page and "等次分布" in page
    unmet = {(u["row"]["name"], u["row"]["actual"]) for u in context["unmet"]}
    assert ("聘请人才专员人数", "3人") in unmet and ("党员教育片制作数量", "5部以上") in unmet
    assert "执行率 $" not in page and "执行率 ≥80%" in page  # values read as on paper, not as extracted


def test_finance_staff_see_their_department_only(client, outsider_user):
    client.force_login(outsider_user)  # 洪山区委组织部
    context = client.get(reverse("selfeval:dashboard"), {"year": "2019"}).context
    assert {line.department for line in context["lines"]} == {"中国共产党武汉市洪山区委组织部"}
    assert context["forms"] == 2
    assert client.get(reverse("selfeval:dashboard"), {"year": "abc"}).status_code == 200


def test_the_chart_library_is_vendored():
    from pathlib import Path

    vendored = Path(__file__).resolve().parents[2] / "static" / "vendor" / "chartjs" / "chart.umd.min.js"
    assert vendored.stat().st_size > 100_000
