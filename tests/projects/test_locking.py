"""The workflow in the model layer: workflow fields change only in a transition; submitted and approved
declarations and their rows, and signed self-evaluations, are locked on every path."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from projects.locking import DeclarationLocked, FormLocked, WorkflowFieldsLocked
from projects.models import (
    DepartmentDeclaration,
    DepartmentFundLine,
    ExpenseItem,
    FundingSource,
    Goal,
    Indicator,
    ProjectDeclaration,
)
from projects.services import workflow
from selfeval.locking import EvaluationLocked
from selfeval.models import EvaluationRow, SelfEvaluation
from selfeval.services.signoff import evaluation_reopen, evaluation_sign
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved():
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    assert declaration.status == "approved"
    return declaration


@pytest.fixture
def draft():
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "draft")
    return declaration


def refused(attempt, error=FormLocked, match=None):
    with pytest.raises(error, match=match), transaction.atomic():
        attempt()


@pytest.mark.parametrize("status", ["approved", "submitted"])
def test_a_declaration_under_review_or_approved_is_locked_on_every_path(approved, status):
    set_status(approved, status)
    indicator = approved.indicators.order_by("seq").first()
    goal = approved.goals.first()
    funding = approved.funding_sources.first()
    before = (approved.leader, indicator.name, funding.amount, approved.indicators.count())
    attempts = [
        lambda: setattr(approved, "leader", "改") or approved.save(),
        lambda: approved.delete(),
        lambda: ProjectDeclaration.objects.filter(pk=approved.pk).update(leader="改"),
        lambda: ProjectDeclaration.objects.filter(pk=approved.pk).delete(),
        lambda: ProjectDeclaration._base_manager.filter(pk=approved.pk).update(leader="改"),
        lambda: ProjectDeclaration.objects.bulk_update([approved], ["leader"]),
        lambda: setattr(indicator, "name", "改") or indicator.save(),
        lambda: indicator.delete(),
        lambda: goal.delete(),  # would cascade to its indicators
        lambda: funding.delete(),
        lambda: Indicator.objects.filter(project_declaration=approved).update(name="改"),
        lambda: Indicator._base_manager.filter(project_declaration=approved).update(name="改"),
        lambda: Indicator.objects.filter(project_declaration=approved).delete(),
        lambda: Indicator.objects.bulk_update([indicator], ["name"]),
        lambda: Indicator.objects.bulk_create([Indicator(project_declaration=approved, seq=99, name="新")]),
        lambda: Goal.objects.bulk_create([Goal(project_declaration=approved, kind="overall", seq=9, text="新")]),
        lambda: FundingSource.objects.bulk_create([FundingSource(declaration=approved, seq=9, name="新")]),
        lambda: ExpenseItem._base_manager.filter(declaration=approved).update(amount=Decimal(1)),
        lambda: FundingSource.objects.create(declaration=approved, seq=9, name="新", amount=Decimal(1)),
    ]
    for attempt in attempts:
        refused(attempt, DeclarationLocked, "锁定不能修改")
    approved.refresh_from_db()
    indicator.refresh_from_db()
    funding.refresh_from_db()
    assert (approved.leader, indicator.name, funding.amount, approved.indicators.count()) == before


def test_a_row_cannot_move_out_of_or_into_a_locked_declaration(approved, draft):
    locked_row = approved.indicators.first()
    locked_row.project_declaration = draft
    refused(locked_row.save, DeclarationLocked)
    open_row = draft.indicators.first()
    open_row.project_declaration = approved
    refused(open_row.save, DeclarationLocked)
    refused(lambda: Indicator.objects.filter(pk=open_row.pk).update(project_declaration=approved), DeclarationLocked)


def test_a_department_declaration_and_its_rows_are_locked_too(dongxihu):
    overall = DepartmentDeclaration.objects.create(department=dongxihu, year=2030)
    line = DepartmentFundLine.objects.create(declaration=overall, seq=1, section="income", name="财政拨款")
    set_status(overall, "approved")
    line.refresh_from_db()
    refused(lambda: setattr(line, "name", "改") or line.save(), DeclarationLocked)
    refused(lambda: DepartmentFundLine.objects.filter(pk=line.pk).update(name="改"), DeclarationLocked)
    refused(lambda: setattr(overall, "filler", "改") or overall.save(), DeclarationLocked)
    refused(lambda: Goal.objects.create(department_declaration=overall, kind="annual", seq=1), DeclarationLocked)


def test_workflow_fields_change_only_through_the_workflow(draft, head_user):
    attempts = [
        lambda: setattr(draft, "status", "approved") or draft.save(),
        lambda: setattr(draft, "reviewed_by", head_user) or draft.save(),
        lambda: ProjectDeclaration.objects.filter(pk=draft.pk).update(status="approved"),
        lambda: ProjectDeclaration._base_manager.filter(pk=draft.pk).update(adjustment_requested=True),
        lambda: ProjectDeclaration.objects.bulk_update([draft], ["status"]),
        lambda: ProjectDeclaration.objects.bulk_create(
            [ProjectDeclaration(project=draft.project, year=2031, status="approved")]
        ),
        lambda: ProjectDeclaration.objects.create(project=draft.project, year=2032, status="submitted"),
    ]
    for attempt in attempts:
        draft.refresh_from_db()
        refused(attempt, WorkflowFieldsLocked, "只能通过")
    draft.refresh_from_db()
    assert (draft.status, draft.reviewed_by, draft.adjustment_requested) == ("draft", None, False)
    draft.leader = "可以改"  # the content of a draft changes freely
    draft.save()


def test_only_an_allowed_adjustment_unlocks_an_approved_declaration(approved, finance_user, head_user):
    workflow.declaration_request_adjustment(declaration=approved, user=finance_user, reason="预算调整")
    approved.refresh_from_db()
    refused(lambda: setattr(approved, "leader", "改") or approved.save(), DeclarationLocked)  # only asked
    workflow.declaration_decide_adjustment(declaration=approved, user=head_user, allow=True)
    approved.refresh_from_db()
    assert approved.status == "draft"
    approved.leader = "调整后的负责人"
    approved.save()
    indicator = approved.indicators.first()
    indicator.target = "调整后"
    indicator.save()


def test_a_signed_evaluation_has_no_private_flag_and_no_bulk_or_base_manager_hole(hongshan_head):
    form = SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019)
    signed = evaluation_sign(evaluation_id=form.pk, user=hongshan_head)
    row = signed.rows.first()
    signed._reopening = True  # the flag that used to open a signed form
    signed.printed_total = Decimal(1)
    refused(signed.save, EvaluationLocked, "已签署")
    attempts = [
        lambda: SelfEvaluation._base_manager.filter(pk=signed.pk).update(printed_total=1),
        lambda: EvaluationRow._base_manager.filter(evaluation=signed).update(actual="改"),
        lambda: EvaluationRow.objects.bulk_create([EvaluationRow(evaluation=signed, seq=99, name="新")]),
        lambda: EvaluationRow.objects.bulk_update([row], ["actual"]),
        lambda: SelfEvaluation.objects.filter(pk=signed.pk).update(status="draft"),
    ]
    for attempt in attempts:
        refused(attempt, FormLocked)
    reopened = evaluation_reopen(evaluation_id=signed.pk, user=hongshan_head, reason="审计发现有误。")
    assert reopened.status == "draft"


def test_an_evaluation_is_not_signed_outside_the_sign_off(hongshan_head):
    form = SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019)
    form.status = "signed"
    refused(form.save, WorkflowFieldsLocked)
    refused(lambda: SelfEvaluation.objects.filter(pk=form.pk).update(status="signed"), WorkflowFieldsLocked)
    form.refresh_from_db()
    assert form.status == "submitted"


def test_a_signed_status_without_signer_time_and_digest_cannot_be_stored():
    form = SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019)
    table = SelfEvaluation._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = 'signed' WHERE id = %s", [form.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = 'signed', signed_at = %s, signed_by_id = NULL, signed_digest = %s "
            "WHERE id = %s",
            ["2026-01-05 10:00:00", "ab" * 32, form.pk],
        )
    form.refresh_from_db()
    assert form.status == "submitted"
