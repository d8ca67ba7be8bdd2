"""Load the seed documents (``fixtures/seeds/*.yaml``, schema in its README) into the database.

Each file is loaded in one transaction: a file with an error changes nothing. A form that is
already in the database is left as it is (so that loading twice changes nothing and nobody's
edits are overwritten); ``replace=True`` reloads the seeded forms that are not signed.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from indicators.categories import match_category, table_of
from indicators.models import IndicatorCategory
from projects.choices import Role
from projects.locking import loading_records
from projects.models import (
    DeclarationBasis,
    Department,
    DepartmentDeclaration,
    DepartmentFigure,
    DepartmentFundLine,
    ExpenseItem,
    FinalAccount,
    FinalAccountLine,
    FundingSource,
    Goal,
    Indicator,
    MergedItem,
    PriorYearBudget,
    ProcurementItem,
    Project,
    ProjectDeclaration,
    ScoringScheme,
    User,
)
from projects.money import UNIT_FACTORS, MoneyError, to_yuan
from projects.passwords import DEMO_PASSWORD
from selfeval.choices import EvaluationKind, EvaluationStatus
from selfeval.models import EvaluationFunding, EvaluationGoal, EvaluationRow, EvaluationSection, SelfEvaluation

SEED_DIR = Path(settings.BASE_DIR) / "fixtures" / "seeds"


class SeedError(ValueError):
    """A seed file that does not follow the schema; the message names the file and the place."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    replaced: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.kept) | set(self.replaced))
        return [
            f"{kind}: 新建 {self.created[kind]}，已存在未改动 {self.kept[kind]}，重新载入 {self.replaced[kind]}"
            for kind in kinds
        ]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(_text(item) for item in value)
    return str(value).strip()


