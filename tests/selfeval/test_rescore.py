"""Rescoring a year in batches stores exactly what scoring each form on its own stores."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.locking import loading_records
from selfeval.models import EvaluationCheck, EvaluationRow, SelfEvaluation
from selfeval.services import scoring
from selfeval.services.scoring import evaluation_score, rescore_year
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


def stored() -> tuple[dict, dict]:
    """Every row's proposal and every check's content (not its id or time)."""
    rows = dict(EvaluationRow.objects.values_list("pk", "score_proposed"))
    checks = {
        c["evaluation_id"]: {k: v for k, v in c.items() if k not in ("id", "checked_at")}
        for c in EvaluationCheck.objects.values()
    }
    return rows, checks


def clear(forms) -> None:
    EvaluationRow.objects.filter(evaluation__in=forms).update(score_proposed=None)
    EvaluationCheck.objects.filter(evaluation__in=forms).delete()


def test_a_bulk_rescore_of_the_seeds_equals_a_per_form_rescore(monkeypatch):
    forms = list(SelfEvaluation.objects.order_by("pk"))
    set_status(
        SelfEvaluation.objects.filter(pk__in=[f.pk for f in forms[1::2]]), "draft"
    )  # some drafts, some submitted: both are scored again
    years = sorted({f.year for f in forms})
    clear(forms)
    for form in forms:
        evaluation_score(evaluation_id=form.pk)
    one_by_one = stored()
    assert len(one_by_one[1]) == len(forms) and any(c["computed_total"] is not None for c in one_by_one[1].values())

    clear(forms)
    monkeypatch.setattr(scoring, "RESCORE_BATCH", 4)  # several batches, a short last one
    with CaptureQueriesContext(connection) as captured:
        assert sum(rescore_year(year) for year in years) == len(forms)
    assert stored() == one_by_one
    batches = sum(-(-sum(f.year == y for f in forms) // 4) for y in years)
    assert len(captured.captured_queries) <= len(years) + batches * 14, len(captured.captured_queries)


def test_a_rescore_leaves_signed_forms_as_signed():
    form = SelfEvaluation.objects.order_by("pk").first()
    evaluation_score(evaluation_id=form.pk)
    set_status(form, "signed")
    before = stored()
    with loading_records():
        EvaluationRow.objects.filter(evaluation=form).update(score_proposed=None)
    assert rescore_year(form.year) == SelfEvaluation.objects.filter(year=form.year).exclude(status="signed").count()
    rows, checks = stored()
    assert checks[form.pk] == before[1][form.pk]
    assert all(rows[r.pk] is None for r in form.rows.all())
