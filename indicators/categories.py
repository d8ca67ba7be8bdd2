"""The fixed national 一级/二级 indicator table (docs/domain.md §3), older and 2021 layouts together.

Loaded by a data migration; ``match_category`` maps what a form printed onto it.
"""

from dataclasses import dataclass, field

from .choices import CategoryLayout


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    layout: str = CategoryLayout.BOTH
    aliases: tuple[str, ...] = ()
    children: tuple["CategoryRow", ...] = field(default=())


CATEGORY_TABLE: tuple[CategoryRow, ...] = (
    CategoryRow(
        "output",
        "产出指标",
        children=(
            CategoryRow("output-quantity", "数量指标"),
            CategoryRow("output-quality", "质量指标"),
            CategoryRow("output-timeliness", "时效指标", aliases=("时间指标",)),
            CategoryRow("output-cost", "成本指标", layout=CategoryLayout.LEGACY),
        ),
    ),
    CategoryRow(
        "benefit",
        "效益指标",
        aliases=("效果指标",),
        children=(
            CategoryRow("benefit-economic", "经济效益指标"),
            CategoryRow("benefit-social", "社会效益指标"),
            CategoryRow("benefit-ecological", "生态效益指标"),
            CategoryRow("benefit-sustainable", "可持续影响指标", aliases=("可持续发展影响指标",)),
        ),
    ),
    CategoryRow(
        "satisfaction",
        "满意度指标",
        children=(
            CategoryRow(
                "satisfaction-service",
                "服务对象满意度指标",
                aliases=("社会公众或服务对象满意度指标", "社会公众满意度指标"),
            ),
        ),
    ),
    CategoryRow(
        "cost",
        "成本指标",
        layout=CategoryLayout.V2021,
        children=(
            CategoryRow("cost-economic", "经济成本指标", layout=CategoryLayout.V2021),
            CategoryRow("cost-social", "社会成本指标", layout=CategoryLayout.V2021),
            CategoryRow("cost-ecological", "生态环境成本指标", layout=CategoryLayout.V2021),
        ),
    ),
)


def normalize_name(text: str | None) -> str:
    """Strip the spaces, line breaks and a bracketed weight that PDF text and paper forms add: 产出指标(40)."""
    if not text:
        return ""
    cleaned = "".join(str(text).split())
    for opening in ("(", "（"):
        if opening in cleaned:
            cleaned = cleaned.split(opening, 1)[0]
    return cleaned


def _names(row: CategoryRow) -> set[str]:
    names = {row.name, *row.aliases}
    # A form may leave off the trailing 指标 (数量 for 数量指标).
    return names | {name.removesuffix("指标") for name in names}


def match_category(level1: str | None, level2: str | None) -> tuple[str | None, str | None]:
    """Codes of the 一级 and 二级 categories that the printed names stand for, None where none fits.

    A 二级 is looked up under its 一级 first; when the 一级 is unknown or the 二级 is not under it, any
    一级 whose children hold that 二级 name is accepted (成本指标 exists in both layouts).
    """
    name1, name2 = normalize_name(level1), normalize_name(level2)
    parent = next((row for row in CATEGORY_TABLE if name1 and name1 in _names(row)), None)
    if not name2:
        return (parent.code if parent else None), None
    candidates = ([parent] if parent else []) + [row for row in CATEGORY_TABLE if row is not parent]
    for row in candidates:
        child = next((c for c in row.children if name2 in _names(c)), None)
        if child is not None:
            if parent is not None and row is not parent:
                # The 二级 belongs elsewhere: keep the 一级 as printed, leave the 二级 unmatched.
                return parent.code, None
            return row.code, child.code
    return (parent.code if parent else None), None
