"""The form renderer: Django's own form and widget templates, rendered by Jinja2 where Django ships them for Jinja2.

The markup is Django's, the same for both engines; Jinja2 renders it several times faster, which counts on the pages
that bind hundreds of widgets (a 60-row declaration's edit page has about a thousand). Templates that exist only for
Django's engine (the admin's widgets, those of the packages the admin uses) are rendered by it, as before.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self):
        self.jinja2, self.django = Jinja2(), DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
