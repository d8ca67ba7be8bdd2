"""Words of the office, not of the code: the main pages of every role carry no command names, scheme codes,
data-entry jargon, doubled words or English messages (issue 14, point 8)."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from indicators.services.text import join_sentences, plain_text
from projects.locking import loading_records
from projects.models import DepartmentDeclaration, ProjectDeclaration, ScoringScheme
from selfeval.models import SelfEvaluation
from selfeval.services.start import evaluation_start
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

FORBIDDEN = [
    "manage.py",
    "score_report",
    re.compile(r"\b[a-z]+_(project|department)\b"),  # scheme codes such as hubei_project
    "表中",  # 表中数, 表中原文, 表中总分: say 填报 or 原表
    "层级",
    "已已",
    "其中：其中",
    "。；",
    "This password",
    "None",
]


def visible_text(html: str) -> str:
    """What a reader sees: no scripts, comments, tags or attribute values."""
    html = re.sub(r"<script.*?</script>|<style.*?</style>|<!--.*?-->", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def offences(html: str) -> list[str]:
    text = visible_text(html)
    found = []
    for pattern in FORBIDDEN:
        matches = pattern.finditer(text) if isinstance(pattern, re.Pattern) else re.finditer(re.escape(pattern), text)
        found += [text[max(m.start() - 20, 0) : m.end() + 20].strip() for m in matches]
    return found


def main_pages(user) -> list[str]:
    """The pages a role works on: home, dashboard per year, exports, and every form of its scope."""
    urls = [reverse("home"), reverse("reports:exports")]
    years = sorted(set(SelfEvaluation.objects.values_list("year", flat=True)))
    urls += [f"{reverse('selfeval:dashboard')}?year={y}" for y in years]
    urls += [
        f"{reverse('selfeval:dashboard')}?year={y}&department={user.department_id}" for y in years if user.department_id
    ]
    for d in ProjectDeclaration.objects.for_user(user):
        urls += [reverse("projects:declaration", args=[d.pk]), reverse("projects:declaration_edit", args=[d.pk])]
    for d in DepartmentDeclaration.objects.for_user(user):
        urls.append(reverse("projects:department_declaration", args=[d.pk]))
    for e in SelfEvaluation.objects.for_user(user):
        urls += [reverse(name, args=[e.pk]) for name in ("selfeval:evaluation", "selfeval:evaluation_edit")]
        urls.append(reverse("selfeval:evaluation_history", args=[e.pk]))
    return urls


@pytest.fixture
def national_draft(finance_user):
    """A 东西湖 form in the national layout, whose funding row is stored as 其中：当年财政拨款."""
    declaration = ProjectDeclaration.objects.get(project__key="dxh2021-jxkp")
    with loading_records():  # as if declared where the national scheme is assigned
        ProjectDeclaration.objects.filter(pk=declaration.pk).update(
            scheme=ScoringScheme.objects.get(code="national_project")
        )
    declaration.refresh_from_db()
    return evaluation_start(declaration=declaration)


@pytest.mark.parametrize("role", ["finance", "head", "auditor", "admin", "hongshan_finance", "hongshan_head"])
def test_the_main_pages_of_each_role_speak_the_offices_words(client, role, national_draft, dongxihu, hongshan):
    department = {"finance": dongxihu, "head": dongxihu, "hongshan_finance": hongshan, "hongshan_head": hongshan}
    kind = role.removeprefix("hongshan_")
    user = make_user(f"w-{role}", kind, department.get(role), is_superuser=kind == "admin")
    client.force_login(user)
    problems, seen = {}, 0
    for url in main_pages(user):
        response = client.get(url)
        if response.status_code != 200:  # pages the role may not open (a signed form's edit page) are not its own
            continue
        seen += 1
        if found := offences(response.content.decode()):
            problems[url] = found[:5]
    assert seen >= 5
    assert not problems, problems


def test_the_national_layout_prints_qizhong_once(client, finance_user, national_draft):
    client.force_login(finance_user)
    page = visible_text(client.get(reverse("selfeval:evaluation", args=[national_draft.pk])).content.decode())
    # the funding rows are the scheme's (其中：当年财政拨款 its first 其中 row, which carries the declaration's
    # 公共预算财政拨款 by its 其他写法): 其中 is printed once
    assert "其中：当年财政拨款" in page and "其中：其中" not in page
    assert "公共预算财政拨款" not in page
    row = national_draft.funding_rows.get(name="其中：当年财政拨款")
    assert row.budget == national_draft.funding_rows.get(is_total=True).budget


def test_the_dashboard_names_schemes_and_no_command(client, auditor_user):
    client.force_login(auditor_user)
    page = visible_text(client.get(reverse("selfeval:dashboard"), {"year": 2019}).content.decode())
    assert "湖北" in page and "hubei_project" not in page and "manage.py" not in page
    assert "填报总分" in page


def test_admin_pages_use_the_offices_labels(client, admin_user_):
    client.force_login(admin_user_)
    evaluation = SelfEvaluation.objects.exclude(source="").first()
    declaration = ProjectDeclaration.objects.first()
    for url in [
        reverse("admin:selfeval_selfevaluation_change", args=[evaluation.pk]),
        reverse("admin:projects_projectdeclaration_change", args=[declaration.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        cells = re.findall(r"<(label|th)\b[^>]*>(.*?)</\1>", response.content.decode(), flags=re.S)
        labels = visible_text(" | ".join(inner for _, inner in cells))
        assert "填报数" in labels and not offences(labels), (url, offences(labels))


# -- messages ----------------------------------------------------------------------------------------


def test_messages_join_into_one_sentence():
    assert (
        join_sentences(["缺少名称。", "金额不是数字。", "", "分值不是数字；"])
        == "缺少名称；金额不是数字；分值不是数字。"
    )
    assert join_sentences([]) == ""


def test_formulas_from_the_seeds_read_as_symbols():
    assert plain_text(r"执行率 $\geq 80\%$") == "执行率 ≥80%"
    assert plain_text(r"$\leq 48$ 小时") == "≤48 小时"


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("1", "密码太短：至少需要 10 个字符。"),
        ("12345678", "密码不能全部为数字。"),
        ("w-zhangsan-1", "密码与用户名太相似。"),
    ],
)
def test_password_messages_are_in_chinese(password, expected, db):
    user = make_user("w-zhangsan-1", "finance", None)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            validate_password(password, user)
    messages = caught.value.messages
    assert expected in messages, messages
    assert not [m for m in messages if re.search(r"[A-Za-z]{4,}", m)], messages


def test_the_admin_password_form_answers_in_chinese(client, admin_user_, finance_user):
    client.force_login(admin_user_)
    url = reverse("admin:auth_user_password_change", args=[finance_user.pk])
    response = client.post(url, {"password1": "1", "password2": "1", "usable_password": "true"})
    page = response.content.decode()
    assert "密码太短" in page and "This password" not in page


def test_no_template_holds_a_comment_that_would_print():
    """Django's ``{# … #}`` ends at the line's end: a comment over two lines is printed as text (it was, atop every
    PDF). Longer comments use ``{% comment %}``."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    broken = [
        f"{path.relative_to(root)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in root.rglob("*.html")
        for text in [path.read_text(encoding="utf-8")]
        for m in re.finditer(r"\{#(?:(?!#\}).)*\n", text)
    ]
    assert not broken, broken
