"""A province-sized data set for scale tests and benchmarks: departments × projects × indicators, with approved
declarations and self-evaluations filled from the indicator library (bulk inserts; no audit history).

Departments are created under one root whose code starts with ``prefix``; running again with the same
prefix first removes what it made before, so the command can be repeated.
"""

import random
from decimal import Decimal

from django.db import transaction

from indicators.models import LibraryIndicator
from projects.locking import loading_records
from projects.models import (
    Department,
    ExpenseItem,
    FundingSource,
    Indicator,
    Project,
    ProjectDeclaration,
    ScoringScheme,
    User,
)
from projects.services.checks import refresh_stale_declarations
from selfeval.models import EvaluationFunding, EvaluationRow, EvaluationSection, SelfEvaluation
from selfeval.services.checks import refresh_stale

PROJECT_NAMES = [
    "组织工作运行经费", "干部教育培训经费", "人才工作专项经费", "基层党建工作经费", "党员教育信息化经费",
    "干部考核经费", "档案管理经费", "组织公开选调经费", "绩效管理和综合考评经费", "党建示范点建设经费",
]  # fmt: skip
BATCH = 5000


def remove(prefix: str) -> None:
    departments = Department.objects.filter(code__startswith=prefix)
    SelfEvaluation.objects.filter(department__in=departments).delete()
    ProjectDeclaration.objects.filter(project__department__in=departments).delete()
    Project.objects.filter(department__in=departments).delete()
    User.objects.filter(department__in=departments).delete()  # the test users of synthetic departments
    departments.filter(parent__isnull=False).delete()
    departments.delete()


@transaction.atomic
@loading_records()  # the synthetic forms are written approved or submitted, as a province's would be
def generate_province(
    *,
    departments: int = 200,
    projects: int = 50,
    indicators: int = 30,
    year: int = 2025,
    prefix: str = "SYN",
    seed: int = 1,
) -> dict:
    """Make the data set; return how many of each were made."""
    rng = random.Random(seed)
    remove(prefix)
    pool = list(LibraryIndicator.objects.filter(is_active=True).select_related("level2__parent"))
    if not pool:
        raise ValueError("指标库为空：请先运行 load_seeds。")
    scheme = ScoringScheme.objects.get(code="hubei_project")
    root = Department.objects.create(code=f"{prefix}-000", name="合成省（规模测试）", region="湖北省")
    depts = Department.objects.bulk_create(
        Department(code=f"{prefix}-{i:03d}", name=f"合成部门{i:03d}", region="湖北省", parent=root)
        for i in range(1, departments + 1)
    )
    project_rows = Project.objects.bulk_create(
        [
            Project(
                key=f"{prefix.lower()}-{d.code[-3:]}-{j:03d}",
                department=d,
                name=f"{PROJECT_NAMES[j % len(PROJECT_NAMES)]}（{j + 1}）",
                project_type="recurring",
            )  # fmt: skip
            for d in depts
            for j in range(projects)
        ],
        batch_size=BATCH,
    )
    budgets = {p.pk: Decimal(rng.randrange(10, 2000) * 10000) for p in project_rows}
    declarations = ProjectDeclaration.objects.bulk_create(
        [
            ProjectDeclaration(
                project=p,
                year=year,
                unit="万元",
                status="approved",
                supervising_unit=p.department.name,
                executing_unit=p.department.name,
                leader="张三",
                phone="027-00000000",
                application_reason="保障部门履职。",
                total_budget=budgets[p.pk],
                annual_budget=budgets[p.pk],
                scheme=scheme,
            )  # fmt: skip
            for p in project_rows
        ],
        batch_size=BATCH,
    )
    FundingSource.objects.bulk_create(
        [
            FundingSource(declaration=d, seq=1, name="公共预算财政拨款", amount=budgets[d.project_id])
            for d in declarations
        ],
        batch_size=BATCH,
    )
    ExpenseItem.objects.bulk_create(
        [ExpenseItem(declaration=d, seq=1, name="项目支出", amount=budgets[d.project_id]) for d in declarations],
        batch_size=BATCH,
    )
    chosen = {d.pk: [pool[(d.pk * 7 + k) % len(pool)] for k in range(indicators)] for d in declarations}
    Indicator.objects.bulk_create(
        (
            Indicator(
                project_declaration=d,
                seq=k + 1,
                level1=lib.level2.parent,
                level2=lib.level2,
                name=lib.name,
                target=lib.example or "≥90%",
                weight=Decimal(60) / indicators,
            )  # fmt: skip
            for d in declarations
            for k, lib in enumerate(chosen[d.pk])
        ),
        batch_size=BATCH,
    )
    evaluations = SelfEvaluation.objects.bulk_create(
        [
            SelfEvaluation(
                kind="project",
                department=d.project.department,
                project=d.project,
                declaration=d,
                year=year,
                unit="万元",
                layout="hubei",
                scheme=scheme,
                status=rng.choice(["draft", "submitted"]),
                supervising_unit=d.supervising_unit,
                executing_unit=d.executing_unit,
                goal_target="完成年度目标。",
                goal_actual="已完成。",
            )  # fmt: skip
            for d in declarations
        ],
        batch_size=BATCH,
    )
    sections = EvaluationSection.objects.bulk_create(
        [
            EvaluationSection(
                evaluation=e,
                seq=s.seq,
                code=s.code,
                name=s.name,
                points=s.points,
                score_final=Decimal(18) if s.code == "goal" else None,
            )  # fmt: skip
            for e in evaluations
            for s in scheme.sections.all()
        ],
        batch_size=BATCH,
    )
    indicator_section = {s.evaluation_id: s for s in sections if s.code == "indicators"}
    by_declaration = {e.declaration_id: e for e in evaluations}
    EvaluationFunding.objects.bulk_create(
        [
            EvaluationFunding(
                evaluation=by_declaration[d.pk],
                seq=1,
                name="年度资金总额",
                is_total=True,
                budget=budgets[d.project_id],
                executed=(budgets[d.project_id] * Decimal(rng.randrange(70, 101)) / 100).quantize(Decimal("0.01")),
            )  # fmt: skip
            for d in declarations
        ],
        batch_size=BATCH,
    )
    weight = (Decimal(60) / indicators).quantize(Decimal("0.01"))
    EvaluationRow.objects.bulk_create(
        (
            EvaluationRow(
                evaluation=by_declaration[d.pk],
                seq=k + 1,
                section=indicator_section[by_declaration[d.pk].pk],
                level1=lib.level2.parent,
                level2=lib.level2,
                name=lib.name,
                target=lib.example or "≥90%",
                actual=lib.example or "95%",
                weight=weight,
                score_final=weight,
                reason="",
            )  # fmt: skip
            for d in declarations
            for k, lib in enumerate(chosen[d.pk])
        ),
        batch_size=BATCH,
    )
    # what the score report and the dashboard read
    refresh_stale(SelfEvaluation.objects.filter(department__parent=root), keep=False)
    refresh_stale_declarations(ProjectDeclaration.objects.filter(project__department__parent=root), keep=False)
    return {
        "departments": len(depts), "projects": len(project_rows), "declarations": len(declarations),
        "evaluations": len(evaluations), "indicator_rows": len(declarations) * indicators * 2,
    }  # fmt: skip
