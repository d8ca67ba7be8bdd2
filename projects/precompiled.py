"""Queries a page runs on every request, compiled to SQL once per process and, on PostgreSQL, prepared once per
connection (issue 17: a kept form page spent half its time in the ORM compiling the one query that reads the form
with its stamps within the user's scope — a five-join select with subqueries — and PostgreSQL planned it anew on
every request, ≈ 1 ms each time).

``fetch_one(name, build, pk, scope)`` runs ``build(pk, scope)`` (a queryset of at most one row, filtered on the
form's id and on the scope's department ids) as the ORM would, but compiles it only the first time for each shape
(the name and how many departments the scope has): that time the queryset is built with sentinel values in place of
the id and the departments, compiled, and the positions of those values among the statement's parameters are
remembered; later calls put their own values in those positions and run the same statement, and the rows become
model instances exactly as the ORM's own iteration makes them (the same compiler's columns, converters and related
populators). When the sentinels cannot be found once each (the query's shape depends on the values), the queryset is
run the ORM's way every time. ``fetch_all(name, build, *ids)`` does the same for a queryset of any number of rows
filtered on the given ids (a form's workflow steps, its scheme's sections), and ``prefetched`` puts such rows where
``prefetch_related`` would have put them.

On PostgreSQL a statement run a second time on the same connection is prepared (``PREPARE``, then ``EXECUTE`` with
the values: parsed and planned once per connection; ``run_prepared`` does this for hand-written SQL); a connection
opened for one request only (``CONN_MAX_AGE`` 0) runs each statement once and never prepares it. A statement's
name is a digest of its SQL, so that the same name means the same statement in every process. Behind a pooler that
shares server connections between clients (pgbouncer in transaction mode), set ``PERFBUDGET_PREPARE=0``. When a
prepared statement no longer fits the schema (a migration changed a column's type while the connection was open)
or has gone from the server, the run is made again as plain SQL where no transaction is open, and the connection is
closed at the end of the request either way (a fresh one prepares anew).
"""

import hashlib
import re
import threading
from itertools import chain, count

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import prefetch_related_objects
from django.db.models.query import get_related_populators
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.constants import MULTI
from psycopg2 import sql as pgsql

_SENTINEL = -7_391_046_000  # no id is negative: the sentinels never meet a real value
_local = threading.local()  # a compiler belongs to its thread's connection
_PLACEHOLDER = re.compile(r"%%|%s")
# A prepared statement that no longer fits (0A000: "cached plan must not change result type") or is not on the
# server (26000: "prepared statement does not exist").
STALE_STATEMENT = {"0A000", "26000"}
# Statement names given out in this process, with their SQL (tests read what an ``EXECUTE`` ran).
STATEMENTS: dict[str, str] = {}


class _Prepared:
    """One statement (SQL with ``%s`` placeholders) that may be prepared on each PostgreSQL connection that runs it
    twice; elsewhere it is run as it is."""

    def __init__(self, sql: str):
        self.sql = sql
        self.name = f"pb_{hashlib.sha1(sql.encode()).hexdigest()[:24]}"  # the same statement in every process
        STATEMENTS[self.name] = sql
        numbers = count(1)
        self.dollar_sql = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
        self.count = next(numbers) - 1
        self.refused = False  # PostgreSQL could not prepare it (a parameter of unknown type): run as it is

    def text(self, using: str, nparams: int) -> str:
        """The SQL to send for this run: an ``EXECUTE`` of the prepared statement, or the statement itself."""
        connection = connections[using]
        if (
            self.refused
            or connection.vendor != "postgresql"
            or nparams != self.count
            or not settings.PERFBUDGET_PREPARE
        ):
            return self.sql
        connection.ensure_connection()
        raw = connection.connection
        state = getattr(connection, "_precompiled", None)
        if state is None or state[0] is not raw:  # a new connection: nothing is prepared on it
            state = connection._precompiled = (raw, {})
        runs = state[1].get(self.name, 0)
        if runs == 0:  # the first run on this connection: as it is (a connection may serve one request only)
            state[1][self.name] = 1
            return self.sql
        if runs == 1:
            if connection.needs_rollback or not self._prepare(connection, raw):
                return self.sql
            state[1][self.name] = 2
        if not nparams:
            return f"EXECUTE {self.name}"
        return f"EXECUTE {self.name}({', '.join(['%s'] * nparams)})"

    def _prepare(self, connection, raw) -> bool:
        """``PREPARE`` on the raw connection (not a query of the caller's: query counts and logs are the
        statement's own runs). Prepared statements outlive a rolled-back transaction; inside one, a refused
        statement is undone to a savepoint so that the caller's transaction goes on."""
        in_transaction = connection.in_atomic_block or not connection.get_autocommit()
        with raw.cursor() as cursor:
            try:
                if in_transaction:
                    cursor.execute("SAVEPOINT pb_prepare")
                cursor.execute(
                    pgsql.SQL("PREPARE {} AS {}").format(pgsql.Identifier(self.name), pgsql.SQL(self.dollar_sql))
                )
            except connection.Database.ProgrammingError:  # refused (e.g. a parameter of unknown type); else raised
                if in_transaction:
                    cursor.execute("ROLLBACK TO SAVEPOINT pb_prepare")
                    cursor.execute("RELEASE SAVEPOINT pb_prepare")
                self.refused = True
                return False
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT pb_prepare")
        return True


