"""What every consistency checker shares (docs/domain.md §6): the finding, and comparing printed figures at the
precision they were printed with (86% agrees with 85.74%). Pure Python, no ORM."""

import re
from dataclasses import dataclass
from decimal import Decimal

from .values import NATURE_LABELS, SYMBOLS, RowValues, format_number, format_rate, nature_contradicts, quantize

ERROR, WARNING = "error", "warning"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "提示"}
ZERO = Decimal(0)


@dataclass(frozen=True)
class Finding:
    """One finding: ``error`` for figures that do not add up or contradict each other, ``warning`` for a look."""

    code: str
    severity: str
    field: str
    printed: str | None
    computed: str | None
    message: str

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "printed": self.printed,
            "computed": self.computed,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"[{SEVERITY_LABELS[self.severity]}] {self.field}：{self.message}"


def num(value: Decimal | None) -> str | None:
    """A number as the string of its decimal value (``19.98``), None for None."""
    return None if value is None else format_number(Decimal(value))


def parse_rate(text: str, percent: bool = False) -> tuple[Decimal, int] | None:
    """A printed rate as a fraction and its precision in percent places: ``99.9%`` → (0.999, 1); ``0.992`` → (0.992, 1).

    ``percent``: the column is headed 执行率(%), so a number typed without "%" is a percentage (``100`` → 1)."""
    cleaned = (text or "").strip().replace("％", "%").replace(" ", "")
    match = re.fullmatch(r"(\d+(?:\.(\d+))?)(%?)", cleaned)
    if not match:
        return None
    number, decimals = Decimal(match.group(1)), len(match.group(2) or "")
    if match.group(3) or percent:
        return number / 100, decimals
    return number, max(decimals - 2, 0)


def rate_agrees(
    printed_text: str, numerator: Decimal, denominator: Decimal, percent: bool = False
) -> tuple[bool, str] | None:
    """Whether a printed rate agrees with numerator / denominator at its printed precision, and the recomputed text."""
    printed = parse_rate(printed_text, percent)
    if printed is None or denominator is None or numerator is None or denominator <= 0:
        return None
    exact = Decimal(numerator) / Decimal(denominator)
    places = printed[1]
    return quantize(exact, places + 2) == printed[0], format_rate(exact, places)


def amounts_agree(printed: Decimal, computed: Decimal) -> bool:
    """Amounts printed in 万元 may carry fewer decimals than the sum of their parts: compare at the printed precision."""
    exponent = Decimal(printed).normalize().as_tuple().exponent
    places = max(-exponent, 0) if isinstance(exponent, int) else 2
    return quantize(Decimal(computed), places) == quantize(Decimal(printed), places)


def nature_contradiction(field: str, values: RowValues) -> Finding | None:
    """A row whose printed 指标性质 contradicts its target's comparator (正向 with ≤, 反向 with ≥), or None."""
    if not (values.target.is_quantitative and nature_contradicts(values.printed_nature, values.target.comparison)):
        return None
    nature, symbol = NATURE_LABELS[values.printed_nature], SYMBOLS[values.target.comparison]
    return Finding(
        "nature_contradicts",
        ERROR,
        field,
        nature,
        symbol,
        f"指标性质为“{nature}”，指标值却是“{symbol}”，请核实指标性质或比较符。",
    )
