"""Money is Decimal in 元, converted from and to the form's unit."""

from decimal import Decimal

import pytest

from projects.money import MoneyError, format_amount, from_yuan, parse_amount, to_yuan


@pytest.mark.parametrize(
    ("amount", "unit", "yuan"),
    [
        ("222.55", "万元", Decimal("2225500.00")),
        ("1,859.82", "万元", Decimal("18598200.00")),
        ("7000000.00", "元", Decimal("7000000.00")),
        ("5975504.21", "元", Decimal("5975504.21")),
        ("0.0001", "万元", Decimal("1.00")),
        (None, "万元", None),
        ("", "元", None),
    ],
)
def test_to_yuan(amount, unit, yuan):
    assert to_yuan(amount, unit) == yuan


def test_round_trip_keeps_the_printed_figure():
    assert from_yuan(to_yuan("222.43", "万元"), "万元") == Decimal("222.43")
    assert format_amount(to_yuan("20", "万元"), "万元") == "20.00"
    assert format_amount(to_yuan("1.2345", "万元"), "万元") == "1.2345"
    assert format_amount(Decimal("5975504.21"), "万元", places=2) == "597.55"


@pytest.mark.parametrize("bad", ["abc", "1.2.3", "NaN", "Infinity", "十万"])
def test_unparseable_amounts_are_refused_in_chinese(bad):
    with pytest.raises(MoneyError, match="不是有效的金额"):
        parse_amount(bad)


def test_floats_and_sub_cent_amounts_are_refused():
    with pytest.raises(MoneyError, match="浮点"):
        to_yuan(0.1, "元")
    with pytest.raises(MoneyError, match="分以下"):
        to_yuan("0.001", "元")
    with pytest.raises(MoneyError, match="单位"):
        to_yuan("1", "美元")
