"""Small JSON helpers for the declaration page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse

from .params import param_id
from .services.library import library_search
from .services.values import parse_row


@login_required
def parse(request: HttpRequest) -> JsonResponse:
    """How a typed 指标值 is read, with the row's 计量单位, 比较符 and 指标性质: shown next to the field while typing."""
    value = parse_row(
        request.GET.get("v", "")[:300],
        unit=request.GET.get("u", "")[:20],
        comparator=request.GET.get("c", "")[:8],
        nature=request.GET.get("n", "")[:12],
    ).target
    return JsonResponse({"kind": value.kind, "text": value.describe()})


@login_required
def library(request: HttpRequest) -> JsonResponse:
    """The 指标库 entries matching what is typed, for the 三级 indicator field."""
    level2 = param_id(request.GET.get("level2"))
    entries = library_search(request.GET.get("q", "")[:100], level2)
    return JsonResponse(
        {
            "results": [
                {
                    "name": e.name,
                    "unit": e.unit,
                    "direction": e.get_direction_display(),
                    "example": e.example,
                    "level1": e.level2.parent_id,
                    "level2": e.level2_id,
                }  # fmt: skip
                for e in entries
            ]
        }
    )
