"""The 项目支出绩效目标执行监控表 as a PDF: the budget block, the rows with 偏差原因 and 完成目标可能性 ticked, each light
with its formula, the decisions and the approval; downloaded by whoever may read the form, nobody else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.choices import DeclarationStatus, Likelihood, MonitoringDecisionKind
from projects.selectors import monitoring_page
from projects.services import monitoring as service
from reports.services.pdf import form_html, form_pdf
from tests.builders import make_declaration, make_project
from tests.projects.test_monitoring import fill
from tests.reports.test_pdf import pdf_pages

pytestmark = pytest.mark.django_db

ROWS = [("output", "培训人次", "≥600人次"), ("output", "响应时间", "≤48小时"), ("satisfaction", "满意度", "≥90%")]
VALUES = {
    1: {"value_to_date": "150", "likelihood": Likelihood.POSSIBLE, "cause_funding": True, "cause_staff": True,
        "suggestion": "下半年集中开班", "reason": "上半年师资不足"},
    2: {"value_to_date": "36小时", "likelihood": Likelihood.CERTAIN},
    3: {"value_to_date": "92%", "likelihood": Likelihood.CERTAIN},
}  # fmt: skip


@pytest.fixture
def approved(dongxihu, finance_user, head_user):
    declaration = make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)
    form = fill(service.monitoring_start(declaration=declaration, user=finance_user), finance_user, VALUES)
    service.monitoring_submit(form=form, user=finance_user)
    service.monitoring_review(form=form, user=head_user, approve=True, comment="同意，抓紧执行")
    service.monitoring_decide(
        form=form, user=head_user, kind=MonitoringDecisionKind.CONTINUE, reason="下半年加快培训进度",
        respond_by=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    return monitoring_page(form.pk)


def test_the_pdf_prints_the_budget_rows_ticks_lights_decisions_and_approval(approved):
    filename, data = form_pdf(approved)
    assert filename.endswith("_监控表_" + approved.declaration.project.name.replace(" ", "_") + ".pdf")
    assert "1–7月" in filename
    text = "".join(pdf_pages(data))
    for expected in [
        "项目支出绩效目标执行监控表", "（2030年度1–7月）", "年初预算数", "全年预计执行数", "执行率", "35.0%",
        "进度=1–7月150÷(600×7/12)=42.9%", "红灯", "☑经费保障", "☐制度保障", "☑人员保障", "☐硬件条件保障", "☐其他",
        "☑有可能", "☐确定能", "上半年师资不足", "下半年集中开班", "继续执行", "下半年加快培训进度",
        "审核人（部门负责人）", "同意，抓紧执行", "已审核",
    ]:  # fmt: skip
        assert expected in text, expected
    assert text.count("☑确定能") == 2  # rows 2 and 3


def test_a_draft_prints_no_approval(finance_user, dongxihu):
    declaration = make_declaration(make_project(dongxihu), year=2030, status=DeclarationStatus.APPROVED, rows=ROWS)
    form = monitoring_page(service.monitoring_start(declaration=declaration, user=finance_user).pk)
    html = form_html(form)
    assert "草稿" in html and "同意" not in html
    assert "未填（按时间进度）" in html
    assert html.count("☐ 经费保障") == 3 and "☑" not in html


@pytest.mark.parametrize(
    "user, status",
    [("finance_user", 200), ("head_user", 200), ("auditor_user", 200), ("admin_user_", 200), ("outsider_user", 404)],
)
def test_download_for_whoever_reads_the_form(client, request, approved, user, status):
    client.force_login(request.getfixturevalue(user))
    response = client.get(reverse("reports:monitoring_pdf", args=[approved.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.streaming  # approved: served from the file stored when it was approved
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        page = client.get(reverse("projects:monitoring", args=[approved.pk])).content.decode()
        assert reverse("reports:monitoring_pdf", args=[approved.pk]) in page
