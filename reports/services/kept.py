"""Render once per version, serve many: the PDF of a form that is not final (a draft, a submitted form), kept in the
``pdfs`` cache under the stamp its page's sheet is kept under (``projects.page_cache``: the form's last change, its
stored check, monitoring record, previous declaration and the reference data's version, read in the user's scope).

Final forms have stored files (``stored``). Under load a PDF is most of what a web process does (bench/load.py:
auditors reading the same forms again and again); a form unchanged since its last PDF gets the same file, which says
when it was made ("… 生成": made, not printed, at that time), as a stored final PDF does. Any change moves the stamp, and the next download renders.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches

from .pdf import form_pdf

# Bump when the PDF templates or their context change (a cache shared by the old and the new processes).
KEPT_PDF_VERSION = 2


def kept_pdf(kind: str, pk: int, stamp: tuple | None, load: Callable, made_from: Callable) -> tuple[str, bytes]:
    """The file name and bytes of the PDF of the form ``kind``/``pk``: from the cache when ``stamp`` has it, else
    rendered from ``load()`` and kept when ``made_from(form)`` says the loaded form is the one the stamp names (not
    a change committed in between). ``stamp`` None: rendered, not kept (what the PDF reads is being remade)."""
    seconds = settings.PERFBUDGET_SHEET_CACHE_SECONDS
    key = None
    if stamp is not None and seconds:
        digest = hashlib.sha256(repr(stamp).encode()).hexdigest()[:24]
        key = f"pdf:{KEPT_PDF_VERSION}:{kind}:{pk}:{digest}"
        kept = caches["pdfs"].get(key)
        if kept is not None:
            return kept
    form = load()
    filename, pdf = form_pdf(form)
    if key is not None and made_from(form):
        caches["pdfs"].set(key, (filename, pdf), seconds)
    return filename, pdf
