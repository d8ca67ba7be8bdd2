"""Choice lists of the projects app, worded as the paper forms word them."""

from django.db import models


class Role(models.TextChoices):
    FINANCE = "finance", "填报人（财务人员）"
    HEAD = "head", "部门负责人"
    AUDITOR = "auditor", "审计人员"
    ADMIN = "admin", "系统管理员"


class ProjectType(models.TextChoices):
    ONE_OFF = "one_off", "一次性项目"
    RECURRING = "recurring", "常年性项目"
    CONTINUING = "continuing", "延续性项目"
    SPECIAL = "special", "专项业务项目"
    UNKNOWN = "unknown", "未标明"


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "已退回"


class FundSection(models.TextChoices):
    INCOME = "income", "收入构成"
    EXPENDITURE = "expenditure", "支出构成"


class AccountTable(models.TextChoices):
    INCOME = "income", "收入决算表"
    EXPENDITURE = "expenditure", "支出决算表"
    BUDGET_FINAL = "budget_final", "年初预算与决算对比"


class SubjectLevel(models.IntegerChoices):
    TOTAL = 0, "合计"
    CLASS = 1, "类"
    SECTION = 2, "款"
    ITEM = 3, "项"


class DeclarationAction(models.TextChoices):
    CREATE = "create", "创建"
    CARRY_OVER = "carry_over", "由上年结转"
    IMPORT = "import", "由 Excel 导入"
    API_WRITE = "api_write", "由接口写入"
    EDIT = "edit", "页面修改"
    SUBMIT = "submit", "提交"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回"
    WITHDRAW = "withdraw", "撤回"
    ADJUST_REQUEST = "adjust_request", "申请调整"
    ADJUST_APPROVE = "adjust_approve", "同意调整"
    ADJUST_REJECT = "adjust_reject", "不同意调整"


class Layout(models.TextChoices):
    """The paper layout a self-evaluation is filled and printed in (docs/domain.md §2.3–§2.4)."""

    HUBEI = "hubei", "湖北省项目自评表"
    NATIONAL = "national", "财政部项目自评表"
    HEBEI = "hebei", "河北省项目自评表"
    DEPARTMENT = "department", "部门整体绩效自评表"
    SUMMARY = "summary", "自评结果摘要（仅公开预算执行）"


class FormKind(models.TextChoices):
    """Which declaration a scoring scheme is assigned to."""

    PROJECT = "project", "项目支出"
    DEPARTMENT = "department", "部门整体支出"


class SectionKind(models.TextChoices):
    BUDGET = "budget", "预算执行"
    GOAL = "goal", "总体目标"
    INDICATORS = "indicators", "绩效指标"
    LEVEL1 = "level1", "一级指标"
    ANNUAL_GOAL = "annual_goal", "年度目标"


class ReverseRule(models.TextChoices):
    """How a 反向 row above its target is scored (docs/domain.md §5: deployments differ)."""

    RATIO = "ratio", "目标值 ÷ 实际值 × 分值"
    LINEAR = "linear", "(1 − (实际值 − 目标值) ÷ 目标值) × 分值（财政部预算一体化平台）"


class Likelihood(models.TextChoices):
    """完成目标可能性 of an indicator in a monitoring form (财预〔2019〕136号)."""

    CERTAIN = "certain", "确定能"
    POSSIBLE = "possible", "有可能"
    IMPOSSIBLE = "impossible", "完全不可能"


class MonitoringAction(models.TextChoices):
    CREATE = "create", "创建"
    EDIT = "edit", "页面修改"
    SUBMIT = "submit", "提交"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回"
    DECIDE = "decide", "处理意见"


class MonitoringDecisionKind(models.TextChoices):
    """What the finance bureau or the head decides for a flagged project (中发〔2018〕34号)."""

    CONTINUE = "continue", "继续执行"
    ADJUST_TARGETS = "adjust_targets", "调整绩效目标"
    CUT_BUDGET = "cut_budget", "调减预算"
    SUSPEND = "suspend", "暂缓拨款"
    STOP = "stop", "停止拨款"
