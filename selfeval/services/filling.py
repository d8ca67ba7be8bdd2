"""Fill a self-evaluation: the one code path of the page and the API (same forms, same checks, same lock).

``evaluation_update`` is the one write path: plain changes in (``EvaluationChanges``, from the page's validated
forms or the API's JSON), validated with the page's forms, a stale copy refused (with the other person's changes),
saved atomically under the form's lock, then rescored. ``evaluation_preview`` scores the page as typed without
writing anything.
"""

import copy
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from indicators.services.checking import num
from projects.money import from_yuan

from ..access import evaluation_rights
from ..forms import (
    PART_RELATIONS,
    EvaluationForm,
    FundingForm,
    RowForm,
    SectionForm,
    evaluation_formsets,
    points_per_form,
)
from ..models import SelfEvaluation
from ..selectors import evaluation_with_rows
from . import engine
from .adapters import form_input, snapshot_of
from .changes import changes_since
from .prefill import prefills, take_proposals
from .scoring import score_loaded

PART_FORMS = {"funding": FundingForm, "sections": SectionForm, "rows": RowForm}
# The fields each part's form fills (read once: Django's inline formsets append their foreign key to Meta.fields).
PART_FIELDS = {prefix: tuple(f for f in form.Meta.fields if f != "evaluation") for prefix, form in PART_FORMS.items()}
HEADER_FIELDS = tuple(EvaluationForm.Meta.fields)


@dataclass
class FillResult:
    saved: bool
    form: EvaluationForm | None = None  # the page's bound forms, to show again what was typed
    formsets: dict | None = None
    stale: bool = False  # the copy was older than the form: nothing saved
    conflict: list = field(default_factory=list)  # the other person's changes since that copy
    updated_at: datetime.datetime | None = None
    # Field errors in a plain shape: {"goal_actual": [...], "rows": {row_id: {"actual": [...]}}}.
    errors: dict = field(default_factory=dict)
    # Saved: the form as stored by this save, loaded under its lock after the writes (its parts prefetched).
    evaluation: SelfEvaluation | None = None


@dataclass(frozen=True)
class EvaluationChanges:
    """Plain changes to a self-evaluation, as typed (amounts in the form's unit): header fields by name, and
    funding lines, sections and rows as {id: {field: value}}. What is not named stays as it is."""

    version: str | None
    header: dict = field(default_factory=dict)
    funding: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, payload: dict) -> "EvaluationChanges":
        """From the API's body: ``funding``, ``sections`` and ``rows`` are lists of {"id": …, field: value}."""
        parts = {}
        for prefix in PART_FORMS:
            by_id = {}
            for change in payload.get(prefix) or []:
                if not isinstance(change, dict) or "id" not in change:
                    raise UnknownPart(f"{prefix} 的每一项都须给出 id。")
                values = dict(change)
                by_id.setdefault(values.pop("id"), {}).update(values)
            parts[prefix] = by_id
        header = {name: payload[name] for name in HEADER_FIELDS if name in payload}
        return cls(version=payload.get("version"), header=header, **parts)

    @classmethod
    def from_forms(cls, form: EvaluationForm, formsets: dict) -> "EvaluationChanges":
        """From the page's validated forms: the header as typed, and the parts whose fields changed."""
        header = {
            name: form.data[form.add_prefix(name)] for name in HEADER_FIELDS if form.add_prefix(name) in form.data
        }
        parts = {
            prefix: {
                f.instance.pk: {name: f.data.get(f.add_prefix(name), "") for name in f.changed_data if name != "id"}
                for f in formset.forms
                if f.has_changed()
            }
            for prefix, formset in formsets.items()
        }
        return cls(version=form.cleaned_data.get("version"), header=header, **parts)


