"""The self-evaluation page: header, funding rows, section scores and the indicator rows."""

import functools
import json

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from indicators.services.values import format_number
from projects.forms.declaration import ROW_CAP, BaseRowFormSet, PlainRowForm, UnitAmountMixin

from .models import EvaluationFunding, EvaluationRow, EvaluationSection, SelfEvaluation
from .services.engine import QUALITATIVE_BANDS, rate_problem


class EvaluationForm(forms.ModelForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SelfEvaluation
        fields = ["eval_date_printed", "filler", "phone", "goal_target", "goal_actual", "problems", "improvement"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["goal_target", "goal_actual", "problems", "improvement"]
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = self.instance.updated_at.isoformat() if self.instance.updated_at else ""


class FundingForm(UnitAmountMixin, forms.ModelForm):
    amount_fields = ("budget_initial", "budget", "received", "executed")

    class Meta:
        model = EvaluationFunding
        fields = ["budget_initial", "budget", "received", "executed"]

    def clean(self):
        cleaned = super().clean()
        problem = rate_problem(cleaned.get("budget"), cleaned.get("executed"))
        if problem and "executed" not in self.errors:
            self.add_error("executed", problem)
        return cleaned


class SectionForm(PlainRowForm):
    """A section's score; its points only where the scheme says they are printed per form (河北)."""

    class Meta:
        model = EvaluationSection
        fields = ["points", "score_final"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not points_per_form(self.instance):
            self.fields["points"].disabled = True  # a posted value is ignored: the scheme's points stand
            self.fields["points"].help_text = "分值由评分方案规定。"


def points_per_form(section: EvaluationSection) -> bool:
    """Whether filers set this section's points: the scheme prints them per form (河北), or has none for it."""
    if section.evaluation_id is None:  # a formset's empty form: no scheme to ask, the points stay the scheme's
        return False
    evaluation = section.evaluation
    scheme = evaluation.scheme
    if scheme.weights_per_form:
        return True
    return not any(s.code == section.code and s.points is not None for s in scheme.sections.all())


# the page recomputes the ranges as the 分值 is typed
BANDS_JSON = json.dumps(
    [[key, label, str(low), str(high)] for key, label, low, high in QUALITATIVE_BANDS], ensure_ascii=False
)


class RowForm(PlainRowForm):
    class Meta:
        model = EvaluationRow
        fields = ["actual", "reason", "weight", "band", "score_final", "score_reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 1}), "score_reason": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["band"].choices = band_choices(self.instance.weight)
        self.fields["band"].widget.attrs["data-bands"] = BANDS_JSON

    def clean(self):
        cleaned = super().clean()
        for message in score_errors(cleaned.get("score_final"), cleaned.get("weight")):
            self.add_error("score_final", message)
        return cleaned


def score_errors(score, weight) -> list[str]:
    """What ``RowForm`` says of a typed 评定得分 beside the typed 分值 (the messages go to ``score_final``)."""
    errors = []
    if score is not None and score < 0:
        errors.append("得分不能小于 0。")
    if score is not None and weight is not None and score > weight:
        errors.append(f"得分不能超过分值 {weight}。")
    return errors


_SHARED_ROW_FIELDS: dict = {}  # per 分值: the band choices depend on it


def row_fields(row: EvaluationRow) -> dict:
    """The fields of ``RowForm`` for ``row``, as ``RowForm`` makes them, made once per 分值 and shared (never
    changed by their users)."""
    weight = getattr(row, "weight", None)
    key = (type(weight), str(weight))
    shared = _SHARED_ROW_FIELDS.get(key)
    if shared is None:
        made = RowForm(instance=row).fields  # RowForm's own making, once
        if len(_SHARED_ROW_FIELDS) > 256:
            _SHARED_ROW_FIELDS.clear()
        shared = _SHARED_ROW_FIELDS[key] = {name: made[name] for name in RowForm.base_fields}
    return shared


def typed_row(row: EvaluationRow, data, prefix: str, evaluation: SelfEvaluation) -> set[str] | None:
    """Check the values typed for a stored ``row`` of ``evaluation`` (``data`` at ``prefix``, its id and parent
    already read by the caller) as the page's formset checks its ``RowForm``, without making the form: the same
    fields' ``clean`` (``row_fields``), ``RowForm.clean`` (``score_errors``), then ``ModelForm._post_clean``'s
    filling of the instance and the model's ``full_clean`` and ``validate_unique`` with the form's exclusions.

    ``row`` is filled with the cleaned values as the form fills its instance. Returns the names of the fields
    typed differently from the stored values (the form's ``changed_data``, the id and parent left out), or None
    where the form would not be valid: its messages are the form's to give (``row`` may be half filled then, as a
    form leaves its instance)."""
    fields = row_fields(row)
    cleaned, changed = {}, set()
    for name, field in fields.items():
        posted = field.widget.value_from_datadict(data, {}, f"{prefix}-{name}")
        stored = getattr(row, name)
        try:
            cleaned[name] = field.clean(stored if field.disabled else posted)
        except ValidationError:
            return None
        if field.has_changed(stored, posted):
            changed.add(name)
    if score_errors(cleaned.get("score_final"), cleaned.get("weight")):
        return None
    plan = _row_plan()
    for name, model_field in plan.filled:  # ``construct_instance``
        if (
            model_field.has_default()
            and fields[name].widget.value_omitted_from_data(data, {}, f"{prefix}-{name}")
            and cleaned[name] in fields[name].empty_values
        ):
            continue
        model_field.save_form_data(row, cleaned[name])
    plan.parent.save_form_data(row, evaluation)  # the inline formset's parent field
    exclude = plan.exclude | {
        name for name, model_field in plan.filled if _left_out(model_field, fields[name], cleaned[name])
    }
    try:
        row.full_clean(exclude=exclude | {plan.parent.name}, validate_unique=False)
        row.validate_unique(exclude=exclude)
    except ValidationError:
        return None
    return changed


def _left_out(model_field, form_field, value) -> bool:
    """``ModelForm._get_validation_exclusions``: an empty value the form allows where the model requires one."""
    return not model_field.blank and not form_field.required and value in form_field.empty_values


class _RowPlan:
    """What ``ModelForm`` works out for a ``RowForm`` of the page's formset: the model fields it fills (each with
    its form field's name), its parent field, and the model fields it leaves out of the model's checks (those not
    in the form, and its id: a field the formset adds, not in the form's ``Meta.fields``)."""

    def __init__(self):
        opts = EvaluationRow._meta
        self.parent = opts.get_field("evaluation")
        self.filled = [
            (f.name, f) for f in opts.fields if f.editable and not f.auto_created and f.name in RowForm.base_fields
        ]
        self.exclude = {f.name for f in opts.fields} - set(RowForm.base_fields) - {self.parent.name}


@functools.cache
def _row_plan() -> _RowPlan:
    return _RowPlan()


def band_choices(weight) -> list[tuple[str, str]]:
    """The qualitative bands, each with its point range on a row of this weight: 达成年度指标（8–10 分）."""
    if not weight or weight <= 0:
        return [("", "—")] + [(key, label) for key, label, _low, _high in QUALITATIVE_BANDS]
    return [("", "—")] + [
        (key, f"{label}（{format_number(low * weight)}–{format_number(high * weight)} 分）")
        for key, label, low, high in QUALITATIVE_BANDS
    ]


class LoadedPartField(forms.ModelChoiceField):
    """The hidden id of a part, resolved among the parts already loaded with the form (no query per row)."""

    def __init__(self, parts, **kwargs):
        self.parts = {str(part.pk): part for part in parts}
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        part = self.parts.get(str(value))
        if part is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return part


class FixedRowsFormSet(BaseRowFormSet):
    """The rows of a self-evaluation come from its declaration: they are filled, not added or removed here.

    The formset works on the parts loaded with the form (``parts``, in page order), so that binding and
    validating the page costs no query."""

    def __init__(self, *args, parts, **kwargs):
        self.parts = list(parts)
        super().__init__(*args, **kwargs)

    def get_queryset(self):
        return self.parts

    def clean(self):
        super().clean()
        if self.total_form_count() != len(self.parts) or self.initial_form_count() != len(self.parts):
            raise ValidationError("自评表的行来自申报表，不能在此增加或删除；请刷新页面后重新填写，本次没有保存。")

    def save(self, commit=True):
        saved = []
        for form in self.forms:
            if form.has_changed():
                saved.append(form.save())
        return saved


def _formset(model, form):
    return inlineformset_factory(
        SelfEvaluation, model, form=form, formset=FixedRowsFormSet, extra=0, can_delete=False, **ROW_CAP
    )


PART_RELATIONS = {"funding": "funding_rows", "sections": "sections", "rows": "rows"}
EVALUATION_FORMSETS = {
    "funding": _formset(EvaluationFunding, FundingForm),
    "sections": _formset(EvaluationSection, SectionForm),
    "rows": _formset(EvaluationRow, RowForm),
}


def evaluation_formsets(evaluation: SelfEvaluation, data=None) -> dict:
    return {
        name: factory(
            data,
            instance=evaluation,
            prefix=name,
            unit=evaluation.unit,
            parts=sorted(getattr(evaluation, PART_RELATIONS[name]).all(), key=lambda part: part.seq),
        )  # fmt: skip
        for name, factory in EVALUATION_FORMSETS.items()
    }
