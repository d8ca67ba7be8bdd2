"""Batch exports in the admin: administrators see every job, others only their own; nobody edits one."""

from django.contrib import admin

from projects.admin_base import ScopedAdmin, ScopedInline, _is_manager

from .models import ExportItem, ExportJob, StoredPdf


class ExportItemInline(ScopedInline, admin.TabularInline):
    model = ExportItem
    fields = ["seq", "kind", "object_id", "filename", "done"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExportJob)
class ExportJobAdmin(ScopedAdmin):
    department_lookup = None
    list_display = ["created_at", "user", "year", "department", "status", "total", "finished_at"]
    list_filter = ["year", "status"]
    search_fields = ["user__username", "department__name"]
    readonly_fields = ["user", "year", "department", "status", "total", "file", "error", "heartbeat_at", "finished_at"]
    inlines = [ExportItemInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user", "department")
        return qs if _is_manager(request.user) else qs.filter(user=request.user)

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StoredPdf)
class StoredPdfAdmin(ScopedAdmin):
    """Read-only: a stored PDF changes only by its form becoming final again."""

    department_lookup = None
    list_display = ["filename", "kind", "object_id", "stamp", "created_at"]
    list_filter = ["kind"]
    search_fields = ["filename", "digest"]
    readonly_fields = ["kind", "object_id", "digest", "stamp", "file", "filename", "index_row", "created_at"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if _is_manager(request.user) or request.user.role == "auditor" else qs.none()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
