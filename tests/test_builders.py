"""The builders make valid objects of the test's own: a complete declaration passes the submission checks."""

import pytest

from projects.choices import DeclarationStatus, Role
from projects.services.workflow import declaration_problems
from tests.builders import (
    make_declaration,
    make_department,
    make_department_declaration,
    make_evaluation,
    make_project,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_a_complete_declaration_has_no_problems_and_an_incomplete_one_lists_them():
    assert declaration_problems(make_declaration()) == []
    places = {p.place for p in declaration_problems(make_declaration(complete=False))}
    assert {"leader", "funding", "expenses", "goals", "indicators"} <= places


def test_builders_never_collide_and_keep_to_the_department_given():
    department = make_department()
    first, second = make_project(department), make_project(department)
    assert first.key != second.key and first.department == second.department == department
    user = make_user(role=Role.HEAD, department=department)
    assert user.check_password("pw-for-tests-123") and user.department == department
    assert make_department_declaration(department).goals.count() == 1


def test_an_evaluation_is_started_from_an_approved_declaration_with_its_rows():
    declaration = make_declaration(status=DeclarationStatus.APPROVED)
    evaluation = make_evaluation(declaration)
    assert evaluation.declaration == declaration and evaluation.status == "draft"
    assert list(evaluation.rows.order_by("seq").values_list("name", flat=True)) == ["培训场次", "服务水平", "满意度"]
