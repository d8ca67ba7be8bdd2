"""Reading a form's audit trail (django-simple-history) as auditors read it: who, when, and each field before →
after, with Chinese labels, people's names, percentages for rates and Chinese names for coded values; the
workflow steps (submitted, returned, reopened …) with their comments among the saved versions."""

import datetime
from decimal import Decimal

from django.db import models
from django.utils import timezone

from indicators.services.values import format_rate

from .models import (
    DeclarationBasis,
    DeclarationEvent,
    DepartmentFundLine,
    ExpenseItem,
    FundingSource,
    Goal,
    Indicator,
    PriorYearBudget,
    ProcurementItem,
)

SKIP = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "updated_at",
    "created_at",
}
KINDS = {"+": "创建", "~": "修改", "-": "删除"}


class ValueNames:
    """Turns stored values into what a reader recognises; related objects are read once per page."""

    def __init__(self):
        self._related: dict[tuple[type, object], str] = {}

    def show(self, field: models.Field, value) -> str:
        if value is None or value == "":
            return ""
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.BooleanField):
            return "是" if value else "否"
        if isinstance(field, models.ForeignKey):
            return self._name_of(field.related_model, value)
        if isinstance(value, datetime.datetime):
            return (
                f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if timezone.is_aware(value) else f"{value:%Y-%m-%d %H:%M}"
            )
        if isinstance(field, models.DecimalField) and field.name.endswith("rate"):
            return format_rate(Decimal(value), 2)
        return str(value)

    def _name_of(self, model: type, pk) -> str:
        key = (model, pk)
        if key not in self._related:
            obj = model._base_manager.filter(pk=pk).first()
            self._related[key] = str(obj) if obj is not None else f"（已删除，编号 {pk}）"
        return self._related[key]


def describe_record(record, what: str, names: ValueNames | None = None) -> dict:
    """One saved version as a readable entry: who, when, through which channel, and each field before → after (for
    a change)."""
    names = names or ValueNames()
    changes = []
    previous = record.prev_record if record.history_type == "~" else None
    if previous is not None:
        for change in record.diff_against(previous).changes:
            if change.field in SKIP:
                continue
            field = record.instance._meta.get_field(change.field)
            changes.append(
                {
                    "field": str(field.verbose_name),
                    "old": names.show(field, change.old),
                    "new": names.show(field, change.new),
                }
            )
    return {
        "date": record.history_date,
        "user": record.history_user,
        "what": what,
        "kind": KINDS[record.history_type],
        "changes": changes,
        "comment": record.history_change_reason or "",
    }


def describe_step(at, user, action: str, comment: str, what: str) -> dict:
    """A workflow step (submitted, withdrawn, returned, signed, reopened …) as an entry among the saved versions."""
    return {"date": at, "user": user, "what": what, "kind": action, "changes": [], "comment": comment, "step": True}


def collect(parts, *, since: datetime.datetime | None = None, limit: int = 200) -> list[dict]:
    """Entries of several histories, newest first: ``parts`` are (historical queryset, label of a record)."""
    names, entries = ValueNames(), []
    for history, label in parts:
        qs = history.select_related("history_user").order_by("-history_date")
        for record in (qs.filter(history_date__gt=since) if since else qs)[:limit]:
            entries.append(describe_record(record, label(record), names))
    return entries


def newest_first(entries: list[dict]) -> list[dict]:
    return sorted(entries, key=lambda e: e["date"], reverse=True)


def _line(title: str):
    def label(record) -> str:
        name = getattr(record, "name", "") or getattr(record, "text", "")
        return f"{title}第 {record.seq} 行“{str(name)[:40]}”" if name else f"{title}第 {record.seq} 行"

    return label


def declaration_changes(declaration) -> list[dict]:
    """Every saved version of a 项目 or 部门整体 declaration and of its lines (deleted lines too), with the review
    steps and their comments, newest first."""
    project = declaration._meta.model_name == "projectdeclaration"
    if project:
        parts = [
            (declaration.history.all(), lambda r: "申报表"),
            (DeclarationBasis.history.filter(declaration_id=declaration.pk), _line("立项依据")),
            (PriorYearBudget.history.filter(declaration_id=declaration.pk), lambda r: f"历年预算 {r.year}年"),
            (FundingSource.history.filter(declaration_id=declaration.pk), _line("资金来源")),
            (ExpenseItem.history.filter(declaration_id=declaration.pk), _line("支出明细")),
            (ProcurementItem.history.filter(declaration_id=declaration.pk), _line("采购")),
            (Goal.history.filter(project_declaration_id=declaration.pk), _line("绩效目标")),
            (Indicator.history.filter(project_declaration_id=declaration.pk), _line("绩效指标")),
        ]
        events = DeclarationEvent.objects.filter(project_declaration=declaration)
    else:
        parts = [
            (declaration.history.all(), lambda r: "申报表"),
            (DepartmentFundLine.history.filter(declaration_id=declaration.pk), _line("资金情况")),
            (Goal.history.filter(department_declaration_id=declaration.pk), _line("绩效目标")),
            (Indicator.history.filter(department_declaration_id=declaration.pk), _line("绩效指标")),
        ]
        events = DeclarationEvent.objects.filter(department_declaration=declaration)
    entries = collect(parts)
    for event in events.select_related("user"):
        entries.append(describe_step(event.at, event.user, event.get_action_display(), event.comment, "申报表"))
    return newest_first(entries)
