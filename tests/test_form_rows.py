"""One cap on a form's rows (``settings.MAX_FORM_ROWS``): forms up to it save on the page, the API, the Excel import
and the admin; past it a message in Chinese and nothing saved. The fields a request may post are computed from it."""

import io

import pytest
from django.conf import settings
from django.contrib import admin
from django.db.models import Count
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from projects.forms import declaration_formsets, department_formsets
from projects.models import DepartmentDeclaration, Indicator, Project, ProjectDeclaration
from projects.services.xlsx import INDICATOR_COLUMNS, SheetError, export_declaration, read_declaration
from selfeval.forms import evaluation_formsets
from selfeval.models import SelfEvaluation
from tests.api.test_api import api, payload
from tests.conftest import set_status
from tests.projects.test_declaration_pages import category, complete_data, management
from tests.reports.test_declaration_xlsx import upload

pytestmark = pytest.mark.django_db

CAP = settings.MAX_FORM_ROWS


def _row_fields(formset) -> int:
    """The fields one row of ``formset`` posts (its id, its parent's key and DELETE included)."""
    return len(formset.empty_form.fields)


def _admin_formsets(request, obj):
    model_admin = admin.site._registry[type(obj)]
    return [inline.get_formset(request, obj)(instance=obj) for inline in model_admin.get_inline_instances(request, obj)]


def test_the_posted_fields_allowed_are_the_cap_times_the_widest_row(admin_user_):
    """Every row anything posts fits FORM_ROW_FIELDS, and a form's other fields fit FORM_OTHER_FIELDS."""
    request = RequestFactory().get("/")
    request.user = admin_user_
    declaration = ProjectDeclaration.objects.first()
    evaluation = SelfEvaluation.objects.annotate(n=Count("rows")).order_by("-n").first()
    department = DepartmentDeclaration.objects.first()
    pages = [
        declaration_formsets(declaration).values(),
        department_formsets(department).values(),
        evaluation_formsets(evaluation).values(),
        *[_admin_formsets(request, obj) for obj in (declaration, evaluation, department)],
    ]
    widest = max(_row_fields(fs) for formsets in pages for fs in formsets)
    assert widest <= settings.FORM_ROW_FIELDS
    for obj, formsets in ((declaration, pages[3]), (evaluation, pages[4]), (department, pages[5])):
        header = len(admin.site._registry[type(obj)].get_form(request, obj)().fields)
        assert header + 4 * len(formsets) + 10 <= settings.FORM_OTHER_FIELDS  # + CSRF, buttons, version
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == CAP * settings.FORM_ROW_FIELDS + settings.FORM_OTHER_FIELDS


# -- the declaration page and the API ----------------------------------------------------------------------------


@pytest.fixture
def draft(client, finance_user):
    project = Project.objects.get(key="dxh2021-rczx")
    client.force_login(finance_user)
    client.post(reverse("projects:declaration_create", args=[project.pk]), {"year": "2022"})
    return ProjectDeclaration.objects.get(project=project, year=2022)


def _page_of(declaration, rows: int) -> dict:
    """The complete page of ``complete_data`` grown to ``rows`` rows in all (the indicator table takes the rest)."""
    data = complete_data(declaration)
    others = sum(int(data[f"{p}-TOTAL_FORMS"]) for p in ("funding", "expenses", "goals"))
    count = rows - others
    level1, level2 = category("产出指标"), category("数量指标", "产出指标")
    data.update(management("indicators", count))
    for i in range(count):
        data.update({
            f"indicators-{i}-level1": str(level1.pk), f"indicators-{i}-level2": str(level2.pk),
            f"indicators-{i}-name": f"指标 {i + 1}", f"indicators-{i}-target": "≥10 场",
        })  # fmt: skip
    return data


