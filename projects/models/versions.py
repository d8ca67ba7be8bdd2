"""The version of the reference data the form pages' cached sheets are rendered against (``projects.page_cache``)."""

from django.db import models

from indicators.models import ReferenceQuerySet


class ReferenceVersion(models.Model):
    """One row: a number that moves whenever data shared by many forms changes (departments, projects, indicator
    categories, scoring schemes, review and monitoring rules). A form page's cached sheet is keyed on it beside the
    form's own last change, read in the same query as the form, so that every web process sees a change at once."""

    value = models.BigIntegerField("版本", default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = "参考数据版本"
        verbose_name_plural = "参考数据版本"

    def __str__(self) -> str:
        return f"参考数据版本 {self.value}"
