"""Process-level tests: several processes (gunicorn, Celery workers, a forked pool, the load generator) share a
database server, so they run on PostgreSQL and are skipped, with the reason, on SQLite."""

import pytest


@pytest.fixture(autouse=True)
def seeded(reseeded):
    """Every process test starts from the seed documents (``reseeded`` in tests/conftest.py)."""
