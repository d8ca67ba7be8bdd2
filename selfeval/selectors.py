"""Reads of self-evaluations that span relations, with a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from .models import EvaluationRow, SelfEvaluation


def evaluations_for(user) -> QuerySet[SelfEvaluation]:
    """The self-evaluations ``user`` may read, with what a list shows."""
    return SelfEvaluation.objects.for_user(user).select_related("department", "project", "scheme")


def evaluation_with_rows(pk: int, *, for_update: bool = False) -> SelfEvaluation:
    """One self-evaluation with its scheme, sections, funding rows, goals and indicator rows (6 queries)."""
    qs = SelfEvaluation.objects.select_related("department", "project", "scheme").prefetch_related(
        "scheme__sections",
        "sections",
        "funding_rows",
        "goals",
        Prefetch("rows", queryset=EvaluationRow.objects.select_related("level1", "level2", "goal").order_by("seq")),
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=pk)
