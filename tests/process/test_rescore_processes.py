"""A rescore and a refresh of every check spread over forked workers store what one process stores (PostgreSQL:
the workers need committed data and a database server)."""

import multiprocessing

import pytest
from django.db import connection

from projects.models import DeclarationCheck
from projects.services import checks as project_checks
from projects.services.pool import worker_processes
from selfeval.models import EvaluationCheck, EvaluationRow, SelfEvaluation
from selfeval.services import batch, scoring
from selfeval.services.checks import refresh_all
from selfeval.services.scoring import rescore_year
from selfeval.tasks import refresh_stale_checks
from tests.conftest import make_user, set_status

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pools(monkeypatch):
    """The sizes of the process pools started, batches of 4 forms (several batches per worker)."""
    if connection.vendor != "postgresql":
        pytest.skip("forked workers need a database server; the SQLite test database stays in this process")
    for module, name in [(scoring, "RESCORE_BATCH"), (project_checks, "BATCH")]:
        monkeypatch.setattr(module, name, 4)
    started = []
    context = multiprocessing.get_context("fork")
    pool = context.Pool

    def make(processes, *args, **kwargs):
        started.append(processes)
        return pool(processes, *args, **kwargs)

    monkeypatch.setattr(context, "Pool", make)
    return started


def stored() -> tuple:
    rows = dict(EvaluationRow.objects.values_list("pk", "score_proposed"))
    checks = {
        model: {c[form]: {k: v for k, v in c.items() if k not in ("id", "checked_at")} for c in model.objects.values()}
        for model, form in [(EvaluationCheck, "evaluation_id"), (DeclarationCheck, "declaration_id")]
    }
    return rows, checks


def test_workers_store_what_one_process_stores(pools, settings):
    forms = list(SelfEvaluation.objects.order_by("pk"))
    set_status(SelfEvaluation.objects.filter(pk__in=[f.pk for f in forms[1::2]]), "draft")
    signer = make_user("t-rescore-head", "head", forms[3].department)  # the emptied database may have no head
    set_status(forms[3], "signed", signed_by=signer)
    settings.PERFBUDGET_RESCORE_PROCESSES = 1
    EvaluationCheck.objects.update(basis="")
    refresh_all()  # every form's check, the signed one's holding what was signed (as signing stores it)
    assert EvaluationCheck.objects.get(evaluation=forms[3]).signed
    pools.clear()
    years = sorted({f.year for f in forms})
    results = {}
    for processes in (1, 2):
        settings.PERFBUDGET_RESCORE_PROCESSES = processes
        EvaluationRow.objects.exclude(evaluation=forms[3]).update(score_proposed=None)
        EvaluationCheck.objects.exclude(evaluation=forms[3]).delete()
        with worker_processes():  # as the commands and the Celery worker run them
            counts = [rescore_year(year) for year in years]
            after_rescore = stored()
            EvaluationCheck.objects.exclude(evaluation=forms[3]).update(basis="")
            DeclarationCheck.objects.update(basis="")
            made = refresh_all()
        results[processes] = counts, after_rescore, made, stored()
    assert pools == [2] * (len(years) + 2)  # each year's rescore, then the self-evaluations' and declarations' refresh
    assert results[2] == results[1]
    counts, (rows, _checks), made, _ = results[2]
    assert sum(counts) == len(forms) - 1 and made[:2] == (len(forms) - 1, DeclarationCheck.objects.count())
    assert all(rows[r.pk] is None for r in forms[3].rows.all())  # the signed form is not scored again
    assert connection.vendor == "postgresql" and SelfEvaluation.objects.count() == len(forms)  # the parent reconnects


def test_an_error_in_a_worker_reaches_the_caller_and_its_batch_is_not_stored(pools, settings, monkeypatch):
    settings.PERFBUDGET_RESCORE_PROCESSES = 2
    year = max(
        {f.year for f in SelfEvaluation.objects.all()}, key=lambda y: SelfEvaluation.objects.filter(year=y).count()
    )
    forms = list(SelfEvaluation.objects.filter(year=year).exclude(status="signed").order_by("pk"))
    assert len(forms) > 8
    failing = forms[5].pk
    loader = batch.load_batch

    def load(ids, **kwargs):
        loaded = loader(ids, **kwargs)
        if failing in ids:
            raise RuntimeError("boom")
        return loaded

    monkeypatch.setattr(batch, "load_batch", load)
    EvaluationRow.objects.update(score_proposed=None)
    with pytest.raises(RuntimeError, match="boom"), worker_processes():
        rescore_year(year)
    assert (
        not EvaluationRow.objects.filter(evaluation_id__in=[f.pk for f in forms[4:8]])
        .exclude(score_proposed=None)
        .exists()
    )


def test_workers_only_where_the_caller_allows_them(pools, settings):
    """Without a broker a scheme edit's refresh runs eagerly in the web request's process, which is never forked;
    nor is any caller that did not allow workers (``worker_processes``: the commands, the Celery worker)."""
    settings.PERFBUDGET_RESCORE_PROCESSES = 2
    EvaluationCheck.objects.update(basis="")
    made = refresh_stale_checks.apply().get()  # eager, as ``.delay`` without a broker
    assert made[0] == EvaluationCheck.objects.count() and pools == []
    year = SelfEvaluation.objects.values_list("year", flat=True).first()
    rescore_year(year)
    assert pools == []
    with worker_processes():
        rescore_year(year)
    assert pools == [2]
