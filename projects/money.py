"""Money in one stored unit (元), converted from and to the unit a form asks for (万元 or 元).

Pure functions, no ORM. Every amount is a ``Decimal``; a float is refused outright so that no
binary rounding can slip into a budget figure.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

YUAN = "元"
WAN_YUAN = "万元"
UNIT_FACTORS = {YUAN: Decimal(1), WAN_YUAN: Decimal(10000)}
UNIT_CHOICES = [(WAN_YUAN, "万元"), (YUAN, "元")]
CENT = Decimal("0.01")
# The largest amount an amount column holds (``models.fields.money_field``: 18 digits, 2 of them decimals).
MAX_YUAN = Decimal("9999999999999999.99")


class MoneyError(ValueError):
    """An amount that cannot be taken as money; the message is for the user."""


def parse_amount(text: object) -> Decimal | None:
    """Read an amount as typed or printed (``"1,859.82"``, ``" 20 "``, ``""``) into a Decimal or None."""
    if text is None:
        return None
    if isinstance(text, float):
        raise MoneyError("金额不能使用浮点数。")
    if isinstance(text, Decimal | int):
        return Decimal(text)
    cleaned = str(text).strip().replace(",", "").replace("，", "").replace(" ", "")
    if cleaned in {"", "-", "—", "/"}:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"“{text}”不是有效的金额。") from None
    if not value.is_finite():
        raise MoneyError(f"“{text}”不是有效的金额。")
    return value


def factor(unit: str) -> Decimal:
    try:
        return UNIT_FACTORS[unit]
    except KeyError:
        raise MoneyError(f"未知的金额单位“{unit}”。") from None


def to_yuan(amount: object, unit: str) -> Decimal | None:
    """Convert an amount in ``unit`` to 元. Refuses amounts finer than one 分 instead of rounding them."""
    value = parse_amount(amount)
    if value is None:
        return None
    yuan = value * factor(unit)
    if abs(yuan) > MAX_YUAN:  # before any rounding: a huge exponent cannot even be quantized
        raise MoneyError(f"金额“{amount}{unit}”过大，超出了可保存的范围。")
    if yuan != yuan.quantize(CENT):
        raise MoneyError(f"金额“{amount}{unit}”精确到了分以下。")
    return yuan.quantize(CENT)


def from_yuan(amount: Decimal | None, unit: str, places: int | None = None) -> Decimal | None:
    """Convert a stored amount in 元 to ``unit``; ``places`` fixes the decimals shown (half up)."""
    if amount is None:
        return None
    value = Decimal(amount) / factor(unit)
    if places is not None:
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # Without fixed places: as many decimals as needed, at least two (``20`` → ``20.00``).
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    return value.quantize(CENT) if isinstance(exponent, int) and exponent >= -2 else normalized


def format_amount(amount: Decimal | None, unit: str, places: int | None = None) -> str:
    """The amount as the form shows it in ``unit``, without a thousands separator; blank for None."""
    value = from_yuan(amount, unit, places)
    return "" if value is None else f"{value:f}"
