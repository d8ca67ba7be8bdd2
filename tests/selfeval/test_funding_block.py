"""Funding rows as the form prints them (issue 13 point 4): each scheme's funding block is data, totals and their 其中
rows are checked both ways, a total of zeros beside its 其中 rows is an error naming both and the rate and score come
from the consistent figures; 0.00 % on an empty row is fine; "100" in a 执行率(%) column is 100 %."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.locking import loading_records
from projects.models import FundingSource, SchemeFundingLine, ScoringScheme
from selfeval.models import EvaluationCheck, EvaluationFunding, SelfEvaluation
from selfeval.selectors import evaluation_with_rows
from selfeval.services import consistency, engine
from selfeval.services.adapters import form_input
from selfeval.services.checks import save_figures
from selfeval.services.start import evaluation_start
from tests.selfeval.test_scheme_points import weighted

pytestmark = pytest.mark.django_db
D = Decimal


def line(name, key, budget=None, executed=None, rate="", part_of=None, is_total=False):
    return consistency.FundingData(name, is_total, budget, executed, rate, None, key, part_of)


def findings(*funding, percent=False, points=20):
    data = consistency.EvaluationData(
        rules=engine.Rules(),
        printed_total=None,
        printed_grade="",
        printed_budget_rate="",
        printed_budget_score=None,
        funding=funding,
        sections=(consistency.SectionData("funds", "项目资金", "budget", D(points), None),),
        rows=(),
        filed=False,
        full_points=D(points),
        rate_in_percent=percent,
    )
    return consistency.check_evaluation(data)


def test_a_total_of_zeros_beside_non_zero_parts_names_both_rows_and_the_figures_are_the_parts():
    funding = (
        line("年度资金总额", 1, D(0), D(0), is_total=True),
        line("其中：当年财政拨款", 2, D(100), D(90), part_of=1),
        line("上年结转资金", 3, None, None, part_of=1),
    )
    found = [f for f in findings(*funding) if f.code == "funding_total_zero"]
    assert len(found) == 2  # 预算数 and 执行数
    assert "年度资金总额" in found[0].message and "其中：当年财政拨款" in found[0].message
    assert (found[0].printed, found[0].computed) == ("0", "100")
    assert consistency.budget_figures(funding) == (D(100), D(90))
    # no "预算数为 0" error on the total: its figures are its parts'
    assert not any(f.code == "rate_without_budget" for f in findings(*funding))


def test_a_total_differing_from_its_parts_is_an_error_both_ways():
    more = (line("合计", 1, D(100), D(100), is_total=True), line("财政资金", 2, D(60), D(60), part_of=1))
    less = (line("合计", 1, D(100), D(100), is_total=True), line("财政资金", 2, D(160), D(100), part_of=1))
    for funding, computed in ((more, "60"), (less, "160")):
        found = [f for f in findings(*funding) if f.code == "funding_parts_sum"]
        assert found and found[0].printed == "100" and found[0].computed == computed
    agree = (line("合计", 1, D(100), D(90), is_total=True), line("财政资金", 2, D(100), D(90), part_of=1))
    assert not any(f.code.startswith("funding_") for f in findings(*agree))


def test_zero_rate_on_an_empty_row_is_not_an_error():
    funding = (line("年度资金总额", 1, D(100), D(100), "100%", is_total=True), line("其他资金", 2, None, None, "0.00%"))
    assert findings(*funding) == []
    zero_budget = (line("年度资金总额", 1, D(100), D(100), "100%", is_total=True), line("其他资金", 2, D(0), D(0), "0"))
    assert findings(*zero_budget) == []
    # a rate on a row with money but no budget is still reported
    spent = (line("年度资金总额", 1, D(100), D(100), "100%", is_total=True), line("其他资金", 2, D(0), D(5), "5%"))
    assert [f.code for f in findings(*spent)] == ["over_executed", "rate_without_budget"]


def test_a_rate_without_percent_in_a_percent_column_is_a_percentage():
    funding = (line("年度资金总额", 1, D(100), D(100), "100", is_total=True),)
    assert findings(*funding, percent=True) == []
    assert [f.code for f in findings(*funding, percent=False)] == ["budget_rate"]  # read as 10 000 %
    funding = (line("年度资金总额", 1, D(200), D(150), "80", is_total=True),)
    found = findings(*funding, percent=True)
    assert [(f.code, f.computed) for f in found] == [("budget_rate", "75%")]


def test_the_funding_block_comes_from_the_schemes_data_and_the_score_from_consistent_figures():
    scheme = ScoringScheme.objects.get(code="hubei_project")
    lines = list(scheme.funding_lines.order_by("seq"))
    assert lines[0].name == "年度资金总额" and all(x.part_of_id == lines[0].pk for x in lines[1:])
    # an administrator's change, no code: a 其中 row renamed, one added
    SchemeFundingLine.objects.filter(pk=lines[1].pk).update(name="其中：财政拨款")
    SchemeFundingLine.objects.create(scheme=scheme, seq=20, name="上年结转", part_of=lines[0])
    evaluation = evaluation_start(declaration=weighted("dxh2021-hsyq", ["20", "20", "20"]))
    # the scheme's rows, then the declaration's 资金来源 that no scheme row names
    rows = list(evaluation.funding_rows.order_by("seq"))[: len(lines) + 1]
    assert [r.name for r in rows][:2] == ["年度资金总额", "其中：财政拨款"] and rows[-1].name == "上年结转"
    total = rows[0]
    assert all(r.part_of_id == total.pk for r in rows[1:]) and total.is_total
    with loading_records():  # the form as printed: a total of zeros beside its 其中 rows
        evaluation.funding_rows.update(budget=None, executed=None)
        EvaluationFunding.objects.filter(pk=total.pk).update(budget=D(0), executed=D(0))
        EvaluationFunding.objects.filter(pk=rows[1].pk).update(budget=D(1000), executed=D(900))
    loaded = evaluation_with_rows(evaluation.pk)
    assert (form_input(loaded).budget, form_input(loaded).executed) == (D(1000), D(900))
    check = save_figures(loaded)
    assert (check.budget_rate, check.budget_score) == (D("0.900"), D("18.00"))
    assert check.funding_rate(total.seq) == D("0.900")
    codes = {f["code"] for f in EvaluationCheck.objects.get(evaluation=evaluation).findings}
    assert "funding_total_zero" in codes


def test_the_admin_edits_a_schemes_funding_block(admin_client):
    scheme = ScoringScheme.objects.get(code="national_project")
    page = admin_client.get(reverse("admin:projects_scoringscheme_change", args=[scheme.pk])).content.decode()
    assert "评分方案资金行" in page and "其中：当年财政拨款" in page
    # a 其中 row picks its total among this scheme's rows only
    totals = [line.pk for line in scheme.funding_lines.filter(part_of=None)]
    foreign = SchemeFundingLine.objects.exclude(scheme=scheme).filter(part_of=None).first()
    assert totals and all(f'<option value="{pk}"' in page for pk in totals)
    assert f'<option value="{foreign.pk}"' not in page


def test_the_schemes_rows_carry_the_amounts_of_the_declarations_sources_they_name():
    declaration = weighted("dxh2021-hsyq", ["20", "20", "20"])
    with loading_records():  # a declaration whose 资金来源 name two of the 湖北 rows, one with its 其中 prefix
        declaration.funding_sources.all().delete()
        for seq, (name, level, amount) in enumerate(
            [("省补助", 0, "300"), ("其中：中央补助", 0, "200"), ("专项债券", 1, "50"), ("合计", 0, "500")], start=1
        ):
            FundingSource.objects.create(declaration=declaration, seq=seq, name=name, level=level, amount=D(amount))
    evaluation = evaluation_start(declaration=declaration)
    rows = {r.name: r for r in evaluation.funding_rows.order_by("seq")}
    assert (rows["省补助"].budget, rows["中央补助"].budget, rows["市补助"].budget) == (D(300), D(200), None)
    assert rows["中央补助"].part_of_id == rows["年度资金总额"].pk
    # a source no scheme row names comes after the scheme's rows, a 其中 source named as such; 合计 is the total
    assert list(rows)[-1] == "其中：专项债券" and rows["其中：专项债券"].budget == D(50)
    assert "合计" not in rows and "其中：中央补助" not in rows


def test_a_schemes_row_takes_the_sources_named_by_its_other_names_edited_as_data():
    """The 湖北 form is a county-level form: a district's 公共预算财政拨款 is its 区级预算资金 (shipped 其他写法);
    an administrator's 其他写法 moves a source to another row and sums several into one, with no code."""
    declaration = weighted("dxh2021-hsyq", ["20", "20", "20"])
    with loading_records():
        declaration.funding_sources.all().delete()
        for seq, (name, amount) in enumerate(
            [("公共预算财政拨款", "300"), ("政府性基金预算财政拨款", "50"), ("事业收入", "20"), ("专项债券", "7")],
            start=1,
        ):
            FundingSource.objects.create(declaration=declaration, seq=seq, name=name, level=0, amount=D(amount))
    rows = {r.name: r for r in evaluation_start(declaration=declaration).funding_rows.order_by("seq")}
    assert (rows["区级预算资金"].budget, rows["其他资金"].budget) == (D(350), D(20))  # summed: two 财政拨款 sources
    assert list(rows)[-1] == "专项债券" and "公共预算财政拨款" not in rows  # only the unnamed source is appended

    scheme = ScoringScheme.objects.get(code="hubei_project")
    scheme.funding_lines.filter(name="区级预算资金").update(aliases="")
    scheme.funding_lines.filter(name="市补助").update(aliases="公共预算财政拨款，专项债券")
    SelfEvaluation.objects.filter(declaration=declaration).delete()
    rows = {r.name: r for r in evaluation_start(declaration=declaration).funding_rows.order_by("seq")}
    assert (rows["市补助"].budget, rows["区级预算资金"].budget) == (D(307), None)
    assert list(rows)[-1] == "政府性基金预算财政拨款"  # named by no row now: appended
