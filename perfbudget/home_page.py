"""The home page's body (its rows, the forms waiting for the user, the overall declarations), rendered once per stamp
of what it shows and kept in the cache (issue 17: the home page cost as much as five kept form pages: reading the
year's rows with their checks and rendering 50 rows of links).

The body is kept per user and per what the user is (role, department, superuser), page, year and department filter,
under a *stamp* read from the database on every request in one query: the user's scope's projects, declarations,
monitoring forms, self-evaluations with their stored checks and workflow steps, and overall declarations (how many
and their last change: a row added, changed or deleted moves it) and ``ReferenceVersion`` (departments, projects,
schemes, monitoring periods). A change anywhere in the scope is therefore seen on the next read, in every web process,
whatever cache it has (memory or Redis).

Who may read the page is decided on every request (``login_required``: a logged-out or deactivated user is never
served); the scope comes from the user as read for this request. CSRF tokens are not kept: the body is rendered with
a slot that each request fills with its own token on the way out.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from projects.access import visible_department_ids

# Bump when _home_body.html or the context it is rendered from changes (a cache shared by old and new processes).
HOME_VERSION = 1

# What ``{% csrf_token %}`` renders as a token in the kept body: "<" cannot come out of an escaped value, so no
# data in the page can be taken for it.
CSRF_SLOT = mark_safe("<csrf-slot>")  # noqa: S308 - a fixed marker, replaced before the page is sent


def home_stamp(scope: list[int]) -> tuple:
    """What the home page of a user with ``scope`` (department ids) is made from, read in one query."""
    # The scope's records, how many and their last change (PostgreSQL: the scope is an array parameter). Not a
    # prepared statement (projects.precompiled): its generic plan for ``= ANY($1)`` read one department's stamp in
    # 18 ms where the plan made for the actual scope takes 0.7 ms (measured on the province).
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH p AS (SELECT id FROM projects_project WHERE department_id = ANY(%(scope)s)),
            d AS (SELECT id, updated_at FROM projects_projectdeclaration WHERE project_id IN (SELECT id FROM p)),
            e AS (
                SELECT id, updated_at FROM selfeval_selfevaluation WHERE department_id = ANY(%(scope)s)
                UNION SELECT id, updated_at FROM selfeval_selfevaluation WHERE project_id IN (SELECT id FROM p)
            )
            SELECT (SELECT value FROM projects_referenceversion WHERE id = 1), pp.*, dd.*, mm.*, ee.*, cc.*, vv.*, oo.*
            FROM (SELECT COUNT(*) FROM p) pp,
                (SELECT COUNT(*), MAX(updated_at) FROM d) dd,
                (SELECT COUNT(*), MAX(m.updated_at) FROM projects_monitoringform m JOIN d ON m.declaration_id = d.id) mm,
                (SELECT COUNT(*), MAX(updated_at) FROM e) ee,
                (SELECT COUNT(*), MAX(c.checked_at) FROM selfeval_evaluationcheck c JOIN e ON c.evaluation_id = e.id) cc,
                (SELECT COUNT(*), MAX(v.id) FROM selfeval_evaluationevent v JOIN e ON v.evaluation_id = e.id) vv,
                (SELECT COUNT(*), MAX(updated_at) FROM projects_departmentdeclaration WHERE department_id = ANY(%(scope)s)) oo
            """,
            {"scope": list(scope)},
        )
        return tuple(str(v) for v in cursor.fetchone())


def home_key(user, view_key: tuple, stamp: tuple) -> str:
    who = (user.pk, user.role, user.department_id, user.is_superuser, user.is_active)
    digest = hashlib.sha256(repr((who, view_key, stamp)).encode()).hexdigest()[:32]
    return f"home:{HOME_VERSION}:{user.pk}:{digest}"


def home_parts(user, view_key: tuple, render) -> dict:
    """The home page's parts for ``user`` (``render()`` makes them: a dict with the ``body`` rendered with
    ``CSRF_SLOT`` as its token), from the cache when the scope's stamp has them. ``view_key``: what else the page
    depends on (the asked year, department and page, today's date)."""
    seconds = settings.PERFBUDGET_SHEET_CACHE_SECONDS
    scope = visible_department_ids(user)
    if not seconds or scope is None or connection.vendor != "postgresql":
        # Every department's (auditors, administrators): the stamp would read the whole province, as dear as
        # making the page. Other databases than PostgreSQL (development): made on every read.
        return render()
    key = home_key(user, view_key, home_stamp(scope))
    parts = cache.get(key)
    if parts is None:
        # Made after the stamp was read: at least as new as the stamp says, never older.
        parts = render()
        cache.set(key, parts, seconds)
    return parts


def render_body(template: str, context: dict) -> str:
    """A kept body: rendered without the request, its CSRF tokens left as slots."""
    return render_to_string(template, {**context, "csrf_token": CSRF_SLOT})


def fill_body(request, body: str) -> SafeString:
    """The kept body with this request's CSRF token in its slots."""
    if CSRF_SLOT in body:
        body = body.replace(CSRF_SLOT, get_token(request))
    return mark_safe(body)  # noqa: S308 - rendered by templates
