"""The live preview checks a typed row without making its form (``selfeval.forms.typed_row``): the same validity,
cleaned values and instance as the page's ``RowForm`` bound by the formset, and the same answer as the preview that
binds the whole page as saving does — messages included — on every kind of typed input."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfeval.forms import RowForm, evaluation_formsets, typed_row
from selfeval.models import EvaluationRow
from selfeval.selectors import evaluation_with_rows
from selfeval.services import preview
from selfeval.services.filling import bound_forms
from selfeval.services.preview import input_errors, page_from_forms, typed_page
from tests.conftest import set_status
from tests.selfeval import test_preview
from tests.selfeval.test_evaluation_pages import page_data
from tests.selfeval.test_preview import typed

large = test_preview.large  # the seed form grown to 60 rows (a fixture), and its finance clerk logged in

pytestmark = pytest.mark.django_db

FORM_ENCODED = "application/x-www-form-urlencoded"
WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "RELEASE", "ROLLBACK")
INDEX = 3  # the row typed in each case (its stored 分值 is the fixture's, its stored 评定得分 empty)

# Typed values of one row: field → posted value (a list: the field posted more than once; None: not posted).
ROW_CASES = {
    "actual": {"actual": "12 场"},
    "actual with spaces": {"actual": "  12 场  "},
    "score": {"score_final": "1.5"},
    "score with spaces": {"score_final": " 2 "},
    "score and reason": {"score_final": "1", "score_reason": "现场核实。"},
    "every field blank": {"actual": "", "reason": "", "weight": "", "band": "", "score_final": "", "score_reason": ""},
    "whitespace only": {"actual": "   ", "reason": " \t ", "score_final": "  "},
    "weight in words": {"weight": "五"},
    "score in letters": {"score_final": "abc"},
    "decimal comma": {"score_final": "1,5"},
    "thousands separator": {"weight": "1,000"},
    "exponent": {"weight": "1e1"},
    "huge exponent": {"score_final": "1e999999"},
    "tiny exponent": {"score_final": "1e-999999"},
    "not a number": {"score_final": "NaN"},
    "signalling not a number": {"weight": "sNaN"},
    "infinity": {"weight": "Infinity"},
    "full-width digits": {"score_final": "３"},
    "underscores": {"weight": "1_0"},
    "too many places": {"score_final": "1.234"},
    "trailing zeros": {"score_final": "1.50"},
    "too many digits": {"weight": "12345.6"},
    "too many whole digits": {"score_final": "123456"},
    "negative score": {"score_final": "-1"},
    "negative zero": {"score_final": "-0"},
    "score above the typed weight": {"weight": "5", "score_final": "5.01"},
    "score at the typed weight": {"weight": "5", "score_final": "5"},
    "score above the stored weight, weight blanked": {"weight": "", "score_final": "500"},
    "negative weight under a negative score": {"weight": "-3", "score_final": "-1"},  # both score messages
    "band": {"band": "partial"},
    "band unknown": {"band": "excellent"},
    "band by its label": {"band": "达成年度指标"},
    "nul character": {"actual": "a\x00b"},
    "nul character in a reason": {"score_reason": "\x00"},
    "actual at its length": {"actual": "长" * 300},
    "actual past its length": {"actual": "长" * 301},
    "a long reason": {"reason": "因" * 5000},
    "posted twice": {"score_final": ["1", "2"]},
    "a field not posted": {"actual": None, "score_final": "1"},
    "every field not posted": dict.fromkeys(RowForm.base_fields),
}


def with_row(data: dict, index: int, values: dict) -> QueryDict:
    out = QueryDict(mutable=True)
    for key, value in data.items():
        out[key] = value
    for name, value in values.items():
        key = f"rows-{index}-{name}"
        if value is None:
            out.pop(key, None)
        elif isinstance(value, list):
            out.setlist(key, value)
        else:
            out[key] = value
    return out


def values_of(row) -> list:
    """Every stored column of a row as its value and type and text (``Decimal("1.50")`` is not ``Decimal("1.5")``)."""
    return [
        (f.attname, type(v), str(v)) for f in EvaluationRow._meta.concrete_fields for v in [getattr(row, f.attname)]
    ]


def ordered(evaluation) -> list:
    return sorted(evaluation.rows.all(), key=lambda row: row.seq)


@pytest.mark.parametrize("case", list(ROW_CASES))
def test_a_typed_row_is_checked_as_its_form_checks_it(client, large, case):
    """``typed_row`` against the page's own ``RowForm`` for the row, bound by the page's formset as saving binds it:
    valid exactly when the form is, the same fields changed, the instance filled with the same values."""
    data = with_row(page_data(client, large), INDEX, ROW_CASES[case])
    form = evaluation_formsets(evaluation_with_rows(large.pk), data)["rows"].forms[INDEX]
    evaluation = evaluation_with_rows(large.pk)
    row = ordered(evaluation)[INDEX]
    changed = typed_row(row, data, f"rows-{INDEX}", evaluation)
    assert (changed is not None) == form.is_valid(), form.errors
    if changed is not None:
        assert changed == set(form.changed_data) - {"id", "evaluation"}
        assert values_of(row) == values_of(form.instance)
        assert [(type(v), str(v)) for v in (getattr(row, name) for name in RowForm.base_fields)] == [
            (type(v), str(v)) for v in (form.cleaned_data[name] for name in RowForm.base_fields)
        ]
        assert row.evaluation is evaluation  # as the inline formset sets its parent on the form's instance


def test_the_cases_reach_every_outcome(client, large):
    """The cases above are not all alike: some rows valid, some refused for a field, some for the score's bounds."""
    outcomes = {}
    for case, values in ROW_CASES.items():
        data = with_row(page_data(client, large), INDEX, values)
        form = evaluation_formsets(evaluation_with_rows(large.pk), data)["rows"].forms[INDEX]
        outcomes[case] = form.errors.as_data() if not form.is_valid() else "valid"
    assert outcomes["actual"] == outcomes["exponent"] == outcomes["score at the typed weight"] == "valid"
    assert [e.code for e in outcomes["weight in words"]["weight"]] == ["invalid"]
    assert [e.code for e in outcomes["too many places"]["score_final"]] == ["max_decimal_places"]
    assert [e.code for e in outcomes["band unknown"]["band"]] == ["invalid_choice"]
    assert [e.code for e in outcomes["actual past its length"]["actual"]] == ["max_length"]
    assert [e.code for e in outcomes["nul character"]["actual"]] == ["null_characters_not_allowed"]
    assert [e.message for e in outcomes["negative weight under a negative score"]["score_final"]] == [
        "得分不能小于 0。",
        "得分不能超过分值 -3。",
    ]
    assert sum(outcome == "valid" for outcome in outcomes.values()) >= 15
    assert sum(outcome != "valid" for outcome in outcomes.values()) >= 15


