from django.apps import AppConfig


class SelfevalConfig(AppConfig):
    name = "selfeval"
    verbose_name = "绩效自评"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete

        from projects.models import (
            Department,
            DepartmentDeclaration,
            ProjectDeclaration,
            SchemeSection,
            ScoringScheme,
            User,
        )

        from . import models
        from .locking import refuse_locked_delete
        from .tasks import on_scheme_changed
        from .todo_count import bump_todo_version

        for model in (
            ProjectDeclaration,
            DepartmentDeclaration,
            models.SelfEvaluation,
            models.EvaluationEvent,
            User,
            Department,
        ):
            post_save.connect(bump_todo_version, sender=model, dispatch_uid=f"todo-{model.__name__}")
            post_delete.connect(bump_todo_version, sender=model, dispatch_uid=f"todo-del-{model.__name__}")

        for model in (ScoringScheme, SchemeSection):
            post_save.connect(on_scheme_changed, sender=model, dispatch_uid=f"checks-{model.__name__}")
            post_delete.connect(on_scheme_changed, sender=model, dispatch_uid=f"checks-del-{model.__name__}")

        for model in (models.SelfEvaluation, models.EvaluationSection, models.EvaluationFunding, models.EvaluationGoal,
                      models.EvaluationRow):  # fmt: skip
            pre_delete.connect(refuse_locked_delete, sender=model, dispatch_uid=f"lock-{model.__name__}")
