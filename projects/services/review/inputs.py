"""What the target-quality review reads and what it reports: plain data, no ORM (docs/review.md)."""

from dataclasses import dataclass, field
from decimal import Decimal

from ...review_data import SEVERITIES

# Where a finding belongs on the page: a row of the indicator table (``row:<key>``) or one of these blocks.
INDICATORS, GOALS, BASIS, ESTIMATION, CONTINUING = "indicators", "goals", "basis", "estimation", "continuing"
PLACE_LABELS = {
    INDICATORS: "年度绩效指标", GOALS: "项目绩效总目标", BASIS: "项目立项依据", ESTIMATION: "测算依据",
    CONTINUING: "上年自评结果",
}  # fmt: skip


def row_place(key) -> str:
    return f"row:{key}"


@dataclass(frozen=True)
class RowInput:
    """A 三级 row: its categories (codes and names, matched and printed) and what it says."""

    key: object  # the row's id, where the page marks it
    seq: int
    name: str
    target: str
    level1_code: str = ""
    level2_code: str = ""
    category_names: tuple[str, ...] = ()  # the 一级/二级 names, matched and printed
    nature: str = ""
    comparator: str = ""
    unit: str = ""
    default_nature: str = ""
    # The goal whose table the row sits in, where the form has a table per goal (部门整体: 长期目标1, 年度目标2);
    # empty: the declaration's goal (ReviewInput.goal_text).
    goal_name: str = ""
    goal_text: str = ""

    @property
    def label(self) -> str:
        return f"第 {self.seq} 行"

    def in_category(self, word: str) -> bool:
        """Whether the row sits under a 一级 or 二级 whose name contains ``word`` (数量, 时效, 成本, 效益 …)."""
        return any(word in name for name in self.category_names)


@dataclass(frozen=True)
class ExpenseInput:
    name: str
    amount: Decimal | None  # 元
    basis: str = ""


@dataclass(frozen=True)
class PriorRow:
    name: str
    target: str
    level2_code: str = ""


@dataclass(frozen=True)
class PriorEvaluation:
    """Last year's self-evaluation of the project: its grade and the rows that missed their targets."""

    year: int
    grade: str
    total: str
    unmet: tuple[dict, ...] = ()


@dataclass(frozen=True)
class ReviewInput:
    """A declaration as the rules read it: a 项目 declaration, or a 部门整体 one (its goals as the goal, its
    职能概述 and 年度工作任务 as the application text, its year's funds as the amount; no 立项依据 or 测算依据)."""

    year: int
    project_name: str = ""  # the project's name, or the department's
    project_type: str = ""
    application_text: str = ""  # 申请理由, 主要内容 and 实施方案, where the public a project serves is named
    goal_text: str = ""
    basis_items: tuple[str, ...] = ()
    estimation_basis: str = ""
    expenses: tuple[ExpenseInput, ...] = ()
    annual_budget: Decimal | None = None  # 元: the amount requested
    rows: tuple[RowInput, ...] = ()
    prior_year: int | None = None
    prior_rows: tuple[PriorRow, ...] = ()
    prior_evaluation: PriorEvaluation | None = None
    place_labels: dict = field(default_factory=dict)  # the form's own names of its blocks, over PLACE_LABELS


@dataclass(frozen=True)
class Hit:
    """What a rule found: where, and the values its message template is filled with."""

    place: str
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewFinding:
    code: str
    rule: str  # the rule's label
    severity: str
    place: str
    field: str  # where, in words: 第 3 行“培训人次”, 项目立项依据 …
    message: str
    advice: str
    blocking: bool = False

    @property
    def severity_label(self) -> str:
        return dict(SEVERITIES).get(self.severity, self.severity)

    def as_dict(self) -> dict:
        return {
            "code": self.code, "severity": self.severity, "place": self.place, "field": self.field,
            "message": self.message, "advice": self.advice, "blocking": self.blocking,
        }  # fmt: skip
