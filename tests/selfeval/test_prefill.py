"""评定得分 following the proposal, and the provisional total: pure functions, no database."""

from dataclasses import dataclass
from decimal import Decimal

from selfeval.services import engine
from selfeval.services.prefill import take_proposals

D = Decimal


@dataclass
class Row:
    pk: int
    score_final: Decimal | None
    score_proposed: Decimal | None


def test_rows_follow_the_proposal_unless_the_evaluator_typed_their_own():
    rows = [Row(1, None, None), Row(2, D(5), D(5)), Row(3, D(6), D(5)), Row(4, D(5), D(5)), Row(5, D(7), D(7))]
    proposals = {pk: engine.Proposal(D(8), True, "") for pk in (1, 2, 3, 4)} | {5: engine.Proposal(None, None, "")}
    changed = take_proposals(rows, proposals, typed={4})
    assert [r.score_final for r in rows] == [D(8), D(8), D(6), D(5), None]
    assert [r.pk for r in changed] == [1, 2, 5]


def test_a_provisional_total_counts_proposals_until_every_row_is_scored():
    form = engine.FormInput(
        rules=engine.Rules(),
        budget=D(100),
        executed=D(90),
        sections=(engine.SectionInput("funds", "budget", D(20)), engine.SectionInput("indicators", "level1", D(80))),
        rows=(
            engine.RowInput(1, "indicators", "≥10 场", "12 场", D(40), None),
            engine.RowInput(2, "indicators", "有所提升", "提升", D(40), D(30)),
        ),
    )
    result = engine.score_form(form)
    assert result.total == D(48)  # the final scores given so far: 18 + 30 (row 1 not scored yet)
    assert result.provisional_total == D(88)  # row 1 counts its proposal, 40
    nothing = engine.score_form(engine.FormInput(engine.Rules(), None, None, form.sections[1:], form.rows[:1]))
    assert (nothing.total, nothing.provisional_total) == (None, D(40))