def other_row(large):
    return EvaluationRow.objects.exclude(evaluation=large).order_by("pk").first()


# Changes of the whole page over the typed rows: field → value (None: the field not posted).
PAGE_CASES = {
    "typed rows": {},
    "a row added": {"rows-TOTAL_FORMS": "61", "rows-60-actual": "1 场", "rows-60-evaluation": "{pk}"},
    "a row left out": {"rows-TOTAL_FORMS": "59"},
    "initial count changed": {"rows-INITIAL_FORMS": "59"},
    "count in words": {"rows-TOTAL_FORMS": "六十"},
    "count negative": {"rows-TOTAL_FORMS": "-1"},
    "count past the cap": {"rows-TOTAL_FORMS": "100000", "rows-INITIAL_FORMS": "100000"},
    "count not posted": {"rows-TOTAL_FORMS": None},
    "a row's id not posted": {"rows-5-id": None},
    "a row's id blank": {"rows-5-id": ""},
    "a row's id in words": {"rows-5-id": "abc"},
    "a row's id padded": {"rows-5-id": " {row5}"},
    "a row twice": {"rows-6-id": "{row5}"},
    "a row of another form": {"rows-5-id": "{other}"},
    "another form as parent": {"rows-5-evaluation": "{other_form}"},
    "parent blank": {"rows-5-evaluation": ""},
    "parent not posted": {"rows-5-evaluation": None},
    "a bad figure and a typed row": {"rows-4-weight": "五", "rows-8-score_final": "-1"},
    "a bad figure in the funding": {"funding-0-executed": "x"},
    "a bad header": {"phone": "1" * 500},
    "a score over its typed weight": {"rows-0-weight": "2", "rows-0-score_final": "3"},
    "a negative score": {"rows-8-score_final": "-1"},
    "a large score without a weight": {"rows-0-weight": "", "rows-0-score_final": "999"},
    "weights over their section": {"rows-1-weight": "9999.99"},
    "a score typed where the proposal was followed": {"rows-2-score_final": "0"},
}


def page_case(client, large, case: str) -> str:
    stored = ordered(evaluation_with_rows(large.pk))
    names = {
        "pk": large.pk,
        "row5": stored[5].pk,
        "other": other_row(large).pk,
        "other_form": other_row(large).evaluation_id,
    }
    data = typed(client, large)
    for key, value in PAGE_CASES[case].items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value.format(**names)
    return urlencode(data)


def answer(client, large, body: str):
    response = client.post(reverse("selfeval:evaluation_preview", args=[large.pk]), body, content_type=FORM_ENCODED)
    return response.status_code, response.json() if response.status_code == 200 else None


