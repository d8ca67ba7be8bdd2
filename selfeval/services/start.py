"""Start a self-evaluation from an approved declaration, in the layout of the chosen scheme."""

import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from indicators.choices import GoalKind
from projects.access import is_filer_of
from projects.choices import DeclarationStatus
from projects.models import FinalAccountLine, Goal, ProjectDeclaration, SchemeFundingLine
from projects.services.profile import filler_name

from ..models import EvaluationFunding, EvaluationGoal, EvaluationRow, EvaluationSection, SelfEvaluation
from .weights import RowWeight, SectionPlan, SectionWeights, rescale_plan


def _plain(name: str) -> str:
    """A funding row's name without its 其中 prefix and spaces, to match a declaration's source to a scheme's row."""
    name = "".join(name.split())
    for prefix in ("其中：", "其中:"):
        name = name.removeprefix(prefix)
    return name


ALIAS_SEPARATORS = re.compile(r"[、,，;；\n]+")


def line_names(line: SchemeFundingLine) -> set[str]:
    """The plain names a scheme's funding row answers to: its own and the 其他写法 an administrator gave it."""
    return {_plain(n) for n in [line.name, *ALIAS_SEPARATORS.split(line.aliases or "")] if n.strip()}


def _amount(sources) -> Decimal | None:
    amounts = [s.amount for s in sources if s.amount is not None]
    return sum(amounts, Decimal(0)) if amounts else None


def start_funding(evaluation: SelfEvaluation, scheme, declaration: ProjectDeclaration) -> None:
    """The funding block as the scheme's form prints it (its rows and 其中 sub-rows are the scheme's data, edited in
    the admin), with the 全年预算数 the declaration gives: the first total carries its 当年预算 (or its sources'
    sum), each row carries the amount of the 资金来源 named as the row or as one of its 其他写法 (summed when
    several are), and a source no row names is added after the scheme's rows (a 其中 source named as such)."""
    lines = list(scheme.funding_lines.order_by("seq")) or [SchemeFundingLine(seq=1, name="年度资金总额")]
    sources = list(declaration.funding_sources.order_by("seq"))
    total = declaration.annual_budget
    if total is None and sources:
        amounts = [s.amount for s in sources if s.level == 0 and s.amount is not None]
        total = sum(amounts) if amounts else None
    by_name = {}
    for source in sources:
        if "合计" not in source.name:  # the total is the first row already
            by_name.setdefault(_plain(source.name), source)
    made: dict = {}
    first_total = next((line for line in lines if line.part_of_id is None), lines[0])
    for seq, line in enumerate(lines, start=1):
        named = [by_name.pop(name) for name in sorted(line_names(line)) if name in by_name]
        budget = total if line is first_total else _amount(named)
        made[line.pk] = EvaluationFunding.objects.create(
            evaluation=evaluation, seq=seq, name=line.name, is_total=line is first_total,
            part_of=made.get(line.part_of_id), budget=budget,
        )  # fmt: skip
    for seq, source in enumerate(by_name.values(), start=len(lines) + 1):
        name = source.name.strip()
        if source.level and not name.startswith("其中"):
            name = f"其中：{name}"
        EvaluationFunding.objects.create(evaluation=evaluation, seq=seq, name=name[:60], budget=source.amount)


class StartError(Exception):
    """The self-evaluation cannot be started; the message is for the user."""


class WeightsDoNotFit(StartError):
    """The declaration's row weights exceed a section of its scheme: the self-evaluation starts only with the
    weights rescaled (``rescale=True``); ``plan`` is what the rescale would give, to be shown first."""

    def __init__(self, plan: list[SectionPlan]):
        names = "、".join(
            f"“{p.name}”各行分值合计 {p.total.normalize():f}，分值 {p.points.normalize():f}" for p in plan
        )
        super().__init__(f"申报表的分值与评分方案不符（{names}），须按比例调整分值后才能开始自评。")
        self.plan = plan


def _section_code(row, scheme_sections) -> str | None:
    """The scheme section a declaration row is scored in: the one pool (湖北, 四川) or its 一级's section."""
    codes = {s.code: s.kind for s in scheme_sections}
    if "indicators" in codes:
        return "indicators"
    code = row.level1.code if row.level1_id else None
    return code if codes.get(code) == "level1" else None


def start_plan(declaration: ProjectDeclaration) -> list[SectionPlan]:
    """How the declaration's row weights would be rescaled to fit its scheme's sections (empty when they fit)."""
    sections = list(declaration.scheme.sections.all())
    rows = list(declaration.indicators.select_related("level1").order_by("seq"))
    return rescale_plan(
        [
            SectionWeights(
                s.code,
                s.name,
                s.points,
                tuple(
                    RowWeight(r.seq, f"第 {r.seq} 行“{r.name}”", r.weight)
                    for r in rows
                    if _section_code(r, sections) == s.code
                ),
            )
            for s in sections
        ]
    )


