"""The 指标库: searched while filling (``selfeval.services.library`` starts it from the stored forms)."""

from ..models import LibraryIndicator


def library_search(query: str, level2_id: int | None = None, limit: int = 20):
    qs = LibraryIndicator.objects.filter(is_active=True).select_related("level2__parent")
    if level2_id:
        qs = qs.filter(level2_id=level2_id)
    for word in query.split()[:5]:
        qs = qs.filter(name__icontains=word)
    return list(qs.order_by("-use_count", "name")[:limit])
