"""Every target and actual value in the seeds, against a reviewed table of what it means.

``tests/data/seed_values.tsv`` lists each distinct value with its reading: kind, comparison, number,
unit, direction. The test fails when a seed holds a value the table does not list, so that a new
seed brings its values under review.
"""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from indicators.services.values import parse_value

ROOT = Path(__file__).resolve().parent.parent.parent
TABLE = ROOT / "tests" / "data" / "seed_values.tsv"


def seed_values() -> set[str]:
    values: set[str] = set()
    for path in sorted((ROOT / "fixtures" / "seeds").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows = []
        for d in data.get("project_declarations") or []:
            rows += d.get("indicators") or []
        for d in data.get("department_declarations") or []:
            for goal in d.get("goals") or []:
                rows += goal.get("indicators") or []
        for e in data.get("self_evaluations") or []:
            rows += e.get("indicators") or []
            for goal in e.get("goals") or []:
                rows += goal.get("indicators") or []
        for row in rows:
            values |= {str(row[k]) for k in ("target", "actual", "prev1", "prev2") if row.get(k) not in (None, "")}
    return values


def table() -> dict[str, dict]:
    with TABLE.open(encoding="utf-8") as handle:
        return {row["text"]: row for row in csv.DictReader(handle, delimiter="\t")}


def test_the_table_covers_every_value_in_the_seeds():
    missing = seed_values() - set(table())
    assert not missing, f"not yet in {TABLE.name}: {sorted(missing)}"


@pytest.mark.parametrize("row", list(table().values()), ids=lambda r: r["text"][:30])
def test_seed_value(row):
    value = parse_value(row["text"])
    assert value.kind == row["kind"]
    assert value.text == row["text"].strip()
    if row["kind"] == "quantitative":
        assert value.comparison == row["comparison"]
        assert value.number == Decimal(row["number"])
        assert value.unit == row["unit"]
        assert value.direction == row["direction"]
