"""Departments, users, projects and both paper declarations with their goals, indicator rows, schemes and checks.

Every amount is stored in 元 (``Decimal``, two places) whatever unit the paper form uses; each form
keeps the unit it is filled and printed in (``unit``), and ``projects.money`` converts on the way in
and out.
"""

from .accounts import DepartmentFigure, FinalAccount, FinalAccountLine
from .checks import CheckBase, DeclarationCheck, MonitoringCheck
from .declarations import (
    DeclarationBasis,
    DeclarationEvent,
    DeclarationLine,
    DeclarationWorkflow,
    DepartmentDeclaration,
    DepartmentFundLine,
    ExpenseItem,
    FormBase,
    FundingSource,
    NoSchemeAssigned,
    PriorYearBudget,
    ProcurementItem,
    ProjectDeclaration,
    assigned_scheme,
)
from .fields import money_field, unit_field
from .indicators import Goal, Indicator
from .monitoring import (
    MonitoringBudgetLine,
    MonitoringDecision,
    MonitoringEvent,
    MonitoringForm,
    MonitoringPeriod,
    MonitoringRow,
    MonitoringRule,
)
from .organisation import Department, MergedItem, Project, User
from .review import ReviewRule
from .schemes import SchemeAssignment, SchemeFundingLine, SchemeSection, ScoringScheme, default_grade_bands
from .versions import ReferenceVersion

__all__ = [
    "CheckBase",
    "DeclarationBasis",
    "DeclarationCheck",
    "MonitoringCheck",
    "DeclarationEvent",
    "DeclarationLine",
    "DeclarationWorkflow",
    "Department",
    "DepartmentDeclaration",
    "DepartmentFigure",
    "DepartmentFundLine",
    "ExpenseItem",
    "FinalAccount",
    "FinalAccountLine",
    "FormBase",
    "FundingSource",
    "Goal",
    "Indicator",
    "MergedItem",
    "MonitoringBudgetLine",
    "MonitoringDecision",
    "MonitoringEvent",
    "MonitoringForm",
    "MonitoringPeriod",
    "MonitoringRow",
    "MonitoringRule",
    "NoSchemeAssigned",
    "PriorYearBudget",
    "ProcurementItem",
    "Project",
    "ProjectDeclaration",
    "ReferenceVersion",
    "ReviewRule",
    "ScoringScheme",
    "SchemeAssignment",
    "SchemeSection",
    "SchemeFundingLine",
    "assigned_scheme",
    "User",
    "default_grade_bands",
    "money_field",
    "unit_field",
]
