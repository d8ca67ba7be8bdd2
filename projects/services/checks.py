"""Stored checks: what the checkers say about each form, kept with the basis it was made from.

The year's overviews read many forms at once; scoring and checking 10 000 forms on each view takes half
a minute. Each form's results are kept in a check (``DeclarationCheck`` here, ``EvaluationCheck`` in
selfeval) with the basis they were made from: the form's last change (``updated_at``, which every edit of
the form or of one of its rows, every submission, signature, review and reopening moves), the rules it is
checked against (a self-evaluation's scheme, the indicator categories of a declaration) and the explicit
versions of the code that made them (``*_VERSION`` beside the engine and each checker). Readers get the
stored results and make again, in batches, those whose basis is not current, so a stale result is never
shown. A reader never fails because of storing: when a writer holds the form, the reader uses what it
computed and stores nothing.

This module holds what both kinds share and the checks of project declarations.
"""

import hashlib
import logging
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from django.db import IntegrityError, OperationalError, connection, transaction

from indicators.models import IndicatorCategory, cost_nature
from indicators.services.checking import Finding
from indicators.services.values import PARSER_VERSION

from ..models import DeclarationCheck, ExpenseItem, FundingSource, Indicator, ProjectDeclaration
from ..queue import enqueue
from . import consistency
from .consistency import CHECKER_VERSION
from .findings import declaration_data_of
from .pool import over_batches

logger = logging.getLogger(__name__)

BATCH = 200
# How many stale forms a page remakes itself; beyond that it says the checks are being made (a worker does).
READER_LIMIT = 2000


class ChecksPending(Exception):
    """Too many forms' checks are stale for a page to make them now; the message is for the user."""

    def __init__(self, count: int):
        super().__init__(f"{count} 张表的检查结果正在重新计算（评分方案或检查规则刚有更新），请稍后刷新。")
        self.count = count


def digest(parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def basis(updated_at, stamp: str, version: str) -> str:
    """What a check was made from: the form's last change, the rules' stamp and the code's version."""
    return f"{updated_at.isoformat()}|{stamp}|{version}"


def counted_findings(findings: list[Finding]) -> dict:
    errors = sum(1 for f in findings if f.severity == "error")
    return {"errors": errors, "warnings": len(findings) - errors, "findings": [f.as_dict() for f in findings]}


def findings_of(check) -> list[Finding]:
    """The findings a stored check holds, as the checker made them."""
    return [Finding(**f) for f in check.findings]


def upsert_checks(checks: list, form: str) -> None:
    """Insert or replace the checks (one per form; two readers making the same one do not collide)."""
    if checks:
        model = type(checks[0])
        fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", form)]
        model.objects.bulk_create(checks, update_conflicts=True, unique_fields=[form], update_fields=fields)


def store_quietly(checks: list, form: str) -> bool:
    """Store checks a reader made. A writer saving one of these forms holds it: rather than wait for it (or
    deadlock with it), the reader gives up after a moment and keeps what it computed; False then."""
    postgres = connection.vendor == "postgresql"
    try:
        with transaction.atomic():
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)", ["500ms"]
                    )
                    before = cursor.fetchone()[0]
            upsert_checks(checks, form)
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
        return True
    except (OperationalError, IntegrityError) as exc:
        logger.info("stored checks of %d forms not saved (%s); they are made again on the next read", len(checks), exc)
        return False


def make_checks(ids, load: Callable, make: Callable, form: str, keep: bool) -> dict:
    """Make the checks of the forms ``ids`` in batches (``load`` a batch, ``make`` each form's check) and
    store them; the checks made, by form, each holding its form without the form's rows (``keep``)."""
    ids, made = list(ids), {}
    for start in range(0, len(ids), BATCH):
        batch = []
        for loaded in load(ids[start : start + BATCH]):
            check = make(loaded)
            setattr(check, form, loaded)
            batch.append(check)
        store_quietly(batch, form)
        for check in batch if keep else ():
            getattr(check, form)._prefetched_objects_cache = {}
            made[getattr(check, f"{form}_id")] = check
    return made


def stored_in_batches(ids, make_batch: Callable, forms: Callable, form: str, keep: bool) -> dict:
    """Make and store the checks of the forms ``ids`` in batches of ``BATCH``, each read as plain data by
    ``make_batch(ids)`` (a module-level function or partial: the batch's checks, stored). Without ``keep`` the
    batches are spread over worker processes where they can be (``pool``) and nothing is returned; with it, the
    checks made, by form, each holding its form as ``forms()`` (a queryset) reads it, without its rows."""
    ids = list(ids)
    batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    if not keep:
        over_batches(partial(_stored_count, make_batch), batches)
        return {}
    made = {}
    for batch in batches:
        checks = make_batch(batch)
        by_pk = forms().in_bulk([getattr(check, f"{form}_id") for check in checks])
        for check in checks:
            setattr(check, form, by_pk[getattr(check, f"{form}_id")])
            made[getattr(check, f"{form}_id")] = check
    return made


def _stored_count(make_batch: Callable, ids: list[int]) -> int:
    return len(make_batch(ids))


def stale_ids(state, expected: Callable) -> list[int]:
    """The forms of ``state`` (id, last change, stored basis, …) whose stored basis is not ``expected(row)``."""
    return [row[0] for row in state if row[2] != expected(row)]


