"""Every URL pattern against every role: the expected allow or deny.

The matrix must name every pattern of the URLconf (the Django admin aside, which ``test_admin`` covers):
a new view without an entry fails ``test_every_url_pattern_has_an_entry``.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from projects.models import DepartmentDeclaration, Project, ProjectDeclaration
from selfeval.services.start import evaluation_start
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "finance", "head", "auditor", "admin", "outsider"]
OK, REDIRECT, LOGIN, BAD, FORBIDDEN, NOT_FOUND = 200, 302, "login", 400, 403, 404


def row(anonymous, finance, head, auditor, admin, outsider):
    return dict(zip(ROLES, [anonymous, finance, head, auditor, admin, outsider], strict=True))


# name: (method, argument, expected per role)
MATRIX = {
    "login": ("GET", None, row(OK, OK, OK, OK, OK, OK)),
    "logout": ("POST", None, row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "home": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    "projects:declaration": ("GET", "declaration", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "projects:declaration_edit": ("GET", "declaration", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)),
    "projects:declaration_action": (
        "POST",
        "declaration",
        row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND),
    ),
    "projects:declaration_create": ("POST", "project", row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND)),
    "projects:department_declaration": ("GET", "overall", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "projects:department_declaration_edit": ("GET", "overall", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)),
    "projects:department_declaration_action": (
        "POST",
        "overall",
        row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND),
    ),
    "indicators:parse": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    "indicators:library": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    "reports:declaration_xlsx": ("GET", "declaration", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "reports:declaration_pdf": ("GET", "declaration", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "reports:department_declaration_pdf": ("GET", "overall", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "reports:evaluation_pdf": ("GET", "evaluation", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "reports:exports": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    # a job is its owner's (finance staff of 东西湖 here) and the administrators'
    "reports:export_job": ("GET", "export", row(LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND)),
    "reports:export_status": ("GET", "export", row(LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND)),
    "reports:export_download": ("GET", "export", row(LOGIN, OK, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND)),
    "reports:declaration_import": ("POST", None, row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "selfeval:evaluation": ("GET", "evaluation", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "selfeval:evaluation_edit": ("GET", "evaluation", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)),
    "selfeval:evaluation_preview": ("POST", "evaluation", row(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)),
    "selfeval:evaluation_rescale_weights": (
        "POST",
        "evaluation",
        row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
    ),  # fmt: skip
    "selfeval:evaluation_action": ("POST", "evaluation", row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND)),
    "selfeval:evaluation_history": ("GET", "evaluation", row(LOGIN, OK, OK, OK, OK, NOT_FOUND)),
    "selfeval:department_evaluation_create": (
        "POST",
        "approved_overall",
        row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
    ),
    "selfeval:dashboard": ("GET", None, row(LOGIN, OK, OK, OK, OK, OK)),
    # The API: anonymous requests are refused (403), other departments' objects are not found (404).
    "api:api-root": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:department-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:department-detail": ("GET", "department", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:project-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:project-detail": ("GET", "project", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:declaration-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:declaration-detail": ("GET", "declaration", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    # workflow steps: 400 with the reason where the role may not take the step (or the form is not ready)
    "api:declaration-submit": ("POST", "declaration", row(FORBIDDEN, OK, BAD, BAD, BAD, NOT_FOUND)),
    "api:declaration-approve": ("POST", "declaration", row(FORBIDDEN, BAD, BAD, BAD, BAD, NOT_FOUND)),
    "api:declaration-return": ("POST", "declaration", row(FORBIDDEN, BAD, BAD, BAD, BAD, NOT_FOUND)),
    "api:department-declaration-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:department-declaration-detail": ("GET", "overall", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:evaluation-list": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:evaluation-detail": ("GET", "evaluation", row(FORBIDDEN, OK, OK, OK, OK, NOT_FOUND)),
    "api:evaluation-submit": ("POST", "evaluation", row(FORBIDDEN, BAD, BAD, BAD, BAD, NOT_FOUND)),
    "api:evaluation-sign": ("POST", "evaluation", row(FORBIDDEN, BAD, BAD, BAD, BAD, NOT_FOUND)),
    "api:evaluation-reopen": ("POST", "evaluation", row(FORBIDDEN, BAD, BAD, BAD, BAD, NOT_FOUND)),
    "api:score-report": ("GET", None, row(FORBIDDEN, OK, OK, OK, OK, OK)),
    "api:token": ("POST", None, row(BAD, BAD, BAD, BAD, BAD, BAD)),  # no password given
    "api:schema": ("GET", None, row(OK, OK, OK, OK, OK, OK)),
    "api:docs": ("GET", None, row(OK, OK, OK, OK, OK, OK)),
    "api:redoc": ("GET", None, row(OK, OK, OK, OK, OK, OK)),
    "selfeval:evaluation_create": (
        "POST",
        "approved_declaration",
        row(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT, NOT_FOUND),
    ),
}


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
    assert set(url_names()) == set(MATRIX)


@pytest.fixture
def objects(dongxihu, finance_user):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reports.models import ExportJob

    draft = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    ProjectDeclaration.objects.filter(pk=draft.pk).update(status="draft")
    overall = DepartmentDeclaration.objects.get(department=dongxihu, year=2021)
    approved_overall = DepartmentDeclaration.objects.create(department=dongxihu, year=2022, status="approved")
    from projects.models import Goal

    Goal.objects.create(department_declaration=approved_overall, kind="annual", seq=1, text="年度目标")
    DepartmentDeclaration.objects.filter(pk=overall.pk).update(status="draft")
    approved = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    approved_other = ProjectDeclaration.objects.get(project__key="dxh2021-bgjf")
    evaluation = evaluation_start(declaration=approved)
    return {
        "declaration": draft.pk,
        "overall": overall.pk,
        "project": Project.objects.get(key="dxh2021-djsfd").pk,
        "evaluation": evaluation.pk,
        "approved_declaration": approved_other.pk,
        "approved_overall": approved_overall.pk,
        "department": dongxihu.pk,
        "export": ExportJob.objects.create(
            user=finance_user,
            year=2021,
            department=dongxihu,
            status="done",
            total=1,
            file=default_storage.save("exports/matrix.zip", ContentFile(b"PK\x05\x06" + bytes(18))),
        ).pk,  # fmt: skip
    }


@pytest.fixture
def users(finance_user, head_user, auditor_user, outsider_user):
    return {
        "anonymous": None, "finance": finance_user, "head": head_user, "auditor": auditor_user,
        "admin": make_user("t-matrix-admin", "admin", None), "outsider": outsider_user,
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(client, objects, users, name):
    method, argument, expected = MATRIX[name]
    for role in ROLES:
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        args = [objects[argument]] if argument else []
        url = reverse(name, args=args)
        data = {"year": "2023"} if name.endswith("declaration_create") else {}
        response = client.get(url) if method == "GET" else client.post(url, data)
        want = expected[role]
        if want == LOGIN:
            assert response.status_code == 302 and response.url.startswith(reverse("login")), (name, role)
        else:
            assert response.status_code == want, (name, role, response.status_code)
