"""What changed in a self-evaluation since a given moment, read from its audit trail (django-simple-history): the
form, its funding lines, sections, goals and rows (deleted ones too), and the workflow steps with their comments
(a return's or a reopening's reason)."""

import datetime

from projects.history import collect, describe_step, newest_first

from ..models import EvaluationEvent, EvaluationFunding, EvaluationGoal, EvaluationRow, EvaluationSection


def changes_since(evaluation, since: datetime.datetime | None = None, limit: int = 200) -> list[dict]:
    """The form's and its parts' versions and its workflow steps (newest first), only those after ``since``."""
    pk = evaluation.pk
    parts = [
        (evaluation.history.all(), lambda r: "自评表"),
        (EvaluationFunding.history.filter(evaluation_id=pk), lambda r: f"资金“{r.name}”"),
        (EvaluationSection.history.filter(evaluation_id=pk), lambda r: f"分项“{r.name}”"),
        (EvaluationGoal.history.filter(evaluation_id=pk), lambda r: f"年度目标{r.seq}"),
        (EvaluationRow.history.filter(evaluation_id=pk), lambda r: f"第 {r.seq} 行“{r.name}”"),
    ]
    entries = collect(parts, since=since, limit=limit)
    events = EvaluationEvent.objects.filter(evaluation_id=pk).select_related("user")
    for event in events.filter(at__gt=since) if since else events:
        entries.append(describe_step(event.at, event.user, event.get_action_display(), event.comment, "自评表"))
    return newest_first(entries)
