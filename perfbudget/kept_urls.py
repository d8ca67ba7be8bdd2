"""``{% url %}`` with its answers kept per process (issue 17: a form page reversed the same fifteen URLs — the
navigation's, the form's own links — on every request, a tenth of its time).

Installed as a template builtin (settings ``TEMPLATES``), so that every template's ``{% url %}`` is this one: the
same parsing and the same output as Django's tag, but the URL made by ``reverse`` is kept under everything it
depends on — the view name, the arguments (only when each is a plain ``int`` or ``str`` — a template's quoted string included; anything else is reversed
every time), the current application, the URLconf, the script prefix and the language. A name that does not reverse
raises (or gives "" with ``as``) every time, as Django's does. The kept URLs are forgotten when a test changes the
URLconf, and the table is emptied when it grows past ``LIMIT`` entries.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

LIMIT = 20_000
_kept: dict[tuple, str] = {}
_PLAIN = (int, str, SafeString)  # exactly these types (not bool, not other subclasses: their str() may differ)
_NAMES = (str, SafeString)


def kept_reverse(view_name, args: list, kwargs: dict, current_app) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``, kept when its inputs are plain."""
    if type(view_name) not in _NAMES or not all(type(v) in _PLAIN for v in (*args, *kwargs.values())):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    key = (
        view_name, tuple(args), tuple(sorted(kwargs.items())), current_app,
        get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language(),
    )  # fmt: skip
    url = _kept.get(key)
    if url is None:
        url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)  # NoReverseMatch: not kept
        if len(_kept) >= LIMIT:
            _kept.clear()
        _kept[key] = url
    return url


def forget(**kwargs) -> None:
    if kwargs.get("setting") == "ROOT_URLCONF":
        _kept.clear()


setting_changed.connect(forget)


class KeptURLNode(defaulttags.URLNode):
    def render(self, context):
        # Django's URLNode.render, with ``kept_reverse`` in place of ``reverse``.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = kept_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    node.__class__ = KeptURLNode
    return node
