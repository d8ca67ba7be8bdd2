"""Choice lists of the selfeval app."""

from django.db import models


class EvaluationKind(models.TextChoices):
    PROJECT = "project", "项目支出绩效自评表"
    DEPARTMENT = "department", "部门整体绩效自评表"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    SIGNED = "signed", "已签署"


class QualitativeBand(models.TextChoices):
    """The three bands an evaluator picks for a qualitative row (docs/domain.md §5)."""

    ACHIEVED = "achieved", "达成年度指标（80%–100%）"
    PARTIAL = "partial", "部分达成并具有一定效果（60%–80%）"
    FAILED = "failed", "未达成且效果较差（0–60%）"
