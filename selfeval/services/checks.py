"""Stored checks: the engine's total, grade and rate and the checker's findings of each self-evaluation,
and the checker's findings of each project declaration.

The year's overviews read many forms at once; scoring and checking 10 000 forms on each view takes half
a minute. Each form's results are kept in ``EvaluationCheck`` / ``DeclarationCheck`` with the basis they
were made from: the form's last change (``updated_at``, which every edit, submission, signature, review
and reopening moves), a self-evaluation's scheme rules, and the code of the engine and the checker.
``current_checks`` and ``current_declaration_checks`` return the stored results and make again, in
batches, those whose basis is not current, so a stale result is never shown.
"""

import hashlib
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from indicators.models import Indicator
from projects.models import ProjectDeclaration

from ..models import DeclarationCheck, EvaluationCheck, EvaluationRow, ScoringScheme, SelfEvaluation
from . import consistency, engine
from .findings import declaration_findings, evaluation_findings
from .scoring import form_input

BATCH = 200
_CODE = ("engine.py", "consistency.py", "findings.py", "scoring.py", "checks.py")
_code_stamp = hashlib.sha256(b"".join((Path(__file__).parent / name).read_bytes() for name in _CODE)).hexdigest()[:16]


def scheme_stamps() -> dict[int, str]:
    """A short digest of each scheme's rules and sections: a changed scheme makes its forms' checks stale."""
    stamps = {}
    for scheme in ScoringScheme.objects.prefetch_related("sections"):
        parts = [
            scheme.code, scheme.layout, scheme.budget_rate_places, scheme.cap_budget_score, scheme.reverse_rule,
            scheme.score_places, scheme.deviation_above, scheme.weights_per_form, scheme.grade_bands,
        ]  # fmt: skip
        parts += [(s.code, s.kind, s.points) for s in scheme.sections.all()]
        stamps[scheme.pk] = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    return stamps


def basis(updated_at, scheme_stamp: str) -> str:
    return f"{updated_at.isoformat()}|{scheme_stamp}|{_code_stamp}"


def _loaded(ids):
    """The forms with everything the engine and the checker read (a fixed number of queries per batch)."""
    return (
        SelfEvaluation.objects.filter(pk__in=ids)
        .select_related("scheme")
        .prefetch_related(
            "scheme__sections",
            "sections",
            "funding_rows",
            "goals",
            Prefetch("rows", queryset=EvaluationRow.objects.order_by("seq")),
        )
    )


def check_of(evaluation: SelfEvaluation, stamp: str, result: engine.FormResult | None = None) -> EvaluationCheck:
    """The check of one form loaded by ``_loaded`` or ``evaluation_with_rows`` (not saved)."""
    result = result or engine.score_form(form_input(evaluation))
    findings = evaluation_findings(evaluation)
    unmet = [
        {"seq": row.seq, "name": row.name, "target": row.target, "actual": row.actual, "reason": row.reason}
        for row in evaluation.rows.all()
        if (proposal := result.proposals.get(row.pk)) is not None and proposal.met is False
    ]
    return EvaluationCheck(
        evaluation_id=evaluation.pk,
        basis=basis(evaluation.updated_at, stamp),
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


def _save(checks: list[EvaluationCheck]) -> None:
    _upsert(checks, "evaluation")


def refresh_checks(ids, stamps: dict[int, str] | None = None) -> int:
    """Score and check the given forms again and store the results; how many."""
    stamps = stamps if stamps is not None else scheme_stamps()
    ids, done = list(ids), 0
    for start in range(0, len(ids), BATCH):
        checks = [check_of(e, stamps[e.scheme_id]) for e in _loaded(ids[start : start + BATCH])]
        with transaction.atomic():
            _save(checks)
        done += len(checks)
    return done


def store_check(evaluation: SelfEvaluation, result: engine.FormResult | None = None) -> None:
    """Store the check of a form just saved or scored (loaded by ``evaluation_with_rows``), in the caller's
    transaction; ``result``: the engine's, when the caller has it."""
    _save([check_of(evaluation, scheme_stamps()[evaluation.scheme_id], result)])


def refresh_stale(evaluations) -> list[int]:
    """Make again the checks of the forms of ``evaluations`` that are missing or stale; the forms' ids, in order."""
    stamps = scheme_stamps()
    state = list(evaluations.values_list("pk", "updated_at", "scheme_id", "check_result__basis"))
    stale = [pk for pk, updated_at, scheme_id, stored in state if stored != basis(updated_at, stamps[scheme_id])]
    if stale:
        refresh_checks(stale, stamps)
    return [pk for pk, *_ in state]


def current_checks(evaluations) -> list[EvaluationCheck]:
    """The checks of the forms of the queryset ``evaluations``, in its order, each one current.

    Reads the forms' bases in one query, makes again those that are missing or stale, then loads the checks
    with their forms, departments, projects and schemes in one more (and one for the schemes' stamps).
    """
    order = refresh_stale(evaluations)
    checks = {
        c.evaluation_id: c
        for c in EvaluationCheck.objects.filter(evaluation__in=evaluations.values("pk")).select_related(
            "evaluation__department", "evaluation__project", "evaluation__scheme"
        )
    }
    return [checks[pk] for pk in order if pk in checks]


def _declaration_check(declaration: ProjectDeclaration) -> DeclarationCheck:
    return DeclarationCheck(
        declaration_id=declaration.pk,
        basis=basis(declaration.updated_at, ""),
        **_counted(declaration_findings(declaration)),
    )


def refresh_stale_declarations(declarations) -> list[int]:
    """Make again the checks of the declarations of ``declarations`` that are missing or stale; their ids, in order."""
    state = list(declarations.values_list("pk", "updated_at", "check_result__basis"))
    stale = [pk for pk, updated_at, stored in state if stored != basis(updated_at, "")]
    indicators = Prefetch("indicators", queryset=Indicator.objects.select_related("level1"))
    for start in range(0, len(stale), BATCH):
        batch = ProjectDeclaration.objects.filter(pk__in=stale[start : start + BATCH]).prefetch_related(
            "funding_sources", "expense_items", indicators
        )
        with transaction.atomic():
            _upsert([_declaration_check(d) for d in batch], "declaration")
    return [pk for pk, *_ in state]


def current_declaration_checks(declarations) -> list[DeclarationCheck]:
    """The checks of the project declarations of the queryset ``declarations``, in its order, each one current."""
    order = refresh_stale_declarations(declarations)
    checks = {
        c.declaration_id: c
        for c in DeclarationCheck.objects.filter(declaration__in=declarations.values("pk")).select_related(
            "declaration__project__department"
        )
    }
    return [checks[pk] for pk in order if pk in checks]


def refresh_all() -> tuple[int, int]:
    """Make again every stale check, e.g. after a scheme was edited or the checker changed, so that no reader
    waits for them; how many self-evaluation and declaration checks were made."""
    started = timezone.now()
    refresh_stale(SelfEvaluation.objects.all())
    refresh_stale_declarations(ProjectDeclaration.objects.all())
    return (
        EvaluationCheck.objects.filter(checked_at__gte=started).count(),
        DeclarationCheck.objects.filter(checked_at__gte=started).count(),
    )


def findings_of(check: EvaluationCheck | DeclarationCheck) -> list[consistency.Finding]:
    return [consistency.Finding(**f) for f in check.findings]
