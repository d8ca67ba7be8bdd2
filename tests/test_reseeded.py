"""After a transactional test empties the database, ``reload_fixed_tables`` (the browser and process tests'
``reseeded``) puts back what the migrations shipped, review rules included."""

import pytest

from projects.models import DepartmentDeclaration, ReviewRule
from projects.review_data import GRADE, PROJECT_ONLY, RULES
from projects.services.review.data import department_declaration_review_findings
from tests.conftest import reload_fixed_tables

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_review_rules_are_reloaded_as_shipped(reseeded):
    ReviewRule.objects.all().delete()  # as after a flush, the seeds (reloaded by ``reseeded``) kept
    reload_fixed_tables()
    rules = {r.code: r for r in ReviewRule.objects.filter(division_prefix="")}
    assert set(rules) == set(RULES) | {GRADE}
    assert all(rules[code].message == RULES[code][3] for code in RULES)
    assert {code for code, r in rules.items() if not r.for_department} == set(PROJECT_ONLY)
    overall = DepartmentDeclaration.objects.get(department__code="420112-zzb", year=2021)
    assert department_declaration_review_findings(overall)  # the review runs on the reloaded rules
