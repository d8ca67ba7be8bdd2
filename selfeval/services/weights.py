"""Row weights against their section's points (pure: plain data in, a plan out, no ORM).

A self-evaluation never holds rows whose weights exceed their section. When a declaration's weights do not fit
its scheme's sections (declared before the scheme's points changed), the rows are rescaled in proportion: each
weight × points ÷ the rows' sum, to 0.01, and what rounding leaves over goes to the largest row, so that the rows
add up to exactly the section's points. The plan is shown before it is applied.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class RowWeight:
    key: object
    label: str
    weight: Decimal | None


@dataclass(frozen=True)
class SectionWeights:
    code: str
    name: str
    points: Decimal | None  # None: printed per form and not filled yet
    rows: tuple[RowWeight, ...]

    @property
    def total(self) -> Decimal:
        return sum((row.weight for row in self.rows if row.weight is not None), Decimal(0))

    @property
    def weighted(self) -> bool:
        return any(row.weight is not None for row in self.rows)

    @property
    def fits(self) -> bool:
        """The rows' weights add up to the section's points (or there is nothing to compare)."""
        return self.points is None or not self.weighted or self.total == self.points

    @property
    def exceeds(self) -> bool:
        return self.points is not None and self.weighted and self.total > self.points


@dataclass(frozen=True)
class RescaledRow:
    key: object
    label: str
    old: Decimal
    new: Decimal


@dataclass(frozen=True)
class SectionPlan:
    code: str
    name: str
    points: Decimal
    total: Decimal
    rows: tuple[RescaledRow, ...]


def rescale(weights: list[tuple[object, Decimal]], points: Decimal) -> dict[object, Decimal]:
    """Weights scaled in proportion to add up to ``points`` (0.01; the rounding remainder to the largest row,
    the first of equals). Rows without weight count as 0; all-zero rows share the points equally."""
    points = Decimal(points)
    if not weights:
        return {}
    total = sum((w or Decimal(0) for _, w in weights), Decimal(0))
    if total > 0:
        new = {key: ((w or Decimal(0)) * points / total).quantize(CENT, ROUND_HALF_UP) for key, w in weights}
        largest = max(weights, key=lambda item: item[1] or Decimal(0))[0]
    else:
        share = (points / len(weights)).quantize(CENT, ROUND_HALF_UP)
        new = {key: share for key, _ in weights}
        largest = weights[0][0]
    new[largest] += points - sum(new.values())
    return new


def rescale_plan(sections: list[SectionWeights]) -> list[SectionPlan]:
    """For each section whose weighted rows do not add up to its points, the rescaled weights."""
    plans = []
    for section in sections:
        if section.fits:
            continue
        new = rescale([(row.key, row.weight) for row in section.rows], section.points)
        plans.append(
            SectionPlan(
                section.code,
                section.name,
                section.points,
                section.total,
                tuple(RescaledRow(row.key, row.label, row.weight or Decimal(0), new[row.key]) for row in section.rows),
            )
        )
    return plans