def evaluation_update(*, evaluation: SelfEvaluation, user, changes: EvaluationChanges) -> FillResult:
    """The one write path of a self-evaluation (the page after its forms, the API with its body): validate the
    changes with the page's forms (their messages, per field), refuse a stale version with the other person's
    changes, save under the form's row lock, and rescore. Nothing is saved when anything is refused."""
    if not evaluation_rights(user, evaluation).edit:
        raise PermissionDenied("这张自评表现在不能由你填写。")
    header, parts, errors = _validated(evaluation, changes)
    if not errors:
        errors = _bounds_errors(evaluation, parts)
    if errors:
        return FillResult(False, errors=errors)
    with transaction.atomic():
        current = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        if changes.version != current.updated_at.isoformat():
            return FillResult(
                False, stale=True, conflict=_changes_since(evaluation, changes.version), updated_at=current.updated_at
            )
        if not evaluation_rights(user, current).edit:  # signed or submitted meanwhile
            raise PermissionDenied("这张自评表已提交或已签署，不能再修改。")
        for name in changes.header:
            setattr(evaluation, name, header.cleaned_data[name])
        evaluation.save()  # always: the version moves with every save
        for part, form, names in parts:
            for name in names:
                setattr(part, name, form.cleaned_data[name])
            part.save()
        typed = {pk for pk, values in changes.rows.items() if "score_final" in values}
        loaded = _scored(evaluation.pk, typed if prefills(current) else None)
    current.refresh_from_db(fields=["updated_at"])
    return FillResult(True, updated_at=current.updated_at, evaluation=loaded)


def _scored(evaluation_id: int, typed: set | None) -> SelfEvaluation:
    """After the writes, under the form's lock: rows that follow the engine's proposal take the proposal of the
    values just saved (each saved, so that the audit trail shows it; ``typed`` None: the form is not prefilled),
    then the form is scored and its figures stored (``scoring.score_loaded``). One load of the form serves both
    while it holds what is stored: a proposal taken is stored as the database keeps it (two decimal places)."""
    loaded = evaluation_with_rows(evaluation_id, for_update=True)
    result = None
    if typed is not None:
        result = engine.score_form(form_input(loaded))
        taken = take_proposals(loaded.rows.all(), result.proposals, typed=typed)
        for row in taken:
            row.save(update_fields=["score_final"])
        if taken:
            result = None  # scored again on what was taken
            if not all(_as_stored(row.score_final) for row in taken):
                loaded = evaluation_with_rows(evaluation_id, for_update=True)
    score_loaded(loaded, result)
    return loaded


def _as_stored(value: Decimal | None) -> bool:
    """Whether ``value`` reads back from a score column (``DecimalField(decimal_places=2)``) as it is."""
    return value is None or (value.is_finite() and value.as_tuple().exponent == -2)


def _validated(evaluation: SelfEvaluation, changes: EvaluationChanges):
    """The header form and each changed part's form, bound to the stored values with the changes over them (on
    copies: nothing is applied before the lock), and the errors in the plain shape; unknown ids and fields refused."""
    unknown = sorted(set(changes.header) - set(HEADER_FIELDS))
    if unknown:
        raise UnknownPart(f"栏目“{unknown[0]}”不能修改。")
    data = {name: getattr(evaluation, name) or "" for name in HEADER_FIELDS}
    data.update({name: "" if value is None else value for name, value in changes.header.items()})
    header = EvaluationForm({**data, "version": changes.version or ""}, instance=copy.copy(evaluation))
    errors = {name: [str(e) for e in errs] for name, errs in header.errors.items()}
    parts = []
    for prefix, form_class in PART_FORMS.items():
        loaded = {part.pk: part for part in getattr(evaluation, PART_RELATIONS[prefix]).all()}
        amount_fields = getattr(form_class, "amount_fields", ())
        for pk, values in getattr(changes, prefix).items():
            if pk not in loaded:
                raise UnknownPart(f"{prefix} 中的 id {pk} 不属于这张自评表。")
            for name in values:
                if name not in PART_FIELDS[prefix]:
                    raise UnknownPart(f"{prefix} 的栏目“{name}”不能修改。")
            part = loaded[pk]
            if prefix == "sections" and "points" in values and not points_per_form(part):
                errors.setdefault(prefix, {})[pk] = {"points": ["分值由评分方案规定，不能修改。"]}
                continue
            data = {name: _value(part, name, evaluation.unit, amount_fields) for name in PART_FIELDS[prefix]}
            data.update({name: "" if value is None else str(value) for name, value in values.items()})
            form = form_class(data, instance=copy.copy(part), unit=evaluation.unit)
            if form.is_valid():
                parts.append((part, form, list(values)))
            else:
                errors.setdefault(prefix, {})[pk] = {k: [str(e) for e in v] for k, v in form.errors.items()}
    if not errors:
        errors.update(_weights_over_points(evaluation, parts))
    return header, parts, errors


