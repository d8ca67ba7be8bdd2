"""The live preview: what saving the page as typed would give, computed from the submitted data without writing.

The page posts every row on each typing pause, but a pause changes a few. ``typed_page`` reads the posted data
over the stored form: the tables' structure (counts, each row's id) is checked as the formsets check it, and only
the rows whose posted values differ from the stored ones (Django's own ``has_changed`` per field) are checked as the
page's row form checks them, with the form's own fields but no form made per row (``forms.typed_row``; the short
tables' rows are bound to their forms). A row posted as stored is the stored row, as the save path's
``evaluation_update`` treats it. Whenever that reading is not clean (a row the formsets would refuse, a typed value a form rejects),
the preview binds and validates the whole page as saving does (``filling.bound_forms``), so that the messages
are exactly the save's.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from ..access import evaluation_rights
from ..forms import EvaluationForm, evaluation_formsets, typed_row
from ..models import SelfEvaluation
from ..selectors import evaluation_with_rows
from . import engine
from .adapters import EvaluationSnapshot, form_input, snapshot_of
from .filling import bound_forms
from .findings import evaluation_findings, finding_text, findings_at_parts, is_blocking
from .prefill import prefills, take_proposals

# The table whose rows are compared with the stored values, those typed differently checked by ``forms.typed_row``
# (the indicator rows' ``RowForm`` only): its forms show the stored values as they are (no unit conversion, no field
# disabled per row). The other tables are short and always bound to their forms.
COMPARED = ("rows",)


@dataclass
class Preview:
    """What saving the page as typed would give: the engine's result, the checker's findings, each row's 评定得分
    (the proposal where the row follows it); or, when an input cannot be read, only the messages at the inputs."""

    result: engine.FormResult | None
    findings: list = field(default_factory=list)
    finals: dict = field(default_factory=dict)  # row key → 评定得分 as saving would store it
    errors: dict = field(default_factory=dict)  # input name → messages: unreadable inputs, blocking findings

    @property
    def blocking(self) -> list[str]:
        return [finding_text(f) for f in self.findings if is_blocking(f)]

    @property
    def hints(self) -> list[str]:
        return [finding_text(f) for f in self.findings if not is_blocking(f)]


@dataclass
class TypedPage:
    """The page's data over the stored form: each table's parts in page order (the bound form's instance for a
    row typed differently, the stored part otherwise), each part's input prefix, and the rows whose 评定得分 was
    typed."""

    parts: dict = field(default_factory=dict)  # table → [part]
    prefixes: dict = field(default_factory=dict)  # table → {pk: "rows-3"}
    typed_scores: set = field(default_factory=set)

    def snapshot(self, evaluation: SelfEvaluation) -> EvaluationSnapshot:
        return snapshot_of(evaluation, **self.parts)


def typed_page(evaluation: SelfEvaluation, data) -> TypedPage | None:
    """The posted page read over ``evaluation`` (loaded by ``evaluation_with_rows``), binding a form only for what
    differs from the stored values; None when the page must be bound whole to say what is wrong with it."""
    if not EvaluationForm(data, instance=evaluation).is_valid():  # fills the header on the instance, as saving does
        return None
    page = TypedPage()
    for table, formset in evaluation_formsets(evaluation, data).items():
        if not formset.management_form.is_valid():
            return None
        count = len(formset.parts)
        if formset.total_form_count() != count or formset.initial_form_count() != count:
            return None
        by_id = {str(part.pk): part for part in formset.parts}
        fk_name = formset.fk.name
        parts, prefixes = [], {}
        for index in range(count):
            prefix = formset.add_prefix(index)
            part = by_id.get(data.get(f"{prefix}-id"))
            parent = data.get(f"{prefix}-{fk_name}")
            if part is None or part.pk in prefixes or parent not in (None, "", str(evaluation.pk)):
                return None
            prefixes[part.pk] = prefix
            if table in COMPARED:
                if _differs(formset.form, part, data, prefix):
                    changed = typed_row(part, data, prefix, evaluation)  # as its form checks it, without the form
                    if changed is None:
                        return None
                    if "score_final" in changed:
                        page.typed_scores.add(part.pk)
                parts.append(part)
                continue
            form = formset._construct_form(index, **formset.get_form_kwargs(index))
            if not form.is_valid():
                return None
            if "score_final" in form.changed_data:
                page.typed_scores.add(part.pk)
            parts.append(form.instance)
        page.parts[table], page.prefixes[table] = parts, prefixes
    return page


def _differs(form_class, part, data, prefix: str) -> bool:
    """Whether the posted values of a row differ from its stored ones, field by field as the bound form's
    ``has_changed`` decides (the posted text read by the field, compared with the stored value)."""
    for name, form_field in form_class.base_fields.items():
        value = form_field.widget.value_from_datadict(data, {}, f"{prefix}-{name}")
        if form_field.has_changed(getattr(part, name), value):
            return True
    return False


def page_from_forms(form: EvaluationForm, formsets: dict) -> TypedPage:
    """The same reading from the page's bound and validated forms (the preview's path when the data needed them)."""
    page = TypedPage()
    for table, formset in formsets.items():
        page.parts[table] = [f.instance for f in formset.forms]
        page.prefixes[table] = {f.instance.pk: f.prefix for f in formset.forms}
    page.typed_scores = {f.instance.pk for f in formsets["rows"].forms if "score_final" in f.changed_data}
    return page


def snapshot_preview(snapshot: EvaluationSnapshot, *, prefill: bool = False, typed=frozenset()) -> Preview:
    """Score and check a snapshot as ``evaluation_fill`` would store it (proposals fresh from the engine; with
    ``prefill``, the rows that follow the proposal take it, as saving does)."""
    result = engine.score_form(form_input(snapshot))
    if prefill and take_proposals(snapshot.rows, result.proposals, typed=typed):
        result = engine.score_form(form_input(snapshot))
    proposals = {key: proposal.score for key, proposal in result.proposals.items()}
    return Preview(
        result,
        evaluation_findings(snapshot, proposals=proposals),
        finals={row.pk: row.score_final for row in snapshot.rows},
    )


def evaluation_preview(*, evaluation: SelfEvaluation, user, data) -> Preview:
    """Score the page's data as typed without writing anything. When an input cannot be read, no figures: the
    messages at the inputs (so that no stale total stays on the page); else the blocking findings at theirs."""
    if not evaluation_rights(user, evaluation).edit:
        raise PermissionDenied("这张自评表现在不能由你填写。")
    page = typed_page(evaluation, data)
    if page is None:  # bound whole on a fresh copy: the reading above may have filled some parts already
        evaluation = evaluation_with_rows(evaluation.pk)
        form, formsets, valid = bound_forms(evaluation, data)
        if not valid:
            return Preview(None, errors=input_errors(form, formsets))
        page = page_from_forms(form, formsets)
    snapshot = page.snapshot(evaluation)
    preview = snapshot_preview(snapshot, prefill=prefills(evaluation), typed=page.typed_scores)
    preview.errors = findings_at_inputs(snapshot, preview.findings, page.prefixes)[0]
    return preview


def input_errors(form: EvaluationForm, formsets: dict) -> dict[str, list[str]]:
    """The forms' messages keyed by the name of the input they are about (a row's own messages by its prefix)."""
    out = {form.add_prefix(name) if name != "__all__" else "__all__": list(errs) for name, errs in form.errors.items()}
    for formset in formsets.values():
        for f in formset.forms:
            for name, errs in f.errors.items():
                out[f.add_prefix(name) if name != "__all__" else f.prefix] = list(errs)
        if formset.non_form_errors():
            out.setdefault("__all__", []).extend(formset.non_form_errors())
    return out


def findings_at_inputs(snapshot: EvaluationSnapshot, findings, prefixes: dict) -> tuple[dict[str, list[str]], list]:
    """The blocking findings keyed by the name of the input they are about (``prefixes``: table → {pk: input
    prefix}), and those that belong to none."""
    placed, loose = findings_at_parts(snapshot, findings)
    out = {}
    for table in ("rows", "sections"):
        for pk, prefix in prefixes.get(table, {}).items():
            for name, messages in placed.get((table, pk), {}).items():
                out[f"{prefix}-{name}"] = messages
    return out, loose
