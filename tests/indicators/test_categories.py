"""The national category table and the matching of printed 一级/二级 names."""

import pytest
from django.urls import reverse

from indicators.categories import match_category, normalize_name, table_of
from indicators.models import IndicatorCategory
from projects.models import ProjectDeclaration
from tests.api.test_api import api, payload


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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("level1", "level2", "expected"),
    [
        ("满意度指标", "满意度", ("satisfaction", "satisfaction-service")),  # 二级 printed as 满意度
        ("产出指标", "经济成本指标", ("output", "output-cost")),  # the 2021 name under 产出 (older layout)
        ("成本指标", "经济成本指标", ("cost", "cost-economic")),  # and under 成本, its own
        ("产出指标", "进度指标", ("output", "output-timeliness")),
    ],
)
def test_names_real_forms_print_map_to_the_canonical_category(level1, level2, expected):
    table = table_of(IndicatorCategory.objects.all())
    assert match_category(level1, level2, table) == expected


@pytest.mark.django_db
def test_the_aliases_are_data_an_administrator_edits(admin_client):
    category = IndicatorCategory.objects.get(code="benefit-social")
    assert match_category("效益指标", "社会影响指标", table_of(IndicatorCategory.objects.all())) == ("benefit", None)
    url = reverse("admin:indicators_indicatorcategory_change", args=[category.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(parent=category.parent_id, aliases='["社会影响指标"]')
    response = admin_client.post(url, {k: ("" if v is None else v) for k, v in data.items()})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert IndicatorCategory.objects.get(pk=category.pk).aliases == ["社会影响指标"]
    table = table_of(IndicatorCategory.objects.all())
    assert match_category("效益指标", "社会影响指标", table) == ("benefit", "benefit-social")


@pytest.mark.django_db
def test_a_declaration_keeps_the_printed_name_beside_the_matched_category(finance_user):
    rows = [{"level1": "满意度指标", "level2": "满意度", "name": "群众满意度", "target": "≥90%"}]
    created = api(finance_user).post("/api/declarations/", payload("dxh2021-rczx", indicators=rows), format="json")
    assert created.status_code == 201, created.json()
    row = ProjectDeclaration.objects.get(pk=created.json()["id"]).indicators.get()
    assert (row.level2.code, row.level2_printed) == ("satisfaction-service", "满意度")
