"""The fixed national 一级/二级 indicator table (docs/domain.md §3), older and 2021 layouts together.

Loaded by a data migration; ``match_category`` maps what a form printed onto it. The names real forms print
(二级 满意度, 经济成本指标 under 产出) are each category's 其他写法 (aliases): data an administrator edits in the
admin, read through ``table_of`` from the stored categories; the table below is only the default.
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
            CategoryRow("output-timeliness", "时效指标", aliases=("时间指标", "进度指标")),
            CategoryRow(
                "output-cost",
                "成本指标",
                layout=CategoryLayout.LEGACY,
                # forms that print the 2021 成本 names under 产出 (older layout)
                aliases=("经济成本指标", "社会成本指标", "生态环境成本指标"),
            ),
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
                aliases=("社会公众或服务对象满意度指标", "社会公众满意度指标", "满意度指标", "满意度"),
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


def table_of(categories) -> tuple[CategoryRow, ...]:
    """The table as stored (``IndicatorCategory`` rows or anything with their fields), aliases as edited."""
    categories = sorted(categories, key=lambda c: (c.level, c.seq))
    children: dict = {}
    for c in categories:
        if c.level == 2:
            children.setdefault(c.parent_id, []).append(CategoryRow(c.code, c.name, c.layout, tuple(c.aliases or ())))
    return tuple(
        CategoryRow(c.code, c.name, c.layout, tuple(c.aliases or ()), tuple(children.get(c.pk, ())))
        for c in categories
        if c.level == 1
    )


def match_category(
    level1: str | None, level2: str | None, table: tuple[CategoryRow, ...] = CATEGORY_TABLE
) -> tuple[str | None, str | None]:
    """Codes of the 一级 and 二级 categories that the printed names stand for, None where none fits.

    A 二级 is looked up under its 一级 first; when the 一级 is unknown or the 二级 is not under it, any
    一级 whose children hold that 二级 name is accepted (成本指标 exists in both layouts).
    """
    name1, name2 = normalize_name(level1), normalize_name(level2)
    parent = next((row for row in table if name1 and name1 in _names(row)), None)
    if not name2:
        return (parent.code if parent else None), None
    candidates = ([parent] if parent else []) + [row for row in table if row is not parent]
    for row in candidates:
        child = next((c for c in row.children if name2 in _names(c)), None)
        if child is not None:
            if parent is not None and row is not parent:
                # The 二级 belongs elsewhere: keep the 一级 as printed, leave the 二级 unmatched.
                return parent.code, None
            return row.code, child.code
    return (parent.code if parent else None), None
