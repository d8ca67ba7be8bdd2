"""Field helpers shared by the forms' models: amounts in 元 and the unit a form is filled in."""

from django.db import models

from ..money import UNIT_CHOICES, WAN_YUAN


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    """An amount in 元 (the stored unit)."""
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    return models.DecimalField(f"{verbose_name}（元）", max_digits=18, decimal_places=2, **kwargs)


def unit_field() -> models.CharField:
    return models.CharField("金额单位", max_length=4, choices=UNIT_CHOICES, default=WAN_YUAN)
