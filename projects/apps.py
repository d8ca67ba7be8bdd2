from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "部门与项目"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete

        from projects.models import Indicator

        from . import models
        from .locking import refuse_locked_delete
        from .models import ExpenseItem, FundingSource
        from .signals import touch_declaration

        guarded = (
            models.ProjectDeclaration, models.DepartmentDeclaration, models.DeclarationBasis, models.PriorYearBudget,
            models.FundingSource, models.ExpenseItem, models.ProcurementItem, models.DepartmentFundLine,
            models.Goal, models.Indicator, models.MonitoringForm, models.MonitoringBudgetLine, models.MonitoringRow,
        )  # fmt: skip
        for model in guarded:
            pre_delete.connect(refuse_locked_delete, sender=model, dispatch_uid=f"lock-{model.__name__}")

        for model in (Indicator, FundingSource, ExpenseItem):  # the rows the declaration checker reads
            post_save.connect(touch_declaration, sender=model, dispatch_uid=f"touch-{model.__name__}")
            post_delete.connect(touch_declaration, sender=model, dispatch_uid=f"touch-del-{model.__name__}")
