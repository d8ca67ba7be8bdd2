"""The one cap on a form's rows (``settings.MAX_FORM_ROWS``, all its tables together), and its message: every write
path of a form checks it before writing (the page and the API through their services, the Excel import while
reading, the admin on its form), so that a form too big for one of them is refused by all of them alike."""

from django.conf import settings
from django.db.models import Count, Subquery, Value
from django.db.models.functions import Coalesce

from indicators.choices import GoalKind

from .models import ProjectDeclaration


def max_form_rows() -> int:
    return settings.MAX_FORM_ROWS


def row_cap_problem(count: int, what: str = "这张表") -> str | None:
    """The message for a form of ``count`` rows when that is more than the cap; None when it fits."""
    cap = max_form_rows()
    if count <= cap:
        return None
    return f"{what}共有 {count} 行（各表合计），超过了每张表最多 {cap} 行的上限，本次没有保存任何内容；请删减后再保存。"


def declaration_row_count(declaration: ProjectDeclaration) -> int:
    """The rows a stored declaration holds in all its tables, as its page posts them (the overall goals); one
    query (a count of each table's rows beside the others)."""
    tables = ("basis_items", "prior_years", "funding_sources", "expense_items", "procurement_items", "indicators")
    parts = [getattr(declaration, name).all() for name in tables]
    parts.append(declaration.goals.filter(kind=GoalKind.OVERALL))
    counts = {
        f"rows_{n}": Coalesce(Subquery(part.order_by().values(one=Value(1)).annotate(n=Count("pk")).values("n")), 0)
        for n, part in enumerate(parts)
    }
    return sum(ProjectDeclaration.objects.filter(pk=declaration.pk).annotate(**counts).values_list(*counts).get())
