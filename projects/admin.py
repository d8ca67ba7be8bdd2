"""Admin for departments, users, projects, declarations with their goals and indicator rows, scoring schemes,
stored checks and the final accounts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from import_export.admin import ImportExportMixin

from indicators.models import IndicatorCategory, LibraryIndicator

from . import admin_review  # noqa: F401 - registers the review rule set
from .admin_base import MANAGERS, OVERSIGHT, CheckedImportMixin, ReadOnlyMixin, ScopedAdmin, ScopedTabularInline
from .locking import DECLARATION_WORKFLOW_FIELDS
from .models import (
    DeclarationBasis,
    DeclarationCheck,
    DeclarationEvent,
    Department,
    DepartmentDeclaration,
    DepartmentFigure,
    DepartmentFundLine,
    ExpenseItem,
    FinalAccount,
    FinalAccountLine,
    FundingSource,
    Goal,
    Indicator,
    MergedItem,
    MonitoringBudgetLine,
    MonitoringCheck,
    MonitoringDecision,
    MonitoringEvent,
    MonitoringForm,
    MonitoringPeriod,
    MonitoringRow,
    MonitoringRule,
    PriorYearBudget,
    ProcurementItem,
    Project,
    ProjectDeclaration,
    ReferenceVersion,
    SchemeAssignment,
    SchemeFundingLine,
    SchemeSection,
    ScoringScheme,
    User,
)
from .resources import IndicatorResource, ProjectResource


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    department_lookup = "id"
    list_display = ["code", "name", "short_name", "region", "division_code", "parent"]
    list_filter = ["region"]
    search_fields = ["code", "name", "short_name", "division_code"]
    autocomplete_fields = ["parent"]


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "role", "department", "is_active", "is_staff"]
    list_filter = ["role", "department", "is_active"]
    search_fields = ["username", "first_name", "last_name", "department__name"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("岗位", {"fields": ["role", "department", "phone"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("岗位", {"fields": ["role", "department"]}),
    ]

    # Rights an administrator who is not a superuser cannot hand out (to anyone, themselves included): what they
    # grant is what they hold, and the access rules live in ``projects.access`` by role, not in Django permissions.
    GRANTED_BY_SUPERUSERS_ONLY = ["is_superuser", "groups", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.GRANTED_BY_SUPERUSERS_ONLY if f not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._above(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._above(request, obj)

    def delete_queryset(self, request, queryset):
        if not request.user.is_superuser and queryset.filter(is_superuser=True).exists():
            raise PermissionDenied("只有超级用户可以删除超级用户。")
        super().delete_queryset(request, queryset)

    @staticmethod
    def _above(request, obj) -> bool:
        """A superuser's account is changed or deleted by superusers only."""
        return obj is not None and obj.is_superuser and not request.user.is_superuser


class MergedItemInline(ScopedTabularInline):
    model = MergedItem


@admin.register(Project)
class ProjectAdmin(CheckedImportMixin, ImportExportMixin, ScopedAdmin):
    resource_classes = [ProjectResource]
    list_display = ["name", "key", "department", "project_type", "period_start", "period_end"]
    list_filter = ["department", "project_type"]
    search_fields = ["name", "key", "department__name"]
    inlines = [MergedItemInline]
    list_select_related = ["department"]


class BasisInline(ScopedTabularInline):
    model = DeclarationBasis


class PriorYearInline(ScopedTabularInline):
    model = PriorYearBudget


class FundingSourceInline(ScopedTabularInline):
    model = FundingSource


class ExpenseItemInline(ScopedTabularInline):
    model = ExpenseItem


class ProcurementInline(ScopedTabularInline):
    model = ProcurementItem


class ProjectGoalInline(ScopedTabularInline):
    model = Goal
    fk_name = "project_declaration"
    fields = ["kind", "seq", "text", "points"]


