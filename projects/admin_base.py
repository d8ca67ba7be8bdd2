"""The admin's role and department scope: one base class every ModelAdmin of perfbudget uses.

Administrators and superusers manage everything. Auditors read every department. Finance staff
and department heads read their own department here (they fill and review forms on the pages).
Nobody else gets into the admin.

Each page has an audience (``ScopedAdmin.audience``): the office's own tables are for all staff; the stored
checks, the workflow records and the stored PDFs (the trail an audit reads) for auditors and administrators;
the machinery (the reference-data version the page caches are keyed on) for administrators only. A page
outside a user's audience is neither listed nor opened, whatever its URL.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied

from indicators.params import param_int
from projects.uploads import MAX_UPLOAD_BYTES, UploadRejected, checked_xlsx

from .access import is_manager, reads_everything, visible_department_ids
from .limits import max_form_rows, row_cap_problem
from .locking import FormLocked, GuardedFormMixin, GuardedPartMixin


def posted_rows(data) -> int:
    """The rows an admin page posts in all its inlines (their TOTAL_FORMS, less the rows ticked for deletion)."""
    total = sum(param_int(data.get(key), low=0, high=10**6) or 0 for key in data if key.endswith("-TOTAL_FORMS"))
    return total - sum(1 for key in data if key.endswith("-DELETE") and data.get(key))


def locked_reason(obj) -> str | None:
    """Why the workflow keeps ``obj`` (a form, or a row of one) from changing now; None when it may change."""
    if isinstance(obj, GuardedFormMixin) and obj.pk and obj.status in obj.LOCKED_STATUSES:
        return str(obj.locked_error())
    if isinstance(obj, GuardedPartMixin) and obj.pk and obj.parent_locked():
        return str(obj._locked_error())
    return None


STAFF, OVERSIGHT, MANAGERS = "staff", "oversight", "managers"


def in_audience(user, audience: str) -> bool:
    """Whether ``user`` may open the admin pages of ``audience`` (``STAFF``, ``OVERSIGHT`` or ``MANAGERS``)."""
    if not (user.is_active and user.is_staff):
        return False
    if audience == MANAGERS:
        return is_manager(user)
    if audience == OVERSIGHT:
        return reads_everything(user)
    return True


class ScopedAdmin(admin.ModelAdmin):
    """Restricts rows to the user's departments (the model's ``for_user``, or ``department_lookup``); writes to
    administrators; the page to its ``audience``."""

    department_lookup: str | None = "department"
    audience = STAFF
    list_per_page = 50

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if hasattr(qs, "for_user"):
            return qs.for_user(request.user)
        ids = visible_department_ids(request.user)
        if ids is None or self.department_lookup is None:
            return qs
        return qs.filter(**{f"{self.department_lookup}__in": ids})

    def has_module_permission(self, request):
        return in_audience(request.user, self.audience)

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        if obj is None:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, obj=None):
        return is_manager(request.user)

    def has_change_permission(self, request, obj=None):
        return is_manager(request.user) and not self._locked(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_manager(request.user) and not self._locked(request, obj)

    def get_readonly_fields(self, request, obj=None):
        """A form's workflow fields change only through its workflow services, never in the admin."""
        workflow = list(getattr(self.model, "WORKFLOW_FIELDS", ()))
        return [*super().get_readonly_fields(request, obj), *(f for f in workflow if f not in self.readonly_fields)]

    def _locked(self, request, obj) -> bool:
        if obj is None:
            return False
        cache = request.__dict__.setdefault("_locked_reasons", {})
        key = (obj._meta.label_lower, obj.pk)
        if key not in cache:
            cache[key] = locked_reason(obj)
        return cache[key] is not None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A locked form is shown read-only with the reason; a change posted to it is refused with the reason
        (403), and the model layer's refusal (a path not foreseen here) ends the same way, never in a 500."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        reason = locked_reason(obj) if obj is not None else None
        if reason and request.method == "POST":
            raise PermissionDenied(reason)
        if reason:
            messages.warning(request, reason)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except FormLocked as exc:
            raise PermissionDenied(str(exc)) from None

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except FormLocked as exc:
            raise PermissionDenied(str(exc)) from None

    def delete_queryset(self, request, queryset):
        try:
            super().delete_queryset(request, queryset)
        except FormLocked as exc:
            raise PermissionDenied(str(exc)) from None

    def get_form(self, request, obj=None, change=False, **kwargs):
        """With inlines, the form refuses a page whose inlines hold more rows than the cap on a form."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if not self.inlines:
            return form

        class RowCappedForm(form):
            def clean(self):
                cleaned = super().clean()
                if problem := row_cap_problem(posted_rows(self.data)):
                    raise forms.ValidationError(problem)
                return cleaned

        return RowCappedForm


class ReadOnlyMixin:
    """Rows that change only through their workflow: nobody adds or edits them in the admin.

    ``deletable``: administrators may still delete them (generated files, export jobs).
    """

    deletable = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and is_manager(request.user)


class ScopedInline:
    """Inline rows follow their parent's permissions: read-only while the parent form is locked; no inline takes
    more rows than the cap on a form."""

    extra = 0
    show_change_link = False

    def get_max_num(self, request, obj=None, **kwargs):
        return max_form_rows()

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("validate_max", True)
        kwargs.setdefault("absolute_max", max_form_rows())
        return super().get_formset(request, obj, **kwargs)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None):
        return is_manager(request.user) and not locked_reason(obj)

    def has_change_permission(self, request, obj=None):
        return is_manager(request.user) and not locked_reason(obj)

    def has_delete_permission(self, request, obj=None):
        return is_manager(request.user) and not locked_reason(obj)


class ScopedTabularInline(ScopedInline, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedInline, admin.StackedInline):
    pass


class CheckedImportMixin:
    """django-import-export in the admin: imports by administrators only, files checked before reading."""

    from import_export.formats.base_formats import CSV

    from .resources import SheetXLSX

    formats = [SheetXLSX, CSV]

    def get_import_form_class(self, request):
        from import_export.forms import ImportForm

        class CheckedImportForm(ImportForm):
            def clean_import_file(self):
                upload = self.cleaned_data["import_file"]
                if upload.size > MAX_UPLOAD_BYTES:
                    raise forms.ValidationError(f"文件过大，导入文件不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
                if upload.name.lower().endswith(".xlsx"):
                    try:
                        checked_xlsx(upload)
                    except UploadRejected as exc:
                        raise forms.ValidationError(str(exc)) from None
                    upload.seek(0)
                elif not upload.name.lower().endswith(".csv"):
                    raise forms.ValidationError("只能导入 .xlsx 或 .csv 文件。")
                return upload

        return CheckedImportForm

    def get_export_form_class(self):
        from import_export.forms import SelectableFieldsExportForm

        class NamedExportForm(SelectableFieldsExportForm):
            """The fields to export under the columns' Chinese names (not ``Level1 Printed (一级指标)``)."""

            def _get_field_label(self, resource, field_name: str) -> str:
                field = resource.fields.get(field_name)
                return field.column_name if field is not None and field.column_name else field_name

        return NamedExportForm

    def has_import_permission(self, request):
        return is_manager(request.user)

    def has_export_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def get_import_resource_kwargs(self, request, **kwargs):
        return (
            {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user} if self._takes_user else {}
        )

    def get_export_resource_kwargs(self, request, **kwargs):
        return (
            {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user} if self._takes_user else {}
        )

    _takes_user = False
