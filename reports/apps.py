from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "报表"

    def ready(self):
        from projects.signals import declaration_approved, monitoring_approved
        from selfeval.signals import evaluation_signed

        from . import checks  # noqa: F401  (registers the CJK font check)
        from .tasks import on_declaration_approved, on_evaluation_signed, on_monitoring_approved

        evaluation_signed.connect(on_evaluation_signed, dispatch_uid="reports.store_signed_pdf")
        declaration_approved.connect(on_declaration_approved, dispatch_uid="reports.store_approved_pdf")
        monitoring_approved.connect(on_monitoring_approved, dispatch_uid="reports.store_approved_monitoring_pdf")
