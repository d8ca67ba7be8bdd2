"""Stored checks: the engine's total, grade and rate and the checker's findings of each self-evaluation,
and the checker's findings of each project declaration.

The year's overviews read many forms at once; scoring and checking 10 000 forms on each view takes half
a minute. Each form's results are kept in ``EvaluationCheck`` / ``DeclarationCheck`` with the basis they
were made from: the form's last change (``updated_at``, which every edit of the form or of one of its rows,
every submission, signature, review and reopening moves), the rules of a self-evaluation's scheme or the
indicator categories a declaration is checked against, and the code of the engine and the checker.
``current_checks`` and ``current_declaration_checks`` return the stored results and make again, in
batches, those whose basis is not current, so a stale result is never shown. A reader never fails
because of storing: when a writer holds the form, the reader uses what it computed and stores nothing.
"""

import hashlib
import logging

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Prefetch
from django.utils import timezone

from indicators.models import Indicator, IndicatorCategory
from projects.models import ProjectDeclaration

from ..models import DeclarationCheck, EvaluationCheck, EvaluationRow, ScoringScheme, SelfEvaluation
from . import consistency, engine
from .findings import declaration_findings, evaluation_findings
from .scoring import form_input

logger = logging.getLogger(__name__)

BATCH = 200
# How many stale forms a page remakes itself; beyond that it says the checks are being made (a worker does).
READER_LIMIT = 2000
# The code the results depend on: a new version of any of it makes every check stale.
_CODE = [
    "selfeval/services/engine.py", "selfeval/services/consistency.py", "selfeval/services/findings.py",
    "selfeval/services/scoring.py", "selfeval/services/checks.py", "selfeval/choices.py",
    "indicators/services/values.py", "projects/money.py",
]  # fmt: skip
_code_stamp = hashlib.sha256(b"".join((settings.BASE_DIR / name).read_bytes() for name in _CODE)).hexdigest()[:16]


class ChecksPending(Exception):
    """Too many forms' checks are stale for a page to make them now; the message is for the user."""

    def __init__(self, count: int):
        super().__init__(f"{count} 张表的检查结果正在重新计算（评分方案或检查规则刚有更新），请稍后刷新。")
        self.count = count


