"""The review's findings placed on the declaration's edit page: each at its row, block or field."""

from .inputs import BASIS, CONTINUING, ESTIMATION, GOALS, INDICATORS, ReviewFinding, row_place


def by_place(findings: list[ReviewFinding]) -> dict[str, list[ReviewFinding]]:
    placed: dict[str, list[ReviewFinding]] = {}
    for finding in findings:
        placed.setdefault(finding.place, []).append(finding)
    return placed


def place_on_formsets(findings: list[ReviewFinding], formsets: dict) -> dict[str, list[ReviewFinding]]:
    """Give each indicator form its row's findings and the 立项依据, 目标 and 指标 formsets their blocks'
    (``review_notes``); the rest — 测算依据 and last year's self-evaluation — by place, for the template."""
    placed = by_place(findings)
    for form in formsets["indicators"].forms:
        form.review_notes = placed.get(row_place(form.instance.pk), []) if form.instance.pk else []
    for name, place in (("basis", BASIS), ("goals", GOALS), ("indicators", INDICATORS)):
        formsets[name].review_notes = placed.get(place, [])
    return {"estimation": placed.get(ESTIMATION, []), "continuing": placed.get(CONTINUING, [])}
