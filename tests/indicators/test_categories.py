"""The national category table and the matching of printed 一级/二级 names."""

import pytest

from indicators.categories import match_category, normalize_name
from indicators.models import IndicatorCategory


@pytest.mark.parametrize(
    ("level1", "level2", "expected"),
    [
        ("产出指标", "数量指标", ("output", "output-quantity")),
        ("产出指标(40)", "时效指标", ("output", "output-timeliness")),
        ("产出\n指标", "质量\n指标", ("output", "output-quality")),
        ("产出指标", "成本指标", ("output", "output-cost")),
        ("成本指标", "经济成本指标", ("cost", "cost-economic")),
        ("效益指标", "可持续发展影响指标", ("benefit", "benefit-sustainable")),
        ("满意度指标", "社会公众或服务对象满意度指标", ("satisfaction", "satisfaction-service")),
        ("效果指标", "社会效益指标", ("benefit", "benefit-social")),
        ("产出指标", "督查办公室成员到岗率", ("output", None)),
        ("预算执行率", "预算执行率", (None, None)),
        ("产出指标", "社会效益指标", ("output", None)),
        ("", "", (None, None)),
    ],
)
def test_match_category(level1, level2, expected):
    assert match_category(level1, level2) == expected


def test_normalize_name():
    assert normalize_name("满意度指标（10）") == "满意度指标"
    assert normalize_name(None) == ""


@pytest.mark.django_db
def test_both_layouts_are_in_the_table():
    names = {(c.parent.name if c.parent else None, c.name, c.layout) for c in IndicatorCategory.objects.all()}
    assert ("产出指标", "成本指标", "legacy") in names
    assert (None, "成本指标", "2021") in names
    assert ("成本指标", "生态环境成本指标", "2021") in names
    assert IndicatorCategory.objects.filter(level=1).count() == 4
    assert IndicatorCategory.objects.filter(level=2).count() == 12
