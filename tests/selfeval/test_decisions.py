"""Heads decide with words: return a submitted self-evaluation with a required comment, sign with an optional
comment after a confirmation; finance staff withdraw a submitted form before the head acts. Each step is logged."""

import pytest
from django.urls import reverse

from projects.models import DeclarationEvent, DepartmentDeclaration, ProjectDeclaration
from projects.services import workflow
from selfeval.models import EvaluationCheck, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services.signoff import SignoffError, evaluation_digest, evaluation_return, evaluation_withdraw
from tests.conftest import make_user
from tests.projects.test_declaration_pages import complete_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def form():
    """洪山's 2019 组织日常运转经费 self-evaluation, submitted in the seeds."""
    return SelfEvaluation.objects.get(project__name="组织日常运转经费", year=2019)


@pytest.fixture
def hongshan_finance(hongshan):
    return make_user("t-finance-hs", "finance", hongshan)


def action(client, form, **data):
    return client.post(reverse("selfeval:evaluation_action", args=[form.pk]), data, follow=True)


def seen(form) -> str:
    """The digest the head's confirmation page shows and posts with the signature."""
    return evaluation_digest(evaluation_with_rows(form.pk))


def test_the_head_returns_with_a_comment_and_finance_reads_it_on_the_form_and_home(
    client, form, hongshan_head, hongshan_finance
):
    client.force_login(hongshan_head)
    page = client.get(reverse("selfeval:evaluation", args=[form.pk])).content.decode()
    assert "退回意见（必填）" in page
    response = action(client, form, action="return", comment="请补充满意度调查的样本量。")
    assert "已退回填报人修改" in response.content.decode()
    form.refresh_from_db()
    assert form.status == "draft"
    event = form.events.latest("at")
    assert (event.action, event.user, event.comment) == ("return", hongshan_head, "请补充满意度调查的样本量。")

    client.force_login(hongshan_finance)
    page = client.get(reverse("selfeval:evaluation", args=[form.pk])).content.decode()
    assert "退回意见：请补充满意度调查的样本量。" in page
    edit = client.get(reverse("selfeval:evaluation_edit", args=[form.pk]))  # editable again, the comment on top
    assert edit.status_code == 200 and "退回意见：请补充满意度调查的样本量。" in edit.content.decode()
    home = client.get(reverse("home"), {"year": "2019"}).content.decode()
    assert "已退回" in home and "退回意见：请补充满意度调查的样本量。" in home
    assert "已退回：请补充满意度调查的样本量。" in home  # in 等待你处理 too


@pytest.mark.parametrize("comment", ["", "   "])
def test_a_return_without_a_comment_is_refused_and_changes_nothing(client, form, hongshan_head, comment):
    client.force_login(hongshan_head)
    response = action(client, form, action="return", comment=comment)
    assert "退回时请填写退回意见" in response.content.decode()
    form.refresh_from_db()
    assert form.status == "submitted" and not form.events.exists()


def test_only_the_head_of_the_department_returns(form, head_user, hongshan_finance, auditor_user, admin_user_):
    for user in (head_user, hongshan_finance, auditor_user, admin_user_):
        with pytest.raises(SignoffError, match="只有本部门负责人"):
            evaluation_return(evaluation_id=form.pk, user=user, comment="意见")
    form.refresh_from_db()
    assert form.status == "submitted"


def test_the_signing_confirmation_shows_total_and_grade_and_keeps_the_comment(client, form, hongshan_head):
    client.force_login(hongshan_head)
    page = client.get(reverse("selfeval:evaluation", args=[form.pk])).content.decode()
    assert reverse("selfeval:evaluation_sign", args=[form.pk]) in page
    confirm = client.get(reverse("selfeval:evaluation_sign", args=[form.pk]))
    text = confirm.content.decode()
    figures = EvaluationCheck.objects.get(evaluation=form)  # the stored figures, as the lists show them
    total = figures.computed_total if figures.computed_total is not None else form.printed_total
    assert "签署确认" in text and f"<b>{total}</b> 分" in text
    assert (figures.grade or form.printed_grade) in text
    response = action(client, form, action="sign", comment="同意。", digest=seen(form))
    assert "已签署" in response.content.decode()
    form.refresh_from_db()
    assert form.status == "signed"
    event = form.events.get()
    assert (event.action, event.comment, event.digest) == ("sign", "同意。", form.signed_digest)


def test_the_signing_confirmation_is_the_heads_only(client, form, hongshan_finance, auditor_user, head_user):
    for user in (hongshan_finance, auditor_user):
        client.force_login(user)
        assert client.get(reverse("selfeval:evaluation_sign", args=[form.pk])).status_code == 403
    client.force_login(head_user)  # another department's head: not even found
    assert client.get(reverse("selfeval:evaluation_sign", args=[form.pk])).status_code == 404


