"""What changed in a form since a given moment, read from its audit trail (django-simple-history)."""

import datetime

from projects.history import describe_record


def changes_since(evaluation, since: datetime.datetime | None = None, limit: int = 200) -> list[dict]:
    """The form's and its rows' versions (newest first), only those after ``since`` when given."""
    entries = []

    def records(history):
        qs = history.select_related("history_user").order_by("-history_date")
        return (qs.filter(history_date__gt=since) if since else qs)[:limit]

    for record in records(evaluation.history):
        entries.append(describe_record(record, "自评表"))
    for row in evaluation.rows.all():
        for record in records(row.history):
            entries.append(describe_record(record, f"第 {row.seq} 行“{row.name}”"))
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries
