"""Reading a form's audit trail (django-simple-history): one saved version as a readable entry."""

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
    """One saved version as a readable entry: who, when, and each field before → after (for a change)."""
    changes = []
    previous = record.prev_record if record.history_type == "~" else None
    if previous is not None:
        for change in record.diff_against(previous).changes:
            if change.field in SKIP:
                continue
            label = record.instance._meta.get_field(change.field).verbose_name
            changes.append({"field": str(label), "old": change.old, "new": change.new})
    kind = {"+": "创建", "~": "修改", "-": "删除"}[record.history_type]
    return {"date": record.history_date, "user": record.history_user, "what": what, "kind": kind, "changes": changes}
