"""The 指标库: seeded from the seeds, searchable by staff, curated by administrators."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.models import LibraryIndicator

pytestmark = pytest.mark.django_db


def test_the_library_starts_from_the_seed_indicators():
    entry = LibraryIndicator.objects.get(name="招才引智活动")
    assert (entry.level2.name, entry.unit, entry.direction, entry.example) == ("数量指标", "场", "positive", "≥10 场")
    reverse_entry = LibraryIndicator.objects.get(name="系统故障修复响应时间")
    assert reverse_entry.direction == "negative"
    assert LibraryIndicator.objects.filter(direction="qualitative").exists()
    assert LibraryIndicator.objects.count() > 150


def test_reloading_keeps_what_administrators_changed():
    entry = LibraryIndicator.objects.get(name="招才引智活动")
    entry.unit, entry.is_active = "次", False
    entry.save()
    count = LibraryIndicator.objects.count()
    call_command("load_seeds", "--no-users", verbosity=0)
    entry.refresh_from_db()
    assert (entry.unit, entry.is_active, LibraryIndicator.objects.count()) == ("次", False, count)


def test_staff_search_the_library(client, finance_user):
    client.force_login(finance_user)
    results = client.get(reverse("indicators:library"), {"q": "满意度"}).json()["results"]
    assert results and all("满意度" in r["name"] for r in results)
    level2 = LibraryIndicator.objects.get(name="招才引智活动").level2_id
    results = client.get(reverse("indicators:library"), {"q": "招才", "level2": level2}).json()["results"]
    assert "招才引智活动" in [r["name"] for r in results]
    assert client.get(reverse("indicators:library"), {"q": "x", "level2": "abc"}).status_code == 200
    client.logout()
    assert client.get(reverse("indicators:library"), {"q": "满意度"}).status_code == 302


def test_only_administrators_change_the_library(client, finance_user, admin_user_):
    entry = LibraryIndicator.objects.first()
    url = reverse("admin:indicators_libraryindicator_change", args=[entry.pk])
    client.force_login(finance_user)
    assert client.post(url, {"name": "改名"}).status_code == 403
    client.force_login(admin_user_)
    assert client.get(url).status_code == 200
