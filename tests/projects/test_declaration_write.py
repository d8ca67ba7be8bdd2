"""One write path for a declaration: page, API and Excel import share the service, its version check and its log."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import ProjectDeclaration
from projects.services.xlsx import export_declaration
from tests.api.test_api import api, payload
from tests.projects.test_declaration_pages import management
from tests.reports.test_declaration_xlsx import snapshot, upload

pytestmark = pytest.mark.django_db

KEY = "dxh2021-rczx"


@pytest.fixture
def written(finance_user) -> dict:
    """A 2023 draft written through the API; its detail (with ``version``)."""
    response = api(finance_user).post("/api/declarations/", payload(KEY), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def page_post(client, declaration, **overrides) -> dict:
    """The edit page posted back as it is shown (every row with its id), with ``overrides`` applied."""
    response = client.get(reverse("projects:declaration_edit", args=[declaration.pk]))
    form, formsets = response.context["form"], response.context["formsets"]
    data = {"unit": declaration.unit, "action": "save"}
    for name in form.fields:
        value = form.initial.get(name)
        data[name] = "" if value is None else str(value)
    for prefix, formset in formsets.items():
        data.update(management(prefix, len(formset.forms), len(formset.forms)))
        for i, f in enumerate(formset.forms):
            for name in f.fields:
                if name != "DELETE":
                    value = f.instance.pk if name == "id" else f.initial.get(name)
                    data[f"{prefix}-{i}-{name}"] = "" if value is None else str(getattr(value, "pk", value))
    data.update(overrides)
    return data


def test_a_stale_api_put_is_refused_with_the_other_persons_changes(client, finance_user, written):
    declaration = ProjectDeclaration.objects.get(pk=written["id"])
    client.force_login(finance_user)
    saved = client.post(
        reverse("projects:declaration_edit", args=[declaration.pk]), page_post(client, declaration, leader="乙")
    )
    assert saved.status_code == 302
    before = snapshot(ProjectDeclaration.objects.get(pk=declaration.pk))
    stale = payload(KEY, leader="甲", goals=["另一个目标"], version=written["version"])
    response = api(finance_user).put(f"/api/declarations/{declaration.pk}/", stale, format="json")
    assert response.status_code == 409
    body = response.json()
    assert "被他人修改" in body["detail"] and "项目负责人" in body["detail"]
    assert any(c["field"] == "项目负责人" and c["new"] == "乙" for e in body["changes"] for c in e["changes"])
    assert body["version"] == ProjectDeclaration.objects.get(pk=declaration.pk).updated_at.isoformat()
    assert snapshot(ProjectDeclaration.objects.get(pk=declaration.pk)) == before
    fresh = payload(KEY, leader="甲", version=body["version"])
    assert api(finance_user).put(f"/api/declarations/{declaration.pk}/", fresh, format="json").status_code == 200


def test_a_put_without_version_or_with_unknown_keys_is_refused(finance_user, written):
    url = f"/api/declarations/{written['id']}/"
    before = snapshot(ProjectDeclaration.objects.get(pk=written["id"]))
    missing = api(finance_user).put(url, payload(KEY, leader="甲"), format="json")
    assert missing.status_code == 400 and "version" in missing.json() and "读取" in str(missing.json())
    unknown = api(finance_user).put(url, payload(KEY, leeder="甲", version=written["version"]), format="json")
    assert unknown.status_code == 400 and "不认识" in str(unknown.json()["leeder"])
    nested = payload(KEY, version=written["version"], funding=[{"name": "拨款", "amount": "100", "ammount": "1"}])
    response = api(finance_user).put(url, nested, format="json")
    assert response.status_code == 400 and "ammount" in str(response.json()["funding"])
    created_twice = api(finance_user).post("/api/declarations/", payload(KEY, leader="甲"), format="json")
    assert created_twice.status_code == 400 and "version" in created_twice.json()["detail"]
    assert snapshot(ProjectDeclaration.objects.get(pk=written["id"])) == before


def test_a_stale_template_is_refused_and_names_what_changed(client, finance_user, written):
    declaration = ProjectDeclaration.objects.get(pk=written["id"])
    template = export_declaration(declaration)
    changed = api(finance_user).put(
        f"/api/declarations/{declaration.pk}/", payload(KEY, phone="12345", version=written["version"]), format="json"
    )
    assert changed.status_code == 200
    before = snapshot(ProjectDeclaration.objects.get(pk=declaration.pk))
    client.force_login(finance_user)
    page = client.post(reverse("reports:declaration_import"), {"file": upload(template)}, follow=True).content.decode()
    assert "导入失败，未写入任何内容" in page and "被他人修改" in page and "联系电话" in page
    assert snapshot(ProjectDeclaration.objects.get(pk=declaration.pk)) == before


def test_a_template_without_version_only_creates(client, finance_user, written):
    declaration = ProjectDeclaration.objects.get(pk=written["id"])
    wb = load_workbook(io.BytesIO(export_declaration(declaration)))
    wb["_perfbudget"].delete_rows(4)  # an older template: no version row
    old = io.BytesIO()
    wb.save(old)
    client.force_login(finance_user)
    before = snapshot(declaration)
    page = client.post(reverse("reports:declaration_import"), {"file": upload(old.getvalue())}, follow=True)
    assert "旧版系统导出" in page.content.decode() and "请重新导出模板" in page.content.decode()
    assert snapshot(ProjectDeclaration.objects.get(pk=declaration.pk)) == before
    wb["_perfbudget"]["B3"] = 2024
    other_year = io.BytesIO()
    wb.save(other_year)
    client.post(reverse("reports:declaration_import"), {"file": upload(other_year.getvalue())})
    assert ProjectDeclaration.objects.filter(project__key=KEY, year=2024).exists()


def test_the_log_names_the_channel(client, finance_user, written):
    declaration = ProjectDeclaration.objects.get(pk=written["id"])
    client.force_login(finance_user)
    client.post(
        reverse("projects:declaration_edit", args=[declaration.pk]), page_post(client, declaration, leader="乙")
    )
    declaration.refresh_from_db()
    client.post(reverse("reports:declaration_import"), {"file": upload(export_declaration(declaration))})
    events = [e.get_action_display() for e in declaration.events.all()]
    assert events == ["由接口写入", "由 Excel 导入"]  # the page's saves are not workflow steps
    reasons = list(declaration.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons == ["接口", "页面", "Excel 导入"]


def test_page_api_and_import_store_the_same_result(client, finance_user, written):
    declaration = ProjectDeclaration.objects.get(pk=written["id"])
    by_api = snapshot(declaration)
    client.force_login(finance_user)
    response = client.post(reverse("projects:declaration_edit", args=[declaration.pk]), page_post(client, declaration))
    assert response.status_code == 302
    by_page = snapshot(ProjectDeclaration.objects.get(pk=declaration.pk))
    declaration.refresh_from_db()
    client.post(reverse("reports:declaration_import"), {"file": upload(export_declaration(declaration))})
    by_import = snapshot(ProjectDeclaration.objects.get(pk=declaration.pk))
    for name in ("funding_total", "expense_total"):  # the page and the template print the totals; the API has none
        by_api["header"][name] = by_page["header"][name]
    assert by_page == by_api
    assert by_import == by_api


def test_a_save_that_changes_one_value_keeps_the_rows_and_logs_only_that_change(client, finance_user, written):
    """Rows are updated in place by their 序号: ids stay, and the audit trail shows the one value that changed."""
    from projects.models import Indicator

    declaration = ProjectDeclaration.objects.get(pk=written["id"])
    before = list(Indicator.objects.filter(project_declaration=declaration).order_by("seq").values_list("pk", "target"))
    history_before = Indicator.history.filter(project_declaration_id=declaration.pk).count()
    client.force_login(finance_user)
    response = client.post(
        reverse("projects:declaration_edit", args=[declaration.pk]),
        page_post(client, declaration, **{"indicators-0-target": "≥99%"}),
    )
    assert response.status_code == 302
    after = list(Indicator.objects.filter(project_declaration=declaration).order_by("seq").values_list("pk", "target"))
    assert [pk for pk, _ in after] == [pk for pk, _ in before]
    assert after[0][1] == "≥99%" and after[1:] == before[1:]
    changed = Indicator.history.filter(project_declaration_id=declaration.pk).count() - history_before
    assert changed == 1
