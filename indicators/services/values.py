"""The value parser: target and actual values (指标值) as written on the forms (docs/domain.md §4).

Pure Python, no ORM. ``parse_value`` never raises: anything it cannot read as a comparison with a
number becomes *qualitative*, with its text kept, and is scored by the evaluator.
"""

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import lru_cache

# The parser's version: change it with any change of how a value is read (stored checks are made again).
# 2: deadlines (12月底前) are time targets; a row's own 指标性质, comparator and unit are read with its values.
PARSER_VERSION = "2"

GE, GT, EQ, LT, LE = ">=", ">", "=", "<", "<="
QUANTITATIVE, QUALITATIVE, TIME = "quantitative", "qualitative", "time"
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
    date: datetime.date | None = None  # a time target or actual (12月底前, 2022年11月20日)
    year_printed: bool = True  # False where the form left the year off (12月底前): it is taken from the other side

    @property
    def is_time(self) -> bool:
        return self.kind == TIME

    @property
    def is_quantitative(self) -> bool:
        return self.kind == QUANTITATIVE

    def format(self) -> str:
        """The canonical text of a quantitative value (``≥10000人``); the original text otherwise."""
        if not self.is_quantitative:
            return self.text
        if self.comparison is None:
            return self.text
        symbol = "" if self.comparison == EQ else SYMBOLS[self.comparison]
        return f"{self.label}{symbol}{format_number(self.number)}{self.unit}"

    def describe(self) -> str:
        """A short Chinese reading of the value, shown next to the field."""
        if self.is_time:
            return f"时限 · {self.date.month}月{self.date.day}日{'前' if self.comparison == LE else ''}"
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


# A form's texts come back on every preview and rescore: each distinct text is read once per process. The answer
# is a frozen value of the text alone, so a cached one is the same answer.
@lru_cache(maxsize=16384)
def _parse(original: str) -> ParsedValue:
    text = normalize_text(original)
    if not text:
        return _qualitative(original.strip())
    deadline = _parse_date(original.strip(), text)
    if deadline is not None:
        return deadline
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


# A date or a deadline as forms print it: 12月底前, 2022年11月底前, 11月30日前完成, 已于2022年10月15日完成.
_DATE = re.compile(
    r"^(?:已于|于|在)?(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})[日号]|(?P<end>底|末|份))?"
    r"(?P<before>前|之前|以前|内)?(?:完成|全部完成|已完成|办结|结束)?$"
)


def _parse_date(original: str, text: str) -> ParsedValue | None:
    """A deadline (``12月底前``: on or before the last day of December) or a date; None when the text is neither.

    The year defaults to a leap year (2000) and ``year_printed`` is False, so that a caller comparing it with a
    date that prints its year can take that year instead (``with_year``).
    """
    match = _DATE.match(text)
    if match is None:
        return None
    year = int(match.group("year")) if match.group("year") else 2000
    month = int(match.group("month"))
    if not 1 <= month <= 12 or not 1900 <= year <= 2100:
        return None
    day = int(match.group("day")) if match.group("day") else calendar.monthrange(year, month)[1]
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    # A month alone (12月, 12月底) means its last day; 前 or a month without a day is a deadline: on or before.
    comparison = LE if match.group("before") or not match.group("day") else EQ
    return ParsedValue(
        text=original,
        kind=TIME,
        comparison=comparison,
        direction=NEGATIVE,
        date=datetime.date(year, month, day),
        year_printed=bool(match.group("year")),
    )


def with_year(value: ParsedValue, year: int) -> ParsedValue:
    """A date whose form left the year off, in ``year`` (the end of February follows the year)."""
    if not value.is_time or value.year_printed:
        return value
    month, day = value.date.month, value.date.day
    last = calendar.monthrange(year, month)[1]
    return replace(value, date=datetime.date(year, month, min(day, last)), year_printed=True)


# 指标性质 as the forms print it.
NATURE_POSITIVE, NATURE_NEGATIVE, NATURE_QUALITATIVE = "positive", "negative", "qualitative"
NATURE_LABELS = {NATURE_POSITIVE: "正向", NATURE_NEGATIVE: "反向", NATURE_QUALITATIVE: "定性"}
_NATURE_WORDS = {"正向": NATURE_POSITIVE, "反向": NATURE_NEGATIVE, "定性": NATURE_QUALITATIVE, "定量": ""}
COMPARATORS = [(GE, "≥"), (GT, ">"), (EQ, "="), (LT, "<"), (LE, "≤")]


def parse_nature(text: object) -> str:
    """正向/反向/定性 (or the stored key) → the key; '' for anything else."""
    value = normalize_text(str(text or ""))
    if value in NATURE_LABELS:
        return value
    return next((key for word, key in _NATURE_WORDS.items() if value.startswith(word)), "")


