"""Admin for self-evaluations, their events and stored checks."""

from django.contrib import admin

from projects.admin_base import OVERSIGHT, ReadOnlyMixin, ScopedAdmin, ScopedTabularInline

from .choices import EvaluationStatus
from .models import (
    EvaluationCheck,
    EvaluationEvent,
    EvaluationFunding,
    EvaluationGoal,
    EvaluationRow,
    EvaluationSection,
    SelfEvaluation,
)


class LockedInline(ScopedTabularInline):
    """A signed self-evaluation's rows are read-only everywhere, also for administrators (``ScopedInline``)."""


class SectionInline(LockedInline):
    model = EvaluationSection
    fields = ["seq", "code", "name", "points", "printed_score", "score_final"]


class FundingInline(LockedInline):
    model = EvaluationFunding
    fields = [
        "seq", "name", "is_total", "budget_initial", "budget", "received", "executed", "rate_printed",
        "score_printed",
    ]  # fmt: skip


class GoalInline(LockedInline):
    model = EvaluationGoal
    fields = ["seq", "title", "points", "printed_score"]


class RowInline(LockedInline):
    model = EvaluationRow
    fields = [
        "seq", "goal", "section", "level1", "level1_printed", "level2", "level2_printed", "name", "target",
        "actual", "reason", "weight", "score_printed", "score_proposed", "band", "score_final", "score_reason",
    ]  # fmt: skip
    readonly_fields = ["score_proposed"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        evaluation = getattr(request, "_evaluation", None)
        if db_field.name in {"goal", "section"}:
            model = EvaluationGoal if db_field.name == "goal" else EvaluationSection
            kwargs["queryset"] = model.objects.filter(evaluation=evaluation) if evaluation else model.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SelfEvaluation)
class SelfEvaluationAdmin(ScopedAdmin):
    list_display = [
        "__str__", "department", "year", "layout", "scheme", "printed_total", "printed_grade",
        "stored_total", "status", "incomplete",
    ]  # fmt: skip
    list_filter = [
        "year", ("department", admin.RelatedOnlyFieldListFilter), "kind", "layout", "scheme", "status", "incomplete",
    ]  # fmt: skip
    search_fields = ["project__name", "project__key", "department__name", "filler"]
    list_select_related = ["department", "project", "scheme", "check_result"]
    autocomplete_fields = ["project"]
    readonly_fields = [
        "stored_total", "stored_grade", "status", "submitted_by", "submitted_at", "signed_by", "signed_at",
        "signed_digest", "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [SectionInline, FundingInline, GoalInline, RowInline]
    fieldsets = [
        ("基本信息", {"fields": ["kind", "department", "project", "declaration", "year", "layout", "scheme", "unit"]}),
        (
            "填报信息",
            {"fields": ["eval_date_printed", "fill_unit", "supervising_unit", "executing_unit", "filler", "phone"]},
        ),
        ("部门支出", {"fields": ["basic_expenditure_total", "project_expenditure_total"]}),
        ("目标完成情况", {"fields": ["goal_target", "goal_actual", "problems", "improvement"]}),
        (
            "填报数",
            {
                "fields": [
                    "printed_total", "printed_grade", "printed_budget_rate", "printed_budget_score",
                    "printed_completion_rate",
                ]
            },
        ),
        (
            "系统计算",
            {"fields": ["stored_total", "stored_grade"]},
        ),
        (
            "流程",
            {"fields": ["status", "submitted_by", "submitted_at", "signed_by", "signed_at", "signed_digest"]},
        ),
        ("来源", {"classes": ["collapse"], "fields": ["incomplete", "source", "notes", "created_at", "updated_at"]}),
    ]  # fmt: skip

    @admin.display(description="总分（计算）")
    def stored_total(self, obj):
        """From the form's stored check (the one copy of the computed figures; made again when stale)."""
        check = getattr(obj, "check_result", None)
        return check.computed_total if check else None

    @admin.display(description="等次（计算）")
    def stored_grade(self, obj):
        check = getattr(obj, "check_result", None)
        return check.grade if check else ""

    def get_readonly_fields(self, request, obj=None):
        """The scheme is the declaration's (fixed when it was made) and stays as the form was submitted under it."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and (obj.declaration_id or obj.status != EvaluationStatus.DRAFT):
            fields.append("scheme")
        return fields

    def get_form(self, request, obj=None, **kwargs):
        request._evaluation = obj
        return super().get_form(request, obj, **kwargs)


@admin.register(EvaluationEvent)
class EvaluationEventAdmin(ReadOnlyMixin, ScopedAdmin):
    """The sign-off log is a record: readable, never edited."""

    audience = OVERSIGHT
    department_lookup = "evaluation__department"
    list_display = ["at", "action", "user", "evaluation", "comment", "digest"]
    list_filter = ["action", "evaluation__year"]
    search_fields = ["evaluation__project__name", "user__username", "comment"]
    list_select_related = ["user", "evaluation__project", "evaluation__department"]


@admin.register(EvaluationCheck)
class EvaluationCheckAdmin(ReadOnlyMixin, ScopedAdmin):
    """Stored checks are derived data (``services.checks``): readable, made again by the system, never edited."""

    audience = OVERSIGHT
    department_lookup = "evaluation__department"
    list_display = ["evaluation", "computed_total", "grade", "budget_rate", "errors", "warnings", "checked_at"]
    list_filter = ["grade", "evaluation__year"]
    search_fields = ["evaluation__project__name", "evaluation__department__name"]
    list_select_related = ["evaluation__project", "evaluation__department"]
