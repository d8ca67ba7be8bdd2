"""Batch exports: a ZIP of a department-year's PDFs with an .xlsx index, built in the background.

A job is split into one item per form. Each item's PDF is stored as it is rendered, so that a job
interrupted by a worker restart resumes where it stopped; the ZIP is written to storage only when
every item is there, and only then is the job marked done and its file offered for download.
"""

import uuid

from django.conf import settings
from django.db import models

from projects.access import is_manager
from projects.models.fields import year_field


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    ASSEMBLING = "assembling", "打包中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ExportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """A job is its owner's and the administrators'."""
        if is_manager(user):
            return self
        return self.filter(user=user) if getattr(user, "is_authenticated", False) and user.is_active else self.none()


class ExportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="export_jobs"
    )
    year = year_field()
    department = models.ForeignKey(
        "projects.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text="空：发起人可见的全部部门。",
    )
    forms = models.CharField(
        "导出哪些表",
        max_length=12,
        choices=[
            ("all", "全部表"),
            ("declarations", "仅申报表"),
            ("evaluations", "仅自评表"),
            ("monitoring", "仅运行监控表"),
        ],
        default="all",
    )
    status = models.CharField("状态", max_length=12, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total = models.PositiveIntegerField("表数", default=0)
    file = models.FileField("压缩包", blank=True, max_length=300)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "批量导出"
        verbose_name_plural = "批量导出"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        scope = self.department.name if self.department_id else "全部部门"
        which = "" if self.forms == "all" else f"（{self.get_forms_display()}）"
        return f"{self.year} 年 {scope} PDF 批量导出{which}"


class ExportItem(models.Model):
    """One form of a batch: which form, its file name in the ZIP, its stored PDF and its index row."""

    KINDS = [
        ("declaration", "项目绩效目标申报表"),
        ("department_declaration", "部门整体支出绩效目标申报表"),
        ("evaluation", "绩效自评表"),
        ("monitoring", "项目支出绩效目标执行监控表"),
    ]

    job = models.ForeignKey(ExportJob, verbose_name="批量导出", on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("表类别", max_length=24, choices=KINDS)
    object_id = models.PositiveIntegerField("表编号")
    filename = models.CharField("文件名", max_length=300, blank=True)
    part = models.FileField("PDF", blank=True, max_length=300)
    index_row = models.JSONField("索引行", default=dict, blank=True)
    done = models.BooleanField("已生成", default=False)

    class Meta:
        verbose_name = "导出的表"
        verbose_name_plural = "导出的表"
        ordering = ["job", "seq"]
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="export_item_seq_unique")]

    def __str__(self) -> str:
        return self.filename or f"{self.get_kind_display()} #{self.object_id}"


class StoredPdf(models.Model):
    """The PDF of a final form (signed self-evaluation, approved declaration), rendered once and served many times.

    Keyed by the form's content digest and the time it became final: a form reopened and signed again,
    or changed and approved again, gets a new file; a stale one is never served.
    """

    kind = models.CharField("表类别", max_length=24, choices=ExportItem.KINDS)
    object_id = models.PositiveIntegerField("表编号")
    digest = models.CharField("内容摘要（SHA-256）", max_length=64)
    stamp = models.CharField("定稿时间", max_length=40, help_text="签署或审核通过的时间。")
    file = models.FileField("PDF", max_length=300)
    filename = models.CharField("文件名", max_length=300)
    index_row = models.JSONField("索引行", default=dict, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "已定稿表的 PDF"
        verbose_name_plural = "已定稿表的 PDF"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "digest", "stamp"], name="stored_pdf_unique")
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return self.filename
