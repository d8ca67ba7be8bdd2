"""Rescoring a year in batches stores exactly what scoring each form on its own stores."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from projects.choices import DeclarationStatus
from projects.locking import loading_records
from projects.models import DeclarationCheck, Indicator, MonitoringForm, ProjectDeclaration
from projects.services import checks as project_checks
from projects.services import monitoring
from projects.services.checks import (
    DECLARATION_VERSION,
    basis,
    category_stamp,
    counted_findings,
    current_declaration_checks,
    upsert_checks,
)
from projects.services.findings import declaration_findings
from selfeval.models import EvaluationCheck, EvaluationRow, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services import scoring
from selfeval.services.checks import check_of, current_checks, refresh_all
from selfeval.services.scoring import evaluation_score, rescore_year
from tests.builders import make_declaration, make_evaluation, make_project
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


# -- refresh: checks made in batches from plain data equal those made one form at a time ---------------------------


def stored_checks(model, form: str) -> dict:
    """Every stored check's content (not its id or time), by form."""
    return {
        c[f"{form}_id"]: {k: v for k, v in c.items() if k not in ("id", "checked_at")} for c in model.objects.values()
    }


def with_monitoring_record(finance_user, dongxihu) -> SelfEvaluation:
    """A self-evaluation whose declaration has a submitted 运行监控 record its rows miss (the cross-stage findings)."""
    declaration = make_declaration(
        make_project(dongxihu), status=DeclarationStatus.APPROVED, rows=[("output", "培训人次", "≥600人次")]
    )
    form = monitoring.monitoring_start(declaration=declaration, user=finance_user)
    lines, rows = list(form.budget_lines.all()), list(form.rows.all())
    lines[0].executed, lines[0].forecast = Decimal("350000"), Decimal("900000")
    rows[0].value_to_date, rows[0].likelihood = "350", "certain"
    monitoring.monitoring_save(form=form, user=finance_user, version=1, spending_plan="", budget_lines=lines, rows=rows)
    monitoring.monitoring_submit(form=MonitoringForm.objects.get(pk=form.pk), user=finance_user)
    evaluation = make_evaluation(declaration)
    row = evaluation.rows.get()
    row.actual = "500人次"
    row.save()
    return evaluation


def test_a_refresh_of_the_seeds_equals_checks_made_one_form_at_a_time(finance_user, dongxihu, monkeypatch):
    monitored = with_monitoring_record(finance_user, dongxihu)
    forms = list(SelfEvaluation.objects.order_by("pk"))
    set_status(forms[2], "signed")  # its check holds what was signed: neither path makes it again
    # one at a time: each form loaded as its page loads it
    one = [check_of(evaluation_with_rows(f.pk)) for f in forms if f.pk != forms[2].pk]
    assert any(
        f["code"] == "monitoring_certain_missed" for c in one if c.evaluation_id == monitored.pk for f in c.findings
    )
    loaded = ProjectDeclaration.objects.prefetch_related(
        "funding_sources", "expense_items", Prefetch("indicators", queryset=Indicator.objects.select_related("level1"))
    )
    declarations = [
        DeclarationCheck(declaration_id=d.pk, basis=basis(d.updated_at, category_stamp(), DECLARATION_VERSION),
                         **counted_findings(declaration_findings(d)))
        for d in loaded
    ]  # fmt: skip
    assert len(declarations) > 5 and any(c.findings for c in declarations)
    EvaluationCheck.objects.exclude(evaluation=forms[2]).delete()
    DeclarationCheck.objects.all().delete()
    upsert_checks(one, "evaluation")
    upsert_checks(declarations, "declaration")
    expected = stored_checks(EvaluationCheck, "evaluation"), stored_checks(DeclarationCheck, "declaration")

    EvaluationCheck.objects.update(basis="")
    DeclarationCheck.objects.update(basis="")
    EvaluationCheck.objects.filter(evaluation=forms[2]).update(basis="signed", signed=True)
    expected[0][forms[2].pk] |= {"basis": "signed", "signed": True}
    monkeypatch.setattr(project_checks, "BATCH", 4)  # both kinds' batches: several, a short last one
    with CaptureQueriesContext(connection) as captured:
        made = refresh_all()
    assert made[:2] == (len(forms) - 1, len(declarations))
    assert (stored_checks(EvaluationCheck, "evaluation"), stored_checks(DeclarationCheck, "declaration")) == expected
    batches = -(-(len(forms) - 1) // 4) + -(-len(declarations) // 4)
    assert len(captured.captured_queries) <= 20 + batches * 12, len(captured.captured_queries)


def test_checks_made_for_a_reader_hold_their_forms(finance_user, dongxihu):
    forms = SelfEvaluation.objects.order_by("pk")[:3]
    EvaluationCheck.objects.filter(evaluation__in=list(forms)).delete()
    checks = current_checks(SelfEvaluation.objects.filter(pk__in=[f.pk for f in forms]).order_by("pk"))
    assert [c.evaluation_id for c in checks] == [f.pk for f in forms]
    with CaptureQueriesContext(connection) as captured:
        assert [(c.evaluation.project.name, c.evaluation.department.name, c.evaluation.scheme.code) for c in checks]
    assert not captured.captured_queries
    DeclarationCheck.objects.all().delete()
    declarations = ProjectDeclaration.objects.order_by("pk")[:3]
    checks = current_declaration_checks(ProjectDeclaration.objects.filter(pk__in=[d.pk for d in declarations]))
    with CaptureQueriesContext(connection) as captured:
        assert all(c.declaration.project.department.name for c in checks)
    assert len(checks) == 3 and not captured.captured_queries


def test_a_rescore_finds_each_form_s_monitoring_record_in_one_query(finance_user, dongxihu):
    monitored = with_monitoring_record(finance_user, dongxihu)
    per_form = check_of(evaluation_with_rows(monitored.pk))
    EvaluationCheck.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        rescore_year(monitored.year)
    monitoring_reads = [q for q in captured.captured_queries if 'FROM "projects_monitoringform"' in q["sql"]]
    batches = -(-SelfEvaluation.objects.filter(year=monitored.year).exclude(status="signed").count() // 200)
    assert len(monitoring_reads) <= 3 * batches  # the last change (in the forms' query), the records, each form
    stored = EvaluationCheck.objects.get(evaluation=monitored)
    assert stored.findings == [f for f in per_form.findings] and stored.basis == per_form.basis
