"""Stored checks: the overviews read each form's engine and checker results, never stale ones."""

import pytest
from django.urls import reverse

from projects.models import ScoringScheme
from projects.services import checks as declaration_checks
from selfeval.models import EvaluationCheck, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services import checks, dashboard, engine
from selfeval.services.adapters import form_input
from selfeval.services.filling import EvaluationChanges, evaluation_update
from selfeval.services.findings import evaluation_findings
from selfeval.services.signoff import evaluation_sign
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


def live(pk: int) -> tuple:
    """What the engine and the checker say now, computed from the form itself."""
    evaluation = evaluation_with_rows(pk)
    result = engine.score_form(form_input(evaluation))
    return result.total, result.grade, result.budget_rate, [f.as_dict() for f in evaluation_findings(evaluation)]


def stored(pk: int) -> tuple:
    (check,) = checks.current_checks(SelfEvaluation.objects.filter(pk=pk))
    return check.computed_total, check.grade, check.budget_rate, check.findings


@pytest.fixture
def form():
    return SelfEvaluation.objects.get(project__key="hs2019-rcyz", year=2019)  # 聘请人才专员人数: 5人, 3人


def test_every_seed_form_reads_what_the_engine_and_checker_say():
    for pk in SelfEvaluation.objects.values_list("pk", flat=True):
        assert stored(pk) == live(pk)
    assert EvaluationCheck.objects.count() == SelfEvaluation.objects.count()


def test_an_edit_on_the_page_updates_the_stored_check(form, outsider_user):
    set_status(form, "draft")
    form = evaluation_with_rows(form.pk)
    row = next(r for r in form.rows.all() if r.name == "聘请人才专员人数")
    checks.refresh_all()
    before = EvaluationCheck.objects.get(evaluation=form)
    assert any(u["name"] == row.name for u in before.unmet)
    changes = EvaluationChanges(version=form.updated_at.isoformat(), rows={row.pk: {"actual": row.target}})
    assert evaluation_update(evaluation=form, user=outsider_user, changes=changes).saved
    # stored by the save itself: nothing is stale for a reader, and the stored row says what the engine says
    assert checks.refresh_stale(SelfEvaluation.objects.filter(pk=form.pk))[1] == {}
    after = EvaluationCheck.objects.get(evaluation=form)
    assert not any(u["name"] == row.name for u in after.unmet)
    assert (after.computed_total, after.grade, after.budget_rate, after.findings) == live(form.pk)


def test_signing_keeps_the_check_current(form, hongshan_head):
    checks.refresh_all()
    evaluation_sign(evaluation_id=form.pk, user=hongshan_head)
    assert checks.refresh_stale(SelfEvaluation.objects.filter(pk=form.pk))[1] == {}  # stored by the signing


def test_a_check_made_before_a_scheme_edit_is_not_taken_for_current(form):
    loaded = evaluation_with_rows(form.pk)  # a save loads the form and its scheme …
    scheme = ScoringScheme.objects.get(pk=form.scheme_id)
    scheme.grade_bands = [["优", "100.01"], ["良", "100.01"], ["中", "100.01"], ["差", "0"]]
    scheme.save()  # … the scheme is edited meanwhile …
    checks.save_figures(loaded)  # … and the save stores what it computed with the old rules
    assert EvaluationCheck.objects.get(evaluation=form).grade != "差"
    assert stored(form.pk) == live(form.pk) and stored(form.pk)[1] == "差"


def test_a_changed_scheme_is_read_with_its_new_rules(form):
    total, grade, *_ = stored(form.pk)
    assert total is not None and grade in ("优", "良")
    scheme = ScoringScheme.objects.get(pk=form.scheme_id)
    scheme.grade_bands = [["优", "100.01"], ["良", "100.01"], ["中", "100.01"], ["差", "0"]]
    scheme.save()
    assert stored(form.pk) == live(form.pk)
    assert stored(form.pk)[1] == "差"


