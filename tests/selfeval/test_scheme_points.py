"""One scheme from declaration to self-evaluation: weights fit their sections (a proportional rescale shown before
it is applied), section points belong to the scheme, and no total passes the scheme's maximum."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.locking import loading_records
from projects.models import Indicator, ProjectDeclaration, ScoringScheme
from selfeval.models import EvaluationSection, SelfEvaluation
from selfeval.services import engine
from selfeval.services.filling import EvaluationChanges, evaluation_update
from selfeval.services.signoff import SubmitBlocked, evaluation_submit
from selfeval.services.start import WeightsDoNotFit, evaluation_start, start_plan
from selfeval.services.weights import rescale
from tests.api.test_api import api

pytestmark = pytest.mark.django_db
D = Decimal


def weighted(key: str, weights: list[str], scheme: str | None = None) -> ProjectDeclaration:
    """A seed declaration, approved, whose rows carry ``weights`` (in 序号 order)."""
    declaration = ProjectDeclaration.objects.get(project__key=key)
    values = {"status": "approved"}
    if scheme:
        values["scheme"] = ScoringScheme.objects.get(code=scheme)
    with loading_records():  # a document recorded with these weights (and scheme), as the seed loader writes it
        for row, weight in zip(declaration.indicators.order_by("seq"), weights, strict=True):
            Indicator.objects.filter(pk=row.pk).update(weight=D(weight))
        ProjectDeclaration.objects.filter(pk=declaration.pk).update(**values)
    return ProjectDeclaration.objects.get(pk=declaration.pk)


# dxh2021-hsyq has three rows, dxh2021-djsfd six (output ×3, benefit ×2, satisfaction)


def test_rescale_is_proportional_to_the_cent_with_the_remainder_on_the_largest_row():
    # 60 × 50/90 = 33.333… → 33.33; 60 × 30/90 = 20; 60 × 10/90 = 6.666… → 6.67; sum 100.00 - … → remainder
    assert rescale([("a", D(50)), ("b", D(30)), ("c", D(10))], D(60)) == {"a": D("33.33"), "b": D(20), "c": D("6.67")}
    # 10 / 3 = 3.33 each, 0.01 left over goes to the largest (the first of equals)
    assert rescale([("a", D(1)), ("b", D(1)), ("c", D(1))], D(10)) == {"a": D("3.34"), "b": D("3.33"), "c": D("3.33")}


def test_rows_worth_90_under_hubeis_60_are_not_copied_unless_rescaled(client, finance_user):
    declaration = weighted("dxh2021-hsyq", ["50", "30", "10"])  # Hubei: one pool of 60
    with pytest.raises(WeightsDoNotFit) as refused:
        evaluation_start(declaration=declaration)
    assert "“绩效指标”各行分值合计 90，分值 60" in str(refused.value)
    assert not SelfEvaluation.objects.filter(declaration=declaration).exists()
    # the page shows the plan first, then starts with the rescaled weights on confirmation
    client.force_login(finance_user)
    url = reverse("selfeval:evaluation_create", args=[declaration.pk])
    page = client.post(url).content.decode()
    assert "按比例调整并开始自评" in page and "33.33" in page and "6.67" in page
    assert not SelfEvaluation.objects.filter(declaration=declaration).exists()
    assert client.post(url, {"rescale": "1"}).status_code == 302
    evaluation = SelfEvaluation.objects.get(declaration=declaration)
    assert [r.weight for r in evaluation.rows.order_by("seq")] == [D("33.33"), D(20), D("6.67")]
    assert sum(r.weight for r in evaluation.rows.all()) == D(60)
    assert list(ProjectDeclaration.objects.get(pk=declaration.pk).indicators.values_list("weight", flat=True)) == [
        D(50),
        D(30),
        D(10),
    ]  # the declaration itself is unchanged


def test_the_national_scheme_checks_each_level1_and_rescales_only_what_does_not_fit():
    # output 3 rows, benefit 2, satisfaction 1: output 20+20+20 = 60 > 50, benefit 15+15 = 30, satisfaction 10
    declaration = weighted("dxh2021-djsfd", ["20", "20", "20", "15", "15", "10"], scheme="national_project")
    plan = start_plan(declaration)
    assert [(p.code, p.total, p.points) for p in plan] == [("output", D(60), D(50))]
    evaluation = evaluation_start(declaration=declaration, rescale=True)
    # 50 / 3 = 16.67 each (16.666…), sum 50.01 → the first largest row takes −0.01
    assert [r.weight for r in evaluation.rows.order_by("seq")] == [
        D("16.66"), D("16.67"), D("16.67"), D(15), D(15), D(10)
    ]  # fmt: skip


def test_the_evaluation_page_offers_the_rescale_and_applies_it(client, finance_user):
    declaration = weighted("dxh2021-hsyq", ["20", "20", "10"])  # 50 < 60: fits nowhere, exceeds nothing
    evaluation = evaluation_start(declaration=declaration)
    client.force_login(finance_user)
    page = client.get(reverse("selfeval:evaluation_edit", args=[evaluation.pk])).content.decode()
    assert "各行分值与分项分值不符" in page and "24.00" in page and "12.00" in page
    stale = client.post(reverse("selfeval:evaluation_rescale_weights", args=[evaluation.pk]), {"version": "x"})
    assert stale.status_code == 302
    assert [r.weight for r in evaluation.rows.order_by("seq")] == [D(20), D(20), D(10)]  # nothing applied
    evaluation.refresh_from_db()
    client.post(
        reverse("selfeval:evaluation_rescale_weights", args=[evaluation.pk]),
        {"version": evaluation.updated_at.isoformat()},
    )
    assert [r.weight for r in evaluation.rows.order_by("seq")] == [D(24), D(24), D(12)]
    page = client.get(reverse("selfeval:evaluation_edit", args=[evaluation.pk])).content.decode()
    assert "各行分值与分项分值不符" not in page


def test_a_change_that_makes_rows_exceed_their_section_is_refused(finance_user):
    evaluation = evaluation_start(declaration=weighted("dxh2021-hsyq", ["20", "20", "20"]))
    row = evaluation.rows.order_by("seq").first()
    changes = EvaluationChanges(
        version=evaluation.updated_at.isoformat(), rows={row.pk: {"weight": "30", "score_final": "1"}}
    )
    result = evaluation_update(evaluation=evaluation, user=finance_user, changes=changes)
    assert not result.saved
    assert result.errors["non_field_errors"] == ["“绩效指标”各行分值合计 70，超过分项分值 60。"]
    row.refresh_from_db()
    assert (row.weight, row.score_final) == (D(20), None)


def test_section_points_are_read_only_for_filers_on_the_page_and_the_api(client, finance_user):
    evaluation = evaluation_start(declaration=weighted("dxh2021-hsyq", ["20", "20", "20"]))
    detail = api(finance_user).get(f"/api/evaluations/{evaluation.pk}/").json()
    section = next(s for s in detail["sections"] if s["code"] == "funds")
    response = api(finance_user).patch(
        f"/api/evaluations/{evaluation.pk}/",
        {"version": detail["version"], "sections": [{"id": section["id"], "points": "98"}]},
        format="json",
    )
    assert response.status_code == 400 and "分值由评分方案规定" in str(response.json())
    client.force_login(finance_user)
    page = client.get(reverse("selfeval:evaluation_edit", args=[evaluation.pk]))
    form = next(f for f in page.context["formsets"]["sections"].forms if f.instance.code == "funds")
    assert form.fields["points"].disabled
    assert EvaluationSection.objects.get(pk=section["id"]).points == D(20)


def test_hebei_points_are_printed_per_form_and_filled_by_the_filer(finance_user):
    declaration = weighted("dxh2021-hsyq", ["20", "20", "20"], scheme="hebei_project")
    evaluation = evaluation_start(declaration=declaration)
    output = evaluation.sections.get(code="output")  # all three rows are 产出 rows: 60 points of weights
    changes = EvaluationChanges(version=evaluation.updated_at.isoformat(), sections={output.pk: {"points": "40"}})
    refused = evaluation_update(evaluation=evaluation, user=finance_user, changes=changes)
    assert refused.errors["non_field_errors"] == ["“产出指标”各行分值合计 60，超过分项分值 40。"]
    changes = EvaluationChanges(version=evaluation.updated_at.isoformat(), sections={output.pk: {"points": "60"}})
    assert evaluation_update(evaluation=evaluation, user=finance_user, changes=changes).saved
    output.refresh_from_db()
    assert output.points == D(60)


def test_points_differing_from_the_scheme_and_weights_not_adding_up_block_submission(finance_user):
    """The issue's case: Hubei's 20/20/60 changed to 98/1/1 behind the page's back scores 99 · 优 no more."""
    evaluation = evaluation_start(declaration=weighted("dxh2021-hsyq", ["20", "20", "20"]))
    for code, points in (("funds", "98"), ("goal", "1"), ("indicators", "1")):
        EvaluationSection.objects.filter(evaluation=evaluation, code=code).update(points=D(points))
    with pytest.raises(SubmitBlocked) as blocked:
        evaluation_submit(evaluation_id=evaluation.pk, user=finance_user)
    found = {(f.code, f.field): (f.printed, f.computed) for f in blocked.value.findings}
    assert found[("section_points_differ", "项目资金")] == ("98", "20")
    assert found[("section_points_differ", "绩效指标")] == ("1", "60")
    assert found[("section_weights", "绩效指标")] == ("60", "1")
    assert SelfEvaluation.objects.get(pk=evaluation.pk).status == "draft"


def test_the_engine_caps_sections_at_their_points_and_the_total_at_the_maximum():
    rules = engine.Rules(maximum=D(100))
    form = engine.FormInput(
        rules=rules,
        budget=D(100),
        executed=D(100),
        sections=(
            engine.SectionInput("funds", "budget", D(20)),
            engine.SectionInput("goal", "goal", D(20), given_score=D(20)),
            engine.SectionInput("indicators", "indicators", D(60)),
        ),
        # the 东西湖 case: rows worth 90 under a 60-point section, all met
        rows=tuple(
            engine.RowInput(key=i, section="indicators", target="≥1", actual="1", weight=D(30), final_score=D(30))
            for i in range(3)
        ),
    )
    result = engine.score_form(form)
    assert result.section_scores == {"funds": D(20), "goal": D(20), "indicators": D(60)}
    assert result.total == D(100)  # not 122.33 or 130
