"""Template context for every page: the number of forms in the user's 待办, counted only when a page shows it."""

from functools import cached_property

from selfeval.todo_count import todo_count


class TodoCount:
    """Read on first use (cached across requests: ``selfeval.todo_count``), once per request; pages without the
    navigation cost nothing."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def value(self) -> int:
        if not getattr(self.user, "is_authenticated", False):
            return 0
        return todo_count(self.user)

    def __int__(self) -> int:
        return self.value

    def __str__(self) -> str:
        return str(self.value)

    def __bool__(self) -> bool:
        return self.value > 0


def todo(request) -> dict:
    return {"todo_count": TodoCount(getattr(request, "user", None))}
