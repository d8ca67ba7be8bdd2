"""Sign-off: only the department's head signs; a signed form is locked on every path; the digest shows tampering."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from selfeval.locking import EvaluationLocked
from selfeval.models import EvaluationRow, EvaluationSection, SelfEvaluation
from selfeval.services.scoring import evaluation_score
from selfeval.services.signoff import SignoffError, digest_matches, evaluation_reopen, evaluation_sign
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def form():
    return SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019)


@pytest.fixture
def signed(form, hongshan_head):
    return evaluation_sign(evaluation_id=form.pk, user=hongshan_head)


def test_the_head_signs_and_the_digest_is_recorded(signed, hongshan_head):
    assert (signed.status, signed.signed_by) == ("signed", hongshan_head)
    assert signed.signed_at is not None and len(signed.signed_digest) == 64
    assert digest_matches(signed.pk)
    event = signed.events.get()
    assert (event.action, event.user, event.digest) == ("sign", hongshan_head, signed.signed_digest)


def test_only_the_head_of_that_department_signs(form, head_user, finance_user, auditor_user):
    for user in (head_user, finance_user, auditor_user):  # head_user heads 东西湖, not 洪山
        with pytest.raises(SignoffError, match="只有本部门负责人"):
            evaluation_sign(evaluation_id=form.pk, user=user)
    form.refresh_from_db()
    assert form.status == "submitted"


def test_a_draft_is_not_signed(form, hongshan_head):
    set_status(form, "draft")
    with pytest.raises(SignoffError, match="只能签署已提交"):
        evaluation_sign(evaluation_id=form.pk, user=hongshan_head)


def test_the_lock_holds_on_every_path(signed):
    row = signed.rows.first()
    section = signed.sections.first()
    attempts = [
        lambda: setattr(signed, "printed_total", Decimal(1)) or signed.save(),
        lambda: signed.delete(),
        lambda: setattr(row, "actual", "改") or row.save(),
        lambda: row.delete(),
        lambda: section.delete(),
        lambda: EvaluationRow.objects.filter(evaluation=signed).update(actual="改"),
        lambda: EvaluationRow.objects.filter(evaluation=signed).delete(),
        lambda: EvaluationSection.objects.filter(evaluation=signed).update(printed_score=1),
        lambda: SelfEvaluation.objects.filter(pk=signed.pk).update(printed_total=1),
        lambda: SelfEvaluation.objects.filter(pk=signed.pk).delete(),
        lambda: EvaluationRow.objects.bulk_update([row], ["actual"]),
        lambda: evaluation_score(evaluation_id=signed.pk),
    ]
    for attempt in attempts:
        with pytest.raises(EvaluationLocked, match="已签署"), transaction.atomic():
            attempt()
    assert digest_matches(signed.pk)


def test_reloading_the_seeds_keeps_a_signed_form(signed):
    call_command("load_seeds", "--replace", "--no-users", stdout=StringIO())
    signed.refresh_from_db()
    assert signed.status == "signed" and digest_matches(signed.pk)


def test_the_digest_shows_a_change_made_behind_the_application(signed):
    row = signed.rows.first()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {EvaluationRow._meta.db_table} SET actual = %s WHERE id = %s", ["篡改", row.pk])
    assert not digest_matches(signed.pk)


def test_reopening_needs_a_reason_and_is_logged(signed, hongshan_head, finance_user):
    with pytest.raises(SignoffError, match="理由"):
        evaluation_reopen(evaluation_id=signed.pk, user=hongshan_head, reason=" ")
    with pytest.raises(SignoffError, match="只有本部门负责人"):
        evaluation_reopen(evaluation_id=signed.pk, user=finance_user, reason="数据有误需更正")
    reopened = evaluation_reopen(evaluation_id=signed.pk, user=hongshan_head, reason="审计发现第 3 行完成值有误。")
    assert (reopened.status, reopened.signed_digest, reopened.signed_by) == ("draft", "", None)
    event = reopened.events.order_by("at", "id").last()
    assert (event.action, event.comment) == ("reopen", "审计发现第 3 行完成值有误。")
    row = reopened.rows.first()
    row.actual = "已更正"
    row.save()  # editable again
    assert reopened.history.count() >= 2  # the audit trail kept each version


def test_history_records_who_changed_a_row(form, finance_user):
    from simple_history.utils import update_change_reason

    row = form.rows.first()
    row._history_user = finance_user
    row.actual = "4人"
    row.save()
    update_change_reason(row, "更正完成值")
    latest = row.history.first()
    assert (latest.history_user, latest.actual, latest.history_change_reason) == (finance_user, "4人", "更正完成值")
    assert latest.prev_record.actual != "4人"
