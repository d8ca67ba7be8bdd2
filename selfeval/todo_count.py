"""The 待办 count the navigation shows on every page, cached per user (issue 17: two queries on every page).

The cached count is keyed on a version that every write touching what a 待办 holds bumps — a declaration, a
self-evaluation or one of its workflow steps saved or deleted, a user or department changed — both at once and
when the transaction commits, so that a count read meanwhile is not kept. It also lives only ``PERFBUDGET_TODO_COUNT_SECONDS``
(settings, 20 by default): that bounds what the version cannot see — an auditor's 待办 (forms signed in the last
14 days) shrinking with time, writes that send no signal, and, with the per-process memory cache (no
``REDIS_URL``), a write made in another worker process. The 待办 page itself always counts afresh.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from .selectors import todo_for

VERSION_KEY = "todo-count:version"


def todo_version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, None)


def bump_todo_version(**_) -> None:
    """A signal receiver: what some user's 待办 holds may have changed."""

    def bump():
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # evicted or never read: any new value will do
            cache.set(VERSION_KEY, 1, None)

    bump()
    transaction.on_commit(bump)


def todo_count(user) -> int:
    """The number of forms in ``user``'s 待办 (``todo_for(user).count``), from the cache when current."""
    key = f"todo-count:{todo_version()}:{user.pk}:{user.role}:{user.department_id}:{int(user.is_superuser)}"
    count = cache.get(key)
    if count is None:
        count = todo_for(user).count
        cache.set(key, count, settings.PERFBUDGET_TODO_COUNT_SECONDS)
    return count
