"""Bulk work over several processes (issue 17): a rescore or a refresh of the province's checks spread over batches
of forms, each batch done by one forked worker with its own database connection, in its own transaction.

Only where the caller allows it (``worker_processes``: the ``rescore``, ``refresh_checks`` and ``restore`` commands
and the Celery worker's task — never a web request, whose process must not be forked, e.g. when the task runs eagerly
without a broker), on PostgreSQL, from outside any transaction (a worker cannot see what the caller has not
committed) and outside a daemonic process: otherwise, and with one process (``PERFBUDGET_RESCORE_PROCESSES``), every
batch is done here, in order, as before.
"""

import multiprocessing
import os
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

_ALLOWED: ContextVar[bool] = ContextVar("worker_processes", default=False)


@contextmanager
def worker_processes(allowed: bool = True):
    """Within it, bulk work may spread its batches over worker processes (``over_batches``)."""
    token = _ALLOWED.set(allowed)
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def processes() -> int:
    """How many workers a rescore or a refresh uses (``PERFBUDGET_RESCORE_PROCESSES``; 0: one per core)."""
    wanted = getattr(settings, "PERFBUDGET_RESCORE_PROCESSES", 1)
    return max(1, wanted or os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether batches may go to forked workers here (see the module's docstring)."""
    default = connections["default"]
    return (
        _ALLOWED.get()
        and default.vendor == "postgresql"
        and not any(connection.in_atomic_block for connection in connections.all(initialized_only=True))
        and not multiprocessing.current_process().daemon
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _init() -> None:
    # The parent closed its connections before forking; each worker opens its own on first use.
    for alias in connections:
        connections[alias] = connections.create_connection(alias)


def over_batches(function, batches: list, count: int | None = None) -> list:
    """``function`` (a module-level function of one batch) applied to each batch, by ``count`` workers
    (``processes()``) when ``can_fork()``, else here; the results in the batches' order. An error in a batch is
    raised here and the workers are stopped: each batch is its own transaction, so a batch is done or not at all."""
    count = min(count or processes(), len(batches))
    if count <= 1 or not can_fork():
        return [function(batch) for batch in batches]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(count, initializer=_init) as pool:
        return pool.map(function, batches, chunksize=1)
