"""Row spans of the indicator table: 一级 and 二级 cells span their rows as on paper (pure)."""

from dataclasses import dataclass
from typing import Any

# A group longer than this (in printed lines, estimated) is split at its 二级 boundaries so that each
# part fits on one printed page.
GROUP_LINES = 26
CHARS_PER_LINE = 14  # of a text column of the indicator table, at 8.5 pt on A4


@dataclass
class SpannedRow:
    row: Any
    level1: str
    level2: str
    level1_span: int = 0  # 0: covered by the cell above
    level2_span: int = 0
    continued: bool = False  # the first row of a group that continues one begun above


def level_label(row, level: int) -> str:
    category = getattr(row, f"level{level}", None)
    printed = getattr(row, f"level{level}_printed", "")
    return printed or (category.name if category else "")


def _runs(items: list, key) -> list[list]:
    """Consecutive items with the same ``key``."""
    runs: list[list] = []
    for item in items:
        if runs and key(runs[-1][0]) == key(item):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _assign_spans(rows: list[SpannedRow]) -> list[SpannedRow]:
    for run1 in _runs(rows, lambda s: s.level1):
        for s in run1:
            s.level1_span = s.level2_span = 0
        run1[0].level1_span = len(run1)
        for run2 in _runs(run1, lambda s: s.level2):
            run2[0].level2_span = len(run2)
    return rows


def span_rows(rows, printed_only: bool = False) -> list[SpannedRow]:
    """``printed_only``: label cells with what was printed, not with the matched category (for exports)."""
    if printed_only:
        out = [SpannedRow(r, r.level1_printed, r.level2_printed) for r in rows]
    else:
        out = [SpannedRow(r, level_label(r, 1), level_label(r, 2)) for r in rows]
    return _assign_spans(out)


def row_lines(row) -> int:
    """The printed lines a row takes, estimated from its longest text."""
    texts = [str(getattr(row, name, "") or "") for name in ("name", "target", "actual", "reason", "prev1", "prev2")]
    return 1 + max(len(t) for t in texts) // CHARS_PER_LINE


def _pack(rows: list[SpannedRow], budget: int) -> list[list[SpannedRow]]:
    """Consecutive rows in pieces of at most ``budget`` lines (a row longer than that alone)."""
    pieces: list[list[SpannedRow]] = []
    used = 0
    for s in rows:
        lines = row_lines(s.row)
        if pieces and used + lines <= budget:
            pieces[-1].append(s)
            used += lines
        else:
            pieces.append([s])
            used = lines
    return pieces


def span_groups(rows, budget: int = GROUP_LINES) -> list[list[SpannedRow]]:
    """The rows in groups that are printed unbroken (one ``<tbody>`` each), spans computed per group.

    A 一级 group that fits in ``budget`` printed lines is one group, as on paper. A longer one is split
    at its 二级 boundaries (a longer 二级 run in pieces), and each part repeats the 一级 and 二级 labels,
    so that a spanning cell never loses its text at a page break.
    """
    groups: list[list[SpannedRow]] = []
    for run1 in _runs(span_rows(rows), lambda s: s.level1):
        if sum(row_lines(s.row) for s in run1) <= budget:
            groups.append(run1)
            continue
        current: list[SpannedRow] = []
        for run2 in _runs(run1, lambda s: s.level2):
            for piece in _pack(run2, budget):
                if current and sum(row_lines(s.row) for s in current + piece) > budget:
                    groups.append(current)
                    current = []
                current.extend(piece)
        groups.append(current)
    for index, group in enumerate(groups):
        _assign_spans(group)
        group[0].continued = index > 0 and groups[index - 1][-1].level1 == group[0].level1
    return groups
