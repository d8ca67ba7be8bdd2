"""The value parser: the values of docs/domain.md §4, full-width forms, and two properties (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.services.values import GE, GT, LE, LT, QUALITATIVE, parse_value

EQ = "="
D = Decimal

# value, comparison, number, unit, direction (None for qualitative)
TABLE = [
    ("3人", EQ, D(3), "人", "positive"),
    ("≥2万", GE, D(20000), "", "positive"),
    ("≥1万人", GE, D(10000), "人", "positive"),
    ("≧150", GE, D(150), "", "positive"),
    (">95%", GT, D(95), "%", "positive"),
    ("≥90%", GE, D(90), "%", "positive"),
    ("100%", EQ, D(100), "%", "positive"),
    ("95%", EQ, D(95), "%", "positive"),
    ("0.2", EQ, D("0.2"), "", "positive"),
    ("22天/月", EQ, D(22), "天/月", "positive"),
    ("20人/次", EQ, D(20), "人/次", "positive"),
    ("0.5小时内", LE, D("0.5"), "小时", "negative"),
    ("24小时内", LE, D(24), "小时", "negative"),
    ("不超过2次", LE, D(2), "次", "negative"),
    ("小于 2周", LT, D(2), "周", "negative"),
    ("小于 30 分钟", LT, D(30), "分钟", "negative"),
    ("≤48 小时", LE, D(48), "小时", "negative"),
    ("大于 99%", GT, D(99), "%", "positive"),
    ("大于等于 5年", GE, D(5), "年", "positive"),
    ("80%以上", GE, D(80), "%", "positive"),
    ("90%以上", GE, D(90), "%", "positive"),
    ("3次以上", GE, D(3), "次", "positive"),
    ("5部以上", GE, D(5), "部", "positive"),
    ("不少于100人", GE, D(100), "人", "positive"),
    ("48万人次以上", GE, D(480000), "人次", "positive"),
    ("600次/年", EQ, D(600), "次/年", "positive"),
    ("650万", EQ, D(6500000), "", "positive"),
    ("30余场", GE, D(30), "场", "positive"),
    ("10万", EQ, D(100000), "", "positive"),
    ("执行率≥80%", GE, D(80), "%", "positive"),
    ("＞＝９０％", GE, D(90), "%", "positive"),
    ("﹦1", EQ, D(1), "", "positive"),
    ("≦3天", LE, D(3), "天", "negative"),
    ("1亿", EQ, D(100000000), "", "positive"),
]
QUALITATIVE_VALUES = [
    "73场383个", "合同约定", "完成", "已完成", "合格", "明显提升", "有所提升", "据实统计", "控制在预算内",
    "考察方案规定人数", "完成率 100%，抽查核实率 10%", "", "   ", "≥", "1.2.3",
]  # fmt: skip


@pytest.mark.parametrize(("text", "comparison", "number", "unit", "direction"), TABLE)
def test_quantitative_values(text, comparison, number, unit, direction):
    value = parse_value(text)
    assert value.is_quantitative
    assert (value.comparison, value.number, value.unit, value.direction) == (comparison, number, unit, direction)
    assert value.text == text.strip()


@pytest.mark.parametrize("text", QUALITATIVE_VALUES)
def test_qualitative_values_keep_their_text(text):
    value = parse_value(text)
    assert value.kind == QUALITATIVE
    assert value.text == text.strip()
    assert value.describe() == "定性指标"


def test_describe():
    assert parse_value("0.5小时内").describe() == "定量 · 不高于 0.5小时 · 反向"
    assert parse_value("≥1万人").describe() == "定量 · 不低于 10000人 · 正向"


@given(st.text())
def test_never_raises(text):
    value = parse_value(text)
    assert value.kind in {"quantitative", "qualitative"}


comparisons = st.sampled_from(["", "≥", ">", "≤", "<", "大于", "不少于", "不超过", "小于"])
units = st.sampled_from(["", "人", "次", "%", "天/月", "人次", "小时", "个"])
numbers = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(comparisons, numbers, st.sampled_from(["", "万"]), units, st.sampled_from(["", "以上", "以内"]))
def test_format_and_parse_again_gives_the_same_value(comparison, number, multiplier, unit, suffix):
    text = f"{comparison}{number}{multiplier}{unit}{suffix}"
    value = parse_value(text)
    if not value.is_quantitative:
        return
    again = parse_value(value.format())
    assert again.is_quantitative
    assert (again.comparison, again.number, again.unit, again.direction) == (
        value.comparison,
        value.number,
        value.unit,
        value.direction,
    )


@given(st.text())
def test_any_quantitative_parse_round_trips(text):
    value = parse_value(text)
    if value.is_quantitative:
        again = parse_value(value.format())
        assert (again.comparison, again.number, again.unit) == (value.comparison, value.number, value.unit)
