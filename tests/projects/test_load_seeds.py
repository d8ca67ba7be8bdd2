"""``load_seeds``: idempotent, atomic per file, with clear errors, and the demo users."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from projects.choices import Role
from projects.models import Department, Project, ProjectDeclaration, User
from selfeval.models import EvaluationRow, SelfEvaluation
from selfeval.seeds import DEMO_PASSWORD, SeedError, load_seed_files, seed_paths

pytestmark = pytest.mark.django_db

APPS = ["projects", "indicators", "selfeval"]


def row_counts() -> dict[str, int]:
    models = [m for a in APPS for m in apps.get_app_config(a).get_models() if not m.__name__.startswith("Historical")]
    return {m._meta.label: m.objects.count() for m in models}


def snapshot() -> list[tuple]:
    """Every value of every seeded form and row, to compare before and after a reload."""
    rows = []
    for model in [ProjectDeclaration, SelfEvaluation, EvaluationRow]:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in {"id", "created_at", "updated_at"}]
        fields = [f for f in fields if not f.endswith("_id") or f in {"project_id", "department_id", "level1_id"}]
        rows.extend(tuple(map(str, r)) for r in model.objects.order_by(*fields[:3]).values_list(*fields))
    return sorted(rows)


def test_loading_twice_changes_nothing():
    before, values = row_counts(), snapshot()
    out = StringIO()
    call_command("load_seeds", stdout=out)
    assert row_counts() == before
    assert snapshot() == values
    assert "新建 0" in out.getvalue() and "已存在未改动" in out.getvalue()


def test_replace_reloads_the_same_data():
    before, values = row_counts(), snapshot()
    call_command("load_seeds", "--replace", "--no-users", stdout=StringIO())
    assert row_counts() == before
    assert snapshot() == values


def test_demo_users():
    expected = {"finance": Role.FINANCE, "head": Role.HEAD, "auditor": Role.AUDITOR, "admin": Role.ADMIN}
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="finance").department.code == "420112-zzb"
    assert User.objects.get(username="admin").is_superuser
    # one finance/head pair for every other seeded department
    for dept in Department.objects.filter(parent__isnull=True).exclude(code="420112-zzb"):
        prefix = dept.code.split("-")[0]
        assert User.objects.get(username=f"head-{prefix}").department == dept


BAD_SECOND_FORM = """
source: test.yaml
departments:
  - {code: "999999-test", name: 测试部门, short_name: 测试, region: 测试, parent: null}
projects:
  - {key: test-a, department: "999999-test", name: 项目甲, project_type: one_off}
  - {key: test-b, department: "999999-test", name: 项目乙, project_type: one_off}
project_declarations:
  - {project: test-a, year: 2021, unit: 万元, annual_budget: "10", status: approved}
  - {project: test-b, year: 2021, unit: 万元, annual_budget: "十万", status: approved}
"""


def test_a_bad_file_changes_nothing(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_SECOND_FORM, encoding="utf-8")
    before = row_counts()
    with pytest.raises(SeedError, match="bad.yaml / project_declarations / 2 / 项目当年预算"):
        load_seed_files([path])
    assert row_counts() == before
    assert not Project.objects.filter(key__startswith="test-").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("departments: [\n  - {code: x", "YAML 格式错误"),
        ("- just a list", "应为一个映射"),
        ("projects:\n  - {key: p, department: nowhere, name: 项目}", "部门“nowhere”未在 departments 中定义"),
        ("project_declarations:\n  - {project: nothing, year: 2020}", "项目“nothing”未在 projects 中定义"),
    ],
)
def test_malformed_seed_files_give_a_clear_message(tmp_path, text, message):
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("load_seeds", str(path), "--no-users", stdout=StringIO())


def test_every_seed_file_is_loaded():
    sources = set(ProjectDeclaration.objects.values_list("source", flat=True))
    sources |= set(SelfEvaluation.objects.values_list("source", flat=True))
    from projects.models import DepartmentDeclaration, FinalAccount

    sources |= set(DepartmentDeclaration.objects.values_list("source", flat=True))
    sources |= set(FinalAccount.objects.values_list("source", flat=True))
    assert sources == {p.name for p in seed_paths()}
