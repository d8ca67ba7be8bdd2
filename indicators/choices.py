"""Choice lists of the indicators app."""

from django.db import models


class CategoryLayout(models.TextChoices):
    """Which national layout of the 一级/二级 list a category belongs to (docs/domain.md §3)."""

    BOTH = "both", "通用"
    LEGACY = "legacy", "旧版（成本指标为产出下的二级）"
    V2021 = "2021", "2021 版（成本指标为一级）"


class GoalKind(models.TextChoices):
    OVERALL = "overall", "项目绩效总目标"
    LONG_TERM = "long_term", "长期目标"
    ANNUAL = "annual", "年度目标"
    GROUP = "group", "目标名称"
