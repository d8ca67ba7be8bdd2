"""The admin: every model registered, searchable and filterable, scoped by role and department."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from projects.models import Department, Project, ProjectDeclaration
from selfeval.choices import EvaluationStatus
from selfeval.models import SelfEvaluation

pytestmark = pytest.mark.django_db

OUR_APPS = ["projects", "indicators", "selfeval", "reports"]


def our_models():
    return [m for a in OUR_APPS for m in apps.get_app_config(a).get_models()]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_model_is_registered():
    missing = [m._meta.label for m in our_models() if m not in admin.site._registry]
    # Row models without a page of their own are edited inline under their form.
    inline_only = {
        "projects.MergedItem", "projects.DeclarationBasis", "projects.PriorYearBudget", "projects.FundingSource",
        "projects.ExpenseItem", "projects.ProcurementItem", "projects.DepartmentFundLine", "projects.DepartmentFigure",
        "selfeval.SchemeSection", "selfeval.EvaluationSection", "selfeval.EvaluationFunding", "selfeval.EvaluationGoal",
        "selfeval.EvaluationRow",
    }  # fmt: skip
    assert set(missing) == inline_only
    inline_models = {i.model._meta.label for ma in admin.site._registry.values() for i in ma.inlines}
    assert inline_only <= inline_models


@pytest.mark.parametrize("model", [m for m in our_models() if m in admin.site._registry], ids=lambda m: m.__name__)
def test_changelists_search_and_year_filter(client, admin_user_, model):
    client.force_login(admin_user_)
    url = changelist(model)
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "组织"}).status_code == 200
    model_admin = admin.site._registry[model]
    if any(f == "year" or (isinstance(f, str) and f.endswith("__year")) for f in model_admin.list_filter):
        field = next(f for f in model_admin.list_filter if f == "year" or (isinstance(f, str) and f.endswith("year")))
        response = client.get(url, {field: "2019"})
        assert response.status_code == 200
        assert "?e=1" not in response.url if hasattr(response, "url") else True


def test_form_pages_show_their_rows_inline(client, admin_user_):
    client.force_login(admin_user_)
    evaluation = SelfEvaluation.objects.filter(rows__isnull=False).first()
    response = client.get(reverse("admin:selfeval_selfevaluation_change", args=[evaluation.pk]))
    assert response.status_code == 200
    for row in evaluation.rows.all()[:5]:
        assert row.name in response.content.decode()
    declaration = ProjectDeclaration.objects.filter(indicators__isnull=False).first()
    response = client.get(reverse("admin:projects_projectdeclaration_change", args=[declaration.pk]))
    assert response.status_code == 200
    assert declaration.indicators.first().name in response.content.decode()


def test_finance_staff_see_only_their_department(client, finance_user):
    client.force_login(finance_user)
    response = client.get(changelist(SelfEvaluation))
    assert response.status_code == 200
    shown = response.context["cl"].queryset
    assert shown.exclude(department__code__startswith="420112").count() == 0
    other = SelfEvaluation.objects.exclude(department__code__startswith="420112").first()
    change = reverse("admin:selfeval_selfevaluation_change", args=[other.pk])
    assert client.get(change).status_code in {302, 403, 404}
    projects = client.get(changelist(Project)).context["cl"].queryset
    assert set(projects.values_list("department__code", flat=True)) <= set(
        Department.objects.filter(code__startswith="420112").values_list("code", flat=True)
    )
    assert projects.exists()


def test_auditors_read_everything_and_change_nothing(client, auditor_user):
    client.force_login(auditor_user)
    response = client.get(changelist(SelfEvaluation))
    assert response.context["cl"].queryset.count() == SelfEvaluation.objects.count()
    evaluation = SelfEvaluation.objects.first()
    url = reverse("admin:selfeval_selfevaluation_change", args=[evaluation.pk])
    assert client.get(url).status_code == 200
    before = evaluation.printed_total
    response = client.post(url, {"printed_total": "1"})
    assert response.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.printed_total == before
    assert (
        client.post(reverse("admin:selfeval_selfevaluation_delete", args=[evaluation.pk]), {"post": "yes"}).status_code
        == 403
    )


def test_a_signed_self_evaluation_is_read_only_in_the_admin(client, admin_user_):
    evaluation = SelfEvaluation.objects.filter(rows__isnull=False).first()
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.SIGNED)
    client.force_login(admin_user_)
    url = reverse("admin:selfeval_selfevaluation_change", args=[evaluation.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"printed_total": "1"}).status_code == 403
    assert (
        client.post(reverse("admin:selfeval_selfevaluation_delete", args=[evaluation.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert SelfEvaluation.objects.get(pk=evaluation.pk).printed_total == evaluation.printed_total


def test_people_without_a_role_in_the_admin_are_kept_out(client, django_user_model):
    user = django_user_model.objects.create_user("plain", password="pw-for-tests-123", is_staff=False)
    client.force_login(user)
    response = client.get(changelist(SelfEvaluation))
    assert response.status_code == 302
