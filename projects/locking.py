"""Workflow fields and locked forms, guarded in the model layer whatever path tries to change them.

A form's workflow fields (its status and who submitted, reviewed, signed or asked for an adjustment, when)
change only inside ``workflow_transition(form)``, which only the workflow services open
(``projects.services.workflow``, ``selfeval.services.signoff``). A form in a locked status (a submitted or
approved declaration, a signed self-evaluation) and its rows do not change at all outside a transition:
``save()``, ``delete()``, ``QuerySet.update()``, ``delete()``, ``bulk_create()`` and ``bulk_update()`` refuse,
the base manager is the guarded one (``Meta.base_manager_name``), and cascades stop at a ``pre_delete``
receiver. The seed and synthetic loaders write forms in their recorded state inside ``loading_records()``.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

from .access import ScopedQuerySet
from .choices import DeclarationStatus

_ANY = "*"
_open: ContextVar[frozenset] = ContextVar("workflow_transition", default=frozenset())


class FormLocked(Exception):
    """A change the workflow does not allow; the message is for the user."""


class WorkflowFieldsLocked(FormLocked):
    def __init__(self, what: str = "表"):
        super().__init__(f"{what}的状态和流程信息只能通过提交、审核、签署、调整等流程修改，不能直接修改。")


class DeclarationLocked(FormLocked):
    def __init__(self, what: str = "这张申报表"):
        super().__init__(f"{what}已提交或已审核，锁定不能修改；如需修改，请填报人申请调整，经部门负责人同意后再修改。")


def _key(model, pk) -> tuple[str, object]:
    return (model._meta.concrete_model._meta.label_lower, pk)


@contextmanager
def workflow_transition(*forms):
    """Open for a workflow service: inside, the forms given may change status and workflow fields."""
    token = _open.set(_open.get() | {_key(type(form), form.pk) for form in forms})
    try:
        yield
    finally:
        _open.reset(token)


@contextmanager
def loading_records():
    """For the seed and synthetic loaders only: forms are written in the state their documents record."""
    token = _open.set(_open.get() | {_ANY})
    try:
        yield
    finally:
        _open.reset(token)


def in_transition(model, pk) -> bool:
    opened = _open.get()
    return _ANY in opened or (pk is not None and _key(model, pk) in opened)


def _loading() -> bool:
    return _ANY in _open.get()


# -- forms --------------------------------------------------------------------------------------------


class GuardedFormMixin(models.Model):
    """For a form with a workflow: ``WORKFLOW_FIELDS`` change only in a transition, ``LOCKED_STATUSES`` freeze it."""

    WORKFLOW_FIELDS: tuple[str, ...] = ()
    LOCKED_STATUSES: frozenset = frozenset()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not in_transition(type(self), self.pk):
            stored = self._stored_workflow()
            if stored is None:
                if _differs(type(self), self._workflow_values(), _defaults(type(self))):
                    raise WorkflowFieldsLocked(self._meta.verbose_name)
            elif stored["status"] in self.LOCKED_STATUSES:
                raise self.locked_error()
            elif _differs(type(self), self._workflow_values(), stored):
                raise WorkflowFieldsLocked(self._meta.verbose_name)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_locked():
            raise self.locked_error()
        return super().delete(*args, **kwargs)

    @classmethod
    def locked_error(cls, what: str | None = None) -> FormLocked:
        raise NotImplementedError

    @classmethod
    def _workflow_attnames(cls) -> list[str]:
        return [cls._meta.get_field(name).attname for name in cls.WORKFLOW_FIELDS]

    def _workflow_values(self) -> dict:
        return {name: getattr(self, name) for name in self._workflow_attnames()}

    def _stored_workflow(self) -> dict | None:
        if self.pk is None:
            return None
        return type(self)._base_manager.filter(pk=self.pk).values(*self._workflow_attnames()).first()

    def _stored_locked(self) -> bool:
        if self.pk is None or in_transition(type(self), self.pk):
            return False
        return type(self)._base_manager.filter(pk=self.pk, status__in=self.LOCKED_STATUSES).exists()


def _defaults(model) -> dict:
    return {model._meta.get_field(n).attname: model._meta.get_field(n).get_default() for n in model.WORKFLOW_FIELDS}


def _differs(model, values: dict, stored: dict) -> bool:
    for name in model.WORKFLOW_FIELDS:
        field = model._meta.get_field(name)
        mine, theirs = values[field.attname], stored[field.attname]
        if field.is_relation:
            if mine != theirs:
                return True
        elif field.to_python(mine) != field.to_python(theirs):
            return True
    return False


class GuardedFormQuerySet(ScopedQuerySet):
    """Queryset writes of a guarded form: no workflow fields and no locked rows outside a transition."""

    def _outside_transition(self):
        if _loading():
            return self.none()
        opened = {pk for label, pk in _open.get() if label == self.model._meta.concrete_model._meta.label_lower}
        return self.exclude(pk__in=opened) if opened else self

    def _refuse_locked(self):
        if self._outside_transition().filter(status__in=self.model.LOCKED_STATUSES).exists():
            raise self.model.locked_error()

    def update(self, **kwargs):
        if self._touches_workflow(kwargs) and self._outside_transition().exists():
            raise WorkflowFieldsLocked(self.model._meta.verbose_name)
        self._refuse_locked()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_locked()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if not _loading():
            defaults = _defaults(self.model)
            for obj in objs:
                if _differs(self.model, obj._workflow_values(), defaults):
                    raise WorkflowFieldsLocked(self.model._meta.verbose_name)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        scope = self.model._base_manager.filter(pk__in=[obj.pk for obj in objs])
        if self._touches_workflow(dict.fromkeys(fields)) and scope._outside_transition().exists():
            raise WorkflowFieldsLocked(self.model._meta.verbose_name)
        scope._refuse_locked()
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_update_values(self, fields, rows, *args, **kwargs):
        """``bulk_update`` of plain values (``bulkwrite``), refused as ``bulk_update`` is."""
        rows = list(rows)
        scope = self.model._base_manager.filter(pk__in=[row[0] for row in rows])
        if self._touches_workflow(dict.fromkeys(fields)) and scope._outside_transition().exists():
            raise WorkflowFieldsLocked(self.model._meta.verbose_name)
        scope._refuse_locked()
        return super().bulk_update_values(fields, rows, *args, **kwargs)

    def _touches_workflow(self, names) -> bool:
        guarded = set(self.model.WORKFLOW_FIELDS) | set(self.model._workflow_attnames())
        return bool(guarded & set(names))


# -- rows of a form -----------------------------------------------------------------------------------


def _parent_fields(model) -> list:
    return [model._meta.get_field(name) for name in model.PARENT_FIELDS]


def _locked_parent_ids(field, ids) -> bool:
    """Whether any of the forms ``ids`` (of the model ``field`` points to) is locked outside a transition."""
    parent = field.related_model
    ids = {pk for pk in ids if pk is not None and not in_transition(parent, pk)}
    return bool(ids) and parent._base_manager.filter(pk__in=ids, status__in=parent.LOCKED_STATUSES).exists()


class GuardedPartMixin(models.Model):
    """For a row of a guarded form (``PARENT_FIELDS``: its foreign keys to forms): frozen while the form is."""

    PARENT_FIELDS: tuple[str, ...] = ("declaration",)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.parent_locked():
            raise self._locked_error()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.parent_locked():
            raise self._locked_error()
        return super().delete(*args, **kwargs)

    def parent_locked(self) -> bool:
        """The form the row is in now, or was in when stored, is locked."""
        if _loading():
            return False
        stored = {}
        if self.pk is not None:
            names = [f.attname for f in _parent_fields(type(self))]
            stored = type(self)._base_manager.filter(pk=self.pk).values(*names).first() or {}
        return any(
            _locked_parent_ids(field, {getattr(self, field.attname), stored.get(field.attname)})
            for field in _parent_fields(type(self))
        )

    @classmethod
    def _locked_error(cls) -> FormLocked:
        return _parent_fields(cls)[0].related_model.locked_error()


class GuardedPartQuerySet(ScopedQuerySet):
    """Queryset writes of a form's rows: refused while the form is locked."""

    def _refuse_locked(self, objs=(), kwargs=None):
        if _loading():
            return
        for field in _parent_fields(self.model):
            ids = set(self.values_list(field.attname, flat=True)) if objs == () else set()
            ids |= {getattr(obj, field.attname) for obj in objs}
            if kwargs and (field.name in kwargs or field.attname in kwargs):
                value = kwargs.get(field.name, kwargs.get(field.attname))
                ids.add(getattr(value, "pk", value))
            if _locked_parent_ids(field, ids):
                raise self.model._locked_error()

    def update(self, **kwargs):
        self._refuse_locked(kwargs=kwargs)
        return super().update(**kwargs)

    def delete(self):
        self._refuse_locked()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self._refuse_locked(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        self._refuse_locked(objs)
        self.model._base_manager.filter(pk__in=[obj.pk for obj in objs])._refuse_locked()
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_update_values(self, fields, rows, *args, **kwargs):
        """``bulk_update`` of plain values (``bulkwrite``), refused as ``bulk_update`` is when a row's form (as
        stored) is locked."""
        rows = list(rows)
        if rows:
            self.model._base_manager.filter(pk__in=[row[0] for row in rows])._refuse_locked()
        return super().bulk_update_values(fields, rows, *args, **kwargs)


def guarded_part_queryset(*lookups: str) -> type[GuardedPartQuerySet]:
    """The scoped queryset of a form's rows (department lookups as ``projects.access.scoped_queryset``)."""
    lookup = lookups[0] if len(lookups) == 1 else tuple(lookups)
    return type(f"GuardedPartQuerySet_{'_'.join(lookups)}", (GuardedPartQuerySet,), {"department_lookup": lookup})


def guarded_form_queryset(lookup: str) -> type[GuardedFormQuerySet]:
    return type(f"GuardedFormQuerySet_{lookup}", (GuardedFormQuerySet,), {"department_lookup": lookup})


def refuse_locked_delete(sender, instance, **kwargs):
    """Cascades and queryset deletes send pre_delete for every object: a locked form stops them."""
    if isinstance(instance, GuardedFormMixin):
        if instance._stored_locked():
            raise instance.locked_error()
    elif isinstance(instance, GuardedPartMixin) and instance.parent_locked():
        raise instance._locked_error()


# -- declarations -------------------------------------------------------------------------------------

DECLARATION_WORKFLOW_FIELDS = (
    "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_comment",
    "adjustment_requested", "adjustment_reason",
)  # fmt: skip
LOCKED_DECLARATION = frozenset({DeclarationStatus.SUBMITTED, DeclarationStatus.APPROVED})


class GuardedDeclarationMixin(GuardedFormMixin):
    """A submitted or approved declaration is locked; only an allowed adjustment request makes it a draft again."""

    WORKFLOW_FIELDS = DECLARATION_WORKFLOW_FIELDS
    LOCKED_STATUSES = LOCKED_DECLARATION

    class Meta:
        abstract = True

    @classmethod
    def locked_error(cls, what: str | None = None) -> FormLocked:
        return DeclarationLocked(what or "这张申报表")
