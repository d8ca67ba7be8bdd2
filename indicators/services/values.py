"""The value parser: target and actual values (指标值) as written on the forms (docs/domain.md §4).

Pure Python, no ORM. ``parse_value`` never raises: anything it cannot read as a comparison with a
number becomes *qualitative*, with its text kept, and is scored by the evaluator.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

# The parser's version: change it with any change of how a value is read (stored checks are made again).
PARSER_VERSION = "1"

GE, GT, EQ, LT, LE = ">=", ">", "=", "<", "<="
QUANTITATIVE, QUALITATIVE = "quantitative", "qualitative"
POSITIVE, NEGATIVE = "positive", "negative"  # 正向 (more is better), 反向 (less is better)

SYMBOLS = {GE: "≥", GT: ">", EQ: "=", LT: "<", LE: "≤"}
DIRECTION_LABELS = {POSITIVE: "正向", NEGATIVE: "反向"}
COMPARISON_LABELS = {GE: "不低于", GT: "高于", EQ: "等于", LT: "低于", LE: "不高于"}

# Symbols as they appear in real forms, full-width and compatibility forms included.
_SYMBOL_MAP = {"≧": "≥", "≦": "≤", "⩾": "≥", "⩽": "≤", "﹦": "=", "＝": "=", "﹥": ">", "﹤": "<"}
_PREFIX_SYMBOLS = [
    (">=", GE),
    ("≥", GE),
    ("=>", GE),
    ("<=", LE),
    ("≤", LE),
    ("=<", LE),
    (">", GT),
    ("<", LT),
    ("=", EQ),
]
_PREFIX_WORDS = [
    ("大于等于", GE), ("不少于", GE), ("不低于", GE), ("不小于", GE), ("至少", GE), ("达到", GE), ("超过", GT),
    ("大于", GT), ("高于", GT), ("多于", GT), ("小于等于", LE), ("不超过", LE), ("不高于", LE), ("不多于", LE),
    ("不大于", LE), ("至多", LE), ("控制在", LE), ("小于", LT), ("低于", LT), ("少于", LT), ("等于", EQ),
]  # fmt: skip
# Longest first, so that 不超过 is not read as 超过.
_PREFIXES = sorted(_PREFIX_SYMBOLS + _PREFIX_WORDS, key=lambda t: -len(t[0]))
_SUFFIX_WORDS = [("以上", GE), ("及以上", GE), ("以下", LE), ("及以下", LE), ("以内", LE), ("之内", LE), ("内", LE)]
_SUFFIXES = sorted(_SUFFIX_WORDS, key=lambda t: -len(t[0]))
_MULTIPLIERS = {"万": Decimal(10000), "亿": Decimal(100000000)}
_NUMBER = re.compile(r"(?P<sign>-)?(?P<num>\d+(?:\.\d+)?)(?P<approx>余|多)?(?P<mult>[万亿](?![元]))?")
# A unit is a short run of letters, CJK characters and / or %, e.g. 人, 次, %, 天/月, 人/次, 万人次, 小时.
_UNIT = re.compile(r"^[%‰A-Za-z\u4e00-\u9fff/·]{0,8}$")


@dataclass(frozen=True)
class ParsedValue:
    """What a value means: a comparison with a number and unit, or qualitative text."""

    text: str
    kind: str
    comparison: str | None = None
    number: Decimal | None = None
    unit: str = ""
    direction: str | None = None
    label: str = ""  # words before the comparison, e.g. 执行率 in 执行率≥80%

    @property
    def is_quantitative(self) -> bool:
        return self.kind == QUANTITATIVE

    def format(self) -> str:
        """The canonical text of a quantitative value (``≥10000人``); the original text otherwise."""
        if not self.is_quantitative:
            return self.text
        symbol = "" if self.comparison == EQ else SYMBOLS[self.comparison]
        return f"{self.label}{symbol}{format_number(self.number)}{self.unit}"

    def describe(self) -> str:
        """A short Chinese reading of the value, shown next to the field."""
        if not self.is_quantitative:
            return "定性指标"
        return (
            f"定量 · {COMPARISON_LABELS[self.comparison]} {format_number(self.number)}{self.unit}"
            f" · {DIRECTION_LABELS[self.direction]}"
        )


def format_number(number: Decimal) -> str:
    """Plain digits without trailing zeros, exact at any size (no rounding to the context precision)."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# TeX left in PDF-extracted text (004: ``执行率 $\\geq 80\\%$``).
