"""The review's findings placed on a declaration's edit page: each at its row, block or field."""

from .inputs import BASIS, CONTINUING, ESTIMATION, GOALS, INDICATORS, ReviewFinding, row_place

# The blocks shown as a formset on an edit page, by the formset's name (the 部门整体 page has no 立项依据).
BLOCK_FORMSETS = {BASIS: "basis", GOALS: "goals", INDICATORS: "indicators"}


def by_place(findings: list[ReviewFinding]) -> dict[str, list[ReviewFinding]]:
    placed: dict[str, list[ReviewFinding]] = {}
    for finding in findings:
        placed.setdefault(finding.place, []).append(finding)
    return placed


def place_on_formsets(findings: list[ReviewFinding], formsets: dict) -> dict[str, list[ReviewFinding]]:
    """Give each indicator form its row's findings and the 立项依据, 目标 and 指标 formsets the page has their
    blocks' (``review_notes``); the rest — 测算依据, last year's self-evaluation, and a block the page has no
    formset for (``elsewhere``) — by place, for the template."""
    placed = by_place(findings)
    for form in formsets["indicators"].forms:
        form.review_notes = placed.get(row_place(form.instance.pk), []) if form.instance.pk else []
    elsewhere = []
    for place, name in BLOCK_FORMSETS.items():
        if name in formsets:
            formsets[name].review_notes = placed.get(place, [])
        else:
            elsewhere += placed.get(place, [])
    return {"estimation": placed.get(ESTIMATION, []), "continuing": placed.get(CONTINUING, []), "elsewhere": elsewhere}