def test_finance_withdraws_a_submitted_self_evaluation_before_the_head_acts(
    client, form, hongshan_finance, hongshan_head
):
    client.force_login(hongshan_finance)
    assert 'value="withdraw"' in client.get(reverse("selfeval:evaluation", args=[form.pk])).content.decode()
    response = action(client, form, action="withdraw")
    assert "已撤回" in response.content.decode()
    form.refresh_from_db()
    assert form.status == "draft"
    assert form.events.get().action == "withdraw"
    # a draft is neither withdrawn again nor signed
    assert "只能撤回已提交" in action(client, form, action="withdraw").content.decode()
    with pytest.raises(SignoffError, match="只能撤回已提交"):
        evaluation_withdraw(evaluation_id=form.pk, user=hongshan_finance)
    client.force_login(hongshan_head)
    assert "只能签署已提交" in action(client, form, action="sign", digest=seen(form)).content.decode()


def test_once_signed_the_form_cannot_be_withdrawn(client, form, hongshan_finance, hongshan_head):
    client.force_login(hongshan_head)
    action(client, form, action="sign", digest=seen(form))
    client.force_login(hongshan_finance)
    assert 'value="withdraw"' not in client.get(reverse("selfeval:evaluation", args=[form.pk])).content.decode()
    assert "只能撤回已提交" in action(client, form, action="withdraw").content.decode()
    form.refresh_from_db()
    assert form.status == "signed"


def test_heads_and_auditors_cannot_withdraw(client, form, hongshan_head, auditor_user):
    for user in (hongshan_head, auditor_user):
        client.force_login(user)
        assert "只有本部门的填报人可以撤回" in action(client, form, action="withdraw").content.decode()
    form.refresh_from_db()
    assert form.status == "submitted"


# -- declarations ---------------------------------------------------------------------------------------


@pytest.fixture
def submitted(client, finance_user, dongxihu):
    declaration = ProjectDeclaration.objects.create(project_id=_project_id(), year=2031, unit="万元")
    client.force_login(finance_user)
    edit = reverse("projects:declaration_edit", args=[declaration.pk])
    assert client.post(edit, complete_data(declaration, action="submit")).status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == "submitted"
    client.logout()
    return declaration


def _project_id():
    return ProjectDeclaration.objects.get(project__key="dxh2021-rczx").project_id


def test_finance_withdraws_a_submitted_declaration_and_it_is_logged(client, submitted, finance_user, head_user):
    client.force_login(head_user)
    page = client.get(reverse("projects:declaration", args=[submitted.pk])).content.decode()
    assert 'value="withdraw"' not in page
    client.post(reverse("projects:declaration_action", args=[submitted.pk]), {"action": "withdraw"})
    submitted.refresh_from_db()
    assert submitted.status == "submitted"  # the head cannot withdraw
    client.force_login(finance_user)
    page = client.get(reverse("projects:declaration", args=[submitted.pk])).content.decode()
    assert 'value="withdraw"' in page
    response = client.post(
        reverse("projects:declaration_action", args=[submitted.pk]), {"action": "withdraw"}, follow=True
    )
    assert "已撤回，申报表回到草稿状态" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "draft"
    event = DeclarationEvent.objects.filter(project_declaration=submitted).latest("at")
    assert (event.action, event.from_status, event.to_status, event.user) == (
        "withdraw", "submitted", "draft", finance_user,
    )  # fmt: skip
    assert client.get(reverse("projects:declaration_edit", args=[submitted.pk])).status_code == 200


def test_an_approved_declaration_cannot_be_withdrawn(client, submitted, finance_user, head_user):
    workflow.declaration_review(declaration=submitted, user=head_user, approve=True)
    client.force_login(finance_user)
    response = client.post(
        reverse("projects:declaration_action", args=[submitted.pk]), {"action": "withdraw"}, follow=True
    )
    assert "只能撤回已提交、尚未审核的申报表" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "approved"


def test_a_department_declaration_is_withdrawn_too(client, dongxihu, finance_user, auditor_user):
    overall = DepartmentDeclaration.objects.create(department=dongxihu, year=2031)
    workflow.declaration_submit(declaration=overall, user=finance_user)
    url = reverse("projects:department_declaration_action", args=[overall.pk])
    client.force_login(auditor_user)
    assert "只有本部门的填报人可以撤回" in client.post(url, {"action": "withdraw"}, follow=True).content.decode()
    client.force_login(finance_user)
    assert "已撤回" in client.post(url, {"action": "withdraw"}, follow=True).content.decode()
    overall.refresh_from_db()
    assert overall.status == "draft"
    assert overall.events.latest("at").action == "withdraw"


def test_a_signature_is_given_on_the_confirmation_and_only_to_the_form_it_showed(client, form, hongshan_head):
    client.force_login(hongshan_head)
    response = action(client, form, action="sign")  # no confirmation seen: taken to it, nothing signed
    assert response.redirect_chain[-1][0] == reverse("selfeval:evaluation_sign", args=[form.pk])
    assert "请在签署确认页核对总分和等次后签署" in response.content.decode()
    shown = seen(form)
    assert f'name="digest" value="{shown}"' in response.content.decode()
    SelfEvaluation.objects.filter(pk=form.pk).update(filler="改过的填报人")  # changed after the head looked
    response = action(client, form, action="sign", digest=shown)
    assert "自评表在你确认之后有变动，本次没有签署" in response.content.decode()
    form.refresh_from_db()
    assert form.status == "submitted" and not form.events.filter(action="sign").exists()
    assert "已签署" in action(client, form, action="sign", digest=seen(form)).content.decode()
    form.refresh_from_db()
    assert form.status == "signed"
