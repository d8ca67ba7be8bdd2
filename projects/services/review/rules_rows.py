"""Review rules on the indicator table: its structure and its wording (docs/review.md). Pure functions: a
declaration's plain data and the rule's parameters in, hits out."""

from collections.abc import Iterable

from .inputs import INDICATORS, Hit, ReviewInput, RowInput, row_place


def row_hit(row: RowInput, **values) -> Hit:
    return Hit(row_place(row.key), {"name": row.name, "seq": row.seq, "target": row.target, **values})


def says_not_applicable(row: RowInput, words: Iterable[str]) -> bool:
    return any(word in row.target or word in row.name for word in words)


def required_level2(data: ReviewInput, params: dict) -> list[Hit]:
    """Each required 二级 (数量, 质量, 时效, 成本, 效益 — words matched in the 一级/二级 names) has a row, or a row
    naming it says 不适用 (成本指标：不适用). 效益 is met by any 效益 二级 (the one relevant to the project)."""
    words = params.get("not_applicable", [])
    return [
        Hit(INDICATORS, {"level2": required})
        for required in params.get("required", [])
        if not any(row.in_category(required) or (required in row.name and says_not_applicable(row, words))
                   for row in data.rows)
    ]  # fmt: skip


def min_rows(data: ReviewInput, params: dict) -> list[Hit]:
    minimum = params.get("min", 3)
    count = len(data.rows)
    return [Hit(INDICATORS, {"count": count, "min": minimum})] if count < minimum else []


def satisfaction_public(data: ReviewInput, params: dict) -> list[Hit]:
    """A project serves the public when its name, goal or 申请理由/主要内容/实施方案 names one of the keywords;
    it then needs a 满意度 row."""
    text = " ".join((data.project_name, data.goal_text, data.application_text))
    keyword = next((word for word in params.get("keywords", []) if word in text), None)
    if keyword is None or any(row.level1_code == "satisfaction" or row.in_category("满意") for row in data.rows):
        return []
    return [Hit(INDICATORS, {"keyword": keyword})]


def name_length(data: ReviewInput, params: dict) -> list[Hit]:
    maximum = params.get("max", 15)
    return [
        row_hit(row, length=len(row.name.strip()), max=maximum) for row in data.rows if len(row.name.strip()) > maximum
    ]


def name_matches_level2(data: ReviewInput, params: dict) -> list[Hit]:
    """A row under a 二级 named in the parameters (数量, 质量 …) names it with one of that 二级's keywords."""
    hits = []
    for row in data.rows:
        for level2, keywords in params.get("keywords", {}).items():
            if row.in_category(level2) and not any(word in row.name for word in keywords):
                hits.append(row_hit(row, level2=level2, keywords="、".join(keywords[:4])))
                break
    return hits


def duplicate_name(data: ReviewInput, params: dict) -> list[Hit]:
    seen: dict[str, int] = {}
    hits = []
    for row in data.rows:
        key = "".join(row.name.split())
        if not key:
            continue
        if key in seen:
            hits.append(row_hit(row, first=seen[key]))
        else:
            seen[key] = row.seq
    return hits


def copied_last_year(data: ReviewInput, params: dict) -> list[Hit]:
    """A row whose name and value are last year's declaration's (same project), unchanged."""
    if not data.prior_rows:
        return []
    before = {("".join(p.name.split()), "".join(p.target.split())) for p in data.prior_rows}
    return [
        row_hit(row, year=data.prior_year)
        for row in data.rows
        if row.target.strip() and ("".join(row.name.split()), "".join(row.target.split())) in before
    ]
