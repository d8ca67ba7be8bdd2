"""Create or update a project declaration from the Excel template, all or nothing."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.categories import match_category
from indicators.models import IndicatorCategory
from projects.access import is_filer_of
from projects.choices import DeclarationAction, DeclarationStatus
from projects.models import (
    DeclarationBasis,
    DeclarationEvent,
    ExpenseItem,
    FundingSource,
    Goal,
    Indicator,
    ProcurementItem,
    Project,
    ProjectDeclaration,
)

from .xlsx import ImportedDeclaration, SheetError


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def declaration_import(*, data: ImportedDeclaration, user) -> ProjectDeclaration:
    """Write the imported sheet; ``SheetError`` (nothing written) when it may not or cannot be saved."""
    project = Project.objects.for_user(user).filter(key=data.project_key).select_related("department").first()
    if project is None:
        raise SheetError(["模板中的项目不存在，或不在你的部门范围内。"])
    if not is_filer_of(user, project.department_id):
        raise SheetError(["只有本部门的填报人可以导入申报表。"])
    declaration = ProjectDeclaration.objects.select_for_update().filter(project=project, year=data.year).first()
    if declaration is not None and declaration.status not in {DeclarationStatus.DRAFT, DeclarationStatus.RETURNED}:
        raise SheetError([f"{data.year} 年的申报表已{declaration.get_status_display()}，不能通过导入修改。"])
    if declaration is None:
        declaration = ProjectDeclaration(project=project, year=data.year)
    header = dict(data.header)
    fill = header.pop("fill_date", None)
    try:
        declaration.fill_date = datetime.date.fromisoformat(fill) if fill else None
    except ValueError:
        raise SheetError([f"填报日期“{fill}”应写作 YYYY-MM-DD。"]) from None
    declaration.unit = data.unit
    for name, value in header.items():
        setattr(declaration, name, value if value is not None else ("" if name not in _MONEY else None))
    try:
        _save(declaration)
        for model in (DeclarationBasis, FundingSource, ExpenseItem, ProcurementItem):
            model.objects.filter(declaration=declaration).delete()
        declaration.goals.all().delete()
        declaration.indicators.all().delete()
        for seq, text in enumerate(data.basis, start=1):
            _save(DeclarationBasis(declaration=declaration, seq=seq, text=text))
        for seq, line in enumerate(data.funding, start=1):
            _save(FundingSource(declaration=declaration, seq=seq, **line))
        for seq, line in enumerate(data.expenses, start=1):
            _save(ExpenseItem(declaration=declaration, seq=seq, **line))
        for seq, line in enumerate(data.procurement, start=1):
            _save(ProcurementItem(declaration=declaration, seq=seq, **line))
        for seq, text in enumerate(data.goals, start=1):
            _save(Goal(project_declaration=declaration, kind="overall", seq=seq, text=text))
        categories = {c.code: c for c in IndicatorCategory.objects.all()}
        groups: dict[str, Goal] = {}
        for seq, row in enumerate(data.indicators, start=1):
            name = row.pop("goal")
            if name and name not in groups:
                groups[name] = _save(
                    Goal(project_declaration=declaration, kind="group", seq=len(groups) + 1, text=name)
                )
            code1, code2 = match_category(row["level1"], row["level2"])
            _save(
                Indicator(
                    project_declaration=declaration,
                    seq=seq,
                    goal=groups.get(name),
                    level1=categories.get(code1),
                    level1_printed=row.pop("level1"),
                    level2=categories.get(code2),
                    level2_printed=row.pop("level2"),
                    **row,
                )  # fmt: skip
            )
    except ValidationError as exc:
        raise SheetError([f"{field}：{'；'.join(messages)}" for field, messages in exc.message_dict.items()]) from None
    DeclarationEvent.objects.create(
        project_declaration=declaration, action=DeclarationAction.IMPORT, to_status=declaration.status, user=user
    )
    return declaration


_MONEY = {"total_budget", "annual_budget", "funding_total", "expense_total"}
