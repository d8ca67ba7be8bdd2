"""Write a project declaration's content: the one write path of the page, the API and the Excel import.

``declaration_write`` checks that the user may edit, locks the row, refuses a stale copy with the other
person's changes since that copy (read from django-simple-history), writes the header and every table all
or nothing (the tables are replaced whole, each row validated by its model), and logs which channel wrote.
The version is the declaration's ``updated_at`` as the page, the API and the Excel template carry it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.categories import match_category, table_of
from indicators.choices import GoalKind
from indicators.models import IndicatorCategory
from indicators.services.text import join_sentences
from projects.access import declaration_rights, is_filer_of
from projects.choices import DeclarationAction
from projects.history import describe_record
from projects.limits import row_cap_problem
from projects.models import (
    DeclarationBasis,
    DeclarationEvent,
    ExpenseItem,
    FundingSource,
    Goal,
    Indicator,
    PriorYearBudget,
    ProcurementItem,
    Project,
    ProjectDeclaration,
)

from .xlsx import ImportedDeclaration as DeclarationContent
from .xlsx import SheetError

MONEY = {"total_budget", "annual_budget", "funding_total", "expense_total"}
CHANNELS = {DeclarationAction.EDIT: "页面", DeclarationAction.API_WRITE: "接口", DeclarationAction.IMPORT: "Excel 导入"}
# The tables under a declaration and the name of their key to it, for the write and for the change list.
LINES = (
    (DeclarationBasis, "declaration", "立项依据"),
    (FundingSource, "declaration", "资金来源"),
    (ExpenseItem, "declaration", "支出明细"),
    (ProcurementItem, "declaration", "项目采购"),
    (PriorYearBudget, "declaration", "历年预算"),
    (Goal, "project_declaration", "绩效目标"),
    (Indicator, "project_declaration", "绩效指标"),
)


class StaleDeclaration(SheetError):
    """The copy written from is older than the stored declaration: nothing was written."""

    def __init__(self, message: str, changes: list[dict], current: ProjectDeclaration):
        super().__init__([message])
        self.changes, self.current = changes, current


class VersionRequired(SheetError):
    """An existing declaration was written without the version the copy was read at: nothing was written."""


def declaration_write(
    *,
    user,
    data: DeclarationContent,
    version: str | None,
    channel: str,
    declaration: ProjectDeclaration | None = None,
) -> ProjectDeclaration:
    """Write ``data`` into the project's declaration of that year (created when there is none), all or nothing.

    ``channel`` is a ``DeclarationAction`` (EDIT, API_WRITE or IMPORT); ``version`` is the ``updated_at`` the
    writer read (ISO 8601), required when the declaration exists. ``SheetError`` (nothing written) when it may
    not or cannot be saved; ``StaleDeclaration`` with the other person's changes when the copy is old.
    """
    with transaction.atomic():
        return _write(user=user, data=data, version=version, channel=channel, declaration=declaration)


def _write(*, user, data, version, channel, declaration):
    if problem := row_cap_problem(data.row_count(), "这张申报表"):
        raise SheetError([problem])
    project = Project.objects.for_user(user).filter(key=data.project_key).select_related("department").first()
    if project is None:
        raise SheetError(["模板中的项目不存在，或不在你的部门范围内。"])
    if declaration is not None and (declaration.project_id, declaration.year) != (project.pk, data.year):
        raise SheetError(["项目或年度与这张申报表不符。"])
    if not is_filer_of(user, project.department_id):
        raise SheetError(["只有本部门的填报人可以修改申报表。"])
    current = ProjectDeclaration.objects.select_for_update().filter(project=project, year=data.year).first()
    if current is not None:
        if not declaration_rights(user, current).edit:
            how = "不能通过导入修改" if channel == DeclarationAction.IMPORT else "不能再修改"
            raise SheetError([f"{data.year} 年的申报表现为“{current.get_status_display()}”，{how}。"])
        _check_version(current, version, channel)
    else:
        current = ProjectDeclaration(project=project, year=data.year)
    _apply(current, data, user, channel)
    return current


def _check_version(current: ProjectDeclaration, version: str | None, channel: str) -> None:
    if not version:
        if channel == DeclarationAction.IMPORT:
            raise VersionRequired([
                "这份模板没有记录导出时申报表的版本（由旧版系统导出），无法判断导出后是否有人修改过，"
                "为免覆盖他人的修改，本次没有导入。请重新导出模板，把内容抄入新模板后再导入。"
            ])  # fmt: skip
        raise VersionRequired(["请在 version 中给出你读取申报表时的版本（详情中的 version），否则可能覆盖他人的修改。"])
    since = _parse(version)
    if since is None or since != current.updated_at:
        changes = changes_since(current, since)
        moment = timezone.localtime(current.updated_at)
        what = "；".join(_summary(changes)[:10]) or "内容有变动"
        raise StaleDeclaration(
            f"这张申报表已在 {moment:%Y-%m-%d %H:%M} 被他人修改（{what}），你的副本是旧的，本次没有保存。"
            + (
                "请重新导出模板，核对他人的改动后再导入。"
                if channel == DeclarationAction.IMPORT
                else "请重新读取后再修改。"
            ),
            changes,
            current,
        )


def _parse(version: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(str(version).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


def _apply(declaration: ProjectDeclaration, data: DeclarationContent, user, channel: str) -> None:
    header = dict(data.header)
    fill = header.pop("fill_date", None)
    try:
        declaration.fill_date = (
            fill if isinstance(fill, datetime.date) else (datetime.date.fromisoformat(fill) if fill else None)
        )
    except ValueError:
        raise SheetError([f"填报日期“{fill}”应写作 YYYY-MM-DD。"]) from None
    declaration.unit = data.unit
    for name, value in header.items():
        setattr(declaration, name, value if value is not None else ("" if name not in MONEY else None))
    declaration._change_reason = CHANNELS[channel]
    try:
        _save(declaration)
        _sync(DeclarationBasis, "declaration", declaration, [{"seq": i, "text": t} for i, t in _numbered(data.basis)])
        _sync(FundingSource, "declaration", declaration, [{"seq": i, **line} for i, line in _numbered(data.funding)])
        _sync(ExpenseItem, "declaration", declaration, [{"seq": i, **line} for i, line in _numbered(data.expenses)])
        _sync(
            ProcurementItem, "declaration", declaration, [{"seq": i, **line} for i, line in _numbered(data.procurement)]
        )
        if data.prior_years is not None:
            _sync(PriorYearBudget, "declaration", declaration, [dict(line) for line in data.prior_years], key=("year",))
        _write_goals_and_indicators(declaration, data.goals, data.indicators)
    except ValidationError as exc:
        raise SheetError(
            [f"{field}：{join_sentences(messages)}" for field, messages in exc.message_dict.items()]
        ) from None
    if channel == DeclarationAction.EDIT:
        return  # the page's saves are in the history (change reason 页面), not among the workflow steps
    DeclarationEvent.objects.create(
        project_declaration=declaration,
        action=channel,
        to_status=declaration.status,
        user=user,
        comment=f"由{CHANNELS[channel]}写入",
    )


def _numbered(items) -> list:
    return list(enumerate(items, start=1))


def _differs(obj, name: str, value) -> bool:
    if hasattr(value, "_meta"):  # a related object: compare ids without loading the stored one
        return getattr(obj, f"{name}_id") != value.pk
    if value is None:
        return getattr(obj, f"{name}_id", getattr(obj, name, None)) is not None
    return getattr(obj, name) != value


def _sync(model, field: str, declaration, items: list[dict], key: tuple[str, ...] = ("seq",)) -> list:
    """Make the declaration's rows of ``model`` hold ``items``: a row whose key (its 序号) is still there is
    updated in place and saved only when a value changed, new ones are created, the rest deleted — so row ids
    stay and the audit trail shows what really changed."""
    stored = {tuple(getattr(o, k) for k in key): o for o in model.objects.filter(**{field: declaration})}
    kept = []
    for values in items:
        obj = stored.pop(tuple(values[k] for k in key), None)
        if obj is None:
            obj = _save(model(**{field: declaration}, **values))
        else:
            changed = [name for name, value in values.items() if _differs(obj, name, value)]
            for name in changed:
                setattr(obj, name, values[name])
            if changed:
                _save(obj)
        kept.append(obj)
    for obj in stored.values():
        obj.delete()
    return kept


def _write_goals_and_indicators(declaration, goals: list[str], rows: list[dict]) -> None:
    categories = {c.code: c for c in IndicatorCategory.objects.all()}
    table = table_of(categories.values())  # the 其他写法 as the administrators edited them
    group_names = list(dict.fromkeys(row.get("goal", "") for row in rows if row.get("goal")))
    goal_items = [{"kind": GoalKind.OVERALL, "seq": i, "text": t} for i, t in _numbered(goals)]
    goal_items += [{"kind": GoalKind.GROUP, "seq": i, "text": name} for i, name in _numbered(group_names)]
    saved = _sync(Goal, "project_declaration", declaration, goal_items, key=("kind", "seq"))
    groups = {g.text: g for g in saved if g.kind == GoalKind.GROUP}
    items = []
    for seq, row in _numbered(rows):
        row = dict(row)
        name = row.pop("goal", "")
        code1, code2 = match_category(row["level1"], row["level2"], table)
        items.append(
            {
                "seq": seq,
                "goal": groups.get(name),
                "level1": categories.get(code1),
                "level1_printed": row.pop("level1"),
                "level2": categories.get(code2),
                "level2_printed": row.pop("level2"),
                **row,
            }  # fmt: skip
        )
    _sync(Indicator, "project_declaration", declaration, items)


def changes_since(declaration: ProjectDeclaration, since: datetime.datetime | None, limit: int = 200) -> list[dict]:
    """The declaration's and its rows' saved versions after ``since`` (all when None), newest first."""
    entries = []
    records = declaration.history.select_related("history_user").order_by("-history_date")
    if since is not None:
        records = records.filter(history_date__gt=since)
    entries += [describe_record(r, "申报表") for r in records[:limit]]
    for model, key, label in LINES:
        rows = model.history.filter(**{f"{key}_id": declaration.pk}).select_related("history_user")
        if since is not None:
            rows = rows.filter(history_date__gt=since)
        entries += [
            describe_record(r, f"{label}第 {getattr(r, 'seq', '') or ''} 行")
            for r in rows.order_by("-history_date")[:limit]
        ]
    entries.sort(key=lambda e: e["date"], reverse=True)
    return [e for e in entries if e["changes"] or e["kind"] != "修改"]


def _summary(changes: list[dict]) -> list[str]:
    """Short Chinese phrases for a message: who changed which field, or which tables were rewritten."""
    out: list[str] = []
    for entry in changes:
        who = str(entry["user"]) if entry["user"] else "他人"
        if entry["changes"]:
            phrase = f"{who}改了{'、'.join(c['field'] for c in entry['changes'])}"
        elif entry["what"] != "申报表":
            phrase = f"{who}改了{entry['what'].split('第')[0]}"
        else:
            continue
        if phrase not in out:
            out.append(phrase)
    return out


def serialize_changes(changes: list[dict]) -> list[dict]:
    """The change list as JSON: dates in ISO 8601, users and values as text."""
    return [
        {
            "date": c["date"].isoformat(),
            "user": str(c["user"]) if c["user"] else None,
            "what": c["what"],
            "kind": c["kind"],
            "changes": [
                {"field": ch["field"], "old": _text(ch["old"]), "new": _text(ch["new"])} for ch in c["changes"]
            ],
        }
        for c in changes
    ]


def _text(value):
    return None if value is None else str(value)
