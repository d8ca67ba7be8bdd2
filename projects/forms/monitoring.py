"""The monitoring form's page: the plan and version, the budget lines (in the form's unit) and the indicator rows."""

from django import forms
from django.forms import modelformset_factory

from ..models import MonitoringBudgetLine, MonitoringRow
from ..services.monitoring_lights import parse_plan
from .declaration import UnitAmountMixin


def _plan(value: str) -> str:
    try:
        parse_plan(value)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None
    return value.strip()


class MonitoringHeaderForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    spending_plan = forms.CharField(label="资金支出计划（%）", required=False, max_length=120)

    def clean_spending_plan(self):
        return _plan(self.cleaned_data["spending_plan"])


class BudgetLineForm(UnitAmountMixin, forms.ModelForm):
    amount_fields = ("initial_budget", "annual_budget", "executed", "forecast")

    class Meta:
        model = MonitoringBudgetLine
        fields = ["initial_budget", "annual_budget", "executed", "forecast"]


class MonitoringRowForm(forms.ModelForm):
    class Meta:
        model = MonitoringRow
        fields = [
            "value_to_date", "forecast", *MonitoringRow.CAUSE_FIELDS, "likelihood", "reason", "suggestion", "remark",
            "plan",
        ]  # fmt: skip
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 2}),
            "suggestion": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_plan(self):
        return _plan(self.cleaned_data["plan"])


class _UnitFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, unit: str, **kwargs):
        kwargs.setdefault("form_kwargs", {})["unit"] = unit
        super().__init__(*args, **kwargs)


BudgetLineFormSet = modelformset_factory(
    MonitoringBudgetLine, form=BudgetLineForm, formset=_UnitFormSet, extra=0, can_delete=False
)
MonitoringRowFormSet = modelformset_factory(MonitoringRow, form=MonitoringRowForm, extra=0, can_delete=False)


def monitoring_forms(form, data=None) -> tuple[MonitoringHeaderForm, forms.BaseModelFormSet, forms.BaseModelFormSet]:
    """The header, budget and row forms of a monitoring form (bound to ``data`` when posted)."""
    header = MonitoringHeaderForm(data, initial={"version": form.version, "spending_plan": form.spending_plan})
    budget = BudgetLineFormSet(data, queryset=form.budget_lines.all(), prefix="budget", unit=form.unit)
    rows = MonitoringRowFormSet(data, queryset=form.rows.all(), prefix="rows")
    return header, budget, rows
