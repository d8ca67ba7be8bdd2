"""Shared test setup: the seed data is loaded once into the test database, the personas, and the reseeding that
the browser and process tests (tests/browser, tests/process) share."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from projects.choices import Role
from projects.locking import workflow_transition
from projects.models import (
    Department,
    MonitoringPeriod,
    MonitoringRule,
    ReviewRule,
    SchemeFundingLine,
    SchemeSection,
    ScoringScheme,
    User,
)
from projects.monitoring_data import load_monitoring_defaults
from projects.review_data import load_review_rules, ship_form_kinds
from projects.scheme_data import load_funding_lines, load_schemes
from tests.builders import make_user

# Markers whose tests use a transactional database, emptied after each of them.
TRANSACTIONAL_MARKERS = ("browser", "process")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test sees the seed documents, loaded once by the real ``load_seeds`` command."""
    with django_db_blocker.unblock():
        call_command("load_seeds", verbosity=0)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Generated files (exports) go to a temporary folder, not to var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")
    return settings.MEDIA_ROOT


def pytest_collection_modifyitems(items):
    """Browser and process tests, and any other test on a transactional database, run last: their database is
    emptied after each of them."""

    def transactional(item) -> bool:
        db = item.get_closest_marker("django_db")
        return bool(db and db.kwargs.get("transaction")) or any(
            item.get_closest_marker(m) for m in TRANSACTIONAL_MARKERS
        )

    items.sort(key=transactional)


def reload_fixed_tables() -> None:
    """What the migrations and ``load_seeds`` put in an empty database: categories, schemes with their funding
    lines, monitoring and review rules, the seed documents (no users)."""
    importlib.import_module("indicators.migrations.0003_category_table").load(apps, None)
    load_schemes(ScoringScheme, SchemeSection)
    load_funding_lines(ScoringScheme, SchemeFundingLine)
    load_monitoring_defaults(MonitoringRule, MonitoringPeriod)
    load_review_rules(ReviewRule)
    ship_form_kinds(ReviewRule)
    call_command("load_seeds", "--no-users", verbosity=0)


@pytest.fixture
def reseeded(transactional_db):
    """A transactional test's database may have been emptied by the one before: reload the fixed tables and seeds.

    Used (autouse) by tests/browser and tests/process through their conftest."""
    reload_fixed_tables()


def set_status(forms, status: str, **fields) -> None:
    """Put a form (or a queryset of forms) in a workflow state for a test, inside a workflow transition as the
    workflow services do; a signed self-evaluation gets a signer, time and digest unless given (``signed_by``)."""
    forms = list(forms) if hasattr(forms, "model") else [forms]
    if status == "signed":
        signer = User.objects.filter(role=Role.HEAD).order_by("pk").first()
        fields = {"signed_by": signer, "signed_at": timezone.now(), "signed_digest": "0" * 64, **fields}
    with workflow_transition(*forms):
        for form in forms:
            type(form).objects.filter(pk=form.pk).update(status=status, **fields)
            form.refresh_from_db()


@pytest.fixture
def dongxihu(db) -> Department:
    return Department.objects.get(code="420112-zzb")


@pytest.fixture
def hongshan(db) -> Department:
    return Department.objects.get(code="420111-zzb")


@pytest.fixture
def finance_user(dongxihu) -> User:
    return make_user("t-finance", Role.FINANCE, dongxihu)


@pytest.fixture
def head_user(dongxihu) -> User:
    return make_user("t-head", Role.HEAD, dongxihu)


@pytest.fixture
def auditor_user(db) -> User:
    return make_user("t-auditor", Role.AUDITOR, None)


@pytest.fixture
def admin_user_(db) -> User:
    return make_user("t-admin", Role.ADMIN, None, is_superuser=True)


@pytest.fixture
def hongshan_head(hongshan) -> User:
    """The head of 洪山, whose 2019 forms are submitted in the seeds."""
    return make_user("t-head-hs", Role.HEAD, hongshan)


@pytest.fixture
def outsider_user(hongshan) -> User:
    """Finance staff of another department."""
    return make_user("t-outsider", Role.FINANCE, hongshan)
