"""Field helpers shared by the forms' models: amounts in 元 and the unit a form is filled in."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from ..money import UNIT_CHOICES, WAN_YUAN
from ..years import YEAR_VALIDATORS

NOT_NEGATIVE = MinValueValidator(Decimal(0), message="金额不能为负数。")


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    """An amount in 元 (the stored unit), never negative: every one of them is a budget, a payment or a total."""
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    kwargs.setdefault("validators", [NOT_NEGATIVE])
    return models.DecimalField(f"{verbose_name}（元）", max_digits=18, decimal_places=2, **kwargs)


def year_field(verbose_name: str = "年度", **kwargs) -> models.PositiveSmallIntegerField:
    """A year within the one accepted range (``projects.years``)."""
    return models.PositiveSmallIntegerField(verbose_name, validators=YEAR_VALIDATORS, **kwargs)


def unit_field() -> models.CharField:
    return models.CharField("金额单位", max_length=4, choices=UNIT_CHOICES, default=WAN_YUAN)
