"""After a transactional test empties the database, ``reload_fixed_tables`` (the browser and process tests'
``reseeded``) puts back what the migrations shipped, review rules included, as a fresh database has them."""

import pytest
from django.core.management import call_command

from projects.models import DepartmentDeclaration, ReviewRule
from projects.review_data import PROJECT_ONLY, RULES
from projects.services.review.data import department_declaration_review_findings
from tests.conftest import reload_fixed_tables

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_emptied_database_gets_its_review_rules_back_as_shipped():
    shipped = sorted(ReviewRule.objects.values_list("code", "for_project", "for_department", "message"))
    call_command("flush", interactive=False, verbosity=0)
    assert not ReviewRule.objects.exists()
    reload_fixed_tables()
    assert sorted(ReviewRule.objects.values_list("code", "for_project", "for_department", "message")) == shipped
    assert set(RULES) <= {code for code, *_ in shipped}
    assert not ReviewRule.objects.filter(code__in=PROJECT_ONLY, for_department=True).exists()
    overall = DepartmentDeclaration.objects.get(department__code="420112-zzb", year=2021)
    assert department_declaration_review_findings(overall)  # the review runs on the reloaded seeds
