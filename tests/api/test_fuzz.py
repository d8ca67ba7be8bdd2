"""Schema-driven fuzzing of the API (schemathesis), bounded: no 500, no response outside the schema,
and no write that reaches another department's forms."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from perfbudget.wsgi import application
from projects.models import DepartmentDeclaration, ProjectDeclaration
from selfeval.models import EvaluationRow, SelfEvaluation

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # minutes of generated requests: not in `make test-fast`


# The schema view reads no database: it is loaded once, when the module is collected.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def in_process(db):
    """Requests run inside the test's transaction: keep Django from closing its connection between them."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def others(department) -> dict:
    """Every form outside ``department``, with what a write would change."""
    return {
        "declarations": sorted(ProjectDeclaration.objects.exclude(project__department=department).values_list("pk", "updated_at", "status")),
        "overall": sorted(DepartmentDeclaration.objects.exclude(department=department).values_list("pk", "updated_at", "status")),
        "evaluations": sorted(SelfEvaluation.objects.exclude(department=department).values_list("pk", "updated_at", "status")),
        "rows": EvaluationRow.objects.exclude(evaluation__department=department).count(),
    }  # fmt: skip


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_holds_under_generated_requests(case, finance_user, in_process):
    token = Token.objects.get_or_create(user=finance_user)[0].key
    before = others(finance_user.department)
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    assert others(finance_user.department) == before
