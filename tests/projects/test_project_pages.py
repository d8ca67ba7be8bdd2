"""项目入库 on the pages: finance staff enter and edit their department's projects, every type reaches the home
page, a blank Excel template per project; heads and auditors read only; bad input gets Chinese messages."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Project
from projects.services.catalogue import suggest_key

pytestmark = pytest.mark.django_db


def entry(department, **overrides):
    data = {
        "department": str(department.pk), "key": "dxh-2031-test", "name": "社区人才驿站建设",
        "project_type": "one_off", "period_start": "2031", "period_end": "2031",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.parametrize("kind", ["one_off", "special", "recurring", "continuing"])
def test_finance_enters_a_project_of_any_type_and_the_home_page_offers_its_declaration(
    client, finance_user, dongxihu, kind
):
    client.force_login(finance_user)
    form = client.get(reverse("projects:project_create"))
    assert form.status_code == 200
    assert "小写英文字母、数字和连字符" in form.content.decode() and "建议编码" in form.content.decode()
    end = "2031" if kind == "one_off" else "2033"
    response = client.post(reverse("projects:project_create"), entry(dongxihu, project_type=kind, period_end=end))
    assert response.status_code == 302
    project = Project.objects.get(key="dxh-2031-test")
    assert (project.department, project.project_type, project.period_start) == (dongxihu, kind, 2031)
    home = client.get(reverse("home"), {"year": "2031"})
    assert project in [row["project"] for row in home.context["rows"]]
    page = home.content.decode()
    assert reverse("projects:declaration_create", args=[project.pk]) in page
    assert reverse("projects:project_template", args=[project.pk]) in page
    # outside its period a one-off project does not wait for a declaration
    if kind == "one_off":
        later = client.get(reverse("home"), {"year": "2032"})
        assert project not in [row["project"] for row in later.context["rows"]]


def test_the_project_list_shows_the_department_and_an_edit_changes_the_project(client, finance_user, dongxihu):
    client.force_login(finance_user)
    client.post(reverse("projects:project_create"), entry(dongxihu))
    project = Project.objects.get(key="dxh-2031-test")
    listing = client.get(reverse("projects:project_list")).content.decode()
    assert "社区人才驿站建设" in listing and "dxh2021-rczx" in listing and "hs2019" not in listing
    edit = reverse("projects:project_edit", args=[project.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, entry(dongxihu, name="社区人才驿站建设（二期）", project_type="special", period_end="2032")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.project_type, project.period_end) == ("社区人才驿站建设（二期）", "special", 2032)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"key": "人才 项目"}, "项目编码格式不对"),
        ({"key": "dxh2021-rczx"}, "项目编码已被其他项目使用"),
        ({"key": ""}, "请填写项目编码"),
        ({"name": "   "}, "请填写项目名称"),
        ({"project_type": "unknown"}, "请选择列出的项目类型"),
        ({"period_start": "abc"}, "起始年度须是四位数的年份"),
        ({"period_start": ""}, "请填写项目期起始年度"),
        ({"period_start": "2031", "period_end": "2030", "project_type": "special"}, "终止年度不能早于起始年度"),
        ({"period_end": "2033"}, "一次性项目的起止年度应为同一年度"),
        ({"period_end": "", "project_type": "special"}, "除常年性项目外，请填写项目期终止年度"),
        ({"period_start": "1850"}, "年度须在 2000–2100 之间"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(client, finance_user, dongxihu, overrides, message):
    client.force_login(finance_user)
    response = client.post(reverse("projects:project_create"), entry(dongxihu, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "本次没有保存任何内容" in response.content.decode()
    assert not Project.objects.filter(name="社区人才驿站建设").exists()


def test_finance_cannot_enter_or_move_a_project_into_another_department(
    client, finance_user, outsider_user, dongxihu, hongshan
):
    client.force_login(finance_user)
    response = client.post(reverse("projects:project_create"), entry(hongshan))
    assert response.status_code == 200 and "只能为你所在的部门录入项目" in response.content.decode()
    assert not Project.objects.filter(key="dxh-2031-test").exists()
    project = Project.objects.get(key="dxh2021-rczx")
    client.force_login(outsider_user)  # finance staff of 洪山
    assert client.get(reverse("projects:project_edit", args=[project.pk])).status_code == 404
    assert client.post(reverse("projects:project_edit", args=[project.pk]), entry(hongshan)).status_code == 404
    project.refresh_from_db()
    assert project.department == dongxihu


def test_heads_and_auditors_read_the_list_but_do_not_enter(client, head_user, auditor_user, dongxihu):
    project = Project.objects.get(key="dxh2021-rczx")
    for user in (head_user, auditor_user):
        client.force_login(user)
        listing = client.get(reverse("projects:project_list"))
        assert listing.status_code == 200 and "新增项目" not in listing.content.decode()
        assert "dxh2021-rczx" in listing.content.decode()
        assert client.get(reverse("projects:project_create")).status_code == 403
        assert client.post(reverse("projects:project_create"), entry(dongxihu)).status_code == 403
        assert client.post(reverse("projects:project_edit", args=[project.pk]), entry(dongxihu)).status_code == 403
    assert not Project.objects.filter(key="dxh-2031-test").exists()
    client.force_login(auditor_user)
    assert "hs2019" in client.get(reverse("projects:project_list")).content.decode()  # every department


def test_the_key_suggestion_is_free_and_follows_the_department(dongxihu, finance_user):
    first = suggest_key(dongxihu, 2031)
    assert first == "420112-zzb-2031-001"
    Project.objects.create(key=first, department=dongxihu, name="甲")
    assert suggest_key(dongxihu, 2031) == "420112-zzb-2031-002"


def test_the_blank_template_is_the_declaration_sheet_and_imports_back(client, finance_user, dongxihu):
    client.force_login(finance_user)
    client.post(reverse("projects:project_create"), entry(dongxihu))
    project = Project.objects.get(key="dxh-2031-test")
    response = client.get(reverse("projects:project_template", args=[project.pk]), {"year": "2031"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["项目绩效目标申报表"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "社区人才驿站建设" in cells and "（2031 年度）" in cells
    meta = dict(workbook["_perfbudget"].iter_rows(values_only=True))
    assert (meta["project"], meta["year"]) == ("dxh-2031-test", 2031)
    bad_year = client.get(reverse("projects:project_template", args=[project.pk]), {"year": "abc"})
    assert bad_year.status_code == 200  # a bad year falls back to the coming budget year
    # filled offline and imported back, it creates that year's declaration of the project
    sheet["B6"] = "王洋洋"  # 项目负责人
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "filled.xlsx"
    result = client.post(reverse("reports:declaration_import"), {"file": upload}, follow=True)
    assert "已导入 2031 年“社区人才驿站建设”的申报表" in result.content.decode()
    assert (project.declarations.get().year, project.declarations.get().leader) == (2031, "王洋洋")
