"""Review rules on the indicator values (指标值), read with the value parser and the row's 指标性质/比较符/单位
columns (indicators.services.values; docs/review.md). Pure functions."""

from indicators.services.values import NATURE_NEGATIVE, NATURE_POSITIVE, parse_nature, parse_row, prints_comparison

from .inputs import Hit, ReviewInput, RowInput
from .rules_rows import row_hit, says_not_applicable

NOT_APPLICABLE = ("不适用",)


def read_target(row: RowInput, year: int):
    return parse_row(
        row.target, unit=row.unit, comparator=row.comparator, nature=row.nature, default_nature=row.default_nature,
        year=year,
    ).target  # fmt: skip


def quantitative_kind(row: RowInput, level2_words) -> str:
    """Why a row is meant to be measured, as the review says it: marked 正向/反向 (“正向指标”), or under one of the
    given 二级 (“数量指标”, “成本指标” …); empty when it is not."""
    nature = parse_nature(row.nature)
    if nature in (NATURE_POSITIVE, NATURE_NEGATIVE):
        return "正向指标" if nature == NATURE_POSITIVE else "反向指标"
    return next((f"{word}指标" for word in level2_words if row.in_category(word)), "")


def is_quantitative_row(row: RowInput, level2_words) -> bool:
    """A row meant to be measured: marked 正向/反向, or under one of the given 二级 (数量, 成本 …)."""
    return bool(quantitative_kind(row, level2_words))


def value_unit(data: ReviewInput, params: dict) -> list[Hit]:
    """A number with no unit, neither in the value nor in the 计量单位 column (a bare 100)."""
    hits = []
    for row in data.rows:
        target = read_target(row, data.year)
        if target.is_quantitative and not target.unit:
            hits.append(row_hit(row))
    return hits


def value_form(data: ReviewInput, params: dict) -> list[Hit]:
    """A quantitative row's value reads as comparator + number + unit, or a date (or says 不适用)."""
    words = params.get("quantitative_level2", [])
    hits = []
    for row in data.rows:
        kind = quantitative_kind(row, words)
        if not row.target.strip() or not kind or says_not_applicable(row, NOT_APPLICABLE):
            continue
        target = read_target(row, data.year)
        if not (target.is_quantitative or target.is_time):
            hits.append(row_hit(row, kind=kind))
    return hits


def value_comparator(data: ReviewInput, params: dict) -> list[Hit]:
    """A number with a unit but no comparison: neither printed (≥, 不低于, 以上) nor in the 比较符/指标性质 columns."""
    hits = []
    for row in data.rows:
        target = read_target(row, data.year)
        if not target.is_quantitative or not target.unit:
            continue
        if row.comparator or parse_nature(row.nature) or row.default_nature or prints_comparison(row.target):
            continue
        hits.append(row_hit(row))
    return hits


def timeliness_value(data: ReviewInput, params: dict) -> list[Hit]:
    """A 时效 row's value is a date or deadline (12月底前), a duration (≤5个工作日) or a frequency (每季度1次)."""
    durations = params.get("duration_units", [])
    frequencies = params.get("frequency_words", [])
    hits = []
    for row in data.rows:
        if not row.in_category("时效") or says_not_applicable(row, NOT_APPLICABLE):
            continue
        target = read_target(row, data.year)
        if target.is_time:
            continue
        if target.is_quantitative and any(target.unit.endswith(unit) for unit in durations):
            continue
        if any(word in row.target for word in frequencies) and any(ch.isdigit() for ch in row.target):
            continue
        hits.append(row_hit(row))
    return hits


def vague_words(data: ReviewInput, params: dict) -> list[Hit]:
    """较好, 有所提高, 明显 … in the value of a quantitative row."""
    level2_words = params.get("quantitative_level2", [])
    hits = []
    for row in data.rows:
        if not is_quantitative_row(row, level2_words):
            continue
        word = next((w for w in params.get("words", []) if w in row.target), None)
        if word is not None:
            hits.append(row_hit(row, word=word))
    return hits