def _executed(statement: _Prepared, using: str, sent: str, run):
    """``run(sent)``; a stale prepared statement (``STALE_STATEMENT``) forgets what the connection has prepared,
    closes it at the end of the request, and runs the plain statement again where no transaction is open."""
    try:
        return run(sent)
    except DatabaseError as exc:
        if sent == statement.sql or getattr(exc.__cause__, "pgcode", None) not in STALE_STATEMENT:
            raise
        connection = connections[using]
        connection._precompiled = None
        connection.close_at = 0  # Django closes it when the request ends (close_if_unusable_or_obsolete)
        if connection.in_atomic_block or not connection.get_autocommit():
            raise
        with connection.connection.cursor() as cursor:  # no transaction: the name may be prepared again at once
            try:
                cursor.execute(pgsql.SQL("DEALLOCATE {}").format(pgsql.Identifier(statement.name)))
            except connection.Database.Error:
                pass  # not on the server (26000): nothing to drop
        return run(statement.sql)


_raw_statements: dict[str, _Prepared] = {}


def run_prepared(text: str, params, using: str = "default") -> list[tuple]:
    """The rows of a statement written in the source (``%s`` placeholders, values as parameters), prepared on a
    connection that runs it twice."""
    statement = _raw_statements.get(text)
    if statement is None:
        statement = _raw_statements[text] = _Prepared(text)
    params = tuple(params)
    # Run by a compiler as the compiled querysets are (its cursor, its error handling): only its text is given.
    compiler = SQLCompiler(Query(None), connections[using], using)
    compiler.has_extra_select, compiler.col_count = False, None

    def run(sent: str) -> list[tuple]:
        compiler.as_sql = lambda *args, **kwargs: (sent, params)
        return [tuple(row) for row in chain.from_iterable(compiler.execute_sql(MULTI))]

    return _executed(statement, using, statement.text(using, len(params)), run)


class _Compiled:
    def __init__(self, queryset, sql: str, params: list, slots: list[tuple[int, int]], compiler):
        self.using = queryset.db
        self.prefetch = queryset._prefetch_related_lookups
        self.statement = _Prepared(sql)
        self.params, self.slots = params, slots
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [f[0].target.attname for f in select[start:end]]
        self.populators = get_related_populators(klass_info, select, self.using)
        self.annotations = dict(compiler.annotation_col_map or {})
        self.converters = compiler.get_converters([s[0] for s in select[0 : compiler.col_count]])

    def run(self, values: list[int]) -> list:
        params = list(self.params)
        for position, which in self.slots:
            params[position] = values[which]

        def run(sent: str) -> list:
            # The compiler runs its statement as the ORM does; only its text is not made again.
            self.compiler.as_sql = lambda *args, **kwargs: (sent, tuple(params))
            return list(chain.from_iterable(self.compiler.execute_sql(MULTI)))

        rows = _executed(self.statement, self.using, self.statement.text(self.using, len(params)), run)
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        objects = []
        for row in rows:
            obj = self.model.from_db(self.using, self.init_list, row[self.model_slice])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        if objects and self.prefetch:
            prefetch_related_objects(objects, *self.prefetch)
        return objects


def _compile(build, count: int):
    """``build`` called with ``count`` sentinels, compiled; None when each sentinel is not found exactly once."""
    sentinels = [_SENTINEL - i for i in range(count)]
    queryset = build(*sentinels)
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    params = list(params)
    slots = [(i, sentinels.index(p)) for i, p in enumerate(params) if type(p) is int and p in sentinels]
    if sorted(which for _, which in slots) != list(range(count)):
        return None  # each value must appear exactly once: otherwise the ORM's way
    return _Compiled(queryset, sql, params, slots, compiler)


def _compiled(key: tuple, build, count: int):
    cache = getattr(_local, "compiled", None)
    if cache is None:
        cache = _local.compiled = {}
    if key not in cache:
        cache[key] = _compile(build, count)
    return cache[key]


def fetch_one(name: str, build, pk: int, scope: list[int] | None):
    """The one row of ``build(pk, scope)`` (``scope``: department ids, None for every department; the queryset
    ``build`` returns must filter on both), or the model's DoesNotExist."""
    scope = list(dict.fromkeys(scope)) if scope is not None else None  # an id once: as the ORM's IN does
    if scope == []:
        raise build(pk, scope).model.DoesNotExist(f"{name} {pk} not found")  # a scope of nothing: nothing is read
    size = None if scope is None else len(scope)
    compiled = _compiled((name, size), lambda p, *s: build(p, None if scope is None else list(s)), 1 + (size or 0))
    if compiled is None:
        objects = list(build(pk, scope)[:2])
    else:
        objects = compiled.run([pk, *(scope or [])])
    if not objects:
        raise build(pk, scope).model.DoesNotExist(f"{name} {pk} not found")
    if len(objects) > 1:
        raise build(pk, scope).model.MultipleObjectsReturned(name)
    return objects[0]


def fetch_all(name: str, build, *ids: int) -> list:
    """The rows of ``build(*ids)`` (a queryset filtered on each of these ids), compiled once per name and number of
    ids."""
    compiled = _compiled((name, len(ids)), build, len(ids))
    return list(build(*ids)) if compiled is None else compiled.run(list(ids))


def prefetched(instance, attname: str, objects: list) -> None:
    """``objects`` (all the rows of ``instance``'s reverse relation ``attname``) kept where ``prefetch_related`` keeps
    them: ``instance.<attname>.all()`` reads them without a query, a further filter queries as usual."""
    manager = getattr(instance, attname)
    queryset = manager.get_queryset()  # the relation's own queryset (filtered on the instance), as Django keeps it
    queryset._result_cache = objects
    queryset._prefetch_done = True
    field = manager.field
    for obj in objects:
        field.set_cached_value(obj, instance)  # as the related manager's prefetch sets it
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset
