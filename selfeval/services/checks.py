"""Stored checks of self-evaluations: the one stored copy of every figure the engine computes for a form (total,
grade, budget rate and score, section and goal scores, each funding line's rate) and of the checker's findings,
kept with their basis (the form's last change, the last change of its declaration's 运行监控 forms, which the checker
holds it against, its scheme's rules, the engine's and checker's versions).

Writers: ``save_figures`` (one form, in the writer's transaction: a save, a submission, a signature, a reopening)
and ``refresh_checks`` (readers and workers remaking stale checks in batches); both build the check with
``check_of`` and store it through ``upsert_checks``. Readers: ``current_checks`` and ``with_current_checks`` (lists,
overviews, the home page, the API) and ``refresh_one`` (one form's page, PDF and API detail).

A signed form keeps what was signed: its check is written once, when it is signed (``signed``), and never made
again — not when its scheme is edited, not when the engine's version is raised — until the form is reopened.
The machinery both kinds of check share is in ``projects.services.checks``.
"""

from dataclasses import replace

from django.utils import timezone

from indicators.services.values import PARSER_VERSION
from projects.models import DeclarationCheck, MonitoringCheck, MonitoringForm, ProjectDeclaration, ScoringScheme
from projects.queue import enqueue
from projects.services.checks import (
    READER_LIMIT,
    basis,
    checks_in_order,
    counted_findings,
    refresh_stale_declarations,
    refuse_over,
    stale_ids,
    store_quietly,
    stored_in_batches,
    upsert_checks,
)
from projects.services.monitoring_checks import refresh_stale_monitoring

from ..choices import EvaluationStatus
from ..models import EvaluationCheck, EvaluationRow, SelfEvaluation
from . import batch, engine
from .adapters import form_input, funding_figures, snapshot_of
from .consistency import CHECKER_VERSION
from .findings import UNREAD, evaluation_findings
from .stamps import monitoring_changed, scheme_stamp

EVALUATION_VERSION = f"e{engine.ENGINE_VERSION}.c{CHECKER_VERSION}.p{PARSER_VERSION}"


def _monitoring_changed(evaluation: SelfEvaluation):
    """The annotation ``monitoring_changed`` of a form loaded with it (``selectors.evaluation_with_rows``),
    else read now."""
    if "monitoring_changed" in evaluation.__dict__:
        return evaluation.monitoring_changed
    forms = MonitoringForm.objects.filter(declaration_id=evaluation.declaration_id).order_by("-updated_at")
    return forms.values_list("updated_at", flat=True).first() if evaluation.declaration_id else None


def evaluation_basis(updated_at, stamp: str, monitoring_at) -> str:
    """A self-evaluation check's basis: its last change, its scheme's stamp with its monitoring record's last change,
    and the code's versions."""
    monitoring = monitoring_at.isoformat() if monitoring_at else "-"
    return basis(updated_at, f"{stamp}|m{monitoring}", EVALUATION_VERSION)


def scheme_stamps() -> dict[int, str]:
    """Each scheme's stamp as it is now: a changed scheme makes its forms' checks stale."""
    return {scheme.pk: scheme_stamp(scheme) for scheme in ScoringScheme.objects.prefetch_related("sections")}


def bounded_figures(figures: dict, bound) -> dict[str, str]:
    """The figures a check keeps in JSON, as stored: those given and within ``bound`` (``engine.MAX_SCORE``,
    ``MAX_RATE``; no database constraint reaches into JSON, so the one writer bounds them before writing). The
    engine gives none beyond; one that would be is not stored, like a figure the engine does not give."""
    return {str(key): str(value) for key, value in figures.items() if value is not None and engine.within(value, bound)}


def check_of(evaluation: SelfEvaluation, result: engine.FormResult | None = None) -> EvaluationCheck:
    """The check of one form loaded by ``selectors.evaluation_with_rows`` (not saved). Its basis is
    read from the same load as its content, so that it never claims rules it was not made with."""
    return made_check(
        evaluation.pk,
        evaluation.status,
        basis=evaluation_basis(evaluation.updated_at, scheme_stamp(evaluation.scheme), _monitoring_changed(evaluation)),
        snapshot=snapshot_of(evaluation),
        result=result,
    )


def check_of_loaded(loaded: "batch.Loaded", result: engine.FormResult | None = None) -> EvaluationCheck:
    """``check_of`` of a form loaded as plain data (``batch.load_batch``): the same check."""
    head = loaded.head
    return made_check(
        head.pk,
        head.status,
        basis=evaluation_basis(head.updated_at, loaded.stamp, head.monitoring_changed),
        snapshot=loaded.snapshot,
        result=result,
        record=loaded.record,
    )


def made_check(pk, status, *, basis: str, snapshot, result=None, record=UNREAD) -> EvaluationCheck:
    """A form's check from its snapshot (``adapters.snapshot_of``) and the basis read with it; ``result``: the
    engine's, when the caller has it; ``record``: its 运行监控 record, when the caller has read it."""
    result = result or engine.score_form(form_input(snapshot))
    findings = evaluation_findings(snapshot, record=record)
    unmet = [
        {"seq": row.seq, "name": row.name, "target": row.target, "actual": row.actual, "reason": row.reason}
        for row in snapshot.rows
        if (proposal := result.proposals.get(row.pk)) is not None and proposal.met is False
    ]
    funding_rates = {
        str(seq): engine.budget_rate(budget, executed, snapshot.rules)
        for seq, (budget, executed) in funding_figures(snapshot).items()
    }
    return EvaluationCheck(
        evaluation_id=pk,
        basis=basis,
        computed_total=result.total,
        grade=result.grade or "",
        budget_rate=result.budget_rate,
        budget_score=result.budget_score,
        section_scores=bounded_figures(result.section_scores, engine.MAX_SCORE),
        funding_rates=bounded_figures(funding_rates, engine.MAX_RATE),
        signed=status == EvaluationStatus.SIGNED,
        unmet=unmet,
        **counted_findings(findings),
    )


def refresh_checks(ids, *, keep: bool = True) -> dict[int, EvaluationCheck]:
    """Score and check the given forms again and store the results (in batches, each read as plain data with one
    query per table: ``batch.load_batch``); the checks made, by form, each holding its form without its rows
    (``keep``: one more query a batch). Without ``keep`` the batches are spread over worker processes where they
    can be (``projects.services.pool``)."""
    return stored_in_batches(ids, _refresh_batch, _check_forms, "evaluation", keep)


def _check_forms():
    return SelfEvaluation.objects.annotate(monitoring_changed=monitoring_changed()).select_related(
        "scheme", "department", "project"
    )


def _refresh_batch(ids: list[int]) -> list[EvaluationCheck]:
    """Make and store the checks of one batch (``store_quietly``)."""
    checks = [check_of_loaded(form) for form in batch.load_batch(ids, fresh=True)]
    store_quietly(checks, "evaluation")
    return checks


def save_figures(evaluation: SelfEvaluation, result: engine.FormResult | None = None) -> EvaluationCheck:
    """Store the computed figures of a form just saved, submitted, signed or reopened (loaded by
    ``evaluation_with_rows``, locked by the caller), in the caller's transaction: its check, and each row's
    proposal while the form is not signed; ``result``: the engine's, when the caller has it. The check of a
    form signed before stays what was signed: it is returned as stored."""
    return save_all_figures([(evaluation, result)])[0]


def save_all_figures(scored: list[tuple[SelfEvaluation, engine.FormResult | None]]) -> list[EvaluationCheck]:
    """``save_figures`` for many forms at once (a rescore's batch), in the caller's transaction, with a fixed
    number of statements: the rows whose proposal changed in bulk, and every check in one upsert."""
    signed = [e.pk for e, _ in scored if e.status == EvaluationStatus.SIGNED]
    frozen = {c.evaluation_id: c for c in EvaluationCheck.objects.filter(evaluation_id__in=signed, signed=True)}
    checks, made, changed = [], [], []
    for evaluation, result in scored:
        if evaluation.pk in frozen:
            checks.append(frozen[evaluation.pk])
            continue
        result = result or engine.score_form(form_input(evaluation))
        if evaluation.status != EvaluationStatus.SIGNED:
            for row in evaluation.rows.all():
                proposed = result.proposals[row.pk].score
                if row.score_proposed != proposed or (row.score_proposed is None) != (proposed is None):
                    row.score_proposed = proposed
                    changed.append(row)
        check = check_of(evaluation, result)
        checks.append(check)
        made.append(check)
    EvaluationRow.objects.bulk_update(changed, ["score_proposed"], batch_size=1000)
    upsert_checks(made, "evaluation")
    return checks


def save_loaded_figures(loaded: list["batch.Loaded"]) -> list[EvaluationCheck]:
    """``save_all_figures`` for forms read as plain data (``batch.load_batch``; none signed), in the caller's
    transaction: the rows whose proposal changed, and every check, each in one statement. The findings read the
    new proposals, as they read the rows ``save_all_figures`` has just set."""
    checks, changed = [], []
    for form in loaded:
        snapshot = form.snapshot
        result = engine.score_form(form_input(snapshot))
        rows = []
        for row in snapshot.rows:
            proposed = result.proposals[row.pk].score
            if row.score_proposed != proposed or (row.score_proposed is None) != (proposed is None):
                changed.append((row.pk, proposed))
                row = row._replace(score_proposed=proposed)
            rows.append(row)
        form = form._replace(snapshot=replace(snapshot, rows=tuple(rows)))
        checks.append(check_of_loaded(form, result))
    EvaluationRow.objects.bulk_update_values(["score_proposed"], changed)
    upsert_checks(checks, "evaluation")
    return checks


def refresh_one(evaluation: SelfEvaluation) -> EvaluationCheck:
    """The current check of one form loaded by ``evaluation_with_rows`` (for its page, PDF and API detail):
    as stored when it is current (or holds what was signed), else made again from this load and stored."""
    stored = EvaluationCheck.objects.filter(evaluation_id=evaluation.pk).first()
    expected = evaluation_basis(evaluation.updated_at, scheme_stamp(evaluation.scheme), _monitoring_changed(evaluation))
    frozen = stored is not None and stored.signed and evaluation.status == EvaluationStatus.SIGNED
    if stored is not None and (frozen or stored.basis == expected):
        return stored
    check = check_of(evaluation)
    store_quietly([check], "evaluation")
    return check


def refresh_stale(
    evaluations, *, limit: int | None = None, keep: bool = True
) -> tuple[list[int], dict[int, EvaluationCheck]]:
    """Make again the checks of the forms of ``evaluations`` that are missing or stale: the forms' ids in
    order, and the checks made. More than ``limit`` stale forms raise ``ChecksPending`` (and queue the work)."""
    stamps = scheme_stamps()
    state = list(
        evaluations.annotate(monitoring_changed=monitoring_changed()).values_list(
            "pk",
            "updated_at",
            "check_result__basis",
            "scheme_id",
            "check_result__signed",
            "status",
            "monitoring_changed",
        )  # fmt: skip
    )

    def expected(row):  # a signed form's check made when it was signed is current whatever its basis
        frozen = row[4] and row[5] == EvaluationStatus.SIGNED
        return row[2] if frozen else evaluation_basis(row[1], stamps[row[3]], row[6])

    stale = stale_ids(state, expected)
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


def with_current_checks(evaluations, *, wait: bool = False) -> list[SelfEvaluation]:
    """The forms ``evaluations`` (a page of a list: a queryset or the forms themselves), in their order, each with
    its current check as ``figures``: what lists, the home page and the API read instead of scoring again."""
    forms = list(evaluations)
    if forms:
        scope = SelfEvaluation.objects.filter(pk__in=[e.pk for e in forms])
        by_pk = {c.evaluation_id: c for c in current_checks(scope, wait=wait)}
        for form in forms:
            form.figures = by_pk.get(form.pk)
    return forms


def refresh_all() -> tuple[int, int, int]:
    """Make again every stale check, e.g. after a scheme or a monitoring rule was edited or a checker changed, so
    that no reader waits for them; how many self-evaluation, declaration and monitoring checks were made and stored."""
    started = timezone.now()
    refresh_stale(SelfEvaluation.objects.all(), keep=False)
    refresh_stale_declarations(ProjectDeclaration.objects.all(), keep=False)
    refresh_stale_monitoring(MonitoringForm.objects.all(), keep=False)
    return (
        EvaluationCheck.objects.filter(checked_at__gte=started).count(),
        DeclarationCheck.objects.filter(checked_at__gte=started).count(),
        MonitoringCheck.objects.filter(checked_at__gte=started).count(),
    )
