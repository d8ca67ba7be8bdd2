"""Small builders for tests that need their own data rather than a seed document picked by its key.

Each builder makes the smallest valid object and takes keyword overrides; names and codes are numbered so that
several calls in one test never collide. A declaration made with ``complete=True`` passes the submission checks
(every header field, one funding line, expenses adding up, an overall goal, a row under each 一级).
"""

import itertools
from decimal import Decimal

from indicators.choices import GoalKind
from indicators.models import IndicatorCategory
from projects.choices import DeclarationStatus, Role
from projects.locking import loading_records
from projects.models import (
    Department,
    DepartmentDeclaration,
    ExpenseItem,
    FundingSource,
    Goal,
    Indicator,
    Project,
    ProjectDeclaration,
    User,
)
from selfeval.services.start import evaluation_start

PASSWORD = "pw-for-tests-123"
_numbers = itertools.count(1)

# (一级 code, 三级 name, 指标值): one row under each 一级, enough for the submission checks.
ROWS = [("output", "培训场次", "≥10 场"), ("benefit", "服务水平", "有所提升"), ("satisfaction", "满意度", "≥90%")]


def _n() -> int:
    return next(_numbers)


def make_department(**fields) -> Department:
    n = _n()
    fields.setdefault("code", f"test-{n}")
    fields.setdefault("name", f"测试部门{n}")
    return Department.objects.create(**fields)


def make_user(username: str | None = None, role: str = Role.FINANCE, department: Department | None = None, **extra):
    """A staff user with the suite's password (``client.login`` works as well as ``force_login``)."""
    user = User(username=username or f"t-user-{_n()}", role=role, department=department, is_staff=True, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_project(department: Department | None = None, **fields) -> Project:
    n = _n()
    fields.setdefault("key", f"test-project-{n}")
    fields.setdefault("name", f"测试项目{n}")
    return Project.objects.create(department=department or make_department(), **fields)


def level2_of(level1_code: str) -> IndicatorCategory:
    return IndicatorCategory.objects.filter(parent__code=level1_code).order_by("pk").first()


def make_declaration(
    project: Project | None = None,
    *,
    year: int = 2030,
    status: str = DeclarationStatus.DRAFT,
    complete: bool = True,
    rows=None,
    **fields,
) -> ProjectDeclaration:
    """A 项目绩效目标申报表 (amounts in 元). ``rows``: (一级 code, name, target) tuples; default one per 一级."""
    project = project or make_project()
    if complete:
        header = {
            "supervising_unit": "测试主管部门", "executing_unit": "测试执行单位", "leader": "张三", "phone": "83265202",
            "application_reason": "测试申请理由。", "total_budget": Decimal("1000000"),
            "annual_budget": Decimal("1000000"), "funding_total": Decimal("1000000"),
            "expense_total": Decimal("1000000"),
        }  # fmt: skip
        fields = {**header, **fields}
    with loading_records():  # written in the state asked for, as the seed loader writes documents
        declaration = ProjectDeclaration.objects.create(project=project, year=year, status=status, **fields)
        if complete:
            FundingSource.objects.create(
                declaration=declaration, seq=1, name="公共预算财政拨款", amount=Decimal("1000000")
            )
            ExpenseItem.objects.create(declaration=declaration, seq=1, name="测试支出", amount=Decimal("1000000"))
            Goal.objects.create(project_declaration=declaration, kind=GoalKind.OVERALL, seq=1, text="测试总目标")
        for seq, (level1, name, target) in enumerate(ROWS if rows is None and complete else rows or [], start=1):
            Indicator.objects.create(
                project_declaration=declaration, seq=seq, level1=IndicatorCategory.objects.get(code=level1),
                level2=level2_of(level1), name=name, target=target,
            )  # fmt: skip
    return declaration


def make_department_declaration(department: Department | None = None, *, year: int = 2030, **fields):
    """A 部门整体支出绩效目标申报表 with one annual goal."""
    with loading_records():
        declaration = DepartmentDeclaration.objects.create(
            department=department or make_department(), year=year, **fields
        )
        Goal.objects.create(department_declaration=declaration, kind=GoalKind.ANNUAL, seq=1, text="测试年度目标")
    return declaration


def make_evaluation(declaration: ProjectDeclaration | None = None, **declaration_fields):
    """A draft self-evaluation started from an approved declaration (made here when not given)."""
    if declaration is None:
        declaration = make_declaration(status=DeclarationStatus.APPROVED, **declaration_fields)
    return evaluation_start(declaration=declaration)
