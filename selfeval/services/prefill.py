"""Less typing on a self-evaluation filled here: 评定得分 starts as the engine's proposal and follows it.

A row follows the proposal while its 评定得分 is blank or still the proposal stored before this change and not
typed now; the evaluator's own score is never replaced (a reason is asked only when it differs from the proposal).
Forms loaded from filed paper forms keep what they print. Pure: objects with the rows' attributes in, no ORM.
"""

from .engine import Proposal


def prefills(evaluation) -> bool:
    """Only forms filled on the platform are prefilled, never a filed paper form's scores."""
    return not evaluation.source


def follows_proposal(row, *, typed: bool) -> bool:
    return row.score_final is None or (not typed and row.score_final == row.score_proposed)


def take_proposals(rows, proposals: dict[object, Proposal], *, typed=frozenset()) -> list:
    """Give each row that follows the proposal its new proposal as 评定得分; the rows changed (in place)."""
    changed = []
    for row in rows:
        proposal = proposals.get(row.pk)
        if proposal is None or not follows_proposal(row, typed=row.pk in typed):
            continue
        if row.score_final != proposal.score:
            row.score_final = proposal.score
            changed.append(row)
    return changed