def test_a_declaration_page_of_the_cap_saves_and_one_row_more_saves_nothing(client, draft):
    url = reverse("projects:declaration_edit", args=[draft.pk])
    over = client.post(url, _page_of(draft, CAP + 1))
    assert over.status_code == 200
    assert f"最多 {CAP} 行" in over.content.decode()
    assert not Indicator.objects.filter(project_declaration=draft).exists()
    response = client.post(url, _page_of(draft, CAP))
    assert response.status_code == 302, response.content.decode()[:500]
    assert Indicator.objects.filter(project_declaration=draft).count() == CAP - 4


def _rows(count: int) -> list[dict]:
    return [
        {"level1": "产出指标", "level2": "数量指标", "name": f"指标 {i + 1}", "target": "≥1场"} for i in range(count)
    ]


def test_the_api_writes_a_declaration_of_the_cap_and_refuses_one_row_more(finance_user):
    client = api(finance_user)
    base = payload("dxh2021-rczx")
    others = len(base["goals"]) + len(base["funding"]) + len(base["expenses"])
    over = client.post("/api/declarations/", {**base, "indicators": _rows(CAP + 1 - others)}, format="json")
    assert over.status_code == 400 and f"最多 {CAP} 行" in over.json()["detail"]
    assert not ProjectDeclaration.objects.filter(project__key="dxh2021-rczx", year=2023).exists()
    created = client.post("/api/declarations/", {**base, "indicators": _rows(CAP - others)}, format="json")
    assert created.status_code == 201, str(created.json())[:500]
    assert len(created.json()["indicators"]) == CAP - others


# -- the Excel import --------------------------------------------------------------------------------------------


TARGET_COLUMN = 1 + [key for _title, key in INDICATOR_COLUMNS].index("target")


def test_the_import_refuses_a_template_past_the_cap_and_writes_nothing(client, finance_user):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    content = export_declaration(declaration)
    wb = load_workbook(io.BytesIO(content))
    wb["_perfbudget"]["B3"] = 2022  # a new declaration: no version to compare
    ws = wb.worksheets[0]
    first = ws.max_row + 1
    have = read_declaration(io.BytesIO(content)).row_count()
    for offset in range(CAP - have):
        ws.cell(row=first + offset, column=4, value=f"指标 {offset + 1}")
        ws.cell(row=first + offset, column=TARGET_COLUMN, value="≥1场")

    def saved(workbook) -> bytes:
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    assert read_declaration(io.BytesIO(saved(wb))).row_count() == CAP  # the cap itself is read
    ws.cell(row=first + CAP - have, column=4, value="多出的一行")
    client.force_login(finance_user)
    response = client.post(reverse("reports:declaration_import"), {"file": upload(saved(wb))}, follow=True)
    page = response.content.decode()
    assert "导入失败，未写入任何内容" in page and f"共有 {CAP + 1} 行" in page
    assert not ProjectDeclaration.objects.filter(project=declaration.project, year=2022).exists()


# -- the admin ---------------------------------------------------------------------------------------------------


def _admin_post(client, url) -> dict:
    """The admin change page's data as its browser would post it, unchanged."""
    page = client.get(url)
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(getattr(value, "pk", value))

    put(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({formset.management_form.add_prefix(k): str(v) for k, v in formset.management_form.initial.items()})
        for form in formset.forms:
            put(form)
    data["_save"] = "保存"
    return data


def admin_types_actual(client_class, admin_user, evaluation, row, text: str) -> None:
    """An administrator types ``text`` as ``row``'s 全年实际完成值 on ``evaluation``'s admin page and saves it."""
    admin = client_class()
    admin.force_login(admin_user)
    url = reverse("admin:selfeval_selfevaluation_change", args=[evaluation.pk])
    data = _admin_post(admin, url)
    name = next(k for k, v in data.items() if k.endswith("-id") and v == str(row.pk))
    data[name[: -len("id")] + "actual"] = text
    assert admin.post(url, data).status_code == 302


def test_the_admin_saves_the_57_row_seed_evaluation(client, admin_user_):
    evaluation = SelfEvaluation.objects.annotate(n=Count("rows")).get(n=57)
    client.force_login(admin_user_)
    url = reverse("admin:selfeval_selfevaluation_change", args=[evaluation.pk])
    data = _admin_post(client, url)
    assert len(data) > 1000  # more fields than Django's default allows
    data["filler"] = "管理员改"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:300]
    assert SelfEvaluation.objects.get(pk=evaluation.pk).filler == "管理员改"