class ProjectIndicatorInline(ScopedTabularInline):
    model = Indicator
    fk_name = "project_declaration"
    fields = [
        "seq", "goal", "level1", "level1_printed", "level2", "level2_printed",
        "name", "target", "standard", "prev2", "prev1", "weight",
    ]  # fmt: skip

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "goal" and getattr(request, "_declaration", None) is not None:
            kwargs["queryset"] = Goal.objects.filter(project_declaration=request._declaration)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DeclarationAdminMixin:
    list_filter = ["year", "status", "unit", "incomplete"]
    # the workflow services set the workflow fields; the scheme is fixed when the declaration is created
    readonly_fields = [*DECLARATION_WORKFLOW_FIELDS, "scheme", "created_at", "updated_at"]


@admin.register(ProjectDeclaration)
class ProjectDeclarationAdmin(DeclarationAdminMixin, ScopedAdmin):
    department_lookup = "project__department"
    list_display = ["project", "year", "department_name", "annual_budget", "unit", "status", "incomplete"]
    list_filter = ["year", ("project__department", admin.RelatedOnlyFieldListFilter), "status", "unit", "incomplete"]
    search_fields = ["project__name", "project__key", "project__department__name", "leader"]
    list_select_related = ["project__department"]
    autocomplete_fields = ["project"]
    inlines = [
        BasisInline,
        PriorYearInline,
        FundingSourceInline,
        ExpenseItemInline,
        ProcurementInline,
        ProjectGoalInline,
        ProjectIndicatorInline,
    ]
    fieldsets = [
        ("基本信息", {"fields": ["project", "year", "fill_date", "unit", "status", "incomplete"]}),
        (
            "项目情况",
            {
                "fields": [
                    "supervising_unit", "executing_unit", "leader", "phone", "address", "postcode",
                    "application_reason", "main_content", "implementation_plan",
                ]
            },
        ),
        (
            "预算",
            {
                "fields": [
                    "total_budget", "total_budget_printed", "annual_budget", "annual_budget_printed",
                    "prior_budget_note", "prior_years_unit", "funding_total", "expense_total", "estimation_basis",
                ]
            },
        ),
        (
            "审核",
            {
                "fields": [
                    "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_comment",
                    "adjustment_requested", "adjustment_reason",
                ]
            },
        ),
        ("来源", {"classes": ["collapse"], "fields": ["source", "notes", "created_at", "updated_at"]}),
    ]  # fmt: skip

    @admin.display(description="部门", ordering="project__department__code")
    def department_name(self, obj):
        return obj.project.department

    def get_form(self, request, obj=None, **kwargs):
        request._declaration = obj
        return super().get_form(request, obj, **kwargs)


class FundLineInline(ScopedTabularInline):
    model = DepartmentFundLine


class DepartmentGoalInline(ScopedTabularInline):
    model = Goal
    fk_name = "department_declaration"
    fields = ["kind", "seq", "text", "points"]


class DepartmentIndicatorInline(ScopedTabularInline):
    model = Indicator
    fk_name = "department_declaration"
    fields = ["seq", "goal", "level1", "level1_printed", "level2", "level2_printed", "name", "target", "standard"]


@admin.register(DepartmentDeclaration)
class DepartmentDeclarationAdmin(DeclarationAdminMixin, ScopedAdmin):
    list_display = ["department", "year", "filler", "fill_date", "status", "incomplete"]
    list_filter = ["year", ("department", admin.RelatedOnlyFieldListFilter), "status", "incomplete"]
    search_fields = ["department__name", "filler"]
    list_select_related = ["department"]
    inlines = [FundLineInline, DepartmentGoalInline, DepartmentIndicatorInline]


class FinalAccountLineInline(ScopedTabularInline):
    model = FinalAccountLine
    fields = [
        "table", "seq", "code", "name", "level", "total", "fiscal", "basic", "project", "budget", "final",
        "rate_printed",
    ]  # fmt: skip
    readonly_fields = ["level"]


class DepartmentFigureInline(ScopedTabularInline):
    model = DepartmentFigure


