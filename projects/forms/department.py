"""The 部门整体支出绩效目标申报表 page: header, funds table, goals and their indicator rows."""

from django import forms
from django.forms import inlineformset_factory

from indicators.models import IndicatorCategory
from projects.models import Goal, Indicator

from ..models import DepartmentDeclaration, DepartmentFundLine
from .declaration import ROW_CAP, BaseRowFormSet, IndicatorForm, PlainRowForm, UnitAmountMixin


class DepartmentDeclarationForm(forms.ModelForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DepartmentDeclaration
        fields = ["fill_date", "filler", "phone", "functions", "annual_tasks"]
        widgets = {
            "fill_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "functions": forms.Textarea(attrs={"rows": 3}),
            "annual_tasks": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, unit: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = self.instance.updated_at.isoformat() if self.instance.updated_at else ""


class FundLineForm(UnitAmountMixin, forms.ModelForm):
    amount_fields = ("amount", "prev1", "prev2")

    class Meta:
        model = DepartmentFundLine
        fields = ["section", "name", "amount", "share_printed", "prev1", "prev2"]


class DepartmentGoalForm(PlainRowForm):
    class Meta:
        model = Goal
        fields = ["kind", "text", "points"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("long_term", "长期目标"), ("annual", "年度目标")]


class DepartmentIndicatorForm(IndicatorForm):
    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"] = forms.ModelChoiceField(
            queryset=Goal.objects.filter(pk__in=[g.pk for g in goals]),
            required=False,
            label="所属目标",
            empty_label="请选择",
        )
        self.fields["goal"].choices = [("", "请选择")] + [(g.pk, f"{g.get_kind_display()}{g.seq}") for g in goals]
        self.order_fields(["goal", "level1", "level2", "name", "target", "standard"])
        if self.instance.pk:
            self.initial["goal"] = self.instance.goal_id

    class Meta(IndicatorForm.Meta):
        fields = ["goal", "name", "target", "standard"]


class DepartmentIndicatorFormSet(BaseRowFormSet):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("form_kwargs", {})["categories"] = list(IndicatorCategory.objects.all())
        kwargs["form_kwargs"]["goals"] = list(
            Goal.objects.filter(department_declaration=kwargs["instance"]).order_by("kind", "seq")
        )
        super().__init__(*args, **kwargs)


class DepartmentGoalFormSet(BaseRowFormSet):
    def save(self, commit=True):
        """Goals are numbered per kind (长期目标1…, 年度目标1…)."""
        saved = super().save(commit)
        counters = {}
        for goal in saved:
            counters[goal.kind] = counters.get(goal.kind, 0) + 1
            goal.seq = counters[goal.kind]
        Goal.objects.bulk_update(saved, ["seq"])
        return saved


def _formset(model, form, formset=BaseRowFormSet, fk_name=None):
    return inlineformset_factory(
        DepartmentDeclaration, model, form=form, formset=formset, fk_name=fk_name, extra=0, can_delete=True, **ROW_CAP
    )


DEPARTMENT_FORMSETS = {
    "funds": _formset(DepartmentFundLine, FundLineForm),
    "goals": _formset(Goal, DepartmentGoalForm, DepartmentGoalFormSet, fk_name="department_declaration"),
    "indicators": _formset(
        Indicator, DepartmentIndicatorForm, DepartmentIndicatorFormSet, fk_name="department_declaration"
    ),
}


def department_formsets(declaration: DepartmentDeclaration, data=None) -> dict:
    out = {}
    for name, factory in DEPARTMENT_FORMSETS.items():
        qs = factory.model._default_manager.filter(**{factory.fk.name: declaration}).order_by(
            *(["kind", "seq"] if factory.model is Goal else ["seq"])
        )
        out[name] = factory(data, instance=declaration, prefix=name, unit=declaration.unit, queryset=qs)
    return out
