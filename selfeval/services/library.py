"""The 指标库 started from every 三级 indicator of the stored declarations and self-evaluations, then curated
by administrators."""

from collections import Counter

from django.db import transaction

from indicators.models import LibraryIndicator
from indicators.services.values import NEGATIVE, parse_value
from projects.models import Indicator

from ..models import EvaluationRow


@transaction.atomic
def library_add_from_forms() -> int:
    """Add each 三级 indicator of the stored declarations and self-evaluations that has a standard 二级.

    Existing entries keep what administrators set; only their use counts are refreshed. Returns how many
    entries were created.
    """
    uses: Counter = Counter()
    examples: dict[tuple[int, str], str] = {}
    for model in (Indicator, EvaluationRow):
        for level2_id, name, target in model.objects.filter(level2__isnull=False).values_list(
            "level2_id", "name", "target"
        ):
            name = " ".join(name.split())
            if not name or len(name) > 300:
                continue
            uses[(level2_id, name)] += 1
            examples.setdefault((level2_id, name), target)
    existing = {(e.level2_id, e.name): e for e in LibraryIndicator.objects.all()}
    created = []
    for key, count in uses.items():
        entry = existing.get(key)
        if entry is not None:
            if entry.use_count != count:
                entry.use_count = count
                entry.save(update_fields=["use_count"])
            continue
        value = parse_value(examples[key])
        direction = (
            "qualitative" if not value.is_quantitative else ("negative" if value.direction == NEGATIVE else "positive")
        )
        created.append(
            LibraryIndicator(
                level2_id=key[0],
                name=key[1],
                unit=value.unit[:20],
                direction=direction,
                example=examples[key][:120],
                use_count=count,
            )  # fmt: skip
        )
    LibraryIndicator.objects.bulk_create(created)
    return len(created)
