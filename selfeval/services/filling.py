"""Fill a self-evaluation: the one code path of the page and the API (same forms, same checks, same lock).

``evaluation_fill`` validates the page's forms, refuses a stale copy (with the other person's changes),
and saves atomically, then rescores. ``form_data`` turns a partial JSON update into the page's form data.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from projects.access import can_edit_department
from projects.choices import Role
from projects.money import from_yuan

from ..choices import EvaluationStatus
from ..forms import EvaluationForm, FundingForm, RowForm, SectionForm, evaluation_formsets
from ..models import SelfEvaluation
from . import engine
from .adapters import EvaluationSnapshot, form_input, snapshot_of
from .changes import changes_since
from .findings import evaluation_findings
from .scoring import evaluation_score

PART_FORMS = {"funding": FundingForm, "sections": SectionForm, "rows": RowForm}
# The fields each part's form fills (read once: Django's inline formsets append their foreign key to Meta.fields).
PART_FIELDS = {prefix: tuple(f for f in form.Meta.fields if f != "evaluation") for prefix, form in PART_FORMS.items()}
PART_RELATIONS = {"funding": "funding_rows", "sections": "sections", "rows": "rows"}


def can_fill(user, evaluation) -> bool:
    """Finance staff of the department (and administrators) fill a draft; nobody fills anything else."""
    return (
        evaluation.status == EvaluationStatus.DRAFT
        and user.role in {Role.FINANCE, Role.ADMIN}
        and can_edit_department(user, evaluation.department_id)
    )


@dataclass
class FillResult:
    saved: bool
    form: EvaluationForm
    formsets: dict
    stale: bool = False  # the copy was older than the form: nothing saved
    conflict: list = field(default_factory=list)  # the other person's changes since that copy
    updated_at: datetime.datetime | None = None

    @property
    def errors(self) -> dict:
        """Field errors in a plain shape: {"goal_actual": [...], "rows": {row_id: {"actual": [...]}}}."""
        out = {name: [str(e) for e in errors] for name, errors in self.form.errors.items()}
        for name, formset in self.formsets.items():
            rows = {
                f.instance.pk: {k: [str(e) for e in v] for k, v in f.errors.items()} for f in formset.forms if f.errors
            }
            if rows:
                out[name] = rows
            if formset.non_form_errors():
                out.setdefault("non_field_errors", []).extend(str(e) for e in formset.non_form_errors())
        return out


def evaluation_fill(*, evaluation: SelfEvaluation, user, data) -> FillResult:
    """Validate and save the page's form data; nothing is saved when anything is invalid or the copy is stale."""
    if not can_fill(user, evaluation):
        raise PermissionDenied("这张自评表现在不能由你填写。")
    form, formsets, valid = bound_forms(evaluation, data)
    if not valid:
        return FillResult(False, form, formsets)
    with transaction.atomic():
        current = SelfEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        version = form.cleaned_data.get("version")
        if version != current.updated_at.isoformat():
            return FillResult(
                False,
                form,
                formsets,
                stale=True,
                conflict=_changes_since(evaluation, version),
                updated_at=current.updated_at,
            )
        if not can_fill(user, current):  # signed or submitted meanwhile
            raise PermissionDenied("这张自评表已提交或已签署，不能再修改。")
        form.save()
        for formset in formsets.values():
            formset.save()
        evaluation_score(evaluation_id=evaluation.pk)
    current.refresh_from_db(fields=["updated_at"])
    return FillResult(True, form, formsets, updated_at=current.updated_at)


@dataclass
class Preview:
    """What saving the page as typed would give: the engine's result and the checker's findings."""

    result: engine.FormResult
    findings: list


def bound_forms(evaluation: SelfEvaluation, data) -> tuple[EvaluationForm, dict, bool]:
    """The page's header form and formsets bound to ``data`` over the loaded parts, and whether all are valid."""
    form = EvaluationForm(data, instance=evaluation)
    formsets = evaluation_formsets(evaluation, data)
    return form, formsets, form.is_valid() & all([fs.is_valid() for fs in formsets.values()])


def snapshot_of_forms(form: EvaluationForm, formsets: dict) -> EvaluationSnapshot:
    """The form as validated forms fill it, before (and without) saving: their instances carry the typed values."""
    return snapshot_of(form.instance, **{prefix: [f.instance for f in fs.forms] for prefix, fs in formsets.items()})


def snapshot_preview(snapshot: EvaluationSnapshot) -> Preview:
    """Score and check a snapshot as ``evaluation_fill`` would store it (proposals fresh from the engine)."""
    result = engine.score_form(form_input(snapshot))
    proposals = {key: proposal.score for key, proposal in result.proposals.items()}
    return Preview(result, evaluation_findings(snapshot, proposals=proposals))


def evaluation_preview(*, evaluation: SelfEvaluation, user, data) -> Preview | None:
    """Score the page's data as typed without writing anything; None when a field cannot be read."""
    if not can_fill(user, evaluation):
        raise PermissionDenied("这张自评表现在不能由你填写。")
    form, formsets, valid = bound_forms(evaluation, data)
    if not valid:
        return None
    return snapshot_preview(snapshot_of_forms(form, formsets))


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
    """A JSON update names a row the form does not have; the message is for the user."""


def form_data(evaluation: SelfEvaluation, payload: dict) -> dict:
    """The page's form data for ``evaluation`` with ``payload`` applied: a partial update keeps the rest as it is."""
    data = {"version": payload.get("version", "")}
    for name in EvaluationForm.Meta.fields:
        data[name] = payload[name] if name in payload else (getattr(evaluation, name) or "")
    for prefix, form_class in PART_FORMS.items():
        parts = list(getattr(evaluation, PART_RELATIONS[prefix]).all().order_by("seq"))
        index = {part.pk: i for i, part in enumerate(parts)}
        amount_fields = getattr(form_class, "amount_fields", ())
        data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = str(len(parts))
        data[f"{prefix}-MIN_NUM_FORMS"], data[f"{prefix}-MAX_NUM_FORMS"] = "0", "1000"
        for i, part in enumerate(parts):
            data[f"{prefix}-{i}-id"] = str(part.pk)
            data[f"{prefix}-{i}-evaluation"] = str(evaluation.pk)
            for name in PART_FIELDS[prefix]:
                data[f"{prefix}-{i}-{name}"] = _value(part, name, evaluation.unit, amount_fields)
        for change in payload.get(prefix) or []:
            if not isinstance(change, dict) or change.get("id") not in index:
                raise UnknownPart(
                    f"{prefix} 中的 id {change.get('id') if isinstance(change, dict) else change} 不属于这张自评表。"
                )
            i = index[change["id"]]
            for name, value in change.items():
                if name != "id":
                    if name not in PART_FIELDS[prefix]:
                        raise UnknownPart(f"{prefix} 的栏目“{name}”不能修改。")
                    data[f"{prefix}-{i}-{name}"] = "" if value is None else str(value)
    return data


def stale_message(result: FillResult) -> str:
    moment = timezone.localtime(result.updated_at) if result.updated_at else None
    when = f"已在 {moment:%Y-%m-%d %H:%M} " if moment else ""
    return f"这张自评表{when}被他人修改，本次没有保存。请核对他人的改动后重新保存。"
