"""Indicator rows as printed, end to end (issue 13 point 5): the columns a form prints apart are stored on the
declaration (page, API, import), carried to the self-evaluation, and read with the values by the engine and the
checker; a word as the actual of a quantitative row blocks submission until the evaluator scores it with a reason."""

from decimal import Decimal

import pytest

from projects.locking import loading_records
from projects.models import Indicator, Project, ProjectDeclaration
from selfeval.models import EvaluationCheck, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services.filling import EvaluationChanges, evaluation_update
from selfeval.services.signoff import SubmitBlocked, evaluation_submit
from selfeval.services.start import evaluation_start
from tests.api.test_api import api, payload
from tests.selfeval.test_scheme_points import weighted

pytestmark = pytest.mark.django_db
D = Decimal


def test_the_api_stores_nature_comparator_and_unit_as_printed(finance_user):
    project = Project.objects.get(key="dxh2021-rczx")
    rows = [
        {"level1": "产出指标", "level2": "质量指标", "name": "合格率", "nature": "正向", "comparator": "≥",
         "target": "95", "unit": "%", "weight": "20"},
        {"level1": "成本指标", "level2": "经济成本指标", "name": "人均成本", "nature": "反向", "comparator": "不高于",
         "target": "500", "unit": "元", "weight": "20"},
    ]  # fmt: skip
    created = api(finance_user).post("/api/declarations/", payload(project.key, indicators=rows), format="json")
    assert created.status_code == 201, created.json()
    got = [(r["nature"], r["comparator"], r["target"], r["unit"]) for r in created.json()["indicators"]]
    assert got == [("positive", ">=", "95", "%"), ("negative", "<=", "500", "元")]


@pytest.mark.parametrize(("field", "value"), [("nature", "向上"), ("comparator", "约")])
def test_an_unreadable_nature_or_comparator_is_refused_with_a_message(finance_user, field, value):
    before = ProjectDeclaration.objects.count()
    rows = [{"level1": "产出指标", "name": "合格率", "target": "95", field: value}]
    response = api(finance_user).post("/api/declarations/", payload("dxh2021-rczx", indicators=rows), format="json")
    assert response.status_code == 400 and f"“{value}”" in str(response.json())
    assert ProjectDeclaration.objects.count() == before


def _started_with_columns(**columns) -> SelfEvaluation:
    declaration = weighted("dxh2021-hsyq", ["20", "20", "20"])
    first = declaration.indicators.order_by("seq").first()
    with loading_records():
        Indicator.objects.filter(pk=first.pk).update(**columns)
    return evaluation_start(declaration=ProjectDeclaration.objects.get(pk=declaration.pk))


def _fill(evaluation, user, actual, **extra):
    row = evaluation.rows.order_by("seq").first()
    changes = EvaluationChanges(version=evaluation.updated_at.isoformat(), rows={row.pk: {"actual": actual, **extra}})
    result = evaluation_update(evaluation=evaluation, user=user, changes=changes)
    assert result.saved, result.errors
    return row


def test_a_percentage_printed_in_its_own_column_is_scored(finance_user):
    evaluation = _started_with_columns(target="95", comparator=">=", unit="%", nature="positive")
    row = evaluation.rows.order_by("seq").first()
    assert (row.target, row.comparator, row.unit, row.nature) == ("95", ">=", "%", "positive")  # carried over
    row = _fill(evaluation, finance_user, "95")
    row.refresh_from_db()
    assert row.score_proposed == D("20.00")


def test_a_word_as_the_actual_blocks_submission_until_scored_with_a_reason(finance_user):
    evaluation = _started_with_columns(target="≥95%")
    _fill(evaluation, finance_user, "已完成")
    evaluation = evaluation_with_rows(evaluation.pk)
    with pytest.raises(SubmitBlocked) as blocked:
        evaluation_submit(evaluation_id=evaluation.pk, user=finance_user)
    assert "actual_not_figure" in {f.code for f in blocked.value.findings}
    row = evaluation.rows.order_by("seq").first()
    assert row.score_proposed is None
    evaluation = SelfEvaluation.objects.get(pk=evaluation.pk)
    _fill(evaluation, finance_user, "已完成", score_final="18", score_reason="验收报告载明合格率 96%。")
    codes = {f["code"] for f in EvaluationCheck.objects.get(evaluation=evaluation).findings}
    assert "actual_not_figure" not in codes
