"""System check: PDFs need a CJK font (``python manage.py check`` reports it missing)."""

from django.core import checks

from .services.pdf import missing_cjk_font


@checks.register()
def cjk_font_check(app_configs, **kwargs):

    problem = missing_cjk_font()
    if problem:
        return [checks.Error(problem, hint="apt-get install fonts-noto-cjk", id="reports.E001")]
    return []
