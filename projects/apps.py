from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "部门与项目"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete

        from indicators.models import IndicatorCategory, LibraryIndicator
        from projects.models import Indicator

        from . import models
        from .locking import refuse_locked_delete
        from .models import ExpenseItem, FundingSource
        from .page_cache import bump_reference_version
        from .signals import touch_declaration

        guarded = (
            models.ProjectDeclaration, models.DepartmentDeclaration, models.DeclarationBasis, models.PriorYearBudget,
            models.FundingSource, models.ExpenseItem, models.ProcurementItem, models.DepartmentFundLine,
            models.Goal, models.Indicator, models.MonitoringForm, models.MonitoringBudgetLine, models.MonitoringRow,
        )  # fmt: skip
        for model in guarded:
            pre_delete.connect(refuse_locked_delete, sender=model, dispatch_uid=f"lock-{model.__name__}")

        # Every row of a declaration (the goals also have an admin page of their own): its last change moves, so that
        # stale copies, stored checks and the page's cached sheet notice.
        parts = (Indicator, FundingSource, ExpenseItem, models.Goal, models.DeclarationBasis, models.PriorYearBudget,
                 models.ProcurementItem)  # fmt: skip
        for model in parts:
            post_save.connect(touch_declaration, sender=model, dispatch_uid=f"touch-{model.__name__}")
            post_delete.connect(touch_declaration, sender=model, dispatch_uid=f"touch-del-{model.__name__}")

        # Data many forms' pages print or are checked against: every cached sheet is stale (projects.page_cache).
        shared = (
            models.Department, models.Project, models.MergedItem, models.ScoringScheme, models.SchemeSection,
            models.SchemeAssignment, models.SchemeFundingLine, models.ReviewRule, models.MonitoringRule,
            models.MonitoringPeriod, IndicatorCategory, LibraryIndicator,
        )  # fmt: skip
        for model in shared:
            post_save.connect(bump_reference_version, sender=model, dispatch_uid=f"reference-{model.__name__}")
            post_delete.connect(bump_reference_version, sender=model, dispatch_uid=f"reference-del-{model.__name__}")
