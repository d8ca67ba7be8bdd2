"""Text as an office reads it: formulas extracted from PDFs as plain symbols, messages joined as one sentence.

Pure Python, used by the pages (the ``paper`` filter), the PDFs, the Excel files and the services' messages.
"""

import re

_MATH = re.compile(r"\$([^$]*)\$")
_SYMBOLS = {r"\geq": "≥", r"\leq": "≤", r"\ge": "≥", r"\le": "≤", r"\%": "%", r"\times": "×", r"\sim": "～"}
_ENDS = "。；;，,. "


def _plain_math(match: re.Match) -> str:
    text = match.group(1)
    for command, symbol in _SYMBOLS.items():
        text = text.replace(command, symbol)
    return re.sub(r"[\\{}\s]", "", text)


def plain_text(value) -> str:
    """A value as it stood on paper: ``执行率 $\\geq 80\\%$`` (as extracted from a PDF) → ``执行率 ≥80%``."""
    if value is None:
        return ""
    return _MATH.sub(_plain_math, str(value))


def join_sentences(parts, separator: str = "；") -> str:
    """Messages joined into one sentence: ``["缺少名称。", "金额不是数字。"]`` → ``缺少名称；金额不是数字。``.

    Each part loses its own closing 。 or ；, so that the joined text never reads ``。；``.
    """
    cleaned = [str(p).strip().rstrip(_ENDS) for p in parts]
    cleaned = [p for p in cleaned if p]
    return separator.join(cleaned) + "。" if cleaned else ""
