"""The PDF of a form that is not final yet is rendered once per version of the form (reports/services/kept.py): a
second download is the same file without rendering; a change through any path, or a workflow step, renders it again;
the scope is checked on every download, before the cache."""

import pytest
from django.core.cache import caches
from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import ProjectDeclaration
from projects.services import workflow
from reports.services import pdf as pdf_service
from selfeval.services.start import evaluation_start
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def renders(monkeypatch):
    """Count the renders (each a real one), and start from an empty cache."""
    caches["pdfs"].clear()
    count = []
    real = pdf_service.render_pdf

    def counted(html):
        count.append(html)
        return real(html)

    monkeypatch.setattr(pdf_service, "render_pdf", counted)
    return count


@pytest.fixture
def draft(db):
    return evaluation_start(declaration=ProjectDeclaration.objects.get(project__key="dxh2021-jxkp"))


def download(client, name, pk) -> bytes:
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_a_draft_self_evaluation_is_rendered_once_until_it_changes(client, finance_user, auditor_user, draft, renders):
    client.force_login(finance_user)
    download(client, "reports:evaluation_pdf", draft.pk)  # the new form's check is made: kept from the next one on
    first = download(client, "reports:evaluation_pdf", draft.pk)
    client.force_login(auditor_user)
    assert download(client, "reports:evaluation_pdf", draft.pk) == first  # another reader: the same file
    assert len(renders) == 2
    api = APIClient()
    api.force_authenticate(finance_user)
    version = api.get(f"/api/evaluations/{draft.pk}/").json()["version"]
    row = draft.rows.order_by("seq").first()
    changes = {"version": version, "rows": [{"id": row.pk, "actual": "接口填写的实际值"}]}
    assert api.patch(f"/api/evaluations/{draft.pk}/", changes, format="json").status_code == 200
    changed = download(client, "reports:evaluation_pdf", draft.pk)
    assert changed != first and len(renders) == 3 and "接口填写的实际值" in renders[-1]
    assert download(client, "reports:evaluation_pdf", draft.pk) == changed and len(renders) == 3


def test_a_workflow_step_renders_again(client, finance_user, head_user, renders):
    declaration = ProjectDeclaration.objects.filter(project__department__code="420112-zzb", status="approved").first()
    set_status(declaration, "submitted")  # moves the status only: the status is part of the file's key
    client.force_login(finance_user)
    submitted = download(client, "reports:declaration_pdf", declaration.pk)
    assert download(client, "reports:declaration_pdf", declaration.pk) == submitted and len(renders) == 1
    workflow.declaration_review(declaration=declaration, user=head_user, approve=False, comment="请补充测算依据。")
    download(client, "reports:declaration_pdf", declaration.pk)
    assert len(renders) == 2  # rendered again (the returned form prints the same sheet)


def test_the_scope_is_checked_before_the_cache(client, finance_user, outsider_user, draft, renders):
    client.force_login(finance_user)
    download(client, "reports:evaluation_pdf", draft.pk)
    download(client, "reports:evaluation_pdf", draft.pk)
    client.force_login(outsider_user)
    assert client.get(reverse("reports:evaluation_pdf", args=[draft.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("reports:evaluation_pdf", args=[draft.pk])).status_code == 302  # to the login page
