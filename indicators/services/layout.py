"""Row spans of the indicator table: 一级 and 二级 cells span their rows as on paper (pure)."""

from dataclasses import dataclass
from typing import Any


@dataclass
class SpannedRow:
    row: Any
    level1: str
    level2: str
    level1_span: int = 0  # 0: covered by the cell above
    level2_span: int = 0


def level_label(row, level: int) -> str:
    category = getattr(row, f"level{level}", None)
    printed = getattr(row, f"level{level}_printed", "")
    return printed or (category.name if category else "")


def span_rows(rows, printed_only: bool = False) -> list[SpannedRow]:
    """``printed_only``: label cells with what was printed, not with the matched category (for exports)."""
    if printed_only:
        out = [SpannedRow(r, r.level1_printed, r.level2_printed) for r in rows]
    else:
        out = [SpannedRow(r, level_label(r, 1), level_label(r, 2)) for r in rows]
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and out[j + 1].level1 == out[i].level1:
            j += 1
        out[i].level1_span = j - i + 1
        k = i
        while k <= j:
            m = k
            while m + 1 <= j and out[m + 1].level2 == out[k].level2:
                m += 1
            out[k].level2_span = m - k + 1
            k = m + 1
        i = j + 1
    return out
