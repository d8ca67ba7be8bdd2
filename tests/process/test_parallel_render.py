"""Cold renders spread over every core (forked workers need committed data and a database server)."""

import pytest
from django.db import connection

from reports.management.commands.export_pdfs import _System
from reports.services.batch import forms_for
from reports.services.parallel import render_forms

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]


def test_cold_renders_use_every_core_and_give_the_same_files(monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot be shared with worker processes")
    import multiprocessing

    pools = []
    real = multiprocessing.get_context

    def counting(method):
        context = real(method)
        pool = context.Pool

        def make(processes, *args, **kwargs):
            pools.append(processes)
            return pool(processes, *args, **kwargs)

        monkeypatch.setattr(context, "Pool", make)
        return context

    monkeypatch.setattr(multiprocessing, "get_context", counting)
    forms = forms_for(_System(), 2019, None)[:4]
    parallel = list(render_forms(forms))
    assert pools == [__import__("os").cpu_count()]
    serial = list(render_forms(forms, processes=1))
    assert [name for name, _ in parallel] == [name for name, _ in serial]
    assert all(pdf.startswith(b"%PDF") for _, pdf in parallel)
