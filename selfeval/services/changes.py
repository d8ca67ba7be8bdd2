"""What changed in a form since a given moment, read from its audit trail (django-simple-history)."""

import datetime

SKIP = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "updated_at",
    "created_at",
}


def describe_record(record, what: str) -> dict:
    """One saved version as a readable entry: who, when, and each field before → after."""
    changes = []
    previous = record.prev_record
    if previous is not None:
        for change in record.diff_against(previous).changes:
            if change.field in SKIP:
                continue
            label = record.instance._meta.get_field(change.field).verbose_name
            changes.append({"field": str(label), "old": change.old, "new": change.new})
    kind = {"+": "创建", "~": "修改", "-": "删除"}[record.history_type]
    return {"date": record.history_date, "user": record.history_user, "what": what, "kind": kind, "changes": changes}


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
