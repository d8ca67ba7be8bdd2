"""WSGI entry point (gunicorn perfbudget.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")
application = get_wsgi_application()
