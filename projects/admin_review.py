"""Admin of the target-quality review's rule set (docs/review.md): a province's variant is one more row."""

from django.contrib import admin

from .admin_base import ScopedAdmin
from .models import ReviewRule


@admin.register(ReviewRule)
class ReviewRuleAdmin(ScopedAdmin):
    """Rule rows per 行政区划 prefix and years: on or off, severity, parameters (JSON), message and advice."""

    department_lookup = None
    list_display = ["code", "division_prefix", "year_from", "year_to", "enabled", "severity", "blocks_submission"]
    list_editable = ["enabled", "severity"]
    list_display_links = ["code"]
    list_filter = ["enabled", "severity", "division_prefix", "code"]
    search_fields = ["code", "division_prefix", "message", "basis"]
    fieldsets = [
        (None, {"fields": ["code", "division_prefix", "year_from", "year_to", "seq", "basis"]}),
        ("规则", {"fields": ["enabled", "severity", "blocks_submission", "params", "message", "advice"]}),
    ]
