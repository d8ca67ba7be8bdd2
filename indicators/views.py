"""Small JSON helpers for the declaration page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse

from .services.values import parse_value


@login_required
def parse(request: HttpRequest) -> JsonResponse:
    """How a typed 指标值 is read: shown next to the field while typing."""
    value = parse_value(request.GET.get("v", "")[:300])
    return JsonResponse({"kind": value.kind, "text": value.describe()})
