"""Run the consistency checker over stored forms: build its plain data from the ORM and return findings."""

from projects.choices import Layout

from ..models import SelfEvaluation
from . import consistency
from .adapters import evaluation_data


def evaluation_findings(evaluation: SelfEvaluation) -> list[consistency.Finding]:
    if evaluation.layout == Layout.SUMMARY:
        # Only the budget figures are published: check those and nothing else.
        data = evaluation_data(evaluation)
        return consistency._budget_findings(data)
    return consistency.check_evaluation(evaluation_data(evaluation))
