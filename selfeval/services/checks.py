"""Stored checks of self-evaluations: the engine's total, grade and rate and the checker's findings of each
form, kept with their basis (the form's last change, its scheme's rules, the engine's and checker's versions).
The machinery both kinds of check share is in ``projects.services.checks``.
"""

from django.db.models import Prefetch
from django.utils import timezone

from indicators.services.values import PARSER_VERSION
from projects.models import DeclarationCheck, ProjectDeclaration, ScoringScheme
from projects.queue import enqueue
from projects.services.checks import (
    READER_LIMIT,
    basis,
    checks_in_order,
    counted_findings,
    digest,
    make_checks,
    refresh_stale_declarations,
    refuse_over,
    stale_ids,
    upsert_checks,
)

from ..models import EvaluationCheck, EvaluationRow, SelfEvaluation
from . import engine
from .adapters import form_input
from .consistency import CHECKER_VERSION
from .findings import evaluation_findings

EVALUATION_VERSION = f"e{engine.ENGINE_VERSION}.c{CHECKER_VERSION}.p{PARSER_VERSION}"


def scheme_stamp(scheme: ScoringScheme) -> str:
    """A short digest of a scheme's rules and sections (read from the scheme as loaded, sections prefetched)."""
    parts = [
        scheme.code, scheme.layout, scheme.budget_rate_places, scheme.cap_budget_score, scheme.reverse_rule,
        scheme.score_places, scheme.deviation_above, scheme.weights_per_form, scheme.grade_bands, scheme.full_points,
    ]  # fmt: skip
    return digest(parts + [(s.code, s.kind, s.points) for s in scheme.sections.all()])


def scheme_stamps() -> dict[int, str]:
    """Each scheme's stamp as it is now: a changed scheme makes its forms' checks stale."""
    return {scheme.pk: scheme_stamp(scheme) for scheme in ScoringScheme.objects.prefetch_related("sections")}


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
        basis=basis(evaluation.updated_at, scheme_stamp(evaluation.scheme), EVALUATION_VERSION),
        computed_total=result.total,
        grade=result.grade or "",
        budget_rate=result.budget_rate,
        unmet=unmet,
        **counted_findings(findings),
    )


def refresh_checks(ids, *, keep: bool = True) -> dict[int, EvaluationCheck]:
    """Score and check the given forms again and store the results; the checks made, by form (``keep``)."""
    return make_checks(ids, _loaded, check_of, "evaluation", keep)


def store_check(evaluation: SelfEvaluation, result: engine.FormResult | None = None) -> None:
    """Store the check of a form just saved or scored (loaded by ``evaluation_with_rows``), in the caller's
    transaction; ``result``: the engine's, when the caller has it."""
    upsert_checks([check_of(evaluation, result)], "evaluation")


def refresh_stale(
    evaluations, *, limit: int | None = None, keep: bool = True
) -> tuple[list[int], dict[int, EvaluationCheck]]:
    """Make again the checks of the forms of ``evaluations`` that are missing or stale: the forms' ids in
    order, and the checks made. More than ``limit`` stale forms raise ``ChecksPending`` (and queue the work)."""
    stamps = scheme_stamps()
    state = list(evaluations.values_list("pk", "updated_at", "check_result__basis", "scheme_id"))
    stale = stale_ids(state, lambda row: basis(row[1], stamps[row[3]], EVALUATION_VERSION))
    refuse_over(limit, stale, lambda: enqueue("selfeval.tasks.refresh_stale_checks"))
    return [row[0] for row in state], refresh_checks(stale, keep=keep)


def current_checks(evaluations, *, wait: bool = False) -> list[EvaluationCheck]:
    """The checks of the forms of the queryset ``evaluations``, in its order, each one current.

    Reads the forms' bases in one query, makes again those that are missing or stale, then loads the other
    checks with their forms, departments, projects and schemes in one more (and two for the schemes' stamps).
    A page does not wait for more than ``READER_LIMIT`` stale forms (``ChecksPending``); ``wait``: it does.
    """
    refreshed = refresh_stale(evaluations, limit=None if wait else READER_LIMIT)
    related = ["evaluation__department", "evaluation__project", "evaluation__scheme"]
    return checks_in_order(EvaluationCheck, "evaluation", evaluations, refreshed, related)


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