def parse_comparator(text: object) -> str:
    """≥ ≤ > < = or a word (不低于) as printed in a comparator column → the comparison; '' for anything else."""
    value = normalize_text(str(text or ""))
    return next((op for token, op in _PREFIXES if value == token), "")


@dataclass(frozen=True)
class RowValues:
    """A row's target and actual read together with the columns a form prints apart (指标性质, comparator, unit)."""

    target: ParsedValue
    actual: ParsedValue
    nature: str = ""  # the row's 指标性质 in force: as printed, or the default (成本 rows: 反向)
    printed_nature: str = ""


def parse_row(
    target: object, actual: object = "", *, unit: str = "", comparator: str = "", nature: str = "",
    default_nature: str = "", year: int | None = None,
) -> RowValues:  # fmt: skip
    """Read a row's target and actual as the form printed them.

    A unit in its own column applies to a bare number on either side ("95" with unit "%" is 95%); a comparator
    in its own column applies to a target that prints none; the 指标性质 turns a bare target into a floor (正向)
    or a ceiling (反向), and 定性 makes the row qualitative. ``default_nature`` stands in where none is printed
    (成本 rows are 反向). A date printed without its year (12月底前) is in ``year`` (the form's), or else in the
    other side's. A contradiction (正向 with ≤) is left as printed: the checker reports it.
    """
    if (
        type(target) is str
        and type(actual) is str
        and type(unit) is str
        and type(comparator) is str
        and type(nature) is str
        and type(default_nature) is str
    ):
        return _read_row(target, actual, unit, comparator, nature, default_nature, year)
    return _read_row.__wrapped__(target, actual, unit, comparator, nature, default_nature, year)


# The engine, the checker and the findings each read every row: a rescore or a page reads the same row three times,
# and a province repeats its rows' texts. The answer is a frozen value of the texts alone (as ``_parse``); other
# values (a Decimal printing 1.0 equals 1) are read afresh.
@lru_cache(maxsize=65536)
def _read_row(target, actual, unit, comparator, nature, default_nature, year) -> RowValues:
    printed = parse_nature(nature)
    in_force = printed or default_nature
    unit = normalize_text(unit or "")
    op = parse_comparator(comparator) if comparator else ""
    t, a = parse_value(target), parse_value(actual)
    if t.is_time or a.is_time:
        if year is not None:
            t, a = with_year(t, year), with_year(a, year)
        if t.is_time and a.is_time:
            if not t.year_printed and a.year_printed:
                t = with_year(t, a.date.year)
            elif not a.year_printed and t.year_printed:
                a = with_year(a, t.date.year)
        return RowValues(t, a, in_force, printed)
    if in_force == NATURE_QUALITATIVE:
        return RowValues(_qualitative(t.text), a, in_force, printed)
    if t.is_quantitative:
        if unit and not t.unit:
            t = replace(t, unit=unit)
        if op and t.comparison == EQ and not prints_comparison(t.text):
            t = replace(t, comparison=op)
        if t.comparison == EQ and not prints_comparison(t.text) and in_force == NATURE_NEGATIVE:
            t = replace(t, comparison=LE)
        t = replace(t, direction=NEGATIVE if t.comparison in (LT, LE) else POSITIVE)
    if a.is_quantitative and unit and not a.unit:
        a = replace(a, unit=unit)
    return RowValues(t, a, in_force, printed)


def prints_comparison(text: str) -> bool:
    """Whether a value's text prints a comparison of its own (``=100%`` does, ``100%`` does not)."""
    value = normalize_text(text)
    return any(token in value for token, _op in _PREFIXES) or any(value.endswith(t) for t, _op in _SUFFIXES)


def nature_contradicts(nature: str, comparison: str | None) -> bool:
    """正向 with ≤/<, or 反向 with ≥/>."""
    return (nature == NATURE_POSITIVE and comparison in (LE, LT)) or (
        nature == NATURE_NEGATIVE and comparison in (GE, GT)
    )


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half up to ``places`` decimals, as the paper forms do."""
    step = _STEPS.get(places)
    if step is None:
        step = _STEPS[places] = Decimal(1).scaleb(-places)
    return value.quantize(step, rounding=ROUND_HALF_UP)


_STEPS: dict[int, Decimal] = {}  # 10 ** -places, by places (a rescore rounds a million figures)


def format_rate(rate: Decimal | None, places: int = 1) -> str:
    """0.999 → ``99.9%``."""
    return "" if rate is None else f"{quantize(rate * 100, places)}%"
