"""The one range of years the application accepts, on every path: models, forms, the API, imports, exports.

A year outside it is a typo (1800, 99999), never a budget year; 99999 even overflows PostgreSQL's smallint,
so a SQLite database holding it could not be restored into PostgreSQL.
"""

from django.core.validators import MaxValueValidator, MinValueValidator

from indicators.params import YEAR_MAX, YEAR_MIN

YEAR_MESSAGE = f"年度应在 {YEAR_MIN} 至 {YEAR_MAX} 之间。"

YEAR_VALIDATORS = [MinValueValidator(YEAR_MIN, message=YEAR_MESSAGE), MaxValueValidator(YEAR_MAX, message=YEAR_MESSAGE)]


def is_valid_year(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX
