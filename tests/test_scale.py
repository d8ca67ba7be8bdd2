"""Province scale: the number of queries of list pages, form pages and API endpoints does not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfeval.models import SelfEvaluation
from selfeval.synthetic import generate_province

pytestmark = pytest.mark.django_db
YEAR = 2031


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def counts(client) -> dict:
    evaluation = SelfEvaluation.objects.filter(year=YEAR).order_by("pk").first()
    declaration = evaluation.declaration
    pages = {
        "home": (reverse("home"), {"year": YEAR}),
        "dashboard": (reverse("selfeval:dashboard"), {"year": YEAR}),
        "evaluation page": (reverse("selfeval:evaluation", args=[evaluation.pk]), None),
        "declaration page": (reverse("projects:declaration", args=[declaration.pk]), None),
        "api declarations": ("/api/declarations/", {"year": YEAR}),
        "api evaluations": ("/api/evaluations/", {"year": YEAR}),
        "api evaluation": (f"/api/evaluations/{evaluation.pk}/", None),
        "api declaration": (f"/api/declarations/{declaration.pk}/", None),
        "api departments": ("/api/departments/", None),
        "api score report": ("/api/score-report/", {"year": YEAR, "kind": "selfeval"}),
    }
    queries(client, *pages["home"])  # warm the user's scope
    return {name: queries(client, url, params) for name, (url, params) in pages.items()}


def test_queries_do_not_grow_with_departments_projects_and_indicators(client, auditor_user):
    client.force_login(auditor_user)
    generate_province(departments=2, projects=3, indicators=4, year=YEAR, prefix="SCA")
    small = counts(client)
    generate_province(departments=6, projects=9, indicators=12, year=YEAR, prefix="SCA")
    large = counts(client)
    assert small == large, {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    assert max(large.values()) <= 25, large
