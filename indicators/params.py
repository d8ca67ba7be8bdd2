"""Whole numbers read from a request (query string or a plain POST field), for every layer's views.

``int()`` takes any number of digits, and a database cannot compare a foreign key with a number beyond its
64-bit column (SQLite raises ``OverflowError``, PostgreSQL an error that aborts the transaction): a number is taken
only when it is plain ASCII digits within ``low``…``high``; anything else reads as ``None`` (a page ignores it, as
it ignores junk) or is refused by the caller with its message.
"""

ID_MAX = 2**63 - 1  # the largest id a database column holds
# The one range of years the application accepts (forms, the API, imports, exports and queries alike); it lives in
# the lowest layer so that every layer reads the same two numbers (projects/years.py builds its validators on it).
YEAR_MIN, YEAR_MAX = 2000, 2100


def param_int(value: object, *, low: int = 1, high: int = ID_MAX) -> int | None:
    """``value`` as an int when it is ASCII digits (an optional leading minus) within [low, high]; else None."""
    text = str(value if value is not None else "").strip()
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(max(abs(low), abs(high)))):
        return None
    number = int(text)
    return number if low <= number <= high else None


def param_id(value: object) -> int | None:
    """A row's id from a request, or None."""
    return param_int(value, low=1, high=ID_MAX)


def param_year(value: object) -> int | None:
    """A year from a request, or None."""
    return param_int(value, low=YEAR_MIN, high=YEAR_MAX)
