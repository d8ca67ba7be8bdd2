"""The admin cannot bypass the workflow: workflow fields are read-only, locked forms are refused with the reason,
administrators who are not superusers cannot grant themselves more, and the exports neutralise formulas."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from projects.choices import Role
from projects.formulas import safe_cell
from projects.models import Goal, Indicator, ProjectDeclaration, User
from selfeval.models import SelfEvaluation
from tests.conftest import make_user, set_status

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The change form as the browser would post it back unchanged: the main form and every inline formset."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if hasattr(bound.field.widget, "widgets"):  # a date and a time
                parts = value if isinstance(value, list) else bound.field.widget.decompress(value)
                for index, part in enumerate(parts):
                    data[f"{bound.html_name}_{index}"] = "" if part is None else part
            elif isinstance(value, bool) or bound.widget_type == "checkbox":
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "" if value is None else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_the_admin_cannot_sign_a_self_evaluation(client, admin_user_):
    evaluation = SelfEvaluation.objects.filter(rows__isnull=False).first()
    set_status(evaluation, "draft")
    client.force_login(admin_user_)
    response = client.get(change_url(evaluation))
    assert "status" not in response.context["adminform"].form.fields
    data = {**form_data(response), "status": "signed", "signed_digest": "ab" * 32, "filler": "管理员"}
    response = client.post(change_url(evaluation), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    evaluation.refresh_from_db()
    assert evaluation.filler == "管理员"  # the content was saved …
    assert (evaluation.status, evaluation.signed_digest, evaluation.signed_by) == ("draft", "", None)  # … not the rest


def test_the_admin_cannot_approve_a_declaration(client, admin_user_):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "draft")
    client.force_login(admin_user_)
    response = client.get(change_url(declaration))
    fields = response.context["adminform"].form.fields
    assert not {"status", "reviewed_by", "review_comment", "adjustment_requested"} & set(fields)
    data = {**form_data(response), "status": "approved", "review_comment": "管理员批准", "leader": "新负责人"}
    assert client.post(change_url(declaration), data).status_code == 302
    declaration.refresh_from_db()
    assert (declaration.leader, declaration.status, declaration.review_comment) == ("新负责人", "draft", "")
    assert not declaration.events.filter(action="approve").exists()


def test_an_approved_declaration_is_read_only_in_the_admin_with_the_reason(client, admin_user_):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    indicator = declaration.indicators.first()
    client.force_login(admin_user_)
    set_status(declaration, "draft")  # the form as posted on a draft …
    data = form_data(client.get(change_url(declaration)))
    set_status(declaration, "approved")  # … arrives after its approval
    response = client.get(change_url(declaration))
    assert response.status_code == 200
    assert "锁定不能修改" in response.content.decode()
    data.update({"leader": "管理员改过", "indicators-0-name": "管理员改过的指标"})
    response = client.post(change_url(declaration), data)
    assert response.status_code == 403
    assert "已提交或已审核，锁定不能修改" in response.content.decode()
    response = client.post(change_url(indicator), {"name": "管理员改过的指标", "seq": 1})
    assert response.status_code == 403 and "锁定不能修改" in response.content.decode()
    goal = declaration.goals.first()
    assert client.post(change_url(goal), {"text": "改"}).status_code == 403
    delete = reverse("admin:projects_projectdeclaration_delete", args=[declaration.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:projects_indicator_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [indicator.pk], "post": "yes"})
    declaration.refresh_from_db()
    indicator.refresh_from_db()
    assert declaration.leader != "管理员改过" and indicator.name != "管理员改过的指标"
    assert Goal.objects.filter(pk=goal.pk).exists() and Indicator.objects.filter(pk=indicator.pk).exists()


# -- the user admin --------------------------------------------------------------------------------


@pytest.fixture
def plain_admin(db) -> User:
    """An administrator by role, not a superuser."""
    return make_user("t-plain-admin", Role.ADMIN, None)


def test_an_administrator_cannot_make_themselves_superuser_or_grant_permissions(client, plain_admin):
    client.force_login(plain_admin)
    url = change_url(plain_admin)
    response = client.get(url)
    assert response.status_code == 200
    fields = response.context["adminform"].form.fields
    assert not {"is_superuser", "user_permissions", "groups"} & set(fields)
    permission = Permission.objects.get(codename="change_user")
    data = {**form_data(response), "is_superuser": "on", "user_permissions": [permission.pk], "first_name": "管"}
    assert client.post(url, data).status_code == 302
    plain_admin.refresh_from_db()
    assert plain_admin.first_name == "管"
    assert not plain_admin.is_superuser and not plain_admin.user_permissions.exists()
    other = make_user("t-other", Role.FINANCE, None)
    response = client.get(change_url(other))
    data = {**form_data(response), "is_superuser": "on", "user_permissions": [permission.pk]}
    assert client.post(change_url(other), data).status_code == 302
    other.refresh_from_db()
    assert not other.is_superuser and not other.user_permissions.exists()


def test_an_administrator_cannot_change_or_delete_a_superuser(client, plain_admin, admin_user_):
    client.force_login(plain_admin)
    url = change_url(admin_user_)
    response = client.get(url)
    assert response.status_code == 200  # readable …
    assert client.post(url, {"username": "renamed", "is_active": ""}).status_code == 403  # … not changeable
    password = url.replace("/change/", "/password/")
    assert client.post(password, {"password1": "x-Long-pw-123", "password2": "x-Long-pw-123"}).status_code == 403
    delete = reverse("admin:projects_user_delete", args=[admin_user_.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:projects_user_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [admin_user_.pk], "post": "yes"})
    admin_user_.refresh_from_db()
    assert (
        admin_user_.username == "t-admin" and admin_user_.is_active and admin_user_.check_password("pw-for-tests-123")
    )


def test_a_superuser_still_manages_superusers(client, admin_user_, plain_admin):
    client.force_login(admin_user_)
    response = client.get(change_url(plain_admin))
    assert "is_superuser" in response.context["adminform"].form.fields
    assert client.post(change_url(plain_admin), {**form_data(response), "is_superuser": "on"}).status_code == 302
    plain_admin.refresh_from_db()
    assert plain_admin.is_superuser


# -- the admin exports -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "＝1+1"]
)
def test_formula_text_is_neutralised(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("-5") == "-5" and safe_cell("+3.2") == "+3.2" and safe_cell(7) == 7 and safe_cell("正常") == "正常"


def export(client, fmt: str, **filters):
    url = reverse("admin:projects_indicator_export")
    if filters:
        url += "?" + "&".join(f"{k}={v}" for k, v in filters.items())
    fields = ["project", "year", "seq", "level1_printed", "level2_printed", "name", "target", "standard", "weight"]
    data = {"format": fmt, "resource": "0", **{f"indicatorresource_{f}": "on" for f in fields}}
    return client.post(url, data)


def test_the_admin_indicator_export_neutralises_formulas(client, admin_user_):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "draft")
    indicator = declaration.indicators.order_by("seq").first()
    indicator.name = '=HYPERLINK("http://evil","x")'
    indicator.target = "＝1+1"
    indicator.save()
    client.force_login(admin_user_)
    response = export(client, "0")  # XLSX
    assert response.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("http://evil","x")' in cells and "'＝1+1" in cells
    assert not [c for c in cells if isinstance(c, str) and c.startswith(("=", "＝"))]
    response = export(client, "1")  # CSV
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ['\'=HYPERLINK("http://evil","x")', "'＝1+1"] == [
        c for row in rows for c in row if c in {'\'=HYPERLINK("http://evil","x")', "'＝1+1"}
    ]
    assert not [c for row in rows for c in row if c.startswith(("=", "＝", "+", "@"))]


def test_the_admin_indicator_export_with_department_indicators_in_scope(client, admin_user_):
    assert Indicator.objects.filter(department_declaration__isnull=False).exists()
    client.force_login(admin_user_)
    response = export(client, "1")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) - 1 == Indicator.objects.filter(project_declaration__isnull=False).count()
    assert all(row[0] for row in rows[1:])  # every row names its project
