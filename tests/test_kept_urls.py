"""``{% url %}`` kept per process (perfbudget/kept_urls.py): the same output as Django's tag for every kind of
argument, its errors as Django's, and other arguments, applications or URLconfs never given a kept URL."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from perfbudget import kept_urls


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_the_tag_is_the_kept_one_and_answers_as_reverse():
    kept_urls._kept.clear()
    for _ in range(2):
        assert render("{% url 'home' %}") == reverse("home")
        assert render("{% url 'selfeval:evaluation' pk %}", pk=5) == reverse("selfeval:evaluation", args=[5])
        assert render("{% url 'selfeval:evaluation' pk %}", pk=6) == reverse("selfeval:evaluation", args=[6])
        assert render("{% url 'selfeval:evaluation' pk=7 %}") == reverse("selfeval:evaluation", kwargs={"pk": 7})
        assert (
            render("{% url 'selfeval:evaluation' '8' as u %}[{{ u }}]")
            == f"[{reverse('selfeval:evaluation', args=['8'])}]"
        )
    assert any(key[0] == "selfeval:evaluation" for key in kept_urls._kept)
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")  # not kept: raises again
    assert render("{% url 'no-such-page' as u %}[{{ u }}]") == "[]"


def test_arguments_that_are_not_plain_are_reversed_every_time():
    kept_urls._kept.clear()

    class Key:
        def __str__(self):
            return "9"

    assert render("{% url 'selfeval:evaluation' k %}", k=Key()) == reverse("selfeval:evaluation", args=[9])
    assert not kept_urls._kept
    assert render("{% url 'selfeval:evaluation' pk %}", pk=1) == reverse("selfeval:evaluation", args=[1])  # kept
    with pytest.raises(NoReverseMatch):  # True is not 1 here (Django reverses it as "True")
        render("{% url 'selfeval:evaluation' pk %}", pk=True)


def test_another_urlconf_is_never_given_a_kept_url():
    assert render("{% url 'home' %}") == reverse("home") != "/elsewhere/"
    with override_settings(ROOT_URLCONF="tests.test_kept_urls_conf"):
        assert render("{% url 'home' %}") == "/elsewhere/"
    assert render("{% url 'home' %}") == reverse("home")
