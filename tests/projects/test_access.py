"""The rights, each written once in ``projects.access``: one table of role × form state → flags."""

import pytest

from projects.access import Rights, declaration_rights, is_filer_of, is_head_of, is_manager
from projects.choices import DeclarationStatus, Role
from projects.models import Indicator, ProjectDeclaration
from selfeval.access import evaluation_rights
from selfeval.models import EvaluationRow, SelfEvaluation
from tests.builders import make_declaration, make_department, make_evaluation, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(db):
    return make_department()


@pytest.fixture
def other(db):
    return make_department()


@pytest.fixture
def people(own, other):
    return {
        "finance": make_user("a-finance", Role.FINANCE, own),
        "head": make_user("a-head", Role.HEAD, own),
        "auditor": make_user("a-auditor", Role.AUDITOR, None),
        "admin": make_user("a-admin", Role.ADMIN, None),
        "superuser": make_user("a-super", Role.FINANCE, other, is_superuser=True),
        "outsider": make_user("a-outsider", Role.HEAD, other),
    }


@pytest.mark.parametrize(
    "status, who, expected",
    [
        (DeclarationStatus.DRAFT, "finance", Rights(edit=True, submit=True)),
        (DeclarationStatus.DRAFT, "head", Rights()),
        (DeclarationStatus.DRAFT, "admin", Rights(edit=True, submit=True)),
        (DeclarationStatus.SUBMITTED, "finance", Rights(withdraw=True)),  # before the head acts
        (DeclarationStatus.SUBMITTED, "head", Rights(review=True)),
        (DeclarationStatus.SUBMITTED, "superuser", Rights()),  # a superuser is nobody's head, nor withdraws
        (DeclarationStatus.SUBMITTED, "admin", Rights()),
        (DeclarationStatus.SUBMITTED, "auditor", Rights()),
        (DeclarationStatus.SUBMITTED, "outsider", Rights()),
        (DeclarationStatus.RETURNED, "finance", Rights(edit=True, submit=True)),
        (DeclarationStatus.APPROVED, "finance", Rights(request_adjustment=True, start_evaluation=True)),
        (DeclarationStatus.APPROVED, "head", Rights()),
    ],
)
def test_declaration_rights(people, own, status, who, expected):
    declaration = make_declaration(make_project(own))
    declaration.status = status  # not saved: the rights are read from the form's state
    assert declaration_rights(people[who], declaration) == expected


@pytest.mark.parametrize(
    "status, who, expected",
    [
        # enter_printed: the figures a form from outside prints, until it is signed (issue 13 point 6)
        ("draft", "finance", Rights(edit=True, submit=True, enter_printed=True)),
        ("draft", "head", Rights()),
        ("submitted", "finance", Rights(withdraw=True, enter_printed=True)),
        ("submitted", "head", Rights(sign=True, send_back=True)),
        ("submitted", "admin", Rights(enter_printed=True)),
        ("submitted", "superuser", Rights(enter_printed=True)),
        ("submitted", "auditor", Rights(enter_printed=True)),
        ("submitted", "outsider", Rights()),
        ("signed", "head", Rights(reopen=True)),
        ("signed", "admin", Rights()),
        ("signed", "auditor", Rights()),
    ],
)
def test_evaluation_rights(people, own, status, who, expected):
    evaluation = make_evaluation(make_declaration(make_project(own), status=DeclarationStatus.APPROVED))
    evaluation.status = status  # not saved: the rights are read from the form's state
    assert evaluation_rights(people[who], evaluation) == expected


def test_the_predicates(people, own, other):
    assert is_manager(people["admin"]) and is_manager(people["superuser"]) and not is_manager(people["head"])
    assert is_head_of(people["head"], own.pk) and not is_head_of(people["head"], other.pk)
    assert not is_head_of(people["superuser"], own.pk) and not is_head_of(people["admin"], own.pk)
    assert is_filer_of(people["finance"], own.pk) and not is_filer_of(people["finance"], other.pk)
    assert not is_filer_of(people["auditor"], own.pk)
    people["finance"].is_active = False
    assert not is_filer_of(people["finance"], own.pk)


def test_every_model_a_user_can_reach_is_scoped_by_for_user():
    """Pages, the API, exports and the admin read through ``for_user``; the exceptions say why."""
    from django.apps import apps

    reached_otherwise = {
        "projects.User": "the user's own record; the admin scopes the user list by department",
        "reports.ExportItem": "read only through its job, which is scoped",
        "reports.StoredPdf": "served only for a form the user may read",
    }
    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"indicators", "projects", "selfeval", "reports"}
        and not m.__name__.startswith("Historical")
    ]
    unscoped = {m._meta.label for m in ours if not hasattr(m.objects, "for_user")}
    assert unscoped == set(reached_otherwise)


def test_rows_of_another_departments_form_are_out_of_scope(people, own, other):
    outsider, finance = people["outsider"], people["finance"]  # of the other department and of our own
    for department in (own, other):
        make_evaluation(make_declaration(make_project(department), status=DeclarationStatus.APPROVED))
    ours = Indicator.objects.filter(project_declaration__project__department=own)
    assert ours.exists() and not Indicator.objects.for_user(outsider).filter(pk__in=ours).exists()
    assert Indicator.objects.for_user(finance).filter(pk__in=ours).count() == ours.count()
    theirs = EvaluationRow.objects.filter(evaluation__department=other)
    assert theirs.exists() and not EvaluationRow.objects.for_user(finance).filter(pk__in=theirs).exists()
    assert EvaluationRow.objects.for_user(outsider).filter(pk__in=theirs).count() == theirs.count()


def test_a_superuser_with_the_head_role_heads_only_their_own_department(dongxihu, hongshan, finance_user):
    from projects.services import workflow
    from selfeval.services.signoff import SignoffError, evaluation_sign

    boss = make_user("a-super-head", Role.HEAD, dongxihu, is_superuser=True)
    assert is_head_of(boss, dongxihu.pk) and not is_head_of(boss, hongshan.pk)
    submitted = SelfEvaluation.objects.get(department=hongshan, status="submitted", project__name="组织日常运转经费")
    assert not evaluation_rights(boss, submitted).sign
    with pytest.raises(SignoffError, match="只有本部门负责人"):
        evaluation_sign(evaluation_id=submitted.pk, user=boss)
    declaration = ProjectDeclaration.objects.exclude(project__department=dongxihu).first()
    from tests.conftest import set_status

    set_status(declaration, DeclarationStatus.SUBMITTED)
    assert not declaration_rights(boss, declaration).review
    with pytest.raises(workflow.WorkflowError, match="只有本部门负责人"):
        workflow.declaration_review(declaration=declaration, user=boss, approve=True)
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.SUBMITTED