def _digest(parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def scheme_stamp(scheme: ScoringScheme) -> str:
    """A short digest of a scheme's rules and sections (read from the scheme as loaded, sections prefetched)."""
    parts = [
        scheme.code, scheme.layout, scheme.budget_rate_places, scheme.cap_budget_score, scheme.reverse_rule,
        scheme.score_places, scheme.deviation_above, scheme.weights_per_form, scheme.grade_bands,
    ]  # fmt: skip
    return _digest(parts + [(s.code, s.kind, s.points) for s in scheme.sections.all()])


def scheme_stamps() -> dict[int, str]:
    """Each scheme's stamp as it is now: a changed scheme makes its forms' checks stale."""
    return {scheme.pk: scheme_stamp(scheme) for scheme in ScoringScheme.objects.prefetch_related("sections")}


def category_stamp() -> str:
    """The indicator categories' codes, which the declaration checker compares: a changed one makes every
    declaration's check stale."""
    return _digest(list(IndicatorCategory.objects.order_by("pk").values_list("pk", "code")))


def basis(updated_at, stamp: str) -> str:
    return f"{updated_at.isoformat()}|{stamp}|{_code_stamp}"


# -- self-evaluations ---------------------------------------------------------------------------


def _loaded(ids):
    """The forms with everything the engine, the checker and the report read (fixed queries per batch)."""
    return (
        SelfEvaluation.objects.filter(pk__in=ids)
        .select_related("scheme", "department", "project")
        .prefetch_related(
            "scheme__sections",
            "sections",
            "funding_rows",
            "goals",
            Prefetch("rows", queryset=EvaluationRow.objects.order_by("seq")),
        )
    )


def check_of(evaluation: SelfEvaluation, result: engine.FormResult | None = None) -> EvaluationCheck:
    """The check of one form loaded by ``_loaded`` or ``evaluation_with_rows`` (not saved). Its basis is
    read from the same load as its content, so that it never claims rules it was not made with."""
    result = result or engine.score_form(form_input(evaluation))
    findings = evaluation_findings(evaluation)
    unmet = [
        {"seq": row.seq, "name": row.name, "target": row.target, "actual": row.actual, "reason": row.reason}
        for row in evaluation.rows.all()
        if (proposal := result.proposals.get(row.pk)) is not None and proposal.met is False
    ]
    return EvaluationCheck(
        evaluation_id=evaluation.pk,
        basis=basis(evaluation.updated_at, scheme_stamp(evaluation.scheme)),
        computed_total=result.total,
        grade=result.grade or "",
        budget_rate=result.budget_rate,
        unmet=unmet,
        **_counted(findings),
    )


def _counted(findings: list[consistency.Finding]) -> dict:
    errors = sum(1 for f in findings if f.severity == "error")
    return {"errors": errors, "warnings": len(findings) - errors, "findings": [f.as_dict() for f in findings]}


def _upsert(checks: list, form: str) -> None:
    """Insert or replace the checks (one per form; two readers making the same one do not collide)."""
    if checks:
        model = type(checks[0])
        fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", form)]
        model.objects.bulk_create(checks, update_conflicts=True, unique_fields=[form], update_fields=fields)


def _store_quietly(checks: list, form: str) -> bool:
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
            _upsert(checks, form)
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
        return True
    except (OperationalError, IntegrityError) as exc:
        logger.info("stored checks of %d forms not saved (%s); they are made again on the next read", len(checks), exc)
        return False


def _remake(ids, load, make, form: str, keep: bool) -> dict:
    """Make the checks of the forms ``ids`` in batches (``load`` a batch, ``make`` each form's check) and
    store them; the checks made, by form, each holding its form without the form's rows (``keep``)."""
    ids, made = list(ids), {}
    for start in range(0, len(ids), BATCH):
        batch = []
        for loaded in load(ids[start : start + BATCH]):
            check = make(loaded)
            setattr(check, form, loaded)
            batch.append(check)
        _store_quietly(batch, form)
        for check in batch if keep else ():
            getattr(check, form)._prefetched_objects_cache = {}
            made[getattr(check, f"{form}_id")] = check
    return made


def _stale(state, expected) -> list[int]:
    """The forms of ``state`` (id, last change, stored basis, …) whose stored basis is not ``expected(row)``."""
    return [row[0] for row in state if row[2] != expected(row)]


def _refuse_over(limit: int | None, stale: list[int]) -> None:
    if limit is not None and len(stale) > limit:
        from ..tasks import refresh_stale_checks

        transaction.on_commit(refresh_stale_checks.delay)
        raise ChecksPending(len(stale))


def _current(model, form: str, forms, refreshed, related: list[str]) -> list:
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


def refresh_checks(ids, *, keep: bool = True) -> dict[int, EvaluationCheck]:
    """Score and check the given forms again and store the results; the checks made, by form (``keep``)."""
    return _remake(ids, _loaded, check_of, "evaluation", keep)


def store_check(evaluation: SelfEvaluation, result: engine.FormResult | None = None) -> None:
    """Store the check of a form just saved or scored (loaded by ``evaluation_with_rows``), in the caller's
    transaction; ``result``: the engine's, when the caller has it."""
    _upsert([check_of(evaluation, result)], "evaluation")


def refresh_stale(
    evaluations, *, limit: int | None = None, keep: bool = True
) -> tuple[list[int], dict[int, EvaluationCheck]]:
    """Make again the checks of the forms of ``evaluations`` that are missing or stale: the forms' ids in
    order, and the checks made. More than ``limit`` stale forms raise ``ChecksPending`` (and queue the work)."""
    stamps = scheme_stamps()
    state = list(evaluations.values_list("pk", "updated_at", "check_result__basis", "scheme_id"))
    stale = _stale(state, lambda row: basis(row[1], stamps[row[3]]))
    _refuse_over(limit, stale)
    return [row[0] for row in state], refresh_checks(stale, keep=keep)


def current_checks(evaluations, *, wait: bool = False) -> list[EvaluationCheck]:
    """The checks of the forms of the queryset ``evaluations``, in its order, each one current.

    Reads the forms' bases in one query, makes again those that are missing or stale, then loads the other
    checks with their forms, departments, projects and schemes in one more (and two for the schemes' stamps).
    A page does not wait for more than ``READER_LIMIT`` stale forms (``ChecksPending``); ``wait``: it does.
    """
    refreshed = refresh_stale(evaluations, limit=None if wait else READER_LIMIT)
    related = ["evaluation__department", "evaluation__project", "evaluation__scheme"]
    return _current(EvaluationCheck, "evaluation", evaluations, refreshed, related)


# -- project declarations -----------------------------------------------------------------------


def _loaded_declarations(ids):
    indicators = Prefetch("indicators", queryset=Indicator.objects.select_related("level1"))
    return (
        ProjectDeclaration.objects.filter(pk__in=ids)
        .select_related("project__department")
        .prefetch_related("funding_sources", "expense_items", indicators)
    )


def refresh_stale_declarations(declarations, *, limit: int | None = None, keep: bool = True):
    """Make again the checks of the declarations of ``declarations`` that are missing or stale: their ids in
    order, and the checks made. More than ``limit`` stale ones raise ``ChecksPending``."""
    stamp = category_stamp()
    state = list(declarations.values_list("pk", "updated_at", "check_result__basis"))
    stale = _stale(state, lambda row: basis(row[1], stamp))
    _refuse_over(limit, stale)

    def make(declaration):
        findings = declaration_findings(declaration)
        return DeclarationCheck(
            declaration_id=declaration.pk, basis=basis(declaration.updated_at, stamp), **_counted(findings)
        )

    return [row[0] for row in state], _remake(stale, _loaded_declarations, make, "declaration", keep)


def current_declaration_checks(declarations, *, wait: bool = False) -> list[DeclarationCheck]:
    """The checks of the project declarations of the queryset ``declarations``, in its order, each one current."""
    refreshed = refresh_stale_declarations(declarations, limit=None if wait else READER_LIMIT)
    return _current(DeclarationCheck, "declaration", declarations, refreshed, ["declaration__project__department"])


def refresh_all() -> tuple[int, int]:
    """Make again every stale check, e.g. after a scheme was edited or the checker changed, so that no reader
    waits for them; how many self-evaluation and declaration checks were made and stored."""
    started = timezone.now()
    refresh_stale(SelfEvaluation.objects.all(), keep=False)
    refresh_stale_declarations(ProjectDeclaration.objects.all(), keep=False)
    return (
        EvaluationCheck.objects.filter(checked_at__gte=started).count(),
        DeclarationCheck.objects.filter(checked_at__gte=started).count(),
    )


def findings_of(check: EvaluationCheck | DeclarationCheck) -> list[consistency.Finding]:
    return [consistency.Finding(**f) for f in check.findings]