def refuse_over(limit: int | None, stale: list[int], queue: Callable[[], None]) -> None:
    """More than ``limit`` stale checks: queue their remaking (``queue``, after commit) and tell the reader."""
    if limit is not None and len(stale) > limit:
        transaction.on_commit(queue)
        raise ChecksPending(len(stale))


def checks_in_order(model, form: str, forms, refreshed, related: list[str]) -> list:
    """The checks of ``forms`` in their order: those just made (``refreshed``) and the others as stored."""
    order, made = refreshed
    stored = (
        model.objects.filter(**{f"{form}__in": forms.values("pk")})
        .exclude(**{f"{form}__in": list(made)})
        .select_related(*related)
    )
    checks = {getattr(c, f"{form}_id"): c for c in stored}
    checks.update(made)
    return [checks[pk] for pk in order if pk in checks]


# -- project declarations -----------------------------------------------------------------------

DECLARATION_VERSION = f"d{CHECKER_VERSION}.p{PARSER_VERSION}"


def category_stamp() -> str:
    """The indicator categories' codes, which the declaration checker compares: a changed one makes every
    declaration's check stale."""
    return digest(list(IndicatorCategory.objects.order_by("pk").values_list("pk", "code")))


class DeclarationHead(NamedTuple):
    pk: int
    updated_at: object
    year: int
    unit: str
    total_budget: object
    annual_budget: object
    funding_total: object
    expense_total: object
    incomplete: bool


class Line(NamedTuple):
    name: str
    amount: object
    level: int = 0


class IndicatorRow(NamedTuple):
    seq: int
    name: str
    target: str
    unit: str
    comparator: str
    nature: str


def declaration_rows(ids) -> list[tuple]:
    """The declarations ``ids`` that exist, in id order, as plain data for ``findings.declaration_data_of``: (head,
    funding sources, expense items, indicators), one query per table. The same data as a declaration loaded with
    its parts and its indicators' 一级 categories (``IndicatorRowBase.default_nature`` reads the 一级's code and
    the printed names)."""
    heads = [
        DeclarationHead(*values)
        for values in ProjectDeclaration.objects.filter(pk__in=list(ids))
        .order_by("pk")
        .values_list(*DeclarationHead._fields)
    ]
    pks = [head.pk for head in heads]
    funding, expenses, indicators = ({pk: [] for pk in pks} for _ in range(3))
    lines = FundingSource.objects.filter(declaration_id__in=pks).order_by("declaration_id", "seq", "pk")
    for declaration_id, *values in lines.values_list("declaration_id", "name", "amount", "level"):
        funding[declaration_id].append(Line(*values))
    lines = ExpenseItem.objects.filter(declaration_id__in=pks).order_by("declaration_id", "seq", "pk")
    for declaration_id, *values in lines.values_list("declaration_id", "name", "amount"):
        expenses[declaration_id].append(Line(*values))
    rows = Indicator.objects.filter(project_declaration_id__in=pks).order_by("project_declaration_id", "seq", "pk")
    fields = ("project_declaration_id", *IndicatorRow._fields, "level1__code", "level1_printed", "level2_printed")
    for declaration_id, *values, code, level1_printed, level2_printed in rows.values_list(*fields):
        nature = cost_nature((code,), (level1_printed, level2_printed))  # the 一级 matched, as the pages load it
        indicators[declaration_id].append((IndicatorRow(*values), code, nature))
    return [(head, funding[head.pk], expenses[head.pk], indicators[head.pk]) for head in heads]


def refresh_stale_declarations(declarations, *, limit: int | None = None, keep: bool = True):
    """Make again the checks of the declarations of ``declarations`` that are missing or stale: their ids in
    order, and the checks made. More than ``limit`` stale ones raise ``ChecksPending``."""
    stamp = category_stamp()
    state = list(declarations.values_list("pk", "updated_at", "check_result__basis"))
    stale = stale_ids(state, lambda row: basis(row[1], stamp, DECLARATION_VERSION))
    refuse_over(limit, stale, lambda: enqueue("projects.tasks.refresh_declaration_checks"))
    made = stored_in_batches(
        stale,
        partial(_declaration_batch, stamp=stamp),
        lambda: ProjectDeclaration.objects.select_related("project__department"),
        "declaration",
        keep,
    )
    return [row[0] for row in state], made


def _declaration_batch(ids: list[int], stamp: str) -> list[DeclarationCheck]:
    """Make and store the checks of one batch of declarations (``store_quietly``)."""
    checks = [
        DeclarationCheck(
            declaration_id=head.pk,
            basis=basis(head.updated_at, stamp, DECLARATION_VERSION),
            **counted_findings(consistency.check_declaration(declaration_data_of(head, *parts))),
        )
        for head, *parts in declaration_rows(ids)
    ]
    store_quietly(checks, "declaration")
    return checks


def current_declaration_checks(declarations, *, wait: bool = False) -> list[DeclarationCheck]:
    """The checks of the project declarations of the queryset ``declarations``, in its order, each one current."""
    refreshed = refresh_stale_declarations(declarations, limit=None if wait else READER_LIMIT)
    return checks_in_order(
        DeclarationCheck, "declaration", declarations, refreshed, ["declaration__project__department"]
    )
