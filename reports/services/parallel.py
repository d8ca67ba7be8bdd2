"""Cold renders spread over every core: a process pool of forked workers, each with its own database connection."""

import multiprocessing
import os

from django.db import connections

from .batch import LOADERS
from .pdf import form_pdf
from .stored import store


def _init() -> None:
    # The parent closed its connections before forking; each child opens its own on first use.
    for alias in connections:
        connections[alias] = connections.create_connection(alias)


def _render(job: tuple[str, int]) -> tuple[str, bytes]:
    kind, pk = job
    return form_pdf(LOADERS[kind](pk))


def _store(job: tuple[str, int]) -> int | None:

    kind, pk = job
    stored = store(LOADERS[kind](pk))
    return stored.pk if stored else None


def _pool(function, forms, processes):
    processes = processes or os.cpu_count() or 1
    default = connections["default"]
    in_memory = default.vendor == "sqlite" and default.is_in_memory_db()
    # An in-memory database or an open transaction cannot be shared with child processes: work here.
    if processes == 1 or len(forms) < 2 or in_memory or default.in_atomic_block:
        yield from map(function, forms)
        return
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_init) as pool:
        yield from pool.imap(function, forms, chunksize=1)


def store_forms(forms: list[tuple[str, int]], processes: int | None = None) -> int:
    """Render once and store the PDFs of final forms (e.g. those signed before PDFs were stored); how many."""
    return sum(1 for pk in _pool(_store, forms, processes) if pk)


def render_forms(forms: list[tuple[str, int]], processes: int | None = None):
    """Yield (file name, PDF bytes) for each (kind, id), in order, rendered by ``processes`` workers (all cores)."""
    yield from _pool(_render, forms, processes)