@pytest.mark.parametrize("case", list(PAGE_CASES))
def test_the_preview_answers_as_binding_the_whole_page(client, large, monkeypatch, case):
    """The preview through the checked rows, and the same preview binding the whole page as saving does (the
    reading of the typed rows left out): the same answer — figures, findings, messages at the same inputs."""
    body = page_case(client, large, case)
    ours = answer(client, large, body)
    monkeypatch.setattr(preview, "typed_page", lambda evaluation, data: None)
    whole = answer(client, large, body)
    assert ours == whole
    assert ours[0] == 200


def test_the_messages_are_the_forms(client, large):
    """A refused typed value: the messages are the page's forms', at their inputs (the whole page bound)."""
    body = page_case(client, large, "a bad figure and a typed row")
    status, body_json = answer(client, large, body)
    form, formsets, valid = bound_forms(evaluation_with_rows(large.pk), QueryDict(body))
    assert status == 200 and body_json["ok"] is False and not valid
    assert body_json["errors"] == {k: [str(m) for m in v] for k, v in input_errors(form, formsets).items()}
    assert body_json["errors"]["rows-4-weight"] == ["输入一个数字。"]


def test_a_stale_row_is_answered_from_the_whole_page(client, large, monkeypatch):
    """A row deleted since the page was read (the page posts its id): not the form's row any more."""
    body = page_case(client, large, "typed rows")
    ordered(large)[-1].delete()
    ours = answer(client, large, body)
    monkeypatch.setattr(preview, "typed_page", lambda evaluation, data: None)
    assert ours == answer(client, large, body)
    assert ours[1]["ok"] is False


def test_a_signed_form_is_not_previewed(client, large):
    body = page_case(client, large, "typed rows")
    set_status(large, "signed")
    with CaptureQueriesContext(connection) as captured:
        status, _json = answer(client, large, body)
    assert status == 403
    assert not [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_reading_the_typed_rows_queries_nothing(client, large, django_assert_num_queries):
    data = QueryDict(page_case(client, large, "typed rows"))
    evaluation = evaluation_with_rows(large.pk)
    with django_assert_num_queries(0):
        page = typed_page(evaluation, data)
    assert page is not None and len(page.parts["rows"]) == 60
    assert [row.actual for row in page.parts["rows"][:4]] == ["5 场", "12 场", "5 场", "12 场"]
    whole = page_from_forms(*bound_forms(evaluation_with_rows(large.pk), data)[:2])
    assert page.typed_scores == whole.typed_scores and len(page.typed_scores) >= 10


def test_the_preview_of_60_typed_rows_runs_nine_queries_and_writes_nothing(client, large, django_assert_num_queries):
    """Session, user, the user's departments, the form, its scheme's sections, its sections, funding lines, goals
    and rows (a form with a declaration reads its 运行监控 record too: one more, as in ``bench/scale.py``)."""
    assert large.declaration_id is None
    body = page_case(client, large, "typed rows")
    answer(client, large, body)  # the session warm
    with django_assert_num_queries(9), CaptureQueriesContext(connection) as captured:
        status, body_json = answer(client, large, body)
    assert status == 200 and body_json["ok"] and len(body_json["rows"]) == 60
    assert not [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


NASTY = ["", " ", "\x00", "abc", "-1", "1e999999", "NaN", "-Infinity", "0x10", "١٢", "9" * 400, "１", "1/2", "%"]


@pytest.mark.parametrize("value", NASTY)
def test_no_typed_value_is_a_server_error(client, large, value):
    """Whatever is typed in any input of a row, the live preview answers (an answer or the messages), never a 500."""
    data = typed(client, large)
    for name in ("id", "evaluation", *RowForm.base_fields):
        body = urlencode({**data, f"rows-7-{name}": value})
        status, body_json = answer(client, large, body)
        assert status == 200 and "ok" in body_json, (name, value)


def test_a_typed_weight_with_the_page_after_it(client, large):
    """A typed row's values are what the saved row then holds (the typed 分值 and 评定得分 as cleaned)."""
    data = {**typed(client, large), f"rows-{INDEX}-weight": "4.50", f"rows-{INDEX}-score_final": "4.5"}
    status, body_json = answer(client, large, urlencode(data))
    assert status == 200 and body_json["ok"]
    row = ordered(large)[INDEX]
    assert body_json["rows"][str(row.pk)]["final"] == "4.5"
    client.post(reverse("selfeval:evaluation_edit", args=[large.pk]), {**data, "action": "save"})
    row.refresh_from_db()
    assert (row.weight, row.score_final) == (Decimal("4.50"), Decimal("4.5"))
