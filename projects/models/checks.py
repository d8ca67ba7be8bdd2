"""Stored checks: what the checker says about a form, kept with the basis it was made from (``projects.services.checks``)."""

from django.db import models

from ..access import scoped_queryset
from .declarations import ProjectDeclaration


class CheckBase(models.Model):
    """What both kinds of stored check hold (``services.checks``): the basis it was made from and the findings."""

    basis = models.CharField("依据", max_length=160)
    errors = models.PositiveIntegerField("错误数", default=0)
    warnings = models.PositiveIntegerField("提示数", default=0)
    findings = models.JSONField("检查结果", default=list, blank=True)
    checked_at = models.DateTimeField("检查时间", auto_now=True)

    class Meta:
        abstract = True


class DeclarationCheck(CheckBase):
    """What the consistency checker says about one 项目绩效目标申报表, kept for the score report; made again
    whenever its basis (the declaration's last change, the checker's code) is no longer the declaration's."""

    declaration = models.OneToOneField(
        ProjectDeclaration, verbose_name="申报表", on_delete=models.CASCADE, related_name="check_result"
    )

    objects = scoped_queryset("declaration__project__department").as_manager()

    class Meta:
        db_table = "selfeval_declarationcheck"  # the table keeps the name it had in the selfeval app
        verbose_name = "申报表检查结果"
        verbose_name_plural = "申报表检查结果"

    def __str__(self) -> str:
        return f"{self.declaration_id} 的检查结果"


class MonitoringCheck(CheckBase):
    """A 项目支出绩效目标执行监控表's lights and what it still misses, kept for the board and the lists; made when the
    form is started, saved, submitted or reviewed, and again whenever its basis (the form's last change, its rule's
    thresholds and period, the lights' code) is no longer the form's (``services.monitoring_checks``)."""

    form = models.OneToOneField(
        "projects.MonitoringForm", verbose_name="监控表", on_delete=models.CASCADE, related_name="check_result"
    )
    project_light = models.CharField("项目灯", max_length=8, blank=True)
    lights = models.JSONField(
        "各灯",
        default=dict,
        blank=True,
        help_text="{project, budget, indicators: [{row, name, colour, formula, rate}]}，灯的颜色、公式和进度。",
    )

    objects = scoped_queryset("form__declaration__project__department").as_manager()

    class Meta:
        verbose_name = "监控表检查结果"
        verbose_name_plural = "监控表检查结果"

    def __str__(self) -> str:
        return f"{self.form_id} 的检查结果"
