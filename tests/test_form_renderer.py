"""The form renderer (perfbudget/form_renderer.py): Django's widget markup rendered by Jinja2, the same pages as
Django's own engine gives; the admin's widgets, which exist for Django's engine only, still render."""

import html as html_module
import re

import pytest
from django.forms import renderers
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template
from django.test import override_settings
from django.urls import reverse

from projects.choices import DeclarationStatus
from projects.models import ProjectDeclaration
from tests.builders import make_declaration, make_evaluation, make_project

pytestmark = pytest.mark.django_db


def page(client, url: str, renderer: str) -> str:
    """The page as ``renderer`` makes it, whitespace between tags and the CSRF token left out, entities read (Django
    writes a quote in an attribute as ``&quot;``, Jinja2 as ``&#34;``: the same attribute)."""
    renderers.get_default_renderer.cache_clear()
    try:
        with override_settings(FORM_RENDERER=renderer):
            html = client.get(url).content.decode()
    finally:
        renderers.get_default_renderer.cache_clear()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)))


def test_the_widgets_are_jinja2s_and_the_admins_djangos():
    renderer = renderers.get_default_renderer()
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    assert isinstance(renderer.get_template("admin/widgets/related_widget_wrapper.html"), DjangoTemplate)


def test_the_edit_pages_are_the_same_as_djangos_engine_makes_them(client, finance_user):
    declaration = make_declaration(make_project(finance_user.department), year=2031)
    evaluation = make_evaluation(
        make_declaration(make_project(finance_user.department), status=DeclarationStatus.APPROVED)
    )
    client.force_login(finance_user)
    for url in (
        reverse("projects:declaration_edit", args=[declaration.pk]),
        reverse("selfeval:evaluation_edit", args=[evaluation.pk]),
    ):
        ours = page(client, url, "perfbudget.form_renderer.FormRenderer")
        assert "<select" in ours and "<textarea" in ours
        assert ours == page(client, url, "django.forms.renderers.DjangoTemplates"), url


def test_an_admin_page_with_the_admins_widgets_renders(client, admin_user_):
    client.force_login(admin_user_)
    response = client.get(reverse("admin:projects_project_add"))
    assert response.status_code == 200
    assert "related-widget-wrapper" in response.content.decode()
    declaration = ProjectDeclaration.objects.filter(indicators__isnull=False).first()
    assert client.get(reverse("admin:projects_projectdeclaration_change", args=[declaration.pk])).status_code == 200
