"""The bounded load test (bench/load.py): staff saving, heads signing, auditors downloading at the same time
against gunicorn and PostgreSQL — no failed request, and every saved figure reads back equal."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.process
ROOT = Path(__file__).resolve().parents[2]


def test_load_without_errors_or_lost_updates():
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("the load test runs against PostgreSQL")
    result = subprocess.run(
        [sys.executable, "bench/load.py", "--users", "10", "--seconds", "12"], cwd=ROOT, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "figures read back different from what was saved: 0" in result.stdout
    aggregated = next(line for line in result.stdout.splitlines() if line.startswith("Aggregated"))
    count, fails = aggregated.split()[1:3]
    assert int(count) > 20 and int(fails) == 0, aggregated
