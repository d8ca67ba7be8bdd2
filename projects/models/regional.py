"""What every regional setting shares (scoring scheme assignments, review rules, monitoring rules): a 行政区划 code
prefix and a range of years. The longest matching prefix among the rows whose years include a form's year wins
(``projects.scheme_data.pick_assignment``); rows of one region and kind may not overlap in years."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

OPEN_LOW, OPEN_HIGH = 0, 9999  # an empty 起始/终止年度 is open on that side

DIVISION_PREFIX = RegexValidator(r"^\d+$", "行政区划代码前缀只能由数字组成，如 42（湖北省）、4201（武汉市）。")


def division_prefix_field(examples: str = "如 42（湖北省）、4201（武汉市）") -> models.CharField:
    return models.CharField(
        "行政区划代码前缀",
        max_length=12,
        blank=True,
        validators=[DIVISION_PREFIX],
        help_text=f"{examples}；留空为全国默认。",
    )


def range_year_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, null=True, blank=True, help_text="留空表示不限。")


def years_ordered(name: str) -> models.CheckConstraint:
    """The database's guard of what ``check_year_order`` says on the form."""
    return models.CheckConstraint(
        condition=models.Q(year_from__isnull=True)
        | models.Q(year_to__isnull=True)
        | models.Q(year_from__lte=models.F("year_to")),
        name=name,
        violation_error_message="起始年度不能晚于终止年度。",
    )


def check_year_order(row) -> None:
    if row.year_from is not None and row.year_to is not None and row.year_from > row.year_to:
        raise ValidationError({"year_to": "起始年度不能晚于终止年度。"})


def check_no_overlap(row, others, message: str) -> None:
    """``others`` are the rows of the same region and kind; ``message`` names the one overlapping (``{other}``)."""
    low, high = row.year_from or OPEN_LOW, row.year_to or OPEN_HIGH
    for other in others.exclude(pk=row.pk):
        if (other.year_from or OPEN_LOW) <= high and low <= (other.year_to or OPEN_HIGH):
            raise ValidationError(message.format(other=other))
