"""Template filters for sheets printed like the paper forms."""

import re

from django import template

register = template.Library()

_MATH = re.compile(r"\$([^$]*)\$")
_SYMBOLS = {r"\geq": "≥", r"\leq": "≤", r"\ge": "≥", r"\le": "≤", r"\%": "%", r"\times": "×", r"\sim": "～"}


def _plain(match: re.Match) -> str:
    text = match.group(1)
    for command, symbol in _SYMBOLS.items():
        text = text.replace(command, symbol)
    return re.sub(r"[\\{}\s]", "", text)


@register.filter
def paper(value) -> str:
    """A value as it stood on paper: ``执行率 $\\geq 80\\%$`` (as extracted from a PDF) → ``执行率 ≥80%``."""
    if value is None:
        return ""
    return _MATH.sub(_plain, str(value))
