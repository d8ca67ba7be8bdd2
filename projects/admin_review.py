"""Admin of the target-quality review's rule set (docs/review.md): a province's variant is one more row."""

from django.contrib import admin

from .admin_base import ScopedAdmin
from .models import ReviewRule


@admin.register(ReviewRule)
class ReviewRuleAdmin(ScopedAdmin):
    """Rule rows per 行政区划 prefix and years: on or off, the declarations they run on (项目 / 部门整体), severity,
    parameters (JSON), message and advice."""

    department_lookup = None
    list_display = [
        "code", "division_prefix", "year_from", "year_to", "enabled", "for_project", "for_department", "severity",
        "blocks_submission",
    ]  # fmt: skip
    list_editable = ["enabled", "for_project", "for_department", "severity"]
    list_display_links = ["code"]
    list_filter = ["enabled", "for_project", "for_department", "severity", "division_prefix", "code"]
    search_fields = ["code", "division_prefix", "message", "basis"]
    fieldsets = [
        (None, {"fields": ["code", "division_prefix", "year_from", "year_to", "seq", "basis"]}),
        ("适用表种", {"fields": ["for_project", "for_department"]}),
        ("规则", {"fields": ["enabled", "severity", "blocks_submission", "params", "message", "advice"]}),
    ]