def _decimal(value, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise SeedError(f"{where}：数值“{value}”应写成字符串，以免浮点误差。")
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise SeedError(f"{where}：“{value}”不是数字。") from None


def _money(value, unit: str, where: str) -> Decimal | None:
    if isinstance(value, float):
        raise SeedError(f"{where}：金额“{value}”应写成字符串，以免浮点误差。")
    try:
        return to_yuan(value, unit)
    except MoneyError as exc:
        raise SeedError(f"{where}：{exc}") from None


def _date(value, where: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise SeedError(f"{where}：日期“{value}”应写作 YYYY-MM-DD。") from None


def _unit(value, where: str) -> str:
    unit = value or "万元"
    if unit not in UNIT_FACTORS:
        raise SeedError(f"{where}：未知的金额单位“{unit}”。")
    return unit


class _Loader:
    def __init__(self, source: str, data: dict, report: LoadReport, replace: bool):
        self.source, self.data, self.report, self.replace = source, data, report, replace
        self.categories = {c.code: c for c in IndicatorCategory.objects.all()}
        self.schemes = {s.code: s for s in ScoringScheme.objects.all()}

    # -- helpers -------------------------------------------------------------------------------
    def where(self, *parts) -> str:
        return " / ".join([self.source, *[str(p) for p in parts]])

    def department(self, code, where) -> Department:
        try:
            return Department.objects.get(code=str(code))
        except Department.DoesNotExist:
            raise SeedError(f"{where}：部门“{code}”未在 departments 中定义。") from None

    def project(self, key, where) -> Project:
        try:
            return Project.objects.get(key=key)
        except Project.DoesNotExist:
            raise SeedError(f"{where}：项目“{key}”未在 projects 中定义。") from None

    def keep_existing(self, kind: str, obj) -> bool:
        """A form already loaded is kept (returns True), or with ``replace`` deleted to be loaded again."""
        if obj is None:
            self.report.created[kind] += 1
            return False
        if not self.replace or getattr(obj, "status", None) == EvaluationStatus.SIGNED:
            self.report.kept[kind] += 1
            return True
        obj.delete()
        self.report.replaced[kind] += 1
        return False

    def category_fields(self, row: dict) -> dict:
        level1, level2 = _text(row.get("level1")), _text(row.get("level2"))
        code1, code2 = match_category(level1, level2, table_of(self.categories.values()))
        return {
            "level1": self.categories.get(code1) if code1 else None,
            "level1_printed": level1,
            "level2": self.categories.get(code2) if code2 else None,
            "level2_printed": level2,
        }

    def save(self, obj):
        obj.full_clean()
        obj.save()
        return obj

    # -- sections ------------------------------------------------------------------------------
    def run(self) -> None:
        for entry in self._sorted_departments(self.data.get("departments") or []):
            self.load_department(entry)
        for i, entry in enumerate(self.data.get("projects") or []):
            self.load_project(entry, self.where("projects", i + 1))
        for i, entry in enumerate(self.data.get("project_declarations") or []):
            self.load_project_declaration(entry, self.where("project_declarations", i + 1))
        for i, entry in enumerate(self.data.get("department_declarations") or []):
            self.load_department_declaration(entry, self.where("department_declarations", i + 1))
        for i, entry in enumerate(self.data.get("self_evaluations") or []):
            self.load_self_evaluation(entry, self.where("self_evaluations", i + 1))
        for i, entry in enumerate(self.data.get("final_accounts") or []):
            self.load_final_account(entry, self.where("final_accounts", i + 1))

    @staticmethod
    def _sorted_departments(entries: list[dict]) -> list[dict]:
        return sorted(entries, key=lambda e: e.get("parent") is not None)

    def load_department(self, entry: dict) -> None:
        where = self.where("departments", entry.get("code"))
        parent = self.department(entry["parent"], where) if entry.get("parent") else None
        values = {
            "name": _text(entry.get("name")),
            "short_name": _text(entry.get("short_name")),
            "region": _text(entry.get("region")),
            "division_code": _text(entry.get("division_code")),
            "parent": parent,
        }
        dept = Department.objects.filter(code=str(entry["code"])).first()
        if dept is None:
            self.save(Department(code=str(entry["code"]), **values))
            self.report.created["部门"] += 1
        elif any(getattr(dept, k) != v for k, v in values.items()):
            raise SeedError(f"{where}：部门已存在且与本文件的定义不同。")
        else:
            self.report.kept["部门"] += 1

    def load_project(self, entry: dict, where: str) -> None:
        dept = self.department(entry.get("department"), where)
        project = Project.objects.filter(key=entry["key"]).first()
        if project is not None:
            if project.department_id != dept.id:
                raise SeedError(f"{where}：项目“{entry['key']}”已属于其他部门。")
            self.report.kept["项目"] += 1
            return
        project = self.save(
            Project(
                key=entry["key"],
                department=dept,
                name=_text(entry.get("name")),
                project_type=entry.get("project_type") or "unknown",
                project_type_printed=_text(entry.get("project_type_printed")),
                period_start=entry.get("period_start"),
                period_end=entry.get("period_end"),
            )
        )
        for seq, name in enumerate(entry.get("merged_items") or [], start=1):
            self.save(MergedItem(project=project, seq=seq, name=_text(name)))
        self.report.created["项目"] += 1

    def save_indicator(self, row: dict, seq: int, where: str, **owner) -> Indicator:
        return self.save(
            Indicator(
                seq=seq,
                **owner,
                **self.category_fields(row),
                name=_text(row.get("name")),
                target=_text(row.get("target")),
                standard=_text(row.get("standard")),
                prev2=_text(row.get("prev2")),
                prev1=_text(row.get("prev1")),
                weight=_decimal(row.get("weight"), f"{where} / 指标 {seq}"),
            )
        )

    def load_project_declaration(self, entry: dict, where: str) -> None:
        project = self.project(entry.get("project"), where)
        year = int(entry["year"])
        if self.keep_existing(
            "项目绩效目标申报表", ProjectDeclaration.objects.filter(project=project, year=year).first()
        ):
            return
        unit = _unit(entry.get("unit"), where)
        decl = self.save(
            ProjectDeclaration(
                project=project,
                year=year,
                unit=unit,
                fill_date=_date(entry.get("fill_date"), where),
                supervising_unit=_text(entry.get("supervising_unit")),
                executing_unit=_text(entry.get("executing_unit")),
                leader=_text(entry.get("leader")),
                phone=_text(entry.get("phone")),
                address=_text(entry.get("address")),
                postcode=_text(entry.get("postcode")),
                application_reason=_text(entry.get("application_reason")),
                main_content=_text(entry.get("main_content")),
                implementation_plan=_text(entry.get("implementation_plan")),
                total_budget=_money(entry.get("total_budget"), unit, f"{where} / 项目总预算"),
                total_budget_printed=_text(entry.get("total_budget_printed")),
                annual_budget=_money(entry.get("annual_budget"), unit, f"{where} / 项目当年预算"),
                annual_budget_printed=_text(entry.get("annual_budget_printed")),
                prior_budget_note=_text(entry.get("prior_budget_note")),
                prior_years_unit=entry.get("prior_years_unit") or "",
                funding_total=_money(entry.get("funding_total"), unit, f"{where} / 资金来源合计"),
                expense_total=_money(entry.get("expense_total"), unit, f"{where} / 支出明细合计"),
                estimation_basis=_text(entry.get("estimation_basis")),
                status=entry.get("status") or "draft",
                incomplete=bool(entry.get("incomplete")),
                notes=list(entry.get("notes") or []),
                source=self.source,
            )
        )
        for seq, text in enumerate(entry.get("basis") or [], start=1):
            self.save(DeclarationBasis(declaration=decl, seq=seq, text=_text(text)))
        prior_unit = _unit(entry.get("prior_years_unit") or unit, where)
        for row in entry.get("prior_years") or []:
            here = f"{where} / 历年预算 {row.get('year')}"
            self.save(
                PriorYearBudget(
                    declaration=decl,
                    year=int(row["year"]),
                    budget=_money(row.get("budget"), prior_unit, here),
                    executed=_money(row.get("executed"), prior_unit, here),
                    rate_printed=_text(row.get("rate")),
                )
            )
        for seq, row in enumerate(entry.get("funding_sources") or [], start=1):
            self.save(
                FundingSource(
                    declaration=decl,
                    seq=seq,
                    name=_text(row.get("name")),
                    level=int(row.get("level") or 0),
                    amount=_money(row.get("amount"), unit, f"{where} / 资金来源 {seq}"),
                )
            )
        for seq, row in enumerate(entry.get("expense_items") or [], start=1):
            self.save(
                ExpenseItem(
                    declaration=decl,
                    seq=seq,
                    name=_text(row.get("name")),
                    amount=_money(row.get("amount"), unit, f"{where} / 支出明细 {seq}"),
                    economic_subject=_text(row.get("economic_subject")),
                    basis=_text(row.get("basis")),
                    remark=_text(row.get("remark")),
                )
            )
        for seq, row in enumerate(entry.get("procurement") or [], start=1):
            self.save(
                ProcurementItem(
                    declaration=decl,
                    seq=seq,
                    name=_text(row.get("name")),
                    quantity=_text(row.get("quantity")),
                    amount=_money(row.get("amount"), unit, f"{where} / 项目采购 {seq}"),
                )
            )
        for seq, text in enumerate(entry.get("goals") or [], start=1):
            self.save(Goal(project_declaration=decl, kind="overall", seq=seq, text=_text(text)))
        # 003 groups its rows by 目标名称: each distinct name becomes a goal of kind "group".
        groups: dict[str, Goal] = {}
        rows = entry.get("indicators") or []
        for row in rows:
            name = _text(row.get("goal"))
            if name and name not in groups:
                groups[name] = self.save(Goal(project_declaration=decl, kind="group", seq=len(groups) + 1, text=name))
        for seq, row in enumerate(rows, start=1):
            self.save_indicator(row, seq, where, project_declaration=decl, goal=groups.get(_text(row.get("goal"))))

    def load_department_declaration(self, entry: dict, where: str) -> None:
        dept = self.department(entry.get("department"), where)
        year = int(entry["year"])
        kind = "部门整体支出绩效目标申报表"
        if self.keep_existing(kind, DepartmentDeclaration.objects.filter(department=dept, year=year).first()):
            return
        unit = _unit(entry.get("unit"), where)
        decl = self.save(
            DepartmentDeclaration(
                department=dept,
                year=year,
                unit=unit,
                fill_date=_date(entry.get("fill_date"), where),
                filler=_text(entry.get("filler")),
                phone=_text(entry.get("phone")),
                functions=_text(entry.get("functions")),
                annual_tasks=_text(entry.get("annual_tasks")),
                status=entry.get("status") or "draft",
                incomplete=bool(entry.get("incomplete")),
                notes=list(entry.get("notes") or []),
                source=self.source,
            )
        )
        for seq, row in enumerate(entry.get("funds") or [], start=1):
            here = f"{where} / 资金情况 {seq}"
            self.save(
                DepartmentFundLine(
                    declaration=decl,
                    seq=seq,
                    section=row.get("section"),
                    name=_text(row.get("name")),
                    amount=_money(row.get("amount"), unit, here),
                    share_printed=_text(row.get("share")),
                    prev1=_money(row.get("prev1"), unit, here),
                    prev2=_money(row.get("prev2"), unit, here),
                )
            )
        seqs, row_seq = Counter(), 0
        for goal_entry in entry.get("goals") or []:
            goal_kind = goal_entry.get("kind")
            seqs[goal_kind] += 1
            goal = self.save(
                Goal(
                    department_declaration=decl,
                    kind=goal_kind,
                    seq=int(goal_entry.get("seq") or seqs[goal_kind]),
                    text=_text(goal_entry.get("text")),
                    points=_decimal(goal_entry.get("points"), where),
                )
            )
            for row in goal_entry.get("indicators") or []:
                row_seq += 1
                self.save_indicator(row, row_seq, where, department_declaration=decl, goal=goal)

    def load_self_evaluation(self, entry: dict, where: str) -> None:
        dept = self.department(entry.get("department"), where)
        year = int(entry["year"])
        kind = entry.get("kind")
        project = self.project(entry.get("project"), where) if kind == EvaluationKind.PROJECT else None
        label = "绩效自评表"
        found = SelfEvaluation.objects.filter(kind=kind, year=year)
        found = found.filter(project=project) if project else found.filter(department=dept)
        if self.keep_existing(label, found.first()):
            return
        scheme = self.schemes.get(entry.get("scheme"))
        if scheme is None:
            raise SeedError(f"{where}：未知的评分方案“{entry.get('scheme')}”。")
        unit = _unit(entry.get("unit"), where)
        printed = entry.get("printed") or {}
        totals_unit = _unit(entry.get("totals_unit") or unit, where)
        declaration = (
            ProjectDeclaration.objects.filter(project=project, year=year).first() if project is not None else None
        )
        evaluation = self.save(
            SelfEvaluation(
                kind=kind,
                department=dept,
                project=project,
                declaration=declaration,
                year=year,
                unit=unit,
                layout=entry.get("layout"),
                scheme=scheme,
                eval_date_printed=_text(entry.get("eval_date")),
                fill_unit=_text(entry.get("fill_unit")),
                supervising_unit=_text(entry.get("supervising_unit")),
                executing_unit=_text(entry.get("executing_unit")),
                filler=_text(entry.get("filler")),
                phone=_text(entry.get("phone")),
                basic_expenditure_total=_money(entry.get("basic_expenditure_total"), totals_unit, where),
                project_expenditure_total=_money(entry.get("project_expenditure_total"), totals_unit, where),
                goal_target=_text(entry.get("goal_target")),
                goal_actual=_text(entry.get("goal_actual")),
                problems=_text(entry.get("problems")),
                improvement=_text(entry.get("improvement")),
                printed_total=_decimal(printed.get("total"), f"{where} / 总分"),
                printed_grade=_text(printed.get("grade")),
                printed_budget_rate=_text(printed.get("budget_rate")),
                printed_budget_score=_decimal(printed.get("budget_score"), f"{where} / 预算执行得分"),
                printed_completion_rate=_text(printed.get("completion_rate")),
                status=entry.get("status") or EvaluationStatus.DRAFT,
                incomplete=bool(entry.get("incomplete")),
                notes=list(entry.get("notes") or []),
                source=self.source,
            )
        )
        sections = {}
        for seq, row in enumerate(entry.get("sections") or [], start=1):
            here = f"{where} / 分项 {row.get('code')}"
            sections[row["code"]] = self.save(
                EvaluationSection(
                    evaluation=evaluation,
                    seq=seq,
                    code=row["code"],
                    name=_text(row.get("name")),
                    points=_decimal(row.get("points"), here),
                    printed_score=_decimal(row.get("score"), here),
                )
            )
        self.derive_goal_score(evaluation, sections)
        for seq, row in enumerate(entry.get("funding") or [], start=1):
            here = f"{where} / 资金 {seq}"
            self.save(
                EvaluationFunding(
                    evaluation=evaluation,
                    seq=seq,
                    name=_text(row.get("name")),
                    is_total=bool(row.get("is_total")),
                    budget_initial=_money(row.get("budget_initial"), unit, here),
                    budget=_money(row.get("budget"), unit, here),
                    received=_money(row.get("received"), unit, here),
                    executed=_money(row.get("executed"), unit, here),
                    rate_printed=_text(row.get("rate")),
                    score_printed=_decimal(row.get("score"), here),
                )
            )
        seq = 0
        for row in entry.get("indicators") or []:
            seq += 1
            self.save_evaluation_row(evaluation, row, seq, sections, None, f"{where} / 指标 {seq}")
        for goal_entry in entry.get("goals") or []:
            here = f"{where} / 年度目标 {goal_entry.get('seq')}"
            goal = self.save(
                EvaluationGoal(
                    evaluation=evaluation,
                    seq=int(goal_entry["seq"]),
                    title=_text(goal_entry.get("title")),
                    points=_decimal(goal_entry.get("points"), here),
                    printed_score=_decimal(goal_entry.get("score"), here),
                )
            )
            for row in goal_entry.get("indicators") or []:
                seq += 1
                row = {"section": f"goal{goal.seq}", **row}
                self.save_evaluation_row(evaluation, row, seq, sections, goal, f"{here} / 指标 {seq}")

    def derive_goal_score(self, evaluation: SelfEvaluation, sections: dict) -> None:
        """The evaluator's score of a 总目标 section follows from the printed total and the other printed scores.

        000 prints the total, the 项目资金 score and the 绩效指标 subtotal but not the 总目标 score; the
        evaluator's score is the one figure that makes them add up (docs/domain.md §5), and is kept as
        ``score_final`` (never as the printed score, which stays blank).
        """
        goal = sections.get("goal")
        if goal is None or goal.printed_score is not None or evaluation.printed_total is None:
            return
        others = []
        for code, section in sections.items():
            score = section.printed_score
            if score is None and code in {"funds", "budget"}:
                score = evaluation.printed_budget_score
            if code != "goal":
                others.append(score)
        if any(score is None for score in others):
            return
        goal.score_final = evaluation.printed_total - sum(others)
        goal.save(update_fields=["score_final"])
        evaluation.notes = [
            *evaluation.notes,
            f"总目标自评分原表未填，按填报总分减其他部分得分推定为 {goal.score_final}。",
        ]
        evaluation.save(update_fields=["notes"])

    def save_evaluation_row(self, evaluation, row: dict, seq: int, sections: dict, goal, where: str) -> None:
        code = row.get("section")
        if code and code not in sections and goal is None:
            raise SeedError(f"{where}：分项“{code}”不在本表的 sections 中。")
        score = _decimal(row.get("score"), where)
        self.save(
            EvaluationRow(
                evaluation=evaluation,
                seq=seq,
                goal=goal,
                section=sections.get(code),
                **self.category_fields(row),
                name=_text(row.get("name")),
                target=_text(row.get("target")),
                actual=_text(row.get("actual")),
                reason=_text(row.get("reason")),
                weight=_decimal(row.get("weight"), where),
                score_printed=score,
                # The evaluator's own score is the one printed on the filed form.
                score_final=score,
            )
        )

    def load_final_account(self, entry: dict, where: str) -> None:
        dept = self.department(entry.get("department"), where)
        year = int(entry["year"])
        label = "部门决算"
        if self.keep_existing(label, FinalAccount.objects.filter(department=dept, year=year).first()):
            return
        unit = _unit(entry.get("unit"), where)
        account = self.save(
            FinalAccount(
                department=dept, year=year, unit=unit, notes=list(entry.get("notes") or []), source=self.source
            )
        )
        money_columns = [
            "total", "fiscal", "superior", "business", "operating", "affiliated", "other",
            "basic", "project", "to_superior", "budget", "final",
        ]  # fmt: skip
        parents: dict[tuple[str, str], FinalAccountLine] = {}
        seqs = Counter()
        for row in entry.get("lines") or []:
            table = row.get("table")
            seqs[table] += 1
            here = f"{where} / {table} {seqs[table]}"
            code = _text(row.get("code"))
            try:
                level = FinalAccountLine.level_of(code)
            except KeyError:
                raise SeedError(f"{here}：科目编码“{code}”应为 3、5 或 7 位。") from None
            parent = None
            if level > 1:
                parent = parents.get((table, code[: {2: 3, 3: 5}[level]]))
            line = self.save(
                FinalAccountLine(
                    account=account,
                    table=table,
                    seq=seqs[table],
                    code=code,
                    name=_text(row.get("name")),
                    level=level,
                    parent=parent,
                    rate_printed=_text(row.get("rate")),
                    **{col: _money(row.get(col), unit, here) for col in money_columns},
                )
            )
            if code:
                parents[(table, code)] = line
        for row in entry.get("figures") or []:
            here = f"{where} / {row.get('key')}"
            printed_unit = _text(row.get("unit"))
            if printed_unit in UNIT_FACTORS:
                amount, stored_unit = _money(row.get("amount"), printed_unit, here), "元"
            else:
                amount, stored_unit = _decimal(row.get("amount"), here), printed_unit
            self.save(
                DepartmentFigure(
                    account=account,
                    key=row["key"],
                    name=_text(row.get("name")),
                    amount=amount,
                    unit=stored_unit,
                    unit_printed=printed_unit,
                    note=_text(row.get("note")),
                )
            )


def read_seed_file(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SeedError(f"{path.name}：YAML 格式错误：{exc}") from None
    if not isinstance(data, dict):
        raise SeedError(f"{path.name}：文件内容应为一个映射。")
    return data


def load_seed_files(paths: list[Path], *, replace: bool = False, report: LoadReport | None = None) -> LoadReport:
    """Load the given seed files, each in its own transaction."""
    report = report or LoadReport()
    for path in paths:
        data = read_seed_file(path)
        with transaction.atomic(), loading_records():  # forms are written in the state their documents record
            _Loader(path.name, data, report, replace).run()
    return report


def seed_paths(directory: Path = SEED_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


DEMO_USERS = [
    # username, role, department code (None: every department), display name
    ("finance", Role.FINANCE, "420112-zzb", "张会计"),
    ("head", Role.HEAD, "420112-zzb", "李部长"),
    ("auditor", Role.AUDITOR, None, "王审计"),
    ("admin", Role.ADMIN, None, "系统管理员"),
]


def ensure_demo_users(report: LoadReport) -> None:
    """The demo accounts of the README; one finance/head pair more for every other seeded department."""
    accounts = list(DEMO_USERS)
    for dept in Department.objects.filter(parent__isnull=True).exclude(code="420112-zzb"):
        prefix = dept.code.split("-")[0]
        accounts.append((f"finance-{prefix}", Role.FINANCE, dept.code, f"{dept.short_name}填报人"))
        accounts.append((f"head-{prefix}", Role.HEAD, dept.code, f"{dept.short_name}负责人"))
    for username, role, dept_code, display in accounts:
        if User.objects.filter(username=username).exists():
            report.kept["演示用户"] += 1
            continue
        department = Department.objects.filter(code=dept_code).first() if dept_code else None
        if dept_code and department is None:
            continue
        user = User(
            username=username,
            role=role,
            department=department,
            first_name=display,
            is_staff=True,
            is_superuser=role == Role.ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        report.created["演示用户"] += 1