_TEX = [("\\geqslant", "≥"), ("\\leqslant", "≤"), ("\\geq", "≥"), ("\\leq", "≤"), ("\\ge", "≥"), ("\\le", "≤"),
        ("\\%", "%"), ("$", "")]  # fmt: skip


def normalize_text(text: str) -> str:
    """Full-width forms to ASCII (NFKC), TeX and compatibility comparison symbols mapped, spaces removed."""
    text = unicodedata.normalize("NFKC", text).replace("−", "-")
    for old, new in _TEX:
        text = text.replace(old, new)
    for old, new in _SYMBOL_MAP.items():
        text = text.replace(old, new)
    return "".join(text.split())


def _qualitative(text: str) -> ParsedValue:
    return ParsedValue(text=text, kind=QUALITATIVE)


def parse_value(text: object) -> ParsedValue:
    """Parse a target or actual value; never raises."""
    original = "" if text is None else str(text)
    try:
        return _parse(original)
    except (InvalidOperation, ValueError, ArithmeticError):  # pragma: no cover - defensive: never raise
        return _qualitative(original.strip())


def _parse(original: str) -> ParsedValue:
    text = normalize_text(original)
    if not text:
        return _qualitative(original.strip())
    numbers = list(_NUMBER.finditer(text))
    if len(numbers) != 1:
        return _qualitative(original.strip())
    match = numbers[0]
    before, after = text[: match.start()], text[match.end() :]

    comparison = None
    # A comparison symbol or word right before the number; words before that are a label (执行率≥80%).
    for token, op in _PREFIXES:
        if before.endswith(token):
            comparison, before = op, before[: -len(token)]
            break
    label = before
    if label and not re.fullmatch(r"[\u4e00-\u9fffA-Za-z、()（）]{1,40}", label):
        return _qualitative(original.strip())

    if match.group("approx"):  # 30余场: more than 30
        comparison = comparison or GE
    suffix_op = None
    for token, op in _SUFFIXES:
        if after.endswith(token):
            suffix_op, after = op, after[: -len(token)]
            break
    if suffix_op is not None:
        if comparison is not None and comparison != suffix_op and comparison != EQ:
            return _qualitative(original.strip())
        comparison = comparison if comparison not in (None, EQ) else suffix_op
    unit = after
    if not _UNIT.match(unit):
        return _qualitative(original.strip())
    number = Decimal(match.group("num"))
    if unit.startswith("年") and number == number.to_integral() and 1900 <= number <= 2100 and not match.group("mult"):
        return _qualitative(original.strip())  # a calendar year (2019年内, 2022年已完成), not a quantity
    if match.group("sign"):
        number = -number
    if match.group("mult"):
        with localcontext() as context:
            context.prec = 80  # exact for any number a form can hold
            number *= _MULTIPLIERS[match.group("mult")]
    comparison = comparison or EQ
    direction = NEGATIVE if comparison in (LT, LE) else POSITIVE
    return ParsedValue(
        text=original.strip(),
        kind=QUANTITATIVE,
        comparison=comparison,
        number=number,
        unit=unit,
        direction=direction,
        label=label,
    )


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half up to ``places`` decimals, as the paper forms do."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_rate(rate: Decimal | None, places: int = 1) -> str:
    """0.999 → ``99.9%``."""
    return "" if rate is None else f"{quantize(rate * 100, places)}%"