@transaction.atomic
def evaluation_start(*, declaration: ProjectDeclaration, user=None, rescale: bool = False) -> SelfEvaluation:
    """A draft self-evaluation under the declaration's scheme (fixed when the declaration was created): its rows
    carry the declaration's targets, its sections and funding rows follow the scheme's layout.

    Rows whose weights exceed their section are never copied: ``WeightsDoNotFit`` (with the plan) unless
    ``rescale``, which copies every misfitting section's weights rescaled in proportion."""
    if user is not None and not is_filer_of(user, declaration.project.department_id):
        raise PermissionDenied("只有本部门的填报人可以开始自评。")
    if declaration.status != DeclarationStatus.APPROVED:
        raise StartError("只有已审核的申报表可以开始自评。")
    if SelfEvaluation.objects.filter(kind="project", project=declaration.project, year=declaration.year).exists():
        raise StartError(f"{declaration.year} 年“{declaration.project.name}”的自评表已经存在。")
    scheme = declaration.scheme
    plan = start_plan(declaration)
    if not rescale and any(p.total > p.points for p in plan):
        raise WeightsDoNotFit(plan)
    new_weights = {row.key: row.new for p in plan for row in p.rows} if rescale else {}
    evaluation = SelfEvaluation.objects.create(
        kind="project", department=declaration.project.department, project=declaration.project, declaration=declaration,
        year=declaration.year, unit=declaration.unit, layout=scheme.layout, scheme=scheme,
        supervising_unit=declaration.supervising_unit, executing_unit=declaration.executing_unit,
        fill_unit=declaration.project.department.name, filler=filler_name(user), phone=getattr(user, "phone", ""),
        goal_target="\n".join(g.text for g in declaration.goals.filter(kind=GoalKind.OVERALL).order_by("seq")),
    )  # fmt: skip
    sections = {}
    for seq, section in enumerate(scheme.sections.all(), start=1):
        sections[section.code] = EvaluationSection.objects.create(
            evaluation=evaluation, seq=seq, code=section.code, name=section.name, points=section.points
        )
    start_funding(evaluation, scheme, declaration)
    scheme_sections = list(scheme.sections.all())
    for seq, row in enumerate(declaration.indicators.select_related("level1", "level2").order_by("seq"), start=1):
        section = sections.get(_section_code(row, scheme_sections))
        EvaluationRow.objects.create(
            evaluation=evaluation, seq=seq, section=section, level1=row.level1, level1_printed=row.level1_printed,
            level2=row.level2, level2_printed=row.level2_printed, name=row.name, target=row.target,
            nature=row.nature, comparator=row.comparator, unit=row.unit, weight=new_weights.get(row.seq, row.weight),
            source_indicator=row,
        )  # fmt: skip
    return evaluation


@transaction.atomic
def department_evaluation_start(*, declaration, budget=None, executed=None, user=None) -> SelfEvaluation:
    """A draft 部门整体绩效自评表 from an approved 部门整体申报表: 预算执行 20 and the annual goals sharing 80."""
    if user is not None and not is_filer_of(user, declaration.department_id):
        raise PermissionDenied("只有本部门的填报人可以开始自评。")
    if declaration.status != DeclarationStatus.APPROVED:
        raise StartError("只有已审核的部门整体申报表可以开始自评。")
    if SelfEvaluation.objects.filter(
        kind="department", department=declaration.department, year=declaration.year
    ).exists():
        raise StartError(f"{declaration.year} 年的部门整体自评表已经存在。")
    scheme = declaration.scheme
    goals = list(Goal.objects.filter(department_declaration=declaration, kind="annual").order_by("seq"))
    if not goals:
        raise StartError("部门整体申报表没有年度目标，无法开始自评。")
    if budget is None and executed is None:
        # The department's own figures: 年初预算 and 决算 of its final accounts, when they are loaded.

        total = FinalAccountLine.objects.filter(
            account__department=declaration.department, account__year=declaration.year, table="budget_final", code=""
        ).first()
        if total is not None:
            budget, executed = total.budget, total.final
    budget_points = next((s.points for s in scheme.sections.all() if s.kind == "budget"), Decimal(20))
    share = ((Decimal(100) - budget_points) / len(goals)).quantize(Decimal("0.01"))
    evaluation = SelfEvaluation.objects.create(
        kind="department", department=declaration.department, year=declaration.year, unit=declaration.unit,
        layout="department", scheme=scheme, fill_unit=declaration.department.name, filler=filler_name(user),
        phone=getattr(user, "phone", ""),
    )  # fmt: skip
    EvaluationSection.objects.create(
        evaluation=evaluation, seq=1, code="budget", name="预算执行情况", points=budget_points
    )
    EvaluationFunding.objects.create(
        evaluation=evaluation, seq=1, name="部门整体支出总额", is_total=True, budget=budget, executed=executed
    )
    seq = 0
    for index, goal in enumerate(goals):
        # The last goal takes what rounding left over, so that the points add up to exactly 100.
        points = share if index < len(goals) - 1 else Decimal(100) - budget_points - share * (len(goals) - 1)
        section = EvaluationSection.objects.create(
            evaluation=evaluation, seq=goal.seq + 1, code=f"goal{goal.seq}", name=f"年度目标{goal.seq}", points=points
        )
        target_goal = EvaluationGoal.objects.create(evaluation=evaluation, seq=goal.seq, title=goal.text, points=points)
        for row in goal.indicators.select_related("level1", "level2").order_by("seq"):
            seq += 1
            EvaluationRow.objects.create(
                evaluation=evaluation, seq=seq, goal=target_goal, section=section, level1=row.level1,
                level1_printed=row.level1_printed, level2=row.level2, level2_printed=row.level2_printed,
                name=row.name, target=row.target, weight=row.weight, nature=row.nature, comparator=row.comparator,
                unit=row.unit, source_indicator=row,
            )  # fmt: skip
    return evaluation
