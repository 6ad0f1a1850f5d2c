"""The example files the staff guide points to (fixtures/examples/) are real rows of the seed in
the import formats: each imports cleanly and, on the seeded database, changes nothing."""

from pathlib import Path

import pytest

from programs.importing.budget import import_budget
from visits.importing import import_visits

EXAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "examples"
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "importer"), [("visits_example.csv", import_visits), ("budget_example.csv", import_budget)]
)
def test_an_example_file_imports_and_matches_the_seed(name, importer):
    outcome = importer((EXAMPLES / name).read_bytes(), dry_run=True)
    assert outcome.ok, outcome.parsed.problems
    rows = outcome.parsed.row_count
    assert rows >= 3
    assert outcome.counts == {"created": 0, "updated": 0, "unchanged": rows}
