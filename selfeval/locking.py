"""A signed self-evaluation is locked in the model layer, whatever path tries to change it.

``save()`` and ``delete()`` of the form and of every row refuse; so do ``QuerySet.update()`` and
``QuerySet.delete()`` (which admin actions, bulk updates and imports use) and cascades, through a
``pre_delete`` receiver. Only ``selfeval.services.signoff`` reopens a form, with a written reason.
"""

from django.db import models

from projects.access import ScopedQuerySet

SIGNED = "signed"


class EvaluationLocked(Exception):
    """A signed self-evaluation cannot change; the message is for the user."""

    def __init__(self, what: str = "这张自评表"):
        super().__init__(f"{what}已签署，不能修改；如需修改，请部门负责人填写理由后重新打开。")


class EvaluationQuerySet(ScopedQuerySet):
    department_lookup = "department"

    def update(self, **kwargs):
        if self.filter(status=SIGNED).exists():
            raise EvaluationLocked()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=SIGNED).exists():
            raise EvaluationLocked()
        return super().delete()


class EvaluationPartQuerySet(ScopedQuerySet):
    """Rows, sections, funding lines and goals of a self-evaluation."""

    department_lookup = "evaluation__department"

    def update(self, **kwargs):
        if self.filter(evaluation__status=SIGNED).exists():
            raise EvaluationLocked()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(evaluation__status=SIGNED).exists():
            raise EvaluationLocked()
        return super().delete()


class LockedEvaluationMixin(models.Model):
    """For SelfEvaluation: refuses saving over, or deleting, a signed form."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._stored_status() == SIGNED and not getattr(self, "_reopening", False):
            raise EvaluationLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_status() == SIGNED:
            raise EvaluationLocked()
        return super().delete(*args, **kwargs)

    def _stored_status(self):
        if not self.pk:
            return None
        return type(self)._base_manager.filter(pk=self.pk).values_list("status", flat=True).first()


class LockedPartMixin(models.Model):
    """For the parts of a self-evaluation: refuse changes while the form is signed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._parent_signed():
            raise EvaluationLocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._parent_signed():
            raise EvaluationLocked()
        return super().delete(*args, **kwargs)

    def _parent_signed(self) -> bool:
        return _evaluation_signed(type(self), self.evaluation_id)


def _evaluation_signed(part_model, evaluation_id) -> bool:
    """Whether the form a part (of ``part_model``) belongs to is signed; the form's model is read from the
    part's foreign key, so that this module stays below the models that use it."""
    evaluation_model = part_model._meta.get_field("evaluation").related_model
    return evaluation_model._base_manager.filter(pk=evaluation_id, status=SIGNED).exists()


def refuse_locked_delete(sender, instance, **kwargs):
    """Cascades and queryset deletes send pre_delete for every object: a signed form stops them."""
    if isinstance(instance, LockedEvaluationMixin):
        signed = instance._stored_status() == SIGNED
    else:
        evaluation_id = getattr(instance, "evaluation_id", None)
        signed = bool(evaluation_id) and _evaluation_signed(type(instance), evaluation_id)
    if signed:
        raise EvaluationLocked()
