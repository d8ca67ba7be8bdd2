"""The 部门整体支出绩效目标申报表 pages."""

import pytest
from django.urls import reverse

from indicators.models import IndicatorCategory
from projects.models import DepartmentDeclaration, Goal
from tests.conftest import set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def overall():
    return DepartmentDeclaration.objects.get(department__code="420112-zzb", year=2021)


def page_data(client, declaration, **changes):
    response = client.get(reverse("projects:department_declaration_edit", args=[declaration.pk]))
    assert response.status_code == 200
    data = {"version": response.context["form"].initial["version"]}
    form = response.context["form"]
    for name in form.fields:
        value = form.initial.get(name)
        data[name] = "" if value is None else str(value)
    for prefix, formset in response.context["formsets"].items():
        forms = formset.forms
        data.update({f"{prefix}-TOTAL_FORMS": str(len(forms)), f"{prefix}-INITIAL_FORMS": str(len(forms)),
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})  # fmt: skip
        for i, f in enumerate(forms):
            for name in f.fields:
                if name == "DELETE":
                    continue
                value = f.instance.pk if name == "id" else f.initial.get(name)
                if name == formset.fk.name:
                    value = declaration.pk
                data[f"{prefix}-{i}-{name}"] = "" if value is None else str(getattr(value, "pk", value))
    data.update(changes)
    return data


def test_the_page_reads_like_the_paper_form(client, auditor_user, overall):
    client.force_login(auditor_user)
    page = client.get(reverse("projects:department_declaration", args=[overall.pk])).content.decode()
    for text in [
        "部门整体支出绩效目标申报表",
        "彭丽莹",
        "1636.63",
        "7534.89",
        "4175.62",
        "部门职能概述",
        "长期目标 1",
        "年度目标 2",
        "受训学员满意度",
    ]:
        assert text in page, text


def test_finance_staff_edit_a_draft_and_add_a_row_to_a_goal(client, finance_user, overall):
    set_status(overall, "draft")
    client.force_login(finance_user)
    goal = Goal.objects.get(department_declaration=overall, kind="annual", seq=3)
    total = overall.indicators.count()
    l1 = IndicatorCategory.objects.get(name="满意度指标", level=1)
    l2 = l1.children.get()
    data = page_data(client, overall, filler="李四")
    data.update({"indicators-TOTAL_FORMS": str(total + 1), f"indicators-{total}-goal": str(goal.pk),
                 f"indicators-{total}-level1": str(l1.pk), f"indicators-{total}-level2": str(l2.pk),
                 f"indicators-{total}-name": "服务对象满意度", f"indicators-{total}-target": "≥90%"})  # fmt: skip
    response = client.post(reverse("projects:department_declaration_edit", args=[overall.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    overall.refresh_from_db()
    assert overall.filler == "李四"
    assert goal.indicators.get().name == "服务对象满意度"
    assert overall.indicators.count() == total + 1
    assert overall.fund_lines.get(name="财政拨款").amount == 16366300


def test_scope_and_roles(client, outsider_user, auditor_user, head_user, finance_user, overall):
    client.force_login(outsider_user)
    assert client.get(reverse("projects:department_declaration", args=[overall.pk])).status_code == 404
    client.force_login(auditor_user)
    assert client.get(reverse("projects:department_declaration_edit", args=[overall.pk])).status_code == 403
    set_status(overall, "draft")
    client.force_login(finance_user)
    client.post(reverse("projects:department_declaration_action", args=[overall.pk]), {"action": "submit"})
    client.force_login(head_user)
    client.post(reverse("projects:department_declaration_action", args=[overall.pk]), {"action": "approve"})
    overall.refresh_from_db()
    assert overall.status == "approved"
    assert list(overall.events.values_list("action", flat=True)) == ["submit", "approve"]


def test_a_returned_declaration_shows_the_heads_comment_where_it_is_mended(client, finance_user, head_user, overall):
    set_status(overall, "draft")
    action = reverse("projects:department_declaration_action", args=[overall.pk])
    client.force_login(finance_user)
    client.post(action, {"action": "submit"})
    client.force_login(head_user)
    client.post(action, {"action": "return", "comment": "请细化部门整体满意度指标。\n另：补充时效指标。"})
    overall.refresh_from_db()
    assert overall.status == "returned"
    client.force_login(finance_user)
    for name in ("projects:department_declaration", "projects:department_declaration_edit"):
        page = client.get(reverse(name, args=[overall.pk])).content.decode()
        assert "退回意见：请细化部门整体满意度指标。<br>另：补充时效指标。" in page
    client.post(action, {"action": "submit"})
    page = client.get(reverse("projects:department_declaration", args=[overall.pk])).content.decode()
    assert "退回意见：" not in page  # answered: no longer waiting on the return
    assert "请细化部门整体满意度指标。<br>另：补充时效指标。" in page  # the 审核记录 keeps the comment's lines


def test_an_approved_declaration_is_adjusted_through_a_logged_request(client, finance_user, head_user, overall):
    """申请调整 as on a project declaration: the filer asks with a reason, the head allows it, the form is a draft
    again; the buttons show to the role whose step it is, and a refused step says why and changes nothing."""
    page = reverse("projects:department_declaration", args=[overall.pk])
    action = reverse("projects:department_declaration_action", args=[overall.pk])
    client.force_login(head_user)
    assert "申请调整已审核的目标" not in client.get(page).content.decode()
    client.force_login(finance_user)
    assert "申请调整已审核的目标" in client.get(page).content.decode()
    refused = client.post(action, {"action": "adjust_request", "comment": " "}, follow=True).content.decode()
    assert "请填写调整理由。" in refused
    overall.refresh_from_db()
    assert not overall.adjustment_requested
    done = client.post(action, {"action": "adjust_request", "comment": "年度任务增加培训一项"}, follow=True)
    assert "已提交调整申请。" in done.content.decode() and "申请调整中" in done.content.decode()
    assert "同意调整" not in done.content.decode()  # the head's step
    client.force_login(head_user)
    text = client.get(page).content.decode()
    assert "调整申请：年度任务增加培训一项" in text and "同意调整" in text
    client.post(action, {"action": "adjust_approve", "comment": "同意"})
    overall.refresh_from_db()
    assert (overall.status, overall.adjustment_requested) == ("draft", False)
    assert [e.action for e in overall.events.order_by("pk")][-2:] == ["adjust_request", "adjust_approve"]