def test_the_admin_refuses_a_form_past_the_cap(client, admin_user_):
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "draft")  # an approved one is read-only in the admin
    client.force_login(admin_user_)
    url = reverse("admin:projects_projectdeclaration_change", args=[declaration.pk])
    data = _admin_post(client, url)
    prefix = next(k[: -len("-TOTAL_FORMS")] for k in data if k.endswith("-TOTAL_FORMS") and "indicator" in k)
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    posted = sum(int(v) for k, v in data.items() if k.endswith("-TOTAL_FORMS"))
    extra = CAP + 1 - posted
    for i in range(start, start + extra):
        data.update(
            {
                f"{prefix}-{i}-seq": str(i + 1),
                f"{prefix}-{i}-name": f"指标 {i}",
                f"{prefix}-{i}-level1_printed": "产出指标",
            }
        )
    data[f"{prefix}-TOTAL_FORMS"] = str(start + extra)
    data["leader"] = "管理员改"
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"最多 {CAP} 行" in response.content.decode()
    assert ProjectDeclaration.objects.get(pk=declaration.pk).leader != "管理员改"
    assert declaration.indicators.count() == start


def test_the_admins_bulk_indicator_import_keeps_each_declaration_within_the_cap(finance_user, settings):
    import tablib

    from projects.limits import declaration_row_count
    from projects.resources import IndicatorResource

    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-rczx")
    set_status(declaration, "draft")
    have = declaration_row_count(declaration)
    settings.MAX_FORM_ROWS = cap = have + 5  # the cap is read when checked: a small one keeps this test quick
    headers = ["项目编码", "年度", "序号", "一级指标", "二级指标", "三级指标", "指标值", "绩效标准", "分值"]

    def rows(count):
        start = declaration.indicators.count() + 1
        return tablib.Dataset(
            *[
                ["dxh2021-rczx", "2021", str(start + i), "产出指标", "数量指标", f"指标 {i}", "≥1", "", ""]
                for i in range(count)
            ],
            headers=headers,
        )

    result = IndicatorResource(user=finance_user).import_data(rows(cap + 1 - have), dry_run=False)
    assert result.has_validation_errors()
    messages = [str(m) for row in result.invalid_rows for errors in row.error_dict.values() for m in errors]
    assert any(f"最多 {cap} 行" in m for m in messages)
    assert declaration_row_count(declaration) == have
    result = IndicatorResource(user=finance_user).import_data(rows(cap - have), dry_run=False)
    assert not result.has_validation_errors() and declaration_row_count(declaration) == cap


def test_a_post_past_the_field_limit_is_refused_in_chinese_and_saves_nothing(client, draft):
    """Far past the cap the request has more fields than Django reads: a 400 page in Chinese, nothing saved."""
    before = draft.updated_at
    data = {f"indicators-{i}-name": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(reverse("projects:declaration_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "无法处理这个请求" in text and "没有保存任何内容" in text and "Bad Request" not in text
    draft.refresh_from_db()
    assert draft.updated_at == before


def test_a_file_with_many_problems_lists_the_first_and_counts_the_rest():
    error = SheetError([f"第 {n} 行：分值“x”不是数字。" for n in range(1, 31)])
    assert "第 20 行" in str(error) and "第 21 行" not in str(error) and "另有 10 处问题未列出" in str(error)
    assert len(error.problems) == 30
