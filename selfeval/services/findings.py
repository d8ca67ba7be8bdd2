"""Run the consistency checker over a form: build its plain data (from a loaded form or a snapshot) and return
findings."""

from projects.choices import Layout

from ..models import SelfEvaluation
from . import consistency
from .adapters import EvaluationSnapshot, evaluation_data


def evaluation_findings(
    evaluation: SelfEvaluation | EvaluationSnapshot, *, proposals: dict | None = None
) -> list[consistency.Finding]:
    data = evaluation_data(evaluation, proposals=proposals)
    if evaluation.layout == Layout.SUMMARY:
        # Only the budget figures are published: check those and nothing else.
        return consistency._budget_findings(data)
    return consistency.check_evaluation(data)
