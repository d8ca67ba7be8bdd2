"""Which scheme a form uses is data (``SchemeAssignment``): the longest 行政区划 prefix among the assignments of the
form's kind and year, fixed on the declaration when it is created and used by its self-evaluation."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import (
    Department,
    DepartmentDeclaration,
    NoSchemeAssigned,
    Project,
    ProjectDeclaration,
    SchemeAssignment,
    ScoringScheme,
)
from selfeval.services.start import evaluation_start
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


def scheme(code: str) -> ScoringScheme:
    return ScoringScheme.objects.get(code=code)


def new_declaration(department: Department, year: int = 2024) -> ProjectDeclaration:
    project = Project.objects.create(key=f"t-{department.code}-{year}", department=department, name="测试项目")
    return ProjectDeclaration.objects.create(project=project, year=year)


def department(code: str, division: str, parent=None) -> Department:
    return Department.objects.create(code=code, name=code, division_code=division, parent=parent)


def test_the_shipped_assignments_choose_by_province_with_a_national_default():
    by_division = {
        "420112": "hubei_project",  # 东西湖 → 42 湖北
        "130100": "hebei_project",  # 石家庄 → 13 河北
        "510104": "sichuan_project",  # 成都锦江 → 51 四川
        "110101": "national_project",  # 北京东城: no assignment of its own → the national default
        "": "national_project",
    }
    for division, expected in by_division.items():
        chosen = SchemeAssignment.objects.scheme_for(division_code=division, form_kind="project", year=2024)
        assert chosen.code == expected, division
    assert SchemeAssignment.objects.scheme_for(division_code="420112", form_kind="department", year=2024).code == (
        "hubei_department"
    )


def test_the_longest_prefix_and_the_years_win():
    SchemeAssignment.objects.create(division_prefix="4201", form_kind="project", scheme=scheme("sichuan_project"))
    SchemeAssignment.objects.create(
        division_prefix="420112", form_kind="project", year_from=2030, scheme=scheme("national_project")
    )
    pick = SchemeAssignment.objects.scheme_for
    assert pick(division_code="420112", form_kind="project", year=2029).code == "sichuan_project"  # 4201 武汉
    assert pick(division_code="420112", form_kind="project", year=2030).code == "national_project"  # 420112, ≥ 2030
    assert pick(division_code="421000", form_kind="project", year=2030).code == "hubei_project"  # 42 only


def test_a_declaration_fixes_its_scheme_when_created_and_the_evaluation_uses_it():
    wuhan = department("t-wh", "420102")
    office = department("t-wh-office", "", parent=wuhan)  # an internal office uses its department's code
    declaration = new_declaration(office)
    assert declaration.scheme.code == "hubei_project"
    # the policy changes afterwards: the declaration keeps the scheme it was created under
    SchemeAssignment.objects.filter(division_prefix="42", form_kind="project").update(scheme=scheme("sichuan_project"))
    declaration.save()
    declaration.refresh_from_db()
    assert declaration.scheme.code == "hubei_project"
    assert new_declaration(department("t-wh2", "420103")).scheme.code == "sichuan_project"
    set_status(declaration, "approved")
    evaluation = evaluation_start(declaration=declaration)
    assert evaluation.scheme == declaration.scheme
    assert [s.code for s in evaluation.sections.order_by("seq")] == ["funds", "goal", "indicators"]


def test_a_sichuan_department_gets_the_sichuan_scheme_and_a_department_form_its_own():
    chengdu = department("t-cd", "510100")
    assert new_declaration(chengdu).scheme.code == "sichuan_project"
    assert DepartmentDeclaration.objects.create(department=chengdu, year=2024).scheme.code == "hubei_department"


def test_without_any_fitting_assignment_a_declaration_is_refused_with_a_message():
    SchemeAssignment.objects.filter(division_prefix="", form_kind="project").delete()
    with pytest.raises(NoSchemeAssigned) as caught:
        new_declaration(department("t-bj", "110101"))
    assert "评分方案适用范围" in str(caught.value)


def test_overlapping_years_for_one_region_are_refused():
    SchemeAssignment.objects.create(
        division_prefix="4201", form_kind="project", year_from=2020, year_to=2025, scheme=scheme("hubei_project")
    )
    overlapping = SchemeAssignment(
        division_prefix="4201", form_kind="project", year_from=2025, scheme=scheme("sichuan_project")
    )
    with pytest.raises(ValidationError, match="年度重叠"):
        overlapping.full_clean()
    with pytest.raises(ValidationError):
        SchemeAssignment(division_prefix="42a", form_kind="project", scheme=scheme("hubei_project")).full_clean()
    SchemeAssignment(
        division_prefix="4201", form_kind="project", year_from=2026, scheme=scheme("sichuan_project")
    ).full_clean()


def test_the_seeded_departments_carry_their_division_codes():
    codes = dict(Department.objects.filter(parent__isnull=True).values_list("code", "division_code"))
    assert codes == {
        "420111-zzb": "420111",
        "420105-zzb": "420105",
        "420104-zzb": "420104",
        "420112-zzb": "420112",
        "130100-zzb": "130100",
    }
    assert Department.objects.get(code="420112-zzb-rck").division() == "420112"
    assert set(ProjectDeclaration.objects.exclude(source="").values_list("scheme__code", flat=True)) == {
        "hubei_project"
    }


def test_the_declaration_page_shows_its_scheme(client, finance_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    client.force_login(finance_user)
    page = client.get(reverse("projects:declaration", args=[declaration.pk])).content.decode()
    assert "评分方案：湖北省项目支出绩效自评" in page