def test_a_form_changed_since_its_check_is_checked_again(form):
    checks.current_checks(SelfEvaluation.objects.filter(pk=form.pk))
    EvaluationCheck.objects.filter(evaluation=form).update(grade="差", findings=[])  # as if made before the change
    form.notes = ["录入说明改过"]
    form.save(update_fields=["notes", "updated_at"])
    assert stored(form.pk) == live(form.pk)


def test_the_province_view_lists_departments_and_one_department_lists_its_forms(
    client, auditor_user, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(dashboard, "DETAIL_LIMIT", 1)  # even 洪山's 2 forms are listed once it is picked
    client.force_login(auditor_user)
    checks.refresh_checks(SelfEvaluation.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(12):
        province = client.get(reverse("selfeval:dashboard"), {"year": "2019"}).context
    assert province["forms"] == 16 and not province["detailed"] and province["lines"] == []
    assert province["unmet_count"] >= 2 and province["with_findings_count"] >= 1
    page = client.get(reverse("selfeval:dashboard"), {"year": "2019"}).content.decode()
    assert "点击上方表格里的部门" in page
    hongshan = next(d for d in province["summary"] if d["department"] == "中国共产党武汉市洪山区委组织部")
    assert hongshan["forms"] == 2
    one = client.get(reverse("selfeval:dashboard"), {"year": "2019", "department": hongshan["id"]}).context
    assert one["detailed"] and one["forms"] == 2
    assert {line.department for line in one["lines"]} == {"中国共产党武汉市洪山区委组织部"}
    assert ("聘请人才专员人数", "3人") in {(u["row"]["name"], u["row"]["actual"]) for u in one["unmet"]}
    for junk in ("abc", "99999999999999999999", "-1", "²", "１２", "1.5"):
        assert client.get(reverse("selfeval:dashboard"), {"year": "2019", "department": junk}).status_code == 200


def test_another_department_stays_out_of_scope(client, finance_user, hongshan):
    client.force_login(finance_user)  # 东西湖
    context = client.get(reverse("selfeval:dashboard"), {"year": "2019", "department": hongshan.pk}).context
    assert context["forms"] == 0 and context["summary"] == []


def test_declaration_checks_are_the_checker_live_and_follow_a_change():
    from projects.models import DeclarationCheck, ProjectDeclaration
    from projects.services.findings import declaration_findings

    def now(d):
        (check,) = declaration_checks.current_declaration_checks(ProjectDeclaration.objects.filter(pk=d.pk))
        return check.findings

    for d in ProjectDeclaration.objects.all():
        assert now(d) == [f.as_dict() for f in declaration_findings(d)]
    office = ProjectDeclaration.objects.get(project__name="办公经费")  # 001: 10+10+12+10 = 42, 合计 45
    assert "expense_total" in {f["code"] for f in now(office)}
    set_status(office, "draft")  # a submitted or approved declaration is locked
    item = office.expense_items.order_by("pk").first()
    item.amount += office.expense_total - sum(e.amount for e in office.expense_items.all())
    item.save()
    assert "expense_total" not in {f["code"] for f in now(office)}  # a row saved alone moves the declaration
    assert DeclarationCheck.objects.filter(declaration=office).count() == 1
    satisfaction = office.indicators.filter(level1__code="satisfaction")
    assert satisfaction.exists() and "level1_missing" not in {f["code"] for f in now(office)}
    for indicator in satisfaction:
        indicator.delete()  # as the indicator admin's delete does
    assert "level1_missing" in {f["code"] for f in now(office)}


def test_a_scheme_edit_remakes_its_forms_checks_in_the_background(form, django_capture_on_commit_callbacks):
    checks.refresh_all()
    scheme = ScoringScheme.objects.get(pk=form.scheme_id)
    scheme.grade_bands = [["优", "100.01"], ["良", "100.01"], ["中", "100.01"], ["差", "0"]]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        scheme.save()  # as the admin does; the task runs eagerly here, on a worker in production
    assert callbacks
    check = EvaluationCheck.objects.get(evaluation=form)
    assert (
        check.basis == checks.evaluation_basis(form.updated_at, checks.scheme_stamps()[form.scheme_id], None)
        and check.grade == "差"
    )
    assert checks.refresh_all() == (0, 0, 0)  # nothing left stale for a reader


def test_the_refresh_command_remakes_what_is_stale(form):
    from io import StringIO

    from django.core.management import call_command

    checks.refresh_all()
    form.notes = ["录入说明改过"]
    form.save(update_fields=["notes", "updated_at"])
    out = StringIO()
    call_command("refresh_checks", stdout=out)
    assert out.getvalue().strip() == "重新检查：自评表 1 张，申报表 0 张，运行监控表 0 张。"


def test_same_named_departments_stay_apart_on_the_dashboard(client, auditor_user, hongshan):
    from projects.models import Department

    twin = Department.objects.get(code="420104-zzb")  # 硚口: renamed like 洪山 for this test
    Department.objects.filter(pk=twin.pk).update(name=hongshan.name)
    for year in SelfEvaluation.objects.filter(department=twin).values_list("year", flat=True).distinct():
        client.force_login(auditor_user)
        summary = client.get(reverse("selfeval:dashboard"), {"year": year}).context["summary"]
        ids = [d["id"] for d in summary]
        assert len(ids) == len(set(ids)) and twin.pk in ids


def test_too_many_stale_checks_for_a_page_say_so_and_change_nothing(client, auditor_user, monkeypatch):
    checks.refresh_all()
    SelfEvaluation.objects.filter(year=2019).update(notes=["改过"])  # no updated_at: make them stale by hand
    EvaluationCheck.objects.filter(evaluation__year=2019).update(basis="old")
    monkeypatch.setattr(checks, "READER_LIMIT", 3)
    client.force_login(auditor_user)
    page = client.get(reverse("selfeval:dashboard"), {"year": "2019"})
    assert page.status_code == 200 and "检查结果正在重新计算" in page.content.decode()
    api = client.get("/api/score-report/", {"year": "2019", "kind": "selfeval"})
    assert api.status_code == 503 and "正在重新计算" in api.json()["detail"] and api["Retry-After"]
    assert EvaluationCheck.objects.filter(evaluation__year=2019, basis="old").count() == 16


def test_a_restore_or_fixture_load_does_not_queue_check_work(monkeypatch):
    from selfeval import tasks

    queued = []
    monkeypatch.setattr("django.db.transaction.on_commit", queued.append)
    scheme = ScoringScheme.objects.first()
    tasks.on_scheme_changed(ScoringScheme, scheme, raw=True)
    assert queued == []
    tasks.on_scheme_changed(ScoringScheme, scheme, raw=False)
    assert len(queued) == 1


def test_a_page_reading_while_a_form_is_saved_neither_waits_nor_fails(form):
    """A writer saving the form holds its check row; the reader keeps what it computed and stores nothing."""
    import threading
    import time

    from django.db import connection, connections, transaction
    from django.utils import timezone

    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections: PostgreSQL, the production database")
    holding, release, errors = threading.Event(), threading.Event(), []

    def writer():
        try:
            SelfEvaluation.objects.filter(pk=form.pk).update(updated_at=timezone.now())  # committed: stale now
            with transaction.atomic():
                checks.save_figures(evaluation_with_rows(form.pk, for_update=True))
                holding.set()
                release.wait(10)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
            holding.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10) and not errors
        started = time.perf_counter()
        (check,) = checks.current_checks(SelfEvaluation.objects.filter(pk=form.pk))
        assert time.perf_counter() - started < 5
        assert (check.computed_total, check.grade, check.budget_rate, check.findings) == live(form.pk)
    finally:
        release.set()
        thread.join(10)
    assert not errors
