"""The admin: every model registered, searchable and filterable, scoped by role and department."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from projects.choices import DeclarationStatus
from projects.models import Department, Project, ProjectDeclaration, ReferenceVersion
from selfeval.choices import EvaluationStatus
from selfeval.models import EvaluationEvent, SelfEvaluation
from selfeval.services.signoff import evaluation_return
from tests.builders import make_declaration, make_evaluation, make_project
from tests.conftest import set_status

pytestmark = pytest.mark.django_db

OUR_APPS = ["projects", "indicators", "selfeval", "reports"]


def our_models():
    # Historical models (django-simple-history) are the audit trail, read through their forms.
    return [m for a in OUR_APPS for m in apps.get_app_config(a).get_models() if not m.__name__.startswith("Historical")]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_every_model_is_registered():
    missing = [m._meta.label for m in our_models() if m not in admin.site._registry]
    # Row models without a page of their own are edited inline under their form.
    inline_only = {
        "projects.MergedItem", "projects.DeclarationBasis", "projects.PriorYearBudget", "projects.FundingSource",
        "projects.ExpenseItem", "projects.ProcurementItem", "projects.DepartmentFundLine", "projects.DepartmentFigure",
        "projects.SchemeSection", "projects.SchemeFundingLine", "selfeval.EvaluationSection", "selfeval.EvaluationFunding", "selfeval.EvaluationGoal",
        "selfeval.EvaluationRow", "reports.ExportItem", "projects.MonitoringPeriod", "projects.MonitoringBudgetLine",
        "projects.MonitoringRow",
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
    set_status(evaluation, EvaluationStatus.SIGNED)
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


def test_an_administrator_adds_a_scoring_scheme_without_code(client, admin_user_):
    from projects.models import ScoringScheme

    client.force_login(admin_user_)
    data = {
        "code": "sichuan_2023",
        "name": "四川省项目支出绩效自评（2023）",
        "description": "预算执行 10 分，绩效指标 90 分。",
        "layout": "national",
        "budget_rate_places": "1",
        "cap_budget_score": "on",
        "reverse_rule": "linear",
        "score_places": "2",
        "grade_bands": '[["优", "80"], ["良", "70"], ["中", "60"], ["差", "0"]]',
        "deviation_above": "1.30",
        "is_active": "on",
        "sections-TOTAL_FORMS": "2",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "1000",
        "sections-0-seq": "1", "sections-0-code": "budget", "sections-0-name": "预算执行率", "sections-0-kind": "budget",
        "sections-0-points": "10",
        "sections-1-seq": "2", "sections-1-code": "indicators", "sections-1-name": "绩效指标",
        "sections-1-kind": "indicators", "sections-1-points": "90",
        # the funding block its form prints (issue 13 point 4): configuration, not code
        "funding_lines-TOTAL_FORMS": "1", "funding_lines-INITIAL_FORMS": "0", "funding_lines-MIN_NUM_FORMS": "0",
        "funding_lines-MAX_NUM_FORMS": "1000", "funding_lines-0-seq": "1", "funding_lines-0-name": "资金总额",
    }  # fmt: skip
    # scores are stored with two decimal places: a scheme cannot round them to three
    refused = client.post(reverse("admin:projects_scoringscheme_add"), {**data, "score_places": "3"})
    assert refused.status_code == 200 and "得分保留小数位最多 2 位" in refused.content.decode()
    assert not ScoringScheme.objects.filter(code="sichuan_2023").exists()
    response = client.post(reverse("admin:projects_scoringscheme_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    scheme = ScoringScheme.objects.get(code="sichuan_2023")
    assert [(s.code, s.points) for s in scheme.sections.all()] == [("budget", 10), ("indicators", 90)]
    assert [line.name for line in scheme.funding_lines.all()] == ["资金总额"]

    from selfeval.services.adapters import rules_for
    from selfeval.services.engine import grade_of

    rules = rules_for(scheme)
    assert rules.reverse_rule == "linear"
    assert grade_of(Decimal("85"), rules) == "优"


@pytest.mark.parametrize("bands", ['{"优": 90}', '[["优", "九十"]]', '[["良", "80"], ["优", "90"]]', "[]"])
def test_malformed_grade_bands_are_refused_with_a_message(client, admin_user_, bands):
    from projects.models import ScoringScheme

    client.force_login(admin_user_)
    scheme = ScoringScheme.objects.get(code="hubei_project")
    url = reverse("admin:projects_scoringscheme_change", args=[scheme.pk])
    form = client.get(url).context["adminform"].form
    data = {name: "" if form.initial.get(name) is None else form.initial.get(name) for name in form.fields}
    data.update(
        {
            "grade_bands": bands,
            "cap_budget_score": "on",
            "is_active": "on",
            "sections-TOTAL_FORMS": "0",
            "sections-INITIAL_FORMS": "0",
            "sections-MIN_NUM_FORMS": "0",
            "sections-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "等次划分应写作" in page or (bands == "[]" and "必填" in page)
    scheme.refresh_from_db()
    assert scheme.grade_bands == [["优", "90"], ["良", "80"], ["中", "60"], ["差", "0"]]


def test_the_admin_reads_chinese_for_the_third_party_apps_too(client, admin_user_):
    client.force_login(admin_user_)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录安全" in index and "登录尝试" in index and "登录记录" in index
    assert "Access attempts" not in index and ">Axes<" not in index
    export = client.get(reverse("admin:projects_indicator_export")).content.decode()
    assert "全选" in export and "一级指标" in export
    assert "Select all" not in export and "Level1 Printed" not in export


@pytest.mark.parametrize("status, editable", [(EvaluationStatus.DRAFT, True), (EvaluationStatus.SUBMITTED, False)])
def test_a_self_evaluations_scheme_is_changed_in_the_admin_only_on_a_draft_of_no_declaration(
    client, admin_user_, status, editable
):
    evaluation = SelfEvaluation.objects.filter(declaration__isnull=True, rows__isnull=False).first()
    set_status(evaluation, status)
    client.force_login(admin_user_)
    page = client.get(reverse("admin:selfeval_selfevaluation_change", args=[evaluation.pk])).content.decode()
    assert ('name="scheme"' in page) is editable


# Each page's audience: the office's tables for all staff, the audit trail for auditors and administrators, the
# machinery for administrators only (``projects.admin_base.ScopedAdmin.audience``).
TRAIL = {
    "projects.DeclarationEvent", "projects.DeclarationCheck", "projects.MonitoringCheck", "projects.MonitoringEvent",
    "selfeval.EvaluationEvent", "selfeval.EvaluationCheck", "reports.StoredPdf",
}  # fmt: skip
MACHINERY = {"projects.ReferenceVersion"}


def _may_open(role: str, label: str) -> bool:
    if label in MACHINERY:
        return role == "admin"
    if label in TRAIL:
        return role in {"admin", "auditor"}
    return True


@pytest.mark.parametrize("role", ["finance", "head", "auditor", "admin"])
def test_each_role_sees_the_admin_pages_of_its_audience(
    client, role, finance_user, head_user, auditor_user, admin_user_
):
    user = {"finance": finance_user, "head": head_user, "auditor": auditor_user, "admin": admin_user_}[role]
    client.force_login(user)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    listed = {m["admin_url"] for app in index.context["app_list"] for m in app["models"]}
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        label, url = model._meta.label, changelist(model)
        expected = _may_open(role, label)
        assert (url in listed) is expected, (role, label)
        assert (client.get(url).status_code == 200) is expected, (role, label)


def test_finance_staff_open_no_record_of_the_trail_by_its_url(client, finance_user, head_user):
    project = make_project(finance_user.department)
    evaluation = make_evaluation(make_declaration(project, status=DeclarationStatus.APPROVED))
    set_status(evaluation, EvaluationStatus.SUBMITTED)
    evaluation_return(evaluation_id=evaluation.pk, user=head_user, comment="请补充。")
    event = EvaluationEvent.objects.get(evaluation=evaluation)
    version = ReferenceVersion.objects.get()
    client.force_login(finance_user)
    for url in (
        reverse("admin:selfeval_evaluationevent_change", args=[event.pk]),
        reverse("admin:projects_referenceversion_change", args=[version.pk]),
    ):
        assert client.get(url).status_code == 403
    client.force_login(head_user)
    assert client.get(reverse("admin:selfeval_evaluationevent_change", args=[event.pk])).status_code == 403
