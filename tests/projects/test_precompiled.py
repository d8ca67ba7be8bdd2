"""Queries compiled once per process (projects/precompiled.py): the same rows, related objects and annotations as the
ORM's own ``get``, within the scope given, for every id and scope after the first call compiled the statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.access import visible_department_ids
from projects.models import DeclarationEvent, ProjectDeclaration
from projects.precompiled import _local, fetch_one
from projects.selectors import _declaration_head, declaration_head, declaration_monitoring_forms
from selfeval.models import EvaluationEvent, SelfEvaluation
from selfeval.selectors import _evaluation_head, evaluation_events, evaluation_head
from selfeval.services.start import evaluation_start

pytestmark = pytest.mark.django_db


def same(a, b) -> None:
    fields = [f.attname for f in type(a)._meta.concrete_fields]
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]


@pytest.fixture(autouse=True)
def fresh():
    _local.__dict__.clear()  # each test compiles its statements anew
    yield


@pytest.mark.parametrize("kind", ["evaluation", "declaration"])
def test_the_compiled_query_reads_what_the_orm_reads_within_each_scope(
    kind, finance_user, outsider_user, auditor_user, head_user
):
    declarations = ProjectDeclaration.objects.filter(project__department=finance_user.department).order_by("pk")
    if kind == "evaluation":
        forms = [evaluation_start(declaration=d) for d in declarations.filter(status="approved")[:2]]
        build, name = _evaluation_head, "evaluation_head"
    else:
        forms = list(declarations[:2])
        build, name = _declaration_head, "declaration_head"
    assert len(forms) == 2
    for user in [finance_user, head_user, auditor_user, finance_user]:  # compiled on the first call, then reused
        scope = visible_department_ids(user)
        for form in forms:
            with CaptureQueriesContext(connection) as captured:
                got = fetch_one(name, build, form.pk, scope)
            expected = build(form.pk, scope).get()
            same(got, expected)
            for related in ["project", "scheme"]:
                same(getattr(got, related), getattr(expected, related))
            assert got.reference_version == expected.reference_version
            if kind == "evaluation":
                same(got.department, expected.department)
                assert got.monitoring_changed == expected.monitoring_changed
                assert len(captured.captured_queries) == 1  # the form (its sections: ``evaluation_head``)
            else:
                same(got.project.department, expected.project.department)
                assert (got.previous_pk, got.previous_changed, got.prior_changed, got.prior_checked) == (
                    expected.previous_pk,
                    expected.previous_changed,
                    expected.prior_changed,
                    expected.prior_checked,
                )
                assert len(captured.captured_queries) == 1  # the declaration (its steps: ``declaration_head``)
    model = type(forms[0])
    for scope in [visible_department_ids(outsider_user), [], [forms[0].pk + 10_000_000]]:
        with pytest.raises(model.DoesNotExist):
            fetch_one(name, build, forms[0].pk, scope)  # out of scope: not found, whatever was compiled before
    with pytest.raises(model.DoesNotExist):
        fetch_one(name, build, 0, visible_department_ids(finance_user))


def test_a_query_whose_shape_depends_on_its_values_runs_the_orms_way(finance_user):
    evaluation = SelfEvaluation.objects.order_by("pk").first()

    def build(pk, scope):  # the id twice: the sentinel is not found once
        return SelfEvaluation.objects.for_departments(scope).filter(pk=pk, id__gte=pk)

    assert fetch_one("twice", build, evaluation.pk, None).pk == evaluation.pk
    assert _local.compiled[("twice", None)] is None


def test_the_heads_related_rows_are_the_orms_in_two_queries(finance_user, head_user):
    """A form's head with its scheme's sections or its workflow steps (compiled), and its monitoring forms, as
    ``prefetch_related`` and the related managers read them: the same rows in the same order, related objects
    included; a further filter on a kept relation still queries."""
    declarations = ProjectDeclaration.objects.filter(project__department=finance_user.department).order_by("pk")
    evaluation = evaluation_start(declaration=declarations.filter(status="approved").first())
    EvaluationEvent.objects.create(evaluation=evaluation, action="submit", user=finance_user)
    EvaluationEvent.objects.create(evaluation=evaluation, action="return", user=head_user, comment="补充")
    with_steps = list(declarations[:2])
    for declaration in with_steps:  # two steps each, by two users
        DeclarationEvent.objects.create(project_declaration=declaration, action="submit", user=finance_user)
        DeclarationEvent.objects.create(project_declaration=declaration, action="return", user=head_user, comment="改")
    visible_department_ids(finance_user)  # read once per request (the navigation's department too)
    for _ in range(3):  # compiled, then prepared
        with CaptureQueriesContext(connection) as captured:
            head = evaluation_head(evaluation.pk, user=finance_user)
            sections = list(head.scheme.sections.all())
        assert len(captured.captured_queries) == 2  # the form, its scheme's sections
        assert [(s.pk, s.seq, s.points) for s in sections] == [
            (s.pk, s.seq, s.points) for s in SelfEvaluation.objects.get(pk=evaluation.pk).scheme.sections.all()
        ]
        steps = evaluation_events(head)
        expected = list(evaluation.events.select_related("user"))
        assert [(e.pk, e.action, e.user.username, e.comment) for e in steps] == [
            (e.pk, e.action, e.user.username, e.comment) for e in expected
        ] and len(steps) == 2
        for declaration in with_steps[:3]:
            with CaptureQueriesContext(connection) as captured:
                head = declaration_head(declaration.pk, user=finance_user)
                steps = list(head.events.all())
            assert len(captured.captured_queries) == 2  # the declaration, its steps with their users
            orm = list(ProjectDeclaration.objects.prefetch_related("events__user").get(pk=declaration.pk).events.all())
            assert [(e.pk, e.action, e.user_id, e.user.username, e.at) for e in steps] == [
                (e.pk, e.action, e.user_id, e.user.username, e.at) for e in orm
            ] and len(steps) >= 2
            assert all(e.project_declaration is head for e in steps)
            assert list(head.events.filter(pk=-1)) == []  # a filter on the kept relation reads the table
            forms = declaration_monitoring_forms(head)
            assert [(m.pk, m.period.pk) for m in forms] == [
                (m.pk, m.period.pk) for m in declaration.monitoring_forms.select_related("period").order_by("end_month")
            ]


def test_a_form_with_its_rows_in_a_users_scope_is_what_the_orm_reads(
    finance_user, outsider_user, auditor_user, head_user, django_assert_num_queries
):
    """``evaluation_with_rows(pk, user=…)`` (the edit page, the preview, the saves): the form's query compiled once,
    its parts prefetched as before — the same form, annotations and parts in the same order, in the same 6 queries."""
    from selfeval.selectors import _with_rows, evaluation_with_rows

    declarations = ProjectDeclaration.objects.filter(project__department=finance_user.department, status="approved")
    forms = [evaluation_start(declaration=d) for d in declarations.order_by("pk")[:2]]
    forms += list(SelfEvaluation.objects.order_by("pk")[:3])  # seed forms in other departments: out of some scopes
    for user in [finance_user, head_user, auditor_user, finance_user, outsider_user]:
        scope = visible_department_ids(user)
        for form in forms:
            orm = _with_rows(for_update=False).for_departments(scope).filter(pk=form.pk)
            if not orm.exists():
                with pytest.raises(SelfEvaluation.DoesNotExist):
                    evaluation_with_rows(form.pk, user=user)
                continue
            with django_assert_num_queries(6):
                got = evaluation_with_rows(form.pk, user=user)
            expected = orm.get()
            same(got, expected)
            for related in ["department", "project", "scheme"]:
                same(getattr(got, related), getattr(expected, related))
            assert got.monitoring_changed == expected.monitoring_changed
            for parts in ["sections", "funding_rows", "goals", "rows"]:
                got_parts, expected_parts = list(getattr(got, parts).all()), list(getattr(expected, parts).all())
                assert len(got_parts) == len(expected_parts)
                for a, b in zip(got_parts, expected_parts, strict=True):
                    same(a, b)
            assert [s.pk for s in got.scheme.sections.all()] == [s.pk for s in expected.scheme.sections.all()]
            for a, b in zip(got.rows.all(), expected.rows.all(), strict=True):
                assert (a.level1, a.level2, a.goal) == (b.level1, b.level2, b.goal)
                assert a.default_nature == b.default_nature


def test_a_forms_parts_are_in_their_own_order(finance_user):
    """The parts read with a form (ordered by their 序号 alone, without the forms' ordering) stand as their models'
    own ordering puts them."""
    from selfeval.models import EvaluationFunding, EvaluationRow, EvaluationSection
    from selfeval.selectors import evaluation_with_rows

    for form in SelfEvaluation.objects.order_by("pk"):
        loaded = evaluation_with_rows(form.pk)
        for model, parts in [
            (EvaluationSection, "sections"),
            (EvaluationFunding, "funding_rows"),
            (EvaluationRow, "rows"),
        ]:
            assert [p.pk for p in getattr(loaded, parts).all()] == list(
                model.objects.filter(evaluation=form).values_list("pk", flat=True)
            )
