"""The admin's role and department scope: one base class every ModelAdmin of perfbudget uses.

Administrators and superusers manage everything. Auditors read every department. Finance staff
and department heads read their own department here (they fill and review forms on the pages).
Nobody else gets into the admin.
"""

from django.contrib import admin

from .access import visible_department_ids
from .choices import Role


def _is_manager(user) -> bool:
    return user.is_active and (user.is_superuser or user.role == Role.ADMIN)


class ScopedAdmin(admin.ModelAdmin):
    """Restricts rows to the user's departments through ``department_lookup``; writes to administrators."""

    department_lookup: str | None = "department"
    list_per_page = 50

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = visible_department_ids(request.user)
        if ids is None or self.department_lookup is None:
            return qs
        return qs.filter(**{f"{self.department_lookup}__in": ids})

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        if obj is None or self.department_lookup is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, obj=None):
        return _is_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return _is_manager(request.user)

    def has_delete_permission(self, request, obj=None):
        return _is_manager(request.user)


class ScopedInline:
    """Inline rows follow their parent's permissions."""

    extra = 0
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None):
        return _is_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return _is_manager(request.user)

    def has_delete_permission(self, request, obj=None):
        return _is_manager(request.user)


class ScopedTabularInline(ScopedInline, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedInline, admin.StackedInline):
    pass
