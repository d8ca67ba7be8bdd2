"""The project declaration page: a header form and one inline formset per table of the paper form."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from indicators.choices import GoalKind
from indicators.models import IndicatorCategory
from projects.models import Goal, Indicator

from ..limits import max_form_rows
from ..models import (
    DeclarationBasis,
    ExpenseItem,
    FundingSource,
    PriorYearBudget,
    ProcurementItem,
    ProjectDeclaration,
)
from ..money import MoneyError, from_yuan, to_yuan
from ..services.xlsx import ImportedDeclaration


class UnitAmountMixin:
    """Amounts are typed and shown in the form's unit (万元 or 元) and stored in 元."""

    amount_fields: tuple[str, ...] = ()

    def __init__(self, *args, unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        for name in self.amount_fields:
            model_field = self.fields[name]
            label = str(model_field.label).replace("（元）", "")
            self.fields[name] = forms.DecimalField(
                label=f"{label}（{unit}）",
                required=False,
                max_digits=20,
                decimal_places=6,
                error_messages={"invalid": "请输入数字金额。", "max_decimal_places": "金额的小数位过多。"},
            )
            stored = getattr(self.instance, name, None) if self.instance.pk else None
            if stored is not None:
                self.initial[name] = from_yuan(stored, unit)

    def clean(self):
        cleaned = super().clean()
        for name in self.amount_fields:
            value = cleaned.get(name)
            if value is None:
                continue
            try:
                cleaned[name] = to_yuan(value, self.unit)
            except MoneyError as exc:
                self.add_error(name, str(exc))
        return cleaned


class DeclarationForm(UnitAmountMixin, forms.ModelForm):
    amount_fields = ("total_budget", "annual_budget", "funding_total", "expense_total")
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProjectDeclaration
        fields = [
            "fill_date", "supervising_unit", "executing_unit", "leader", "phone", "address", "postcode",
            "application_reason", "main_content", "implementation_plan", "total_budget", "annual_budget",
            "prior_budget_note", "funding_total", "expense_total", "estimation_basis",
        ]  # fmt: skip
        widgets = {
            "fill_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "application_reason": forms.Textarea(attrs={"rows": 3}),
            "main_content": forms.Textarea(attrs={"rows": 3}),
            "implementation_plan": forms.Textarea(attrs={"rows": 3}),
            "prior_budget_note": forms.Textarea(attrs={"rows": 2}),
            "estimation_basis": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = self.instance.updated_at.isoformat() if self.instance.updated_at else ""


class RowForm(UnitAmountMixin, forms.ModelForm):
    """A row of a table; the unit is passed down by the formset."""


def amount_row_form(model, fields, amount_fields=("amount",), widgets=None):
    meta = type("Meta", (), {"model": model, "fields": fields, "widgets": widgets or {}})
    return type(f"{model.__name__}Form", (RowForm,), {"Meta": meta, "amount_fields": amount_fields})


# An empty 指标性质 / 比较符 on a row: read from the value's own wording (docs/domain.md §4).
READ_FROM_VALUE = "自动"


class PlainRowForm(forms.ModelForm):
    def __init__(self, *args, unit: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("nature", "comparator"):
            if name in self.fields:
                field = self.fields[name]
                field.choices = [("", READ_FROM_VALUE), *((k, v) for k, v in field.choices if k)]
                field.widget.attrs.setdefault("title", "自动：按指标值的写法判断")


class BasisForm(PlainRowForm):
    class Meta:
        model = DeclarationBasis
        fields = ["text"]
        widgets = {"text": forms.TextInput(attrs={"placeholder": "文件名称及文号"})}


class GoalForm(PlainRowForm):
    class Meta:
        model = Goal
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class CategorySelect(forms.Select):
    """Options carry their 一级 (``data-parent``) so that the page can narrow the 二级 list."""

    def __init__(self, parents: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.parents = parents or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.parents:
            option["attrs"]["data-parent"] = self.parents[str(value)]
        return option


class CategoryField(forms.ChoiceField):
    """A 一级 or 二级 category from a list read once per page, not once per row."""

    def __init__(self, categories: list[IndicatorCategory], level: int, **kwargs):
        chosen = [c for c in categories if c.level == level]
        self.by_pk = {str(c.pk): c for c in chosen}
        parents = {str(c.pk): str(c.parent_id) for c in chosen if c.parent_id}
        choices = [("", "请选择")] + [(str(c.pk), c.name) for c in chosen]
        super().__init__(choices=choices, required=False, widget=CategorySelect(parents), **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.by_pk.get(str(value)) if value else None

    def has_changed(self, initial, data):
        return str(initial or "") != str(data or "")


class IndicatorForm(PlainRowForm):
    class Meta:
        model = Indicator
        fields = ["name", "prev2", "prev1", "nature", "comparator", "target", "unit", "standard", "weight"]
        widgets = {"name": forms.TextInput(attrs={"list": "indicator-library"})}

    def __init__(self, *args, categories: list[IndicatorCategory], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level1"] = CategoryField(categories, 1, label="一级指标")
        self.fields["level2"] = CategoryField(categories, 2, label="二级指标")
        self.order_fields(
            [
                "level1",
                "level2",
                "name",
                "prev2",
                "prev1",
                "nature",
                "comparator",
                "target",
                "unit",
                "standard",
                "weight",
            ]
        )
        if self.instance.pk:
            self.initial["level1"], self.initial["level2"] = self.instance.level1_id, self.instance.level2_id

    def clean(self):
        cleaned = super().clean()
        level1, level2 = cleaned.get("level1"), cleaned.get("level2")
        if level1 and level2 and level2.parent_id != level1.pk:
            self.add_error("level2", f"“{level2}”不属于“{level1}”。")
        return cleaned

    def save(self, commit=True):
        self.instance.level1 = self.cleaned_data.get("level1")
        self.instance.level2 = self.cleaned_data.get("level2")
        if self.instance.level1 is not None:
            self.instance.level1_printed = self.instance.level1.name
        if self.instance.level2 is not None:
            self.instance.level2_printed = self.instance.level2.name
        return super().save(commit)


class LoadedRowField(forms.ModelChoiceField):
    """The hidden id of a row, resolved among the rows loaded with the form only (Django's own field takes any row
    of the model, another form's too) and without a query per row."""

    def __init__(self, rows: dict, **kwargs):
        self.rows = rows  # {str(pk): row}, made once per formset
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        row = self.rows.get(str(value))
        if row is None:
            raise ValidationError("这一行不属于这张表，请刷新页面后重新填写。", code="invalid_choice")
        return row


# No table of a form takes more rows than the cap on a whole form (``projects.limits``): past it the formset is
# invalid with its message, and no more forms than that are ever built from a posted TOTAL_FORMS.
ROW_CAP = {"max_num": max_form_rows(), "validate_max": True, "absolute_max": max_form_rows()}


class BaseRowFormSet(forms.BaseInlineFormSet):
    """Rows are numbered in the order they stand on the page; empty new rows are ignored. A row's id names one of
    this form's rows (each at most once, a new row none): an id from elsewhere is a form error, never a write."""

    default_error_messages = {
        **forms.BaseInlineFormSet.default_error_messages,
        "too_many_forms": "每张表最多 %(num)d 行，本次没有保存任何内容；请删减后再保存。",
    }

    def __init__(self, *args, unit: str, **kwargs):
        kwargs.setdefault("form_kwargs", {})["unit"] = unit
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self.model._meta.pk.name
        loaded = form.fields[name]
        if not hasattr(self, "_loaded_rows"):
            self._loaded_rows = {str(row.pk): row for row in self.get_queryset()}
        form.fields[name] = LoadedRowField(
            self._loaded_rows, queryset=loaded.queryset, initial=loaded.initial, required=False, widget=loaded.widget
        )
        if index is not None and index < self.initial_form_count():
            form.fields[name].required = True

    def clean(self):
        super().clean()
        name, seen = self.model._meta.pk.name, set()
        for index, form in enumerate(self.forms):
            if name in form.errors:  # the id is a hidden field: its error is the table's
                raise ValidationError(form.errors[name][0])
            row = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
            if row is None:
                continue
            if index >= self.initial_form_count() or row.pk in seen:
                raise ValidationError("表中有重复或无效的行，请刷新页面后重新填写；本次没有保存。")
            seen.add(row.pk)

    def save(self, commit=True):
        for form in self.deleted_forms:
            if form.instance.pk:
                form.instance.delete()
        saved, seq = [], 0
        for form in self.forms:
            if form in self.deleted_forms or (not form.instance.pk and not form.has_changed()):
                continue
            seq += 1
            obj = form.save(commit=False)
            setattr(obj, self.fk.name, self.instance)
            obj.seq = seq
            self.prepare(obj)
            obj.save()
            saved.append(obj)
        return saved

    def prepare(self, instance) -> None:
        """Hook for rows that need more than their declaration (goals: their kind)."""


class IndicatorFormSet(BaseRowFormSet):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("form_kwargs", {})["categories"] = list(IndicatorCategory.objects.all())
        super().__init__(*args, **kwargs)

    def save(self, commit=True):
        """Rows stand grouped by 一级 and 二级 as on paper, in the order typed within a group."""
        saved = super().save(commit)

        def order(row):
            return (row.level1.seq if row.level1 else 999, row.level2.seq if row.level2 else 999, row.seq)

        for seq, row in enumerate(sorted(saved, key=order), start=1):
            row.seq = seq
        Indicator.objects.bulk_update(saved, ["seq"])
        return saved


class GoalFormSet(BaseRowFormSet):
    def get_queryset(self):
        return super().get_queryset().filter(kind=GoalKind.OVERALL)

    def prepare(self, instance) -> None:
        instance.kind = GoalKind.OVERALL


def _formset(model, form, formset=BaseRowFormSet, fk_name=None):
    return inlineformset_factory(
        ProjectDeclaration, model, form=form, formset=formset, fk_name=fk_name, extra=0, can_delete=True, **ROW_CAP
    )


class PriorYearForm(UnitAmountMixin, forms.ModelForm):
    amount_fields = ("budget", "executed")

    class Meta:
        model = PriorYearBudget
        fields = ["year", "budget", "executed", "rate_printed"]


class PriorYearFormSet(BaseRowFormSet):
    """The 历年预算执行 table has no 序号: rows are kept by year."""

    def save(self, commit=True):
        for form in self.deleted_forms:
            if form.instance.pk:
                form.instance.delete()
        saved = []
        for form in self.forms:
            if form in self.deleted_forms or (not form.instance.pk and not form.has_changed()):
                continue
            obj = form.save(commit=False)
            obj.declaration = self.instance
            obj.save()
            saved.append(obj)
        return saved


FORMSETS = {
    "basis": _formset(DeclarationBasis, BasisForm),
    "prior_years": _formset(PriorYearBudget, PriorYearForm, PriorYearFormSet),
    "funding": _formset(FundingSource, amount_row_form(FundingSource, ["name", "amount", "level"])),
    "expenses": _formset(
        ExpenseItem,
        amount_row_form(
            ExpenseItem,
            ["name", "amount", "economic_subject", "basis"],
            widgets={"name": forms.Textarea(attrs={"rows": 1}), "basis": forms.Textarea(attrs={"rows": 1})},
        ),
    ),
    "procurement": _formset(
        ProcurementItem,
        amount_row_form(
            ProcurementItem, ["name", "quantity", "amount"], widgets={"name": forms.Textarea(attrs={"rows": 1})}
        ),
    ),
    "goals": _formset(Goal, GoalForm, GoalFormSet, fk_name="project_declaration"),
    "indicators": _formset(Indicator, IndicatorForm, IndicatorFormSet, fk_name="project_declaration"),
}


def declaration_formsets(declaration: ProjectDeclaration, data=None, unit: str | None = None) -> dict:
    unit = unit or declaration.unit
    return {
        name: factory(data, instance=declaration, prefix=name, unit=unit, queryset=_ordered(factory, declaration))
        for name, factory in FORMSETS.items()
    }


def _ordered(factory, declaration):
    qs = factory.model._default_manager.filter(**{factory.fk.name: declaration})
    if factory.model is Goal:
        qs = qs.filter(kind=GoalKind.OVERALL)
    if factory.model is Indicator:
        qs = qs.select_related("level1", "level2")
    return qs.order_by("year" if factory.model is PriorYearBudget else "seq")


def kept_forms(formset) -> list:
    """The forms whose rows stay, in page order: not deleted, and not a new row left empty."""
    deleted = set(map(id, formset.deleted_forms))
    return [f for f in formset.forms if id(f) not in deleted and (f.instance.pk or f.has_changed())]


def _indicator_row(form) -> dict:
    data, row = form.cleaned_data, form.instance
    level1, level2 = data.get("level1"), data.get("level2")
    goal = row.goal.text if row.goal_id and row.goal.kind == GoalKind.GROUP else ""
    return {
        "goal": goal,
        "level1": level1.name if level1 else row.level1_printed,
        "level2": level2.name if level2 else row.level2_printed,
        **{name: data.get(name) for name in ("name", "prev2", "prev1", "target", "standard")},
        **{name: data.get(name) or "" for name in ("nature", "comparator", "unit")},
        "weight": data.get("weight"),
    }


def page_content(
    declaration: ProjectDeclaration, form: DeclarationForm, formsets: dict, unit: str
) -> ImportedDeclaration:
    """The validated page as the content the write service takes (the same shape as the API's and the template's)."""
    header = {name: form.cleaned_data.get(name) for name in DeclarationForm.Meta.fields}

    def rows(name, fields, extra=()):
        return [
            {**{k: f.cleaned_data.get(k) for k in fields}, **{k: getattr(f.instance, k) for k in extra}}
            for f in kept_forms(formsets[name])
        ]

    indicators = [(_indicator_row(f), f.cleaned_data) for f in kept_forms(formsets["indicators"])]

    def order(item):  # rows stand grouped by 一级 and 二级 as on paper, in the order typed within a group
        (i, (_row, data)) = item
        level1, level2 = data.get("level1"), data.get("level2")
        return (level1.seq if level1 else 999, level2.seq if level2 else 999, i)

    return ImportedDeclaration(
        project_key=declaration.project.key, year=declaration.year, unit=unit, header=header,
        basis=[f.cleaned_data["text"] for f in kept_forms(formsets["basis"])],
        prior_years=rows("prior_years", ("year", "budget", "executed", "rate_printed")),
        funding=rows("funding", ("name", "amount", "level")),
        expenses=rows("expenses", ("name", "amount", "economic_subject", "basis"), extra=("remark",)),
        procurement=rows("procurement", ("name", "quantity", "amount")),
        goals=[f.cleaned_data["text"] for f in kept_forms(formsets["goals"])],
        indicators=[row for _i, (row, _data) in sorted(enumerate(indicators), key=order)],
        version=form.cleaned_data.get("version") or None,
    )  # fmt: skip
