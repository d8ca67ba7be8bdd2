"""Every URL pattern against every role: the expected allow or deny, and for every action its effect.

``MATRIX`` names the pages and endpoints that read (and the few POSTs that change no form); ``STEPS`` names every
action that changes a form, each with the real values it needs (approve, return with a comment, submit, sign,
reopen, an adjustment request, a save with the version field, a deleted row, an import …) and what it changes in
the database. For each role a step must either take effect (allowed) or be refused with nothing changed, so a
role that gains a right it should not have fails here. Together they must name every pattern of the URLconf (the
Django admin aside, which ``test_admin`` covers): a new view without an entry fails
``test_every_url_pattern_has_an_entry``.

The data are the test's own (``tests/builders.py``): one department with its finance staff and head, another
department's finance staff as the outsider, an auditor and an administrator.
"""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.messages import ERROR, get_messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from projects.choices import DeclarationStatus, Role
from projects.models import Department, DepartmentDeclaration, MonitoringForm, Project, ProjectDeclaration
from projects.selectors import monitoring_page
from projects.services import monitoring, workflow
from projects.services.monitoring_xlsx import export_monitoring
from projects.services.xlsx import export_declaration
from reports.models import ExportJob
from selfeval.models import SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services.filling import EvaluationChanges, evaluation_update
from selfeval.services.signoff import evaluation_digest, evaluation_sign, evaluation_submit
from tests.api.test_api import payload
from tests.builders import (
    make_declaration,
    make_department,
    make_department_declaration,
    make_evaluation,
    make_project,
    make_user,
)
from tests.projects.test_declaration_write import page_post
from tests.projects.test_department_pages import page_data as department_page_data
from tests.projects.test_monitoring_pages import page_data as monitoring_page_data
from tests.reports.test_declaration_xlsx import upload
from tests.selfeval.test_evaluation_pages import page_data as evaluation_page_data

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "finance", "head", "auditor", "admin", "outsider"]
OK, CREATED, REDIRECT, LOGIN, BAD, FORBIDDEN, NOT_FOUND = 200, 201, 302, "login", 400, 403, 404


def row(anonymous, finance, head, auditor, admin, outsider):
    return dict(zip(ROLES, [anonymous, finance, head, auditor, admin, outsider], strict=True))


