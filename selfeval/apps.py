from django.apps import AppConfig


class SelfevalConfig(AppConfig):
    name = "selfeval"
    verbose_name = "绩效自评"

    def ready(self):
        from django.db.models.signals import pre_delete

        from . import models
        from .locking import refuse_locked_delete

        for model in (models.SelfEvaluation, models.EvaluationSection, models.EvaluationFunding, models.EvaluationGoal,
                      models.EvaluationRow):  # fmt: skip
            pre_delete.connect(refuse_locked_delete, sender=model, dispatch_uid=f"lock-{model.__name__}")
