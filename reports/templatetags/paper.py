"""Template filters for sheets printed like the paper forms."""

from django import template

from indicators.services.text import plain_text

register = template.Library()


@register.filter
def paper(value) -> str:
    """A value as it stood on paper: ``执行率 $\\geq 80\\%$`` (as extracted from a PDF) → ``执行率 ≥80%``."""
    return plain_text(value)
