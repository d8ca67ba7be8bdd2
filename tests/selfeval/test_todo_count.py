"""The navigation's 待办 count is cached per user and never outlives a change to what the 待办 holds (issue 17)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfeval.models import SelfEvaluation
from selfeval.selectors import todo_for
from selfeval.services.signoff import evaluation_return
from selfeval.todo_count import VERSION_KEY, todo_count
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BADGE = '待办 <span class="badge">{}</span>'


@pytest.fixture
def hongshan_head(hongshan):
    return make_user("t-head-tc", "head", hongshan)


@pytest.fixture
def submitted():
    return SelfEvaluation.objects.filter(department__code="420111-zzb", status="submitted").order_by("pk")


def counted(user) -> tuple[int, int]:
    """The count and how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        count = todo_count(user)
    return count, len(queries)


def test_the_count_is_read_once_then_from_the_cache(hongshan_head, submitted):
    expected = todo_for(hongshan_head).count
    assert expected == submitted.count() == 2
    cache.delete(VERSION_KEY)
    assert counted(hongshan_head) == (expected, 1)  # the union count: one query (the user's scope is read)
    assert counted(hongshan_head) == (expected, 0)


def test_a_workflow_step_changes_the_count_at_once(hongshan_head, submitted, hongshan):
    finance = make_user("t-finance-tc", "finance", hongshan)
    assert todo_count(hongshan_head) == 2 and todo_count(finance) == 0
    evaluation_return(evaluation_id=submitted.first().pk, user=hongshan_head, comment="请核对。")
    assert counted(hongshan_head)[0] == 1 == todo_for(hongshan_head).count
    assert counted(finance)[0] == 1 == todo_for(finance).count


def test_the_page_badge_follows_a_return(client, hongshan_head, submitted):
    client.force_login(hongshan_head)
    assert BADGE.format(2) in client.get(reverse("todo")).content.decode()
    assert BADGE.format(2) in client.get(reverse("home")).content.decode()
    evaluation_return(evaluation_id=submitted.first().pk, user=hongshan_head, comment="请核对。")
    assert BADGE.format(1) in client.get(reverse("home")).content.decode()


def test_a_moved_user_gets_the_count_of_their_new_scope(hongshan_head, dongxihu):
    assert todo_count(hongshan_head) == 2
    hongshan_head.department = dongxihu
    hongshan_head.save()
    assert todo_count(hongshan_head) == todo_for(hongshan_head).count == 0


def test_without_a_cache_time_every_page_counts(settings, hongshan_head):
    settings.PERFBUDGET_TODO_COUNT_SECONDS = 0
    todo_count(hongshan_head)
    assert counted(hongshan_head) == (2, 1)  # counted again