def _weights_over_points(evaluation: SelfEvaluation, parts) -> dict:
    """A change may not leave rows whose weights exceed their section's points (in a section it touches)."""
    changed = {(type(part), part.pk): form.cleaned_data for part, form, names in parts}
    touched = set()
    points = {}
    for section in evaluation.sections.all():
        values = changed.get((type(section), section.pk))
        points[section.pk] = values["points"] if values and "points" in values else section.points
        if values and "points" in values:
            touched.add(section.pk)
    sums: dict[int, Decimal] = {}
    for row in evaluation.rows.all():
        values = changed.get((type(row), row.pk))
        weight = values["weight"] if values and "weight" in values else row.weight
        if row.section_id is None or weight is None:
            continue
        sums[row.section_id] = sums.get(row.section_id, Decimal(0)) + weight
        if values and "weight" in values:
            touched.add(row.section_id)
    messages = [
        f"“{section.name}”各行分值合计 {num(sums[section.pk])}，超过分项分值 {num(points[section.pk])}。"
        for section in sorted(evaluation.sections.all(), key=_seq)
        if section.pk in touched
        and section.pk in sums
        and points[section.pk] is not None
        and sums[section.pk] > points[section.pk]
    ]
    return {"non_field_errors": messages} if messages else {}


def _seq(part):
    return part.seq


def _bounds_errors(evaluation: SelfEvaluation, parts) -> dict:
    """The figures the engine would give beyond their bounds with these changes (``engine.MAX_RATE``,
    ``MAX_SCORE``): refused before anything is written, so that no stored value is one a later read cannot load."""
    changed = {(type(part), part.pk): form.instance for part, form, _names in parts}
    given = {
        prefix: [changed.get((type(p), p.pk), p) for p in getattr(evaluation, relation).all()]
        for prefix, relation in (("funding", "funding_rows"), ("sections", "sections"), ("rows", "rows"))
    }
    result = engine.score_form(form_input(snapshot_of(evaluation, **given)))
    return {"non_field_errors": result.problems} if result.problems else {}


def evaluation_fill(*, evaluation: SelfEvaluation, user, data) -> FillResult:
    """The page: validate its form data, then save through ``evaluation_update``; the bound forms come back to
    show again what was typed when nothing was saved."""
    if not evaluation_rights(user, evaluation).edit:
        raise PermissionDenied("这张自评表现在不能由你填写。")
    form, formsets, valid = bound_forms(evaluation, data)
    if not valid:
        return FillResult(False, form, formsets, errors=_form_errors(form, formsets))
    result = evaluation_update(evaluation=evaluation, user=user, changes=EvaluationChanges.from_forms(form, formsets))
    for message in result.errors.get("non_field_errors", []):
        form.add_error(None, message)
    result.form, result.formsets = form, formsets
    return result


def _form_errors(form: EvaluationForm, formsets: dict) -> dict:
    out = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    for name, formset in formsets.items():
        rows = {f.instance.pk: {k: [str(e) for e in v] for k, v in f.errors.items()} for f in formset.forms if f.errors}
        if rows:
            out[name] = rows
        if formset.non_form_errors():
            out.setdefault("non_field_errors", []).extend(str(e) for e in formset.non_form_errors())
    return out


def bound_forms(evaluation: SelfEvaluation, data) -> tuple[EvaluationForm, dict, bool]:
    """The page's header form and formsets bound to ``data`` over the loaded parts, and whether all are valid."""
    form = EvaluationForm(data, instance=evaluation)
    formsets = evaluation_formsets(evaluation, data)
    return form, formsets, form.is_valid() & all([fs.is_valid() for fs in formsets.values()])


def _changes_since(evaluation, version: str | None) -> list[dict]:
    try:
        since = datetime.datetime.fromisoformat(version) if version else None
    except (TypeError, ValueError):
        since = None
    return [entry for entry in changes_since(evaluation, since) if entry["changes"]]


def _value(instance, name: str, unit: str, amount_fields) -> str:
    value = getattr(instance, name)
    if value is None:
        return ""
    if name in amount_fields:
        return f"{from_yuan(value, unit)}"
    return str(value)


class UnknownPart(ValueError):
    """An update names a row the form does not have, or a field that cannot be filled; the message is for the user."""


def stale_message(result: FillResult) -> str:
    moment = timezone.localtime(result.updated_at) if result.updated_at else None
    when = f"已在 {moment:%Y-%m-%d %H:%M} " if moment else ""
    return f"这张自评表{when}被他人修改，本次没有保存。请核对他人的改动后重新保存。"
