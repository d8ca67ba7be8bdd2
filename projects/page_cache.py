"""The form pages' sheets, rendered once per version of what they show (issue 17: a form page spent most of its
time loading the form's rows and rendering them).

A page reads its form in one query within the user's scope (the scope and the rights are checked on every
request, before anything is taken from the cache) together with the *stamp* of what its sheet is made from: the
form's last change (``updated_at``, which every write moves: the page, the API, the Excel import, the admin, the
workflow), the stamps of the other records the sheet reads (a self-evaluation's stored check and monitoring
record, a declaration's previous declaration) and ``ReferenceVersion``, which moves whenever data shared by many
forms changes (departments, projects, indicator categories, schemes, review and monitoring rules). The stamp is
read from the database, so that every web process sees a change at once whatever cache it has.

What is cached is the same for every reader of the form: rendered HTML of the form's own content and the
figures it was made from. Nothing that depends on the user (rights, buttons, CSRF tokens, the navigation) is
cached; those are rendered on every request.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Subquery

from .models import ReferenceVersion

# Bump when a cached part's template or the context it is rendered from changes: a deploy then never serves a part
# rendered by the code before it (with a cache shared by the old and the new processes, e.g. Redis).
SHEET_VERSION = 1


def reference_version() -> Subquery:
    """The reference data's version, as an expression to annotate a page's form query with."""
    return Subquery(ReferenceVersion.objects.filter(pk=1).values("value")[:1])


def bump_reference_version(sender=None, raw: bool = False, **_) -> None:
    """A signal receiver: data shared by many forms changed (not for loaddata); every cached sheet is stale."""
    if raw:
        return
    if not ReferenceVersion.objects.filter(pk=1).update(value=F("value") + 1):
        ReferenceVersion.objects.get_or_create(pk=1, defaults={"value": 1})


def sheet_key(kind: str, pk: int, stamp: tuple) -> str:
    digest = hashlib.sha256(repr(stamp).encode()).hexdigest()[:24]
    return f"sheet:{SHEET_VERSION}:{kind}:{pk}:{digest}"


def cached_parts(kind: str, pk: int, stamp: tuple | None, render: Callable[[], tuple[dict, bool]]) -> dict:
    """The parts of a form page made by ``render`` (the parts and whether they may be kept), from the cache when the
    form's ``stamp`` has them; ``stamp`` None: render without the cache (what the parts read is being remade)."""
    key = sheet_key(kind, pk, stamp) if stamp is not None and settings.PERFBUDGET_SHEET_CACHE_SECONDS else None
    if key is not None:
        parts = cache.get(key)
        if parts is not None:
            return parts
    parts, keep = render()
    if key is not None and keep:
        cache.set(key, parts, settings.PERFBUDGET_SHEET_CACHE_SECONDS)
    return parts
