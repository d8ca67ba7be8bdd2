"""``bulk_update`` through ``UPDATE … FROM (VALUES …)`` on PostgreSQL writes what Django's own writes (issue 17)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, models
from django.db.models import F
from simple_history.utils import bulk_create_with_history

from projects.bulkwrite import create_with_history
from projects.locking import FormLocked
from projects.models import Indicator, ProjectDeclaration
from selfeval.models import EvaluationCheck, EvaluationRow, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services.checks import check_of, refresh_one
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


def draft_rows() -> list[EvaluationRow]:
    form = SelfEvaluation.objects.exclude(status="signed").order_by("pk").first()
    return list(EvaluationRow.objects.filter(evaluation=form).order_by("pk"))


def read(model, objs, fields) -> list[tuple]:
    return list(model.objects.filter(pk__in=[o.pk for o in objs]).order_by("pk").values_list("pk", *fields))


def test_rows_read_back_as_written_and_as_django_writes_them():
    rows = draft_rows()
    assert len(rows) >= 3
    values = [Decimal("1.25"), None, Decimal("0"), *([Decimal("7.5")] * (len(rows) - 3))]
    for row, value, n in zip(rows, values, range(len(rows)), strict=True):
        row.score_proposed, row.name = value, f'指标’{n}"；'
    assert EvaluationRow.objects.bulk_update(rows, ["score_proposed", "name"], batch_size=2) == len(rows)
    ours = read(EvaluationRow, rows, ["score_proposed", "name"])
    assert ours == [(r.pk, v, f'指标’{n}"；') for r, v, n in zip(rows, values, range(len(rows)), strict=True)]
    models.QuerySet(EvaluationRow).bulk_update(rows, ["score_proposed", "name"])  # Django's CASE WHEN
    assert read(EvaluationRow, rows, ["score_proposed", "name"]) == ours


def test_json_and_time_columns_round_trip():
    form = evaluation_with_rows(SelfEvaluation.objects.exclude(status="signed").order_by("pk").first().pk)
    check = refresh_one(form)
    check.findings = [{"code": "甲", "rows": [1, 2]}, {"值": None}]
    check.section_scores = {"a": "12.50"}
    check.checked_at = datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
    assert EvaluationCheck.objects.bulk_update([check], ["findings", "section_scores", "checked_at"]) == 1
    stored = EvaluationCheck.objects.get(pk=check.pk)
    assert (stored.findings, stored.section_scores, stored.checked_at) == (
        check.findings, check.section_scores, check.checked_at,
    )  # fmt: skip


def test_expressions_keep_djangos_way():
    rows = draft_rows()[:2]
    for row in rows:
        row.seq = F("seq") + 100
    before = read(EvaluationRow, rows, ["seq"])
    EvaluationRow.objects.bulk_update(rows, ["seq"])
    assert read(EvaluationRow, rows, ["seq"]) == [(pk, seq + 100) for pk, seq in before]


def test_a_signed_forms_rows_are_still_refused():
    signed = SelfEvaluation.objects.exclude(status="signed").order_by("pk").first()
    set_status(signed, "signed")
    rows = list(EvaluationRow.objects.filter(evaluation=signed)[:2])
    assert rows
    for row in rows:
        row.score_proposed = Decimal("1")
    with pytest.raises(FormLocked):
        EvaluationRow.objects.bulk_update(rows, ["score_proposed"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the VALUES statement is PostgreSQL's")
def test_one_statement_per_batch(django_assert_num_queries):
    rows = draft_rows()
    with django_assert_num_queries(3 + 2):  # the two lock checks (+1 for the parents), then ⌈n / batch⌉ updates
        EvaluationRow.objects.bulk_update(rows, ["score_proposed"], batch_size=len(rows) // 2 + 1)


def test_plain_values_write_what_bulk_update_writes():
    rows = draft_rows()
    values = [Decimal("2.50"), None, *([Decimal("0.10")] * (len(rows) - 2))]
    assert EvaluationRow.objects.bulk_update_values(
        ["score_proposed"], [(r.pk, v) for r, v in zip(rows, values, strict=True)]
    ) == len(rows)
    ours = read(EvaluationRow, rows, ["score_proposed"])
    assert ours == [(r.pk, v) for r, v in zip(rows, values, strict=True)]
    for row, value in zip(rows, values, strict=True):
        row.score_proposed = value
    models.QuerySet(EvaluationRow).bulk_update(rows, ["score_proposed"])  # Django's CASE WHEN
    assert read(EvaluationRow, rows, ["score_proposed"]) == ours
    assert EvaluationRow.objects.bulk_update_values(["score_proposed"], []) == 0


def test_plain_values_of_a_signed_forms_rows_are_refused():
    form = SelfEvaluation.objects.exclude(status="signed").order_by("pk").first()
    rows = list(EvaluationRow.objects.filter(evaluation=form).values_list("pk", "score_proposed")[:2])
    set_status(form, "signed")
    with pytest.raises(FormLocked):
        EvaluationRow.objects.bulk_update_values(["score_proposed"], rows)
    with pytest.raises(FormLocked):  # a form's own columns likewise
        SelfEvaluation.objects.bulk_update_values(["problems"], [(form.pk, "改")])


def test_checks_upserted_as_django_upserts_them():
    forms = [evaluation_with_rows(f.pk) for f in SelfEvaluation.objects.order_by("pk")[:3]]
    fields = [f.name for f in EvaluationCheck._meta.concrete_fields if f.name not in ("id", "evaluation")]
    compared = [f for f in fields if f != "checked_at"]

    def made():
        checks = [check_of(form) for form in forms]
        checks[0].findings = [{"code": "甲", "值": [1, None]}, {"message": 'a"b’'}]
        return checks

    EvaluationCheck.objects.filter(evaluation__in=forms[:2]).delete()  # two inserted, one updated
    ours = EvaluationCheck.objects.bulk_create(
        made(), update_conflicts=True, unique_fields=["evaluation"], update_fields=fields
    )
    keys = dict(EvaluationCheck.objects.filter(evaluation__in=forms).values_list("evaluation_id", "pk"))
    assert [c.pk for c in ours] == [keys[form.pk] for form in forms]
    stored = read(EvaluationCheck, ours, ["evaluation", *compared])
    EvaluationCheck.objects.filter(evaluation__in=forms[:2]).delete()
    theirs = models.QuerySet(EvaluationCheck).bulk_create(
        made(), update_conflicts=True, unique_fields=["evaluation"], update_fields=fields
    )
    assert [r[1:] for r in read(EvaluationCheck, theirs, ["evaluation", *compared])] == [r[1:] for r in stored]
    first = next(r for r in stored if r[1] == forms[0].pk)
    assert first[2 + compared.index("findings")] == [{"code": "甲", "值": [1, None]}, {"message": 'a"b’'}]


# -- bulk_create through INSERT … VALUES … RETURNING, and the history rows beside -------------------------------


def new_rows(form, start: int, count: int) -> list[EvaluationRow]:
    template = EvaluationRow.objects.filter(evaluation=form).order_by("seq").first()
    return [
        EvaluationRow(evaluation=form, seq=start + n, name=f'新指标’{n}"；', target="≥10 场", weight=Decimal("1.50"),
                      score_proposed=None if n % 2 else Decimal("0.75"), level1=template.level1, goal=template.goal)
        for n in range(count)
    ]  # fmt: skip


ROW_FIELDS = ["evaluation", "name", "target", "weight", "score_proposed", "level1", "goal", "actual", "band"]


def test_new_rows_read_back_as_django_writes_them_with_their_keys_set():
    form = SelfEvaluation.objects.exclude(status="signed").order_by("pk").first()
    ours = EvaluationRow.objects.bulk_create(new_rows(form, 900, 5), batch_size=2)
    theirs = models.QuerySet(EvaluationRow).bulk_create(new_rows(form, 950, 5))  # Django's own insert
    assert all(r.pk is not None and not r._state.adding for r in ours)
    assert [r[1:] for r in read(EvaluationRow, ours, ROW_FIELDS)] == [
        r[1:] for r in read(EvaluationRow, theirs, ROW_FIELDS)
    ]
    assert [r.pk for r in ours] == [r[0] for r in read(EvaluationRow, ours, [])]


def test_a_new_row_of_a_signed_form_is_still_refused():
    form = SelfEvaluation.objects.exclude(status="signed").order_by("pk").first()
    set_status(form, "signed")
    with pytest.raises(FormLocked):
        EvaluationRow.objects.bulk_create(new_rows(form, 900, 2))


def test_created_with_history_as_simple_history_creates_them(admin_user_):
    declaration = (
        ProjectDeclaration.objects.filter(status="draft").order_by("pk").first()
        or ProjectDeclaration.objects.order_by("pk").first()
    )
    set_status(declaration, "draft")

    def indicators(start):
        return [Indicator(project_declaration=declaration, seq=start + n, name=f"指标{n}", target="≥1 次",
                          weight=Decimal("2.5") if n else None, level1_printed="产出指标") for n in range(4)]  # fmt: skip

    ours = create_with_history(Indicator, indicators(800), user=admin_user_, batch_size=3)
    theirs = bulk_create_with_history(indicators(800 + 50), Indicator, default_user=admin_user_)
    fields = ["name", "target", "weight", "level1_printed", "project_declaration"]
    assert [r[1:] for r in read(Indicator, ours, fields)] == [r[1:] for r in read(Indicator, theirs, fields)]
    history = Indicator.history.model
    columns = [
        f.attname for f in history._meta.concrete_fields if f.attname not in {"history_id", "history_date", "id", "seq"}
    ]

    def written(objs):
        return list(history.objects.filter(id__in=[o.pk for o in objs]).order_by("id").values_list(*columns))

    assert written(ours) == written(theirs) and len(written(ours)) == 4
    assert all(h.history_date is not None for h in history.objects.filter(id__in=[o.pk for o in ours]))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_many_new_rows_go_by_copy_and_read_back_as_django_writes_them(django_assert_num_queries):
    from projects.bulkwrite import COPY_MIN

    form = SelfEvaluation.objects.exclude(status="signed").order_by("pk").first()
    texts = ["反斜杠\\N 与 \\t", "制表\t符", "换\n行\r回车", "引号'\"’", "", "普通"]

    def rows(start):
        made = new_rows(form, start, COPY_MIN + 5)
        for n, row in enumerate(made):
            row.name, row.target = texts[n % len(texts)], f"≥{n}"
            row.weight = Decimal("2.50") if n % 2 else None
        return made

    mine = rows(2000)
    with django_assert_num_queries(1 + 2):  # the lock check, the key sequence and its keys (COPY is not logged)
        ours = EvaluationRow.objects.bulk_create(mine)
    theirs = models.QuerySet(EvaluationRow).bulk_create(rows(3000))
    assert [r[1:] for r in read(EvaluationRow, ours, ROW_FIELDS)] == [
        r[1:] for r in read(EvaluationRow, theirs, ROW_FIELDS)
    ]
    assert [r.pk for r in ours] == sorted(r.pk for r in ours) == [r[0] for r in read(EvaluationRow, ours, [])]
    assert all(not r._state.adding for r in ours)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's (SQLite stores a NUL)")
def test_many_new_rows_with_a_value_copy_cannot_write_keep_the_insert():
    from projects.bulkwrite import COPY_MIN

    form = SelfEvaluation.objects.exclude(status="signed").order_by("pk").first()
    made = new_rows(form, 4000, COPY_MIN)
    made[-1].name = "空字符\x00"
    with pytest.raises(ValueError):  # psycopg2 refuses a NUL in text, as it does for Django's own insert
        EvaluationRow.objects.bulk_create(made)
