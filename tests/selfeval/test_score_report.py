"""``manage.py score_report``: filters, text and JSON output."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from projects.models import DeclarationCheck
from selfeval.choices import EvaluationStatus
from selfeval.models import EvaluationCheck, SelfEvaluation
from selfeval.services.scoring import EvaluationLocked, evaluation_score
from tests.conftest import set_status

pytestmark = pytest.mark.django_db

KEYS = {"form", "department", "year", "kind", "scheme", "printed_total", "computed_total", "grade", "findings"}
FINDING_KEYS = {"code", "severity", "field", "printed", "computed", "message"}


def report(*args) -> str:
    out = StringIO()
    call_command("score_report", *args, stdout=out)
    return out.getvalue()


def test_json_output_has_exactly_the_documented_keys():
    lines = json.loads(report("--format", "json"))
    assert lines
    for line in lines:
        assert set(line) == KEYS
        for finding in line["findings"]:
            assert set(finding) == FINDING_KEYS
            assert finding["severity"] in {"error", "warning"}
    hongshan = next(x for x in lines if x["form"].startswith("组织日常运转经费"))
    assert hongshan == {
        "form": "组织日常运转经费 项目支出绩效自评表",
        "department": "中国共产党武汉市洪山区委组织部",
        "year": 2019,
        "kind": "selfeval",
        "scheme": "hubei_project",
        "printed_total": "92.98",
        "computed_total": "92.98",
        "grade": "优",
        "findings": [],
    }


def test_filters_by_year_department_and_kind():
    lines = json.loads(report("--format", "json", "--year", "2019", "--department", "石家庄市委组织部"))
    assert len(lines) == 14
    assert {x["year"] for x in lines} == {2019}
    by_code = json.loads(report("--format", "json", "--department", "130100-zzb", "--kind", "declaration"))
    assert by_code == []
    declarations = json.loads(report("--format", "json", "--kind", "declaration"))
    assert {x["kind"] for x in declarations} == {"declaration"}
    assert len(declarations) == 9
    selfevals = json.loads(report("--format", "json", "--kind", "selfeval"))
    assert len(selfevals) == SelfEvaluation.objects.count()


def test_a_finding_in_json():
    lines = json.loads(report("--format", "json", "--department", "130100-zzb"))
    printing = next(x for x in lines if x["form"].startswith("文件资料印刷费"))
    assert printing["findings"] == [
        {
            "code": "budget_rate",
            "severity": "error",
            "field": "资金：合计",
            "printed": "89.02%",
            "computed": "95.94%",
            "message": "填报执行率 89.02%，按执行数 ÷ 预算数应为 95.94%。",
        }
    ]


def test_text_output():
    text = report("--department", "420111-zzb")
    assert "组织日常运转经费 项目支出绩效自评表" in text
    assert "表中总分 92.98  计算总分 92.98  等次 优" in text
    assert "共 2 张表" in text


def test_unknown_department_is_a_clear_error():
    with pytest.raises(CommandError, match="找不到部门“不存在的部门”"):
        report("--department", "不存在的部门")


def test_a_signed_evaluation_is_not_rescored():
    evaluation = SelfEvaluation.objects.filter(rows__isnull=False).first()
    set_status(evaluation, EvaluationStatus.SIGNED)
    EvaluationCheck.objects.filter(evaluation=evaluation).delete()
    with pytest.raises(EvaluationLocked, match="已签署"):
        evaluation_score(evaluation_id=evaluation.pk)
    assert not EvaluationCheck.objects.filter(evaluation=evaluation).exists()  # nothing stored


def test_the_report_reads_with_a_fixed_number_of_queries(django_assert_max_num_queries):
    from selfeval.services.report import score_report

    EvaluationCheck.objects.all().delete()
    DeclarationCheck.objects.all().delete()
    # every form scored and checked again, one batch of each kind (on PostgreSQL two more per batch: the
    # lock timeout a reader stores with)
    with django_assert_max_num_queries(32):
        lines = score_report()
    assert len(lines) == 9 + SelfEvaluation.objects.count() + 1
    with django_assert_max_num_queries(16):  # their checks are current: read, not made again
        again = score_report()
    assert [line.as_dict() for line in again] == [line.as_dict() for line in lines]
