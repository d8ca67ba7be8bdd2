"""One rule for every spreadsheet the app writes (the declaration template, the batch index, the admin's
XLSX/CSV exports): text a spreadsheet would run as a formula is written as text, with a leading apostrophe.

Formulas start with ``= + - @`` (their full-width forms too, which some spreadsheets accept) and, in CSV, a
leading tab or carriage return hides such a start; plain signed numbers (``-5``, ``+3.2``) stay numbers.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")


def safe_cell(value):
    """``value`` as a spreadsheet cell may hold it: formula-like text prefixed with an apostrophe."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unsafe_cell(value):
    """The inverse of ``safe_cell`` for text read back from a sheet we wrote."""
    if isinstance(value, str) and value.startswith("'") and safe_cell(value[1:]) != value[1:]:
        return value[1:]
    return value
