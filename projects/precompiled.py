"""Queries a page runs on every request, compiled to SQL once per process (issue 17: a kept form page spent half its
time in the ORM compiling the one query that reads the form with its stamps within the user's scope — a five-join
select with subqueries — for a few milliseconds in the database).

``fetch_one(name, build, pk, scope)`` runs ``build(pk, scope)`` (a queryset of at most one row, filtered on the
form's id and on the scope's department ids) as the ORM would, but compiles it only the first time for each shape
(the name and how many departments the scope has): that time the queryset is built with sentinel values in place of
the id and the departments, compiled, and the positions of those values among the statement's parameters are
remembered; later calls put their own values in those positions and run the same statement, and the rows become
model instances exactly as the ORM's own iteration makes them (the same compiler's columns, converters and related
populators). When the sentinels cannot be found once each (the query's shape depends on the values), the queryset is
run the ORM's way every time.
"""

import threading
from itertools import chain

from django.db.models import prefetch_related_objects
from django.db.models.query import get_related_populators
from django.db.models.sql.constants import MULTI

_SENTINEL = -7_391_046_000  # no id is negative: the sentinels never meet a real value
_local = threading.local()  # a compiler belongs to its thread's connection


class _Compiled:
    def __init__(self, queryset, sql: str, params: list, slots: list[tuple[int, int]], compiler):
        self.using = queryset.db
        self.prefetch = queryset._prefetch_related_lookups
        self.sql, self.params, self.slots = sql, params, slots
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [f[0].target.attname for f in select[start:end]]
        self.populators = get_related_populators(klass_info, select, self.using)
        self.annotations = dict(compiler.annotation_col_map or {})
        self.converters = compiler.get_converters([s[0] for s in select[0 : compiler.col_count]])

    def run(self, pk: int, scope: list[int]) -> list:
        params = list(self.params)
        values = [pk, *scope]
        for position, which in self.slots:
            params[position] = values[which]
        # The compiler runs its statement as the ORM does; only its text is not made again.
        self.compiler.as_sql = lambda *args, **kwargs: (self.sql, tuple(params))
        rows = chain.from_iterable(self.compiler.execute_sql(MULTI))
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
    sentinels = [_SENTINEL - i for i in range(count + 1)]  # the id, then each department
    queryset = build(sentinels[0], sentinels[1:])
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    params = list(params)
    slots = [(i, sentinels.index(p)) for i, p in enumerate(params) if type(p) is int and p in sentinels]
    if sorted(which for _, which in slots) != list(range(count + 1)):
        return None  # each value must appear exactly once: otherwise the ORM's way
    return _Compiled(queryset, sql, params, slots, compiler)


def fetch_one(name: str, build, pk: int, scope: list[int] | None):
    """The one row of ``build(pk, scope)`` (``scope``: department ids, None for every department; the queryset
    ``build`` returns must filter on both), or the model's DoesNotExist."""
    scope = list(dict.fromkeys(scope)) if scope is not None else None  # an id once: as the ORM's IN does
    if scope == []:
        raise build(pk, scope).model.DoesNotExist(f"{name} {pk} not found")  # a scope of nothing: nothing is read
    key = (name, None if scope is None else len(scope))
    cache = getattr(_local, "compiled", None)
    if cache is None:
        cache = _local.compiled = {}
    if key not in cache:
        cache[key] = _compile(lambda p, s: build(p, None if scope is None else s), 0 if scope is None else len(scope))
    compiled = cache[key]
    if compiled is None:
        objects = list(build(pk, scope)[:2])
    else:
        objects = compiled.run(pk, scope or [])
    if not objects:
        raise build(pk, scope).model.DoesNotExist(f"{name} {pk} not found")
    if len(objects) > 1:
        raise build(pk, scope).model.MultipleObjectsReturned(name)
    return objects[0]
