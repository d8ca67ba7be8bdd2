"""Admin for the category table, goals and indicator rows."""

from django.contrib import admin
from import_export.admin import ImportExportMixin

from projects.admin_base import CheckedImportMixin, ScopedAdmin
from projects.resources import IndicatorResource

from .models import Goal, Indicator, IndicatorCategory, LibraryIndicator


@admin.register(IndicatorCategory)
class IndicatorCategoryAdmin(ScopedAdmin):
    department_lookup = None
    list_display = ["name", "level", "parent", "layout", "code", "seq"]
    list_filter = ["level", "layout"]
    search_fields = ["name", "code"]


@admin.register(Goal)
class GoalAdmin(ScopedAdmin):
    department_lookup = None
    list_display = ["__str__", "kind", "project_declaration", "department_declaration", "points"]
    list_filter = ["kind"]
    search_fields = ["text", "project_declaration__project__name", "department_declaration__department__name"]
    list_select_related = ["project_declaration__project", "department_declaration__department"]

    def get_queryset(self, request):
        return _scope_by_declaration(super().get_queryset(request), request.user)


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

    def get_queryset(self, request):
        return _scope_by_declaration(super().get_queryset(request), request.user)


def _scope_by_declaration(qs, user):
    from django.db.models import Q

    from projects.access import visible_department_ids

    ids = visible_department_ids(user)
    if ids is None:
        return qs
    return qs.filter(
        Q(project_declaration__project__department__in=ids) | Q(department_declaration__department__in=ids)
    )


@admin.register(LibraryIndicator)
class LibraryIndicatorAdmin(ScopedAdmin):
    """Administrators curate the 指标库; everyone with admin access may read it."""

    department_lookup = None
    list_display = ["name", "level2", "unit", "direction", "example", "use_count", "is_active"]
    list_filter = ["level2__parent", "level2", "direction", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "example"]
    list_select_related = ["level2"]
