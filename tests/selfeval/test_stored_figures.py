"""One stored copy of each computed figure: the form's stored check, written by ``checks.save_figures`` (one form)
and ``checks.refresh_checks`` (stale ones in batches), read by the lists, the overviews, the home page, the sheet
and the API. A signed form keeps what was signed."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import ScoringScheme
from selfeval.locking import EvaluationLocked
from selfeval.models import EvaluationCheck, EvaluationFunding, EvaluationGoal, EvaluationSection, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services import checks, engine
from selfeval.services.adapters import form_input
from selfeval.services.scoring import evaluation_score
from selfeval.services.signoff import evaluation_reopen, evaluation_sign
from selfeval.sheets import evaluation_sheet
from tests.conftest import set_status
from tests.selfeval.test_evaluation_pages import fill_everything, page_data, started  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
ALL_BANDS_POOR = [["优", "100.01"], ["良", "100.01"], ["中", "100.01"], ["差", "0"]]


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def form():
    return SelfEvaluation.objects.get(project__key="hs2019-rcyz", year=2019)


def test_no_form_keeps_a_second_copy_of_a_computed_figure():
    for model in (SelfEvaluation, EvaluationSection, EvaluationFunding, EvaluationGoal):
        assert not [f.name for f in model._meta.get_fields() if f.name.startswith("computed_")], model


def test_only_the_checks_module_writes_the_stored_figures():
    """Every EvaluationCheck is built by ``check_of`` and stored by the checks module; no other module of the
    apps constructs, updates or stores one."""
    writes = re.compile(
        r"(?<!class )EvaluationCheck\(|EvaluationCheck\.objects\.(update|create|bulk_)|upsert_checks\(|store_quietly\("
    )
    writers = set()
    for app in ("indicators", "projects", "selfeval", "reports", "perfbudget"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts and writes.search(path.read_text()):
                writers.add(path.relative_to(ROOT).as_posix())
    assert writers == {
        "selfeval/services/checks.py",
        "projects/services/checks.py",
        "projects/services/monitoring_checks.py",
    }
    for other in ("projects/services/checks.py", "projects/services/monitoring_checks.py"):  # their own checks only
        assert "EvaluationCheck(" not in (ROOT / other).read_text()


def test_the_api_and_the_page_show_a_seeded_forms_figures(client, auditor_user):
    evaluation = SelfEvaluation.objects.get(
        project__name="组织日常运转经费", year=2019
    )  # loaded, never saved on a page
    detail = api(auditor_user).get(f"/api/evaluations/{evaluation.pk}/").json()
    assert (detail["computed_total"], detail["computed_grade"]) == ("92.98", "优")
    assert detail["result"]["total"] == detail["computed_total"] and detail["result"]["budget_score"] == "19.98"
    assert {s["code"]: s["computed_score"] for s in detail["sections"]}["indicators"] == "54.00"
    assert all(s["computed_score"] is not None for s in detail["sections"] if s["points"] is not None)
    listed = api(auditor_user).get("/api/evaluations/", {"year": 2019, "page_size": 100}).json()["results"]
    assert {e["id"]: e["computed_total"] for e in listed}[evaluation.pk] == "92.98"
    assert all(e["computed_total"] is not None for e in listed)

    client.force_login(auditor_user)
    response = client.get(reverse("selfeval:evaluation", args=[evaluation.pk]))
    scores = response.content.decode().split("<h2>得分</h2>")[1].split("</section>")[0]
    for section in evaluation.sections.all():
        row = re.search(rf"<tr><td>{re.escape(section.name)}.*?</tr>", scores).group(0)
        assert not row.endswith("<td>—</td></tr>"), row  # the 系统计算 column has a figure
    assert "<td>54</td></tr>" in scores


def test_a_save_on_the_page_is_what_the_lists_show(client, started, auditor_user):  # noqa: F811
    edit = reverse("selfeval:evaluation_edit", args=[started.pk])
    assert client.post(edit, fill_everything(client, started, action="save")).status_code == 302
    before = EvaluationCheck.objects.get(evaluation=started)
    assert before.computed_total == Decimal("96.34")
    assert client.post(edit, page_data(client, started, **{"funding-0-executed": "600"})).status_code == 302
    after = EvaluationCheck.objects.get(evaluation=started)
    live = engine.score_form(form_input(evaluation_with_rows(started.pk)))
    assert after.computed_total == live.total != before.computed_total
    assert after.section_scores == {code: str(v) for code, v in live.section_scores.items() if v is not None}
    assert checks.refresh_stale(SelfEvaluation.objects.filter(pk=started.pk))[1] == {}  # current: nothing to remake

    listed = api(auditor_user).get("/api/evaluations/", {"year": 2021}).json()["results"]
    assert {e["id"]: e["computed_total"] for e in listed}[started.pk] == str(after.computed_total)
    home = client.get(reverse("home"), {"year": 2021})
    (row,) = [r for r in home.context["rows"] if r["evaluation"] and r["evaluation"].pk == started.pk]
    assert row["evaluation"].figures.pk == after.pk
    assert f"· {after.computed_total} 分" in home.content.decode()


def test_a_signed_form_keeps_its_figures_through_a_new_engine_version_and_a_scheme_edit(
    form, hongshan_head, auditor_user, monkeypatch
):
    set_status(form, "submitted")
    evaluation_sign(evaluation_id=form.pk, user=hongshan_head)
    at_signing = EvaluationCheck.objects.get(evaluation=form)
    assert at_signing.signed and at_signing.grade in ("优", "良")
    kept = lambda c: (c.computed_total, c.grade, c.budget_score, c.section_scores, c.funding_rates, c.basis)  # noqa: E731

    # The engine's version is raised and the scheme edited: every other check of the scheme is stale now …
    monkeypatch.setattr(checks, "EVALUATION_VERSION", "e999.c999.p999")
    scheme = ScoringScheme.objects.get(pk=form.scheme_id)
    scheme.grade_bands = ALL_BANDS_POOR
    scheme.save()
    checks.refresh_all()
    checks.current_checks(SelfEvaluation.objects.all(), wait=True)
    checks.refresh_checks([form.pk])
    checks.save_figures(evaluation_with_rows(form.pk))
    with pytest.raises(EvaluationLocked):
        evaluation_score(evaluation_id=form.pk)
    others = EvaluationCheck.objects.filter(evaluation__scheme=scheme, computed_total__isnull=False).exclude(
        evaluation=form
    )
    assert others.exists() and set(others.values_list("grade", flat=True)) == {"差"}

    # … but the signed form's figures are those at signing, wherever they are read.
    assert kept(EvaluationCheck.objects.get(evaluation=form)) == kept(at_signing)
    assert evaluation_sheet(evaluation_with_rows(form.pk))["result"].grade == at_signing.grade
    detail = api(auditor_user).get(f"/api/evaluations/{form.pk}/").json()
    assert (detail["computed_grade"], detail["result"]["grade"]) == (at_signing.grade, at_signing.grade)
    (line,) = [
        e for e in api(auditor_user).get("/api/evaluations/", {"year": 2019}).json()["results"] if e["id"] == form.pk
    ]
    assert line["computed_grade"] == at_signing.grade

    # Reopened, it is scored again with the rules of the day.
    evaluation_reopen(evaluation_id=form.pk, user=hongshan_head, reason="更正执行数")
    reopened = EvaluationCheck.objects.get(evaluation=form)
    assert not reopened.signed and reopened.grade == "差"
