"""Response headers every page gets: the Content-Security-Policy, and no caching of what a signed-in user sees."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """``Content-Security-Policy`` on every response (scripts only from our own static files: no inline script
    or handler can run, so an injected one cannot either), and ``Cache-Control: private, no-store`` on every
    response to a signed-in user, so that no shared cache or browser back button keeps a department's forms."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.PERFBUDGET_CSP)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "private, no-store"
        return response
