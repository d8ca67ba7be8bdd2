"""The body of a project declaration's page (its findings, the target review, the comparison with the previous
declaration, the sheet), rendered once per stamp of what it shows and kept in the cache (``projects.page_cache``;
issue 17). Who may read the page, and what they may do on it, is decided on every request."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ..carry_over import changes_since, previous_declaration
from ..models import ProjectDeclaration
from ..page_cache import cached_parts
from ..selectors import declaration_page
from ..sheets import declaration_sheet
from .findings import declaration_findings
from .review.data import declaration_review


def body_stamp(head: ProjectDeclaration) -> tuple:
    """What the page's body is made from, for a declaration read by ``declaration_head``."""
    changed = head.previous_changed.isoformat() if head.previous_changed else None
    prior = tuple(t.isoformat() if t else None for t in (head.prior_changed, head.prior_checked))
    return head.updated_at.isoformat(), head.previous_pk, changed, prior, head.reference_version


def declaration_page_body(head: ProjectDeclaration) -> dict:
    """The rendered parts of the page of the declaration ``head`` (read by ``declaration_head``, in the user's
    scope): ``checks`` (findings, target review, comparison with the previous year), ``sheet`` and the review's
    draft opinion ``review_draft`` (the head's review form starts from it)."""

    def render() -> tuple[dict, bool]:
        declaration = declaration_page(head.pk)
        review_findings, review_grade, review_draft = declaration_review(declaration)
        previous = previous_declaration(declaration.project, declaration.year)
        context = {
            **declaration_sheet(declaration),
            "declaration": declaration,
            "findings": declaration_findings(declaration),
            "review_findings": review_findings,
            "review_grade": review_grade,
            "previous": previous,
            "changes": changes_since(previous, declaration) if previous else [],
            "show_parse": True,
        }
        parts = {
            "checks": render_to_string("projects/_declaration_detail_checks.html", context),
            "sheet": render_to_string("projects/_declaration_sheet.html", context),
            "review_draft": review_draft,
        }
        # Kept only when made from what the stamp names (not from a change committed in between).
        made_from = (declaration.updated_at, previous.pk if previous else None, previous and previous.updated_at)
        return parts, made_from == (head.updated_at, head.previous_pk, head.previous_changed)

    parts = cached_parts("declaration", head.pk, body_stamp(head), render)
    return {**parts, "checks": mark_safe(parts["checks"]), "sheet": mark_safe(parts["sheet"])}  # noqa: S308
