"""Choice lists of the selfeval app."""

from django.db import models


class EvaluationKind(models.TextChoices):
    PROJECT = "project", "项目支出绩效自评表"
    DEPARTMENT = "department", "部门整体绩效自评表"


class Layout(models.TextChoices):
    """The paper layout a self-evaluation is filled and printed in (DOMAIN §2.3–§2.4)."""

    HUBEI = "hubei", "湖北省项目自评表"
    NATIONAL = "national", "财政部项目自评表"
    HEBEI = "hebei", "河北省项目自评表"
    DEPARTMENT = "department", "部门整体绩效自评表"
    SUMMARY = "summary", "自评结果摘要（仅公开预算执行）"


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    SIGNED = "signed", "已签署"


class SectionKind(models.TextChoices):
    BUDGET = "budget", "预算执行"
    GOAL = "goal", "总体目标"
    INDICATORS = "indicators", "绩效指标"
    LEVEL1 = "level1", "一级指标"
    ANNUAL_GOAL = "annual_goal", "年度目标"


class ReverseRule(models.TextChoices):
    """How a 反向 row above its target is scored (DOMAIN §5: deployments differ)."""

    RATIO = "ratio", "目标值 ÷ 实际值 × 分值"
    LINEAR = "linear", "(1 − (实际值 − 目标值) ÷ 目标值) × 分值（财政部预算一体化平台）"


class QualitativeBand(models.TextChoices):
    """The three bands an evaluator picks for a qualitative row (DOMAIN §5)."""

    ACHIEVED = "achieved", "达成年度指标（80%–100%）"
    PARTIAL = "partial", "部分达成并具有一定效果（60%–80%）"
    FAILED = "failed", "未达成且效果较差（0–60%）"