@admin.register(FinalAccount)
class FinalAccountAdmin(ScopedAdmin):
    list_display = ["department", "year", "unit"]
    list_filter = ["year", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["department__name"]
    list_select_related = ["department"]
    inlines = [FinalAccountLineInline, DepartmentFigureInline]


@admin.register(FinalAccountLine)
class FinalAccountLineAdmin(ScopedAdmin):
    department_lookup = "account__department"
    list_display = ["code", "name", "table", "level", "account", "total", "basic", "project"]
    list_filter = ["table", "level", "account__year", ("account__department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    list_select_related = ["account__department"]


@admin.register(DeclarationEvent)
class DeclarationEventAdmin(ReadOnlyMixin, ScopedAdmin):
    """The review log is a record: readable, never edited."""

    audience = OVERSIGHT
    department_lookup = None
    list_display = ["at", "action", "user", "project_declaration", "department_declaration", "from_status", "to_status"]
    list_filter = ["action", "project_declaration__year"]
    search_fields = ["project_declaration__project__name", "user__username", "comment"]
    list_select_related = ["user", "project_declaration__project", "department_declaration__department"]


@admin.register(Goal)
class GoalAdmin(ScopedAdmin):
    department_lookup = None
    list_display = ["__str__", "kind", "project_declaration", "department_declaration", "points"]
    list_filter = ["kind"]
    search_fields = ["text", "project_declaration__project__name", "department_declaration__department__name"]
    list_select_related = ["project_declaration__project", "department_declaration__department"]


@admin.register(Indicator)
class IndicatorAdmin(CheckedImportMixin, ImportExportMixin, ScopedAdmin):
    resource_classes = [IndicatorResource]
    _takes_user = True
    department_lookup = None
    list_display = ["name", "level1", "level2_printed", "target", "project_declaration", "department_declaration"]
    list_filter = [
        "level1",
        "level2",
        "project_declaration__year",
        ("project_declaration__project__department", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "target", "level2_printed", "project_declaration__project__name"]
    list_select_related = ["level1", "project_declaration__project", "department_declaration__department"]


class SchemeSectionInline(ScopedTabularInline):
    model = SchemeSection


class SchemeFundingLineInline(ScopedTabularInline):
    """The funding block the scheme's form prints: rows and which total each 其中 row belongs to."""

    model = SchemeFundingLine
    fk_name = "scheme"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A 其中 row picks its total among this scheme's rows only (on a new scheme: none saved yet)."""
        if db_field.name == "part_of":
            scheme_id = (request.resolver_match.kwargs if request.resolver_match else {}).get("object_id")
            lines = SchemeFundingLine.objects.filter(part_of=None)
            kwargs["queryset"] = lines.filter(scheme_id=scheme_id) if scheme_id else lines.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(ScopedAdmin):
    department_lookup = None
    list_display = ["name", "code", "layout", "full_points", "weights_per_form", "reverse_rule", "is_active"]
    list_filter = ["layout", "is_active"]
    search_fields = ["name", "code"]
    inlines = [SchemeSectionInline, SchemeFundingLineInline]


@admin.register(SchemeAssignment)
class SchemeAssignmentAdmin(ScopedAdmin):
    """Which scheme a region's forms use (docs/schemes.md): adding a province needs only this and a scheme."""

    department_lookup = None
    list_display = ["division_prefix", "form_kind", "year_from", "year_to", "scheme", "basis"]
    list_filter = ["form_kind", "scheme"]
    search_fields = ["division_prefix", "scheme__name", "basis"]
    list_select_related = ["scheme"]


@admin.register(DeclarationCheck)
class DeclarationCheckAdmin(ReadOnlyMixin, ScopedAdmin):
    """The checker's findings of a project declaration, as the score report reads them."""

    audience = OVERSIGHT
    department_lookup = "declaration__project__department"
    list_display = ["declaration", "errors", "warnings", "checked_at"]
    list_filter = ["declaration__year"]
    search_fields = ["declaration__project__name", "declaration__project__department__name"]
    list_select_related = ["declaration__project__department"]


@admin.register(ReferenceVersion)
class ReferenceVersionAdmin(ReadOnlyMixin, ScopedAdmin):
    """The number the form pages' cached sheets are keyed on (``projects.page_cache``); moved by signals only."""

    audience = MANAGERS
    department_lookup = None
    list_display = ["__str__", "value"]


# -- the indicators app's reference tables -----------------------------------------------------------


@admin.register(IndicatorCategory)
class IndicatorCategoryAdmin(ScopedAdmin):
    department_lookup = None
    list_display = ["name", "level", "parent", "layout", "aliases", "code", "seq"]
    list_filter = ["level", "layout"]
    search_fields = ["name", "code", "aliases"]


@admin.register(LibraryIndicator)
class LibraryIndicatorAdmin(ScopedAdmin):
    """Administrators curate the 指标库; everyone with admin access may read it."""

    department_lookup = None
    list_display = ["name", "level2", "unit", "direction", "example", "use_count", "is_active"]
    list_filter = ["level2__parent", "level2", "direction", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "example"]
    list_select_related = ["level2"]


# -- 绩效运行监控 -------------------------------------------------------------------------------------


class MonitoringPeriodInline(ScopedTabularInline):
    model = MonitoringPeriod


@admin.register(MonitoringRule)
class MonitoringRuleAdmin(ScopedAdmin):
    """A region's monitoring periods and warning-light thresholds for a range of years (the longest 行政区划 prefix
    whose years include the form's year applies; the empty prefix is the national default)."""

    department_lookup = None
    list_display = [
        "division_prefix", "year_from", "year_to", "name", "indicator_red_below", "budget_red_below", "budget_blue_from",
    ]  # fmt: skip
    search_fields = ["division_prefix", "name", "basis"]
    inlines = [MonitoringPeriodInline]


class MonitoringBudgetLineInline(ReadOnlyMixin, ScopedTabularInline):
    model = MonitoringBudgetLine


class MonitoringRowInline(ReadOnlyMixin, ScopedTabularInline):
    model = MonitoringRow
    exclude = ["indicator"]


@admin.register(MonitoringForm)
class MonitoringFormAdmin(ReadOnlyMixin, ScopedAdmin):
    """Monitoring forms are filled and reviewed on their pages; the admin reads them."""

    department_lookup = None
    inlines = [MonitoringBudgetLineInline, MonitoringRowInline]
    list_display = ["declaration", "period", "status", "updated_at"]
    list_filter = ["year", "status"]
    search_fields = ["declaration__project__name"]
    list_select_related = ["declaration__project", "period"]


@admin.register(MonitoringCheck)
class MonitoringCheckAdmin(ReadOnlyMixin, ScopedAdmin):
    """A monitoring form's stored lights and findings, as the board reads them (made by the services, never here)."""

    audience = OVERSIGHT
    department_lookup = "form__declaration__project__department"
    list_display = ["form", "project_light", "errors", "warnings", "checked_at"]
    list_filter = ["project_light", "form__year"]
    search_fields = ["form__declaration__project__name"]
    list_select_related = ["form__declaration__project", "form__period"]


@admin.register(MonitoringDecision)
class MonitoringDecisionAdmin(ReadOnlyMixin, ScopedAdmin):
    """Decisions are recorded on the monitoring page (with their log entry); the admin reads them."""

    department_lookup = None
    list_display = ["decided_at", "kind", "form", "light", "respond_by", "decided_by"]
    list_filter = ["kind"]
    list_select_related = ["form__declaration__project", "decided_by"]


@admin.register(MonitoringEvent)
class MonitoringEventAdmin(ReadOnlyMixin, ScopedAdmin):
    """The monitoring forms' review log is a record: readable, never edited."""

    audience = OVERSIGHT
    department_lookup = None
    list_display = ["at", "action", "user", "form", "from_status", "to_status"]
    list_filter = ["action"]
    list_select_related = ["user", "form__declaration__project", "form__period"]
