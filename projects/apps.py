from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "部门与项目"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from projects.models import Indicator

        from .models import ExpenseItem, FundingSource
        from .signals import touch_declaration

        for model in (Indicator, FundingSource, ExpenseItem):  # the rows the declaration checker reads
            post_save.connect(touch_declaration, sender=model, dispatch_uid=f"touch-{model.__name__}")
            post_delete.connect(touch_declaration, sender=model, dispatch_uid=f"touch-del-{model.__name__}")
