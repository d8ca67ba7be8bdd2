"""Batch exports and stored PDFs in the admin: administrators see every job, others only their own; nobody
edits one (administrators may delete them to free space)."""

from django.contrib import admin

from projects.access import is_manager
from projects.admin_base import OVERSIGHT, ReadOnlyMixin, ScopedAdmin, ScopedInline

from .models import ExportItem, ExportJob, StoredPdf


class ExportItemInline(ReadOnlyMixin, ScopedInline, admin.TabularInline):
    model = ExportItem
    fields = ["seq", "kind", "object_id", "filename", "done"]
    readonly_fields = fields


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyMixin, ScopedAdmin):
    department_lookup = None
    deletable = True
    list_display = ["created_at", "user", "year", "department", "status", "total", "finished_at"]
    list_filter = ["year", "status"]
    search_fields = ["user__username", "department__name"]
    readonly_fields = ["user", "year", "department", "status", "total", "file", "error", "heartbeat_at", "finished_at"]
    inlines = [ExportItemInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user", "department")
        return qs if is_manager(request.user) else qs.filter(user=request.user)

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()


@admin.register(StoredPdf)
class StoredPdfAdmin(ReadOnlyMixin, ScopedAdmin):
    """A stored PDF changes only by its form becoming final again."""

    audience = OVERSIGHT
    department_lookup = None
    deletable = True
    list_display = ["filename", "kind", "object_id", "stamp", "created_at"]
    list_filter = ["kind"]
    search_fields = ["filename", "digest"]
    readonly_fields = ["kind", "object_id", "digest", "stamp", "file", "filename", "index_row", "created_at"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if is_manager(request.user) or request.user.role == "auditor" else qs.none()
