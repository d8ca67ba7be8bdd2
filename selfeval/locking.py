"""A signed self-evaluation is locked in the model layer, whatever path tries to change it.

``save()`` and ``delete()`` of the form and of every row refuse; so do ``QuerySet.update()``, ``delete()``,
``bulk_create()`` and ``bulk_update()`` (which admin actions, bulk updates and imports use), the base manager
(the same guarded queryset) and cascades, through a ``pre_delete`` receiver. The workflow fields change only
in ``selfeval.services.signoff`` (``projects.locking.workflow_transition``), which alone reopens a signed form,
with a written reason.
"""

from projects.locking import (
    FormLocked,
    GuardedFormMixin,
    GuardedFormQuerySet,
    GuardedPartMixin,
    GuardedPartQuerySet,
    refuse_locked_delete,
)

SIGNED = "signed"
EVALUATION_WORKFLOW_FIELDS = ("status", "submitted_by", "submitted_at", "signed_by", "signed_at", "signed_digest")

__all__ = [
    "EvaluationLocked",
    "EvaluationPartQuerySet",
    "EvaluationQuerySet",
    "LockedEvaluationMixin",
    "LockedPartMixin",
    "refuse_locked_delete",
]


class EvaluationLocked(FormLocked):
    """A signed self-evaluation cannot change; the message is for the user."""

    def __init__(self, what: str = "这张自评表"):
        super().__init__(f"{what}已签署，不能修改；如需修改，请部门负责人填写理由后重新打开。")


class EvaluationQuerySet(GuardedFormQuerySet):
    department_lookup = "department"


class EvaluationPartQuerySet(GuardedPartQuerySet):
    """Rows, sections, funding lines and goals of a self-evaluation."""

    department_lookup = "evaluation__department"


class LockedEvaluationMixin(GuardedFormMixin):
    """For SelfEvaluation: refuses saving over, or deleting, a signed form, and workflow changes outside the
    sign-off services."""

    WORKFLOW_FIELDS = EVALUATION_WORKFLOW_FIELDS
    LOCKED_STATUSES = frozenset({SIGNED})

    class Meta:
        abstract = True

    @classmethod
    def locked_error(cls, what: str | None = None) -> FormLocked:
        return EvaluationLocked(what or "这张自评表")


class LockedPartMixin(GuardedPartMixin):
    """For the parts of a self-evaluation: refuse changes while the form is signed."""

    PARENT_FIELDS = ("evaluation",)

    class Meta:
        abstract = True
