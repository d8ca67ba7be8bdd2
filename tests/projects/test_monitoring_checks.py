"""Stored checks of monitoring forms: made when a form is started, saved, submitted and reviewed, with their basis (the
form's last change, the rule's thresholds and period, the lights' code); made again when that basis is stale
(an edited rule, a new lights version); remade by ``refresh_checks``; read by the board and the API's list instead of
computing the lights of every form on every read, in a fixed number of queries."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import MonitoringCheck, MonitoringForm, MonitoringRule
from projects.services import monitoring as service
from projects.services import monitoring_checks
from projects.services.checks import basis
from projects.services.monitoring_checks import MONITORING_VERSION, current_monitoring_checks, period_stamps
from tests.api.test_api import api
from tests.projects.test_monitoring import FILLED, fill
from tests.projects.test_monitoring_board import monitored

pytestmark = pytest.mark.django_db


def current_basis(form) -> str:
    form = MonitoringForm.objects.get(pk=form.pk)
    return basis(form.updated_at, period_stamps()[form.period_id], MONITORING_VERSION)


def test_each_step_stores_the_check_with_its_basis(dongxihu, finance_user, head_user):
    form = monitored(dongxihu, finance_user, "150", name="培训项目")  # started and saved
    check = MonitoringCheck.objects.get(form=form)
    assert check.basis == current_basis(form)
    assert check.project_light == "red" and check.errors == 0
    assert check.lights["budget"]["colour"] == "yellow"  # 35 % ÷ 7/12 = 60 %
    assert [(r["name"], r["colour"]) for r in check.lights["indicators"]] == [("培训人次", "red"), ("满意度", "green")]
    messages = [f["message"] for f in check.findings]
    assert "红灯：进度 = 1–7月 150 ÷ (600 × 7/12) = 42.9%" in messages
    service.monitoring_submit(form=form, user=finance_user)
    assert MonitoringCheck.objects.get(form=form).basis == current_basis(form)
    service.monitoring_review(form=form, user=head_user, approve=True)
    assert MonitoringCheck.objects.get(form=form).basis == current_basis(form)


def test_a_draft_check_lists_what_is_missing(dongxihu, finance_user):
    from tests.builders import make_declaration, make_project

    declaration = make_declaration(
        make_project(dongxihu), year=2030, status="approved", rows=[("output", "培训人次", "≥600人次")]
    )
    form = service.monitoring_start(declaration=declaration, user=finance_user)
    check = MonitoringCheck.objects.get(form=form)
    assert check.project_light == "none" and check.errors == 3
    assert {f["field"] for f in check.findings} == {"预算执行", "第 1 行“培训人次”"}
    filled = fill(form, finance_user, {1: FILLED[1]})
    assert MonitoringCheck.objects.get(form=filled).errors == 0


def test_an_edited_rule_makes_the_checks_stale_and_a_reader_makes_them_again(dongxihu, finance_user):
    form = monitored(dongxihu, finance_user, "350", name="培训项目")
    before = MonitoringCheck.objects.get(form=form)
    assert before.lights["budget"]["colour"] == "yellow"
    rule = MonitoringRule.objects.get(division_prefix="", year_from=None)
    rule.budget_red_below, rule.budget_yellow_below = 30, 50  # 60 % is green now
    rule.save()
    assert current_basis(form) != before.basis
    (check,) = current_monitoring_checks(MonitoringForm.objects.filter(pk=form.pk))
    assert check.lights["budget"]["colour"] == "green" and check.basis == current_basis(form)
    assert MonitoringCheck.objects.get(form=form).lights["budget"]["colour"] == "green"  # stored


def test_refresh_checks_remakes_stale_monitoring_checks(dongxihu, finance_user):
    form = monitored(dongxihu, finance_user, "350", name="培训项目")
    MonitoringCheck.objects.filter(form=form).update(basis="old", lights={}, project_light="")
    out = StringIO()
    call_command("refresh_checks", stdout=out)
    assert "运行监控表 1 张" in out.getvalue()
    check = MonitoringCheck.objects.get(form=form)
    assert check.basis == current_basis(form) and check.project_light == "yellow"
    out = StringIO()
    call_command("refresh_checks", stdout=out)
    assert "运行监控表 0 张" in out.getvalue()


def test_the_board_reads_stored_checks_without_computing_lights(
    client, dongxihu, finance_user, auditor_user, monkeypatch, django_assert_num_queries, django_assert_max_num_queries
):
    for i in range(3):
        monitored(dongxihu, finance_user, "150", name=f"项目{i}")
    client.force_login(auditor_user)
    url = reverse("projects:monitoring_dashboard")
    client.get(url, {"year": 2030})  # warm the session and the caches of the page

    def refuse(form):
        raise AssertionError("computed the lights of a form whose check is current")

    monkeypatch.setattr(monitoring_checks, "form_lights", refuse)
    with django_assert_max_num_queries(10) as three:
        page = client.get(url, {"year": 2030}).content.decode()
    queries = len(three)  # now: the next request's start empties the connection's log
    assert page.count('data-light="project"') == 3 and page.count("light-red") >= 3
    for i in range(3, 9):
        monkeypatch.undo()
        monitored(dongxihu, finance_user, "150", name=f"项目{i}")
        monkeypatch.setattr(monitoring_checks, "form_lights", refuse)
    client.get(url, {"year": 2030})  # as before: the navigation's counts cached
    with django_assert_num_queries(queries):  # nine forms: the same queries as three
        page = client.get(url, {"year": 2030}).content.decode()
    assert page.count('data-light="project"') == 9


def test_stale_checks_are_made_in_a_batch_not_per_form(
    dongxihu, finance_user, django_assert_max_num_queries, django_assert_num_queries
):
    forms = [monitored(dongxihu, finance_user, "150", name=f"项目{i}") for i in range(6)]
    MonitoringCheck.objects.update(basis="stale")
    scope = MonitoringForm.objects.filter(pk__in=[f.pk for f in forms]).order_by("pk")
    with django_assert_max_num_queries(12):
        checks = current_monitoring_checks(scope)
    assert [c.form_id for c in checks] == [f.pk for f in forms]
    assert all(c.basis == current_basis(c.form) for c in checks)


def test_the_api_list_reads_stored_checks(dongxihu, finance_user, auditor_user, monkeypatch):
    form = monitored(dongxihu, finance_user, "150", name="培训项目")
    monkeypatch.setattr(monitoring_checks, "form_lights", lambda f: (_ for _ in ()).throw(AssertionError("computed")))
    listed = api(auditor_user).get("/api/monitoring-forms/?year=2030").json()["results"]
    assert [(f["id"], f["project_light"]["colour"], f["budget_light"]["colour"]) for f in listed] == [
        (form.pk, "red", "yellow")
    ]
