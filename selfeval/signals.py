"""Signals of the self-evaluation workflow (sent once the transaction has committed)."""

from django.dispatch import Signal

# sender: SelfEvaluation; evaluation_id: the signed form
evaluation_signed = Signal()