# name: (method, argument, expected per role) — reads, and POSTs that change no form
MATRIX = {
    "login": ("GET", None, row(OK, OK, OK, OK, OK, OK)),
    "logout": ("POST", None, row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "home": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    "todo": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    "health": ("GET", None, row(OK, OK, OK, OK, OK, OK)),
    "projects:project_list": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    # 项目入库: finance staff of the department and administrators; heads and auditors read the list only
    "projects:project_create": ("GET", None, row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, OK)),
    "projects:project_edit": ("GET", "project", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)),
    "projects:project_template": ("GET", "project", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "projects:declaration": ("GET", "declaration", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "projects:declaration_history": ("GET", "declaration", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "projects:department_declaration_history": ("GET", "overall", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "projects:profile": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),  # one's own profile: every signed-in user
    "projects:department_declaration": ("GET", "overall", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "indicators:parse": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    "indicators:library": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    "reports:declaration_xlsx": ("GET", "declaration", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "reports:declaration_pdf": ("GET", "declaration", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "reports:department_declaration_pdf": ("GET", "overall", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "reports:evaluation_pdf": ("GET", "evaluation", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "reports:exports": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    # a job is its owner's (the department's finance staff here) and the administrators'
    "reports:export_job": ("GET", "export", row(LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND)),
    "reports:export_status": ("GET", "export", row(LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND)),
    "reports:export_download": ("GET", "export", row(LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND)),
    "selfeval:evaluation": ("GET", "evaluation", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    # the signing confirmation: the head of the department, once the form is submitted (a draft here: refused)
    # forms from outside, entered as printed: finance staff and auditors in scope, administrators
    "selfeval:evaluation_printed": ("GET", "evaluation", row(LOGIN, OK, FORBIDDEN, OK, OK, NOT_FOUND)),
    "selfeval:evaluation_printed_template": ("GET", "evaluation", row(LOGIN, OK, FORBIDDEN, OK, OK, NOT_FOUND)),
    "selfeval:evaluation_sign": (
        "GET",
        "evaluation",
        row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    ),
    "selfeval:evaluation_history": ("GET", "evaluation", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "selfeval:dashboard": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    # The API: anonymous requests are refused (403), other departments' objects are not found (404).
    "api:api-root": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:department-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:department-detail": ("GET", "department", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:project-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:project-detail": ("GET", "project", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:declaration-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:declaration-detail": ("GET", "declaration", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:monitoring-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:monitoring-detail": ("GET", "monitoring", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:department-declaration-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:department-declaration-detail": ("GET", "overall", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:evaluation-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:evaluation-detail": ("GET", "evaluation", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:score-report": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:score-report-download": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:token": ("POST", None, row(BAD, BAD, BAD, BAD, BAD, BAD)),  # no password given
    "api:schema": ("GET", None, row(OK, OK, OK, OK, OK, OK)),
    "api:docs": ("GET", None, row(OK, OK, OK, OK, OK, OK)),
    "api:redoc": ("GET", None, row(OK, OK, OK, OK, OK, OK)),
    # The pages a form is edited on (their POSTs are steps below).
    "projects:declaration_edit": ("GET", "declaration", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)),
    "projects:department_declaration_edit": ("GET", "overall", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)),
    "selfeval:evaluation_edit": ("GET", "evaluation", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)),
    # 绩效运行监控: everyone in scope reads; finance staff (and administrators) fill
    "projects:monitoring": ("GET", "monitoring", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "projects:monitoring_edit": ("GET", "monitoring", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)),
    "projects:monitoring_dashboard": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),  # each in their scope
    "reports:monitoring_pdf": ("GET", "monitoring", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "reports:monitoring_xlsx": ("GET", "monitoring", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
}


# -- the actions: the state each one needs, the values it posts, what it changes ----------------------------


def declaration(o) -> ProjectDeclaration:
    return ProjectDeclaration.objects.get(pk=o["declaration"])


def overall(o) -> DepartmentDeclaration:
    return DepartmentDeclaration.objects.get(pk=o["overall"])


def evaluation(o) -> SelfEvaluation:
    return SelfEvaluation.objects.get(pk=o["evaluation"])


def declaration_state(o):
    d = declaration(o)
    return d.status, d.adjustment_requested, d.review_comment, d.leader, d.updated_at, d.indicators.count()


def overall_state(o):
    d = overall(o)
    return d.status, d.adjustment_requested, d.filler, d.updated_at


def evaluation_state(o):
    e = evaluation(o)
    return e.status, e.goal_actual, e.signed_digest, e.updated_at


def submitted(o, u):
    workflow.declaration_submit(declaration=declaration(o), user=u["finance"])


def approved(o, u):
    submitted(o, u)
    workflow.declaration_review(declaration=declaration(o), user=u["head"], approve=True)


def adjustment_requested(o, u):
    approved(o, u)
    workflow.declaration_request_adjustment(declaration=declaration(o), user=u["finance"], reason="预算调减")


def overall_submitted(o, u):
    workflow.declaration_submit(declaration=overall(o), user=u["finance"])


def overall_approved(o, u):
    overall_submitted(o, u)
    workflow.declaration_review(declaration=overall(o), user=u["head"], approve=True)


def overall_adjustment_requested(o, u):
    overall_approved(o, u)
    workflow.declaration_request_adjustment(declaration=overall(o), user=u["finance"], reason="年度任务调整")


def evaluation_filled(o, u):
    e = evaluation(o)
    rows = [
        {"id": r.pk, "actual": "达成", "weight": str(r.section.points), "score_final": str(r.section.points),
         "band": "achieved", "score_reason": "按佐证材料评定。"}  # 达成 is words: scored with a reason
        for r in e.rows.select_related("section")
    ]  # fmt: skip
    changes = EvaluationChanges.from_json({"version": e.updated_at.isoformat(), "rows": rows, "goal_actual": "完成"})
    assert evaluation_update(evaluation=e, user=u["finance"], changes=changes).saved


def seen(o) -> str:
    """The digest the head's sign confirmation posts with the signature."""
    return evaluation_digest(evaluation_with_rows(evaluation(o).pk))


def evaluation_submitted(o, u):
    evaluation_filled(o, u)
    evaluation_submit(evaluation_id=o["evaluation"], user=u["finance"])


def evaluation_signed(o, u):
    evaluation_submitted(o, u)
    evaluation_sign(evaluation_id=o["evaluation"], user=u["head"])


def monitoring_form(o) -> MonitoringForm:
    return MonitoringForm.objects.get(pk=o["monitoring"])


def monitoring_state(o):
    m = monitoring_form(o)
    return m.status, m.version, m.review_comment, m.decisions.count()


def monitoring_filled(o, u):
    m = monitoring_form(o)
    lines, rows = list(m.budget_lines.all()), list(m.rows.all())
    for line in lines:
        line.executed = Decimal("500000")
    for monitored in rows:
        monitored.value_to_date, monitored.likelihood = "1", "certain"
    monitoring.monitoring_save(form=m, user=u["finance"], version=m.version, spending_plan="", budget_lines=lines,
                               rows=rows)  # fmt: skip


def monitoring_submitted(o, u):
    monitoring_filled(o, u)
    monitoring.monitoring_submit(form=monitoring_form(o), user=u["finance"])


def weights(o) -> tuple:
    return tuple(evaluation(o).rows.order_by("seq").values_list("weight", flat=True))


def evaluation_weights_state(o):
    return (*evaluation_state(o), weights(o))


def weights_short(o, u):
    """Each row 5 points short of its section (the scheme changed after the declaration): a rescale is offered."""
    for row in evaluation(o).rows.select_related("section"):
        type(row).objects.filter(pk=row.pk).update(weight=row.section.points - 5)


def as_editor(u, fill: Callable[[Client], dict]) -> dict:
    """Form data read off the edit page by someone who may edit it (the administrator)."""
    client = Client()
    client.force_login(u["admin"])
    return fill(client)


def import_file(o, u) -> dict:
    """The declaration's own template with the 项目负责人 changed: importing it writes the change."""
    book = load_workbook(io.BytesIO(export_declaration(declaration(o))))
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                if cell.value == "张三":
                    cell.value = "李四"
    out = io.BytesIO()
    book.save(out)
    return {"file": upload(out.getvalue())}


def evaluation_count(kind: str):
    def state(o):
        filters = {"project_id": o["approved_project"]} if kind == "project" else {"department_id": o["department"]}
        return SelfEvaluation.objects.filter(kind=kind, year=2030, **filters).count()

    return state


@dataclass(frozen=True)
class Step:
    """One action on one form: ``allowed`` roles change ``state``; every other role gets ``expected`` and changes
    nothing. ``data`` builds the request body from the objects and users once ``prepare`` has run."""

    url: str
    target: str | None
    action: str
    expected: dict
    allowed: frozenset
    state: Callable
    data: Callable = lambda o, u: {}
    prepare: Callable = lambda o, u: None
    method: str = "POST"
    body: str = "form"  # form | json | multipart
    target_args: Callable | None = None
    after: Callable | None = field(default=None)  # what an allowed step leads to, beyond "changed"


FILERS = frozenset({"finance", "admin"})
FINANCE = frozenset({"finance"})  # withdrawing is the office's own act: administrators do not withdraw for it
HEAD = frozenset({"head"})
PAGE_FILER = row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND)  # refusals come back with a message
EDIT = row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND)
API_FILER = row(FORBIDDEN, OK, BAD, BAD, OK, NOT_FOUND)
API_HEAD = row(FORBIDDEN, BAD, OK, BAD, BAD, NOT_FOUND)

STEPS = [
    # 项目绩效目标申报表: the workflow page
    Step("projects:declaration_action", "declaration", "submit", PAGE_FILER, FILERS, declaration_state,
         data=lambda o, u: {"action": "submit"}, after=lambda o: declaration(o).status == "submitted"),
    Step("projects:declaration_action", "declaration", "approve", PAGE_FILER, HEAD, declaration_state,
         data=lambda o, u: {"action": "approve", "comment": "同意"}, prepare=submitted,
         after=lambda o: declaration(o).status == "approved"),
    Step("projects:declaration_action", "declaration", "return", PAGE_FILER, HEAD, declaration_state,
         data=lambda o, u: {"action": "return", "comment": "请补充测算依据"}, prepare=submitted,
         after=lambda o: (declaration(o).status, declaration(o).review_comment) == ("returned", "请补充测算依据")),
    Step("projects:declaration_action", "declaration", "withdraw", PAGE_FILER, FINANCE, declaration_state,
         data=lambda o, u: {"action": "withdraw", "comment": "金额填错"}, prepare=submitted,
         after=lambda o: declaration(o).status == "draft"),
    Step("projects:declaration_action", "declaration", "adjust_request", PAGE_FILER, FILERS, declaration_state,
         data=lambda o, u: {"action": "adjust_request", "comment": "预算调减"}, prepare=approved,
         after=lambda o: declaration(o).adjustment_requested),
    Step("projects:declaration_action", "declaration", "adjust_approve", PAGE_FILER, HEAD, declaration_state,
         data=lambda o, u: {"action": "adjust_approve", "comment": "同意调整"}, prepare=adjustment_requested,
         after=lambda o: declaration(o).status == "draft"),
    Step("projects:declaration_action", "declaration", "adjust_reject", PAGE_FILER, HEAD, declaration_state,
         data=lambda o, u: {"action": "adjust_reject", "comment": "不同意"}, prepare=adjustment_requested,
         after=lambda o: (declaration(o).status, declaration(o).adjustment_requested) == ("approved", False)),
    # its edit page: a save with the version field, a deleted row
    Step("projects:declaration_edit", "declaration", "save", EDIT, FILERS, declaration_state,
         data=lambda o, u: as_editor(u, lambda c: page_post(c, declaration(o), leader="李四")),
         after=lambda o: declaration(o).leader == "李四"),
    Step("projects:declaration_edit", "declaration", "delete_row", EDIT, FILERS, declaration_state,
         data=lambda o, u: as_editor(u, lambda c: page_post(c, declaration(o), **{"indicators-2-DELETE": "on"})),
         after=lambda o: declaration(o).indicators.count() == 2),
    Step("projects:declaration_create", "project", "create", EDIT, FILERS,
         lambda o: ProjectDeclaration.objects.filter(project_id=o["project"], year=2031).count(),
         data=lambda o, u: {"year": "2031"}),
    # the Excel template, imported
    Step("reports:declaration_import", None, "import", row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
         FILERS, declaration_state, data=import_file, body="multipart",
         after=lambda o: declaration(o).leader == "李四"),
    # 部门整体支出绩效目标申报表
    Step("projects:department_declaration_action", "overall", "submit", PAGE_FILER, FILERS, overall_state,
         data=lambda o, u: {"action": "submit"}, after=lambda o: overall(o).status == "submitted"),
    Step("projects:department_declaration_action", "overall", "approve", PAGE_FILER, HEAD, overall_state,
         data=lambda o, u: {"action": "approve", "comment": "同意"}, prepare=overall_submitted,
         after=lambda o: overall(o).status == "approved"),
    Step("projects:department_declaration_action", "overall", "return", PAGE_FILER, HEAD, overall_state,
         data=lambda o, u: {"action": "return", "comment": "请补充年度任务"}, prepare=overall_submitted,
         after=lambda o: overall(o).status == "returned"),
    Step("projects:department_declaration_action", "overall", "withdraw", PAGE_FILER, FINANCE, overall_state,
         data=lambda o, u: {"action": "withdraw"}, prepare=overall_submitted,
         after=lambda o: overall(o).status == "draft"),
    Step("projects:department_declaration_action", "overall", "adjust_request", PAGE_FILER, FILERS, overall_state,
         data=lambda o, u: {"action": "adjust_request", "comment": "年度任务调整"}, prepare=overall_approved,
         after=lambda o: overall(o).adjustment_requested),
    Step("projects:department_declaration_action", "overall", "adjust_approve", PAGE_FILER, HEAD, overall_state,
         data=lambda o, u: {"action": "adjust_approve", "comment": "同意调整"}, prepare=overall_adjustment_requested,
         after=lambda o: (overall(o).status, overall(o).adjustment_requested) == ("draft", False)),
    Step("projects:department_declaration_action", "overall", "adjust_reject", PAGE_FILER, HEAD, overall_state,
         data=lambda o, u: {"action": "adjust_reject", "comment": "不同意"}, prepare=overall_adjustment_requested,
         after=lambda o: (overall(o).status, overall(o).adjustment_requested) == ("approved", False)),
    Step("projects:department_declaration_edit", "overall", "save", EDIT, FILERS, overall_state,
         data=lambda o, u: as_editor(u, lambda c: department_page_data(c, overall(o), filler="李四")),
         after=lambda o: overall(o).filler == "李四"),
    # 绩效自评表
    Step("selfeval:evaluation_create", "approved_declaration", "start", EDIT, FILERS,
         evaluation_count("project")),
    Step("selfeval:department_evaluation_create", "approved_overall", "start", EDIT, FILERS,
         evaluation_count("department")),
    Step("selfeval:evaluation_edit", "evaluation", "save", EDIT, FILERS, evaluation_state,
         data=lambda o, u: as_editor(u, lambda c: evaluation_page_data(c, evaluation(o), goal_actual="基本完成")),
         after=lambda o: evaluation(o).goal_actual == "基本完成"),
    Step("selfeval:evaluation_action", "evaluation", "submit", PAGE_FILER, FILERS, evaluation_state,
         data=lambda o, u: {"action": "submit"}, prepare=evaluation_filled,
         after=lambda o: evaluation(o).status == "submitted"),
    Step("selfeval:evaluation_action", "evaluation", "sign", PAGE_FILER, HEAD, evaluation_state,
         data=lambda o, u: {"action": "sign", "digest": seen(o)}, prepare=evaluation_submitted,
         after=lambda o: evaluation(o).status == "signed"),
    # the sign confirmation page posts the signature with the head's comment
    Step("selfeval:evaluation_action", "evaluation", "sign_with_comment", PAGE_FILER, HEAD, evaluation_state,
         data=lambda o, u: {"action": "sign", "comment": "同意，已核对", "digest": seen(o)},
         prepare=evaluation_submitted,
         after=lambda o: evaluation(o).status == "signed"
         and evaluation(o).events.filter(action="sign", comment="同意，已核对").exists()),
    Step("selfeval:evaluation_action", "evaluation", "return", PAGE_FILER, HEAD, evaluation_state,
         data=lambda o, u: {"action": "return", "comment": "请补充未完成原因"}, prepare=evaluation_submitted,
         after=lambda o: evaluation(o).status == "draft"
         and evaluation(o).events.filter(action="return", comment="请补充未完成原因").exists()),
    Step("selfeval:evaluation_action", "evaluation", "withdraw", PAGE_FILER, FINANCE, evaluation_state,
         data=lambda o, u: {"action": "withdraw", "comment": "分数填错"}, prepare=evaluation_submitted,
         after=lambda o: evaluation(o).status == "draft"
         and evaluation(o).events.filter(action="withdraw", comment="分数填错").exists()),
    Step("selfeval:evaluation_action", "evaluation", "reopen", PAGE_FILER, HEAD, evaluation_state,
         data=lambda o, u: {"action": "reopen", "comment": "数据需要更正"}, prepare=evaluation_signed,
         after=lambda o: evaluation(o).status == "draft"),
    # the proportional rescale of the row weights the edit page offers
    Step("selfeval:evaluation_rescale_weights", "evaluation", "rescale", EDIT, FILERS, evaluation_weights_state,
         data=lambda o, u: {"version": evaluation(o).updated_at.isoformat()}, prepare=weights_short,
         after=lambda o: weights(o) == (50, 30, 10)),
    # the live preview computes from the posted page and writes nothing, for anybody
    Step("selfeval:evaluation_preview", "evaluation", "preview", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
         frozenset(), evaluation_state,
         data=lambda o, u: as_editor(u, lambda c: evaluation_page_data(c, evaluation(o), goal_actual="预览"))),
    # 绩效运行监控: start, save, submit, approve, return, decide
    Step("projects:monitoring_create", "approved_declaration", "start", PAGE_FILER, FILERS,
         lambda o: MonitoringForm.objects.filter(declaration_id=o["approved_declaration"]).count()),
    Step("projects:monitoring_edit", "monitoring", "save", EDIT, FILERS, monitoring_state,
         data=lambda o, u: monitoring_page_data(monitoring_form(o)), after=lambda o: monitoring_form(o).version == 2),
    Step("projects:monitoring_action", "monitoring", "submit", PAGE_FILER, FILERS, monitoring_state,
         data=lambda o, u: {"action": "submit"}, prepare=monitoring_filled,
         after=lambda o: monitoring_form(o).status == "submitted"),
    Step("projects:monitoring_action", "monitoring", "approve", PAGE_FILER, HEAD, monitoring_state,
         data=lambda o, u: {"action": "approve"}, prepare=monitoring_submitted,
         after=lambda o: monitoring_form(o).status == "approved"),
    Step("projects:monitoring_action", "monitoring", "return", PAGE_FILER, HEAD, monitoring_state,
         data=lambda o, u: {"action": "return", "comment": "执行数有误"}, prepare=monitoring_submitted,
         after=lambda o: monitoring_form(o).status == "returned"),
    # the head or the finance bureau (administrators) decides
    Step("projects:monitoring_decide", "monitoring", "decide", PAGE_FILER, frozenset({"head", "admin"}),
         monitoring_state, prepare=monitoring_submitted,
         data=lambda o, u: {"kind": "suspend", "reason": "进度滞后", "respond_by": "2099-12-31"},
         after=lambda o: monitoring_form(o).decisions.get().kind == "suspend"),
    # its Excel template imported back: finance staff (and administrators) while they may edit it
    Step("reports:monitoring_import", "monitoring", "import", EDIT, FILERS, monitoring_state, body="multipart",
         data=lambda o, u: {"file": upload(export_monitoring(monitoring_page(o["monitoring"])), "监控表.xlsx")},
         after=lambda o: monitoring_form(o).version == 2),
    # the API
    Step("api:declaration-submit", "declaration", "submit", API_FILER, FILERS, declaration_state,
         after=lambda o: declaration(o).status == "submitted"),
    Step("api:declaration-approve", "declaration", "approve", API_HEAD, HEAD, declaration_state,
         data=lambda o, u: {"comment": "同意"}, prepare=submitted, body="json",
         after=lambda o: declaration(o).status == "approved"),
    Step("api:declaration-return", "declaration", "return", API_HEAD, HEAD, declaration_state,
         data=lambda o, u: {"comment": "请补充测算依据"}, prepare=submitted, body="json",
         after=lambda o: declaration(o).status == "returned"),
    Step("api:monitoring-detail", "monitoring", "save", API_FILER, FILERS, monitoring_state, method="PUT",
         body="json", data=lambda o, u: {"version": 1, "spending_plan": "10,20,30,40"},
         after=lambda o: monitoring_form(o).spending_plan == "10,20,30,40"),
    Step("api:monitoring-submit", "monitoring", "submit", API_FILER, FILERS, monitoring_state,
         prepare=lambda o, u: monitoring_filled(o, u), after=lambda o: monitoring_form(o).status == "submitted"),
    Step("api:monitoring-approve", "monitoring", "approve", API_HEAD, HEAD, monitoring_state,
         data=lambda o, u: {"comment": "同意"}, prepare=monitoring_submitted, body="json",
         after=lambda o: monitoring_form(o).status == "approved"),
    Step("api:monitoring-return", "monitoring", "return", API_HEAD, HEAD, monitoring_state,
         data=lambda o, u: {"comment": "执行数有误"}, prepare=monitoring_submitted, body="json",
         after=lambda o: monitoring_form(o).status == "returned"),
    # started and decided through the API as on the pages: finance staff start, the head or the finance bureau decides
    Step("api:monitoring-list", None, "start", row(FORBIDDEN, CREATED, BAD, BAD, CREATED, NOT_FOUND), FILERS,
         lambda o: MonitoringForm.objects.filter(declaration_id=o["approved_declaration"]).count(),
         data=lambda o, u: {"declaration": o["approved_declaration"]}, body="json"),
    Step("api:monitoring-decide", "monitoring", "decide", row(FORBIDDEN, BAD, CREATED, BAD, CREATED, NOT_FOUND),
         frozenset({"head", "admin"}), monitoring_state, prepare=monitoring_submitted, body="json",
         data=lambda o, u: {"kind": "暂缓拨款", "reason": "进度滞后", "respond_by": "2099-12-31"},
         after=lambda o: monitoring_form(o).decisions.get().kind == "suspend"),
    Step("api:declaration-list", None, "create", row(FORBIDDEN, CREATED, BAD, BAD, CREATED, BAD), FILERS,
         lambda o: ProjectDeclaration.objects.filter(project_id=o["project"], year=2031).count(),
         data=lambda o, u: payload(o["project_key"], year=2031), body="json"),
    Step("api:declaration-detail", "declaration", "save", row(FORBIDDEN, OK, BAD, BAD, OK, NOT_FOUND), FILERS,
         declaration_state, method="PUT", body="json",
         data=lambda o, u: payload(o["declaration_key"], year=2030, leader="李四",
                                   version=declaration(o).updated_at.isoformat()),
         after=lambda o: declaration(o).leader == "李四"),
    Step("api:evaluation-detail", "evaluation", "save", row(FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND),
         FILERS, evaluation_state, method="PATCH", body="json",
         data=lambda o, u: {"version": evaluation(o).updated_at.isoformat(), "goal_actual": "基本完成"},
         after=lambda o: evaluation(o).goal_actual == "基本完成"),
    # forms from outside, entered as printed (issue 13 point 6): finance staff and auditors in scope
    Step("api:evaluation-printed", "evaluation", "printed", row(FORBIDDEN, OK, FORBIDDEN, OK, OK, NOT_FOUND),
         frozenset({"finance", "auditor", "admin"}), lambda o: (evaluation(o).printed_total, evaluation(o).updated_at),
         data=lambda o, u: {"printed_total": "88"}, body="json",
         after=lambda o: evaluation(o).printed_total == 88),
    Step("api:evaluation-list", None, "start", row(FORBIDDEN, CREATED, FORBIDDEN, FORBIDDEN, CREATED, NOT_FOUND),
         FILERS, evaluation_count("project"), data=lambda o, u: {"declaration": o["approved_declaration"]},
         body="json"),
    Step("api:department-list", None, "create", row(FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED, FORBIDDEN),
         frozenset({"admin"}), lambda o: Department.objects.filter(code="matrix-new").count(),
         data=lambda o, u: {"code": "matrix-new", "name": "新部门", "division_code": "420112"}, body="json"),
    Step("api:project-list", None, "create", row(FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, CREATED, FORBIDDEN),
         frozenset({"admin"}), lambda o: Project.objects.filter(key="matrix-project").count(),
         data=lambda o, u: {"key": "matrix-project", "department": o["department"], "name": "新项目"}, body="json"),
    Step("api:evaluation-submit", "evaluation", "submit", API_FILER, FILERS, evaluation_state,
         prepare=evaluation_filled, after=lambda o: evaluation(o).status == "submitted"),
    Step("api:evaluation-sign", "evaluation", "sign", API_HEAD, HEAD, evaluation_state,
         prepare=evaluation_submitted, after=lambda o: evaluation(o).status == "signed"),
    Step("api:evaluation-return", "evaluation", "return", API_HEAD, HEAD, evaluation_state,
         data=lambda o, u: {"reason": "请补充偏差原因"}, prepare=evaluation_submitted, body="json",
         after=lambda o: evaluation(o).status == "draft"
         and evaluation(o).events.filter(action="return", comment="请补充偏差原因").exists()),
    Step("api:evaluation-withdraw", "evaluation", "withdraw", row(FORBIDDEN, OK, BAD, BAD, BAD, NOT_FOUND),
         frozenset({"finance"}), evaluation_state, data=lambda o, u: {"comment": "填错了"},
         prepare=evaluation_submitted, body="json", after=lambda o: evaluation(o).status == "draft"),
    Step("api:evaluation-reopen", "evaluation", "reopen", API_HEAD, HEAD, evaluation_state,
         data=lambda o, u: {"reason": "数据需要更正"}, prepare=evaluation_signed, body="json",
         after=lambda o: evaluation(o).status == "draft"),
]  # fmt: skip


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_pattern_has_an_entry():
    assert set(url_names()) == set(MATRIX) | {step.url for step in STEPS}


def test_every_action_step_is_allowed_to_someone_and_refused_to_the_others():
    """A step nobody may take would pass whatever the access rules say (the preview aside, which writes nothing)."""
    for step in STEPS:
        assert step.allowed or step.action == "preview", step
        assert "anonymous" not in step.allowed and "outsider" not in step.allowed
        # auditors change no form, except the printed figures of a form received from outside (issue 13 point 6)
        assert "auditor" not in step.allowed or step.action == "printed", step


@pytest.fixture
def users(db):
    department = make_department()
    return {
        "anonymous": None,
        "finance": make_user(role=Role.FINANCE, department=department),
        "head": make_user(role=Role.HEAD, department=department),
        "auditor": make_user(role=Role.AUDITOR),
        "admin": make_user(role=Role.ADMIN),
        "outsider": make_user(role=Role.FINANCE, department=make_department()),
    }


@pytest.fixture
def objects(users):
    department = users["finance"].department
    draft = make_declaration(make_project(department), leader="张三")
    approved = make_declaration(make_project(department), status=DeclarationStatus.APPROVED)
    overall = make_department_declaration(department, year=2029)
    approved_overall = make_department_declaration(department, year=2030, status=DeclarationStatus.APPROVED)
    evaluation = make_evaluation(make_declaration(make_project(department), status=DeclarationStatus.APPROVED))
    monitored = make_declaration(make_project(department), status=DeclarationStatus.APPROVED)
    monitoring_form = monitoring.monitoring_start(declaration=monitored, user=users["finance"])
    export = ExportJob.objects.create(
        user=users["finance"], year=2030, department=department, status="done", total=1,
        file=default_storage.save("exports/matrix.zip", ContentFile(b"PK\x05\x06" + bytes(18))),
    )  # fmt: skip
    return {
        "declaration": draft.pk,
        "declaration_key": draft.project.key,
        "overall": overall.pk,
        "project": draft.project_id,
        "project_key": draft.project.key,
        "evaluation": evaluation.pk,
        "approved_declaration": approved.pk,
        "approved_project": approved.project_id,
        "approved_overall": approved_overall.pk,
        "department": department.pk,
        "export": export.pk,
        "monitoring": monitoring_form.pk,
    }


def login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


def check_status(response, want, context):
    if want == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("login")), context
    else:
        assert response.status_code == want, (*context, response.status_code, getattr(response, "content", b"")[:300])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(client, objects, users, name):
    method, argument, expected = MATRIX[name]
    for role in ROLES:
        login(client, users[role])
        url = reverse(name, args=[objects[argument]] if argument else [])
        response = client.get(url) if method == "GET" else client.post(url, {})
        check_status(response, expected[role], (name, role))


def send(client, step: Step, url: str, data: dict):
    if step.body == "json":
        return getattr(client, step.method.lower())(url, json.dumps(data), content_type="application/json")
    assert step.method == "POST"
    return client.post(url, data)  # a form, with the file for a multipart one


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", STEPS, ids=[f"{s.url}-{s.action}" for s in STEPS])
def test_each_action_takes_effect_for_the_allowed_roles_only(client, objects, users, step, role):
    step.prepare(objects, users)
    data = step.data(objects, users)
    before = step.state(objects)
    login(client, users[role])
    url = reverse(step.url, args=[objects[step.target]] if step.target else [])
    response = send(client, step, url, data)
    after = step.state(objects)
    context = (step.url, step.action, role)
    check_status(response, step.expected[role], context)
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level == ERROR]
    if role in step.allowed:
        assert after != before, ("nothing changed", *context)
        assert not errors, (*context, errors)
        assert step.after is None or step.after(objects), ("not what the step leads to", *context)
    else:
        assert after == before, ("a refused step changed the form", *context)
        if response.status_code == REDIRECT and step.expected[role] != LOGIN:
            assert errors, ("refused without saying why", *context)
