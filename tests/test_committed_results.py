"""The committed results (``results/``): each tied to the code and data that made it, and each
table and claims file what today's code makes of the committed rows.

Every table of the book has committed results of a longer profile than ``ci``, with the rows they
were made from (``<table>.runs/``), so the book's pages can show them without retraining.
"""

from __future__ import annotations

import json

import pytest

from motion_rnn.parameters import check_parameters
from motion_rnn.results import result_paths, write_claims, write_table
from motion_rnn.runner import all_specs, run_table

from book_paths import COMMITTED

SPECS = all_specs()


def provenance(spec) -> dict:
    return json.loads(result_paths(COMMITTED, spec.paper, spec.name).provenance.read_text())


@pytest.mark.parametrize("key", sorted(SPECS))
def test_every_table_has_committed_results_with_their_rows(key):
    spec = SPECS[key]
    paths = result_paths(COMMITTED, spec.paper, spec.name)
    assert paths.table.exists() and paths.claims.exists(), f"no committed results of {key}: `make results`"
    record = provenance(spec)
    assert record["profile"] in ("quick", "full") and record["sources"] and record["rows"]
    rows = [p for p in paths.store.glob("*.json") if not p.name.startswith("sources-")]
    assert len(rows) >= len(record["rows"])
    assert record["row_commits"] and all(record["row_commits"]), "each row records the commit that made it"


@pytest.mark.parametrize("key", sorted(SPECS))
def test_the_committed_rows_give_the_committed_table(key, tmp_path):
    """Read back with ``stored_only`` (as the book does), the rows give the committed files byte for
    byte: table, intervals and claims with their verdicts."""
    spec, record = SPECS[key], provenance(SPECS[key])
    params = check_parameters(
        profile=record["profile"],
        data=record["data"],
        seed=record["seed"],
        seeds=record.get("seeds", 1),
        device="cpu",
        results_dir=COMMITTED,
        stored_only=True,
    )
    run = run_table(spec, params, progress=False, **record.get("options", {}))
    paths = result_paths(COMMITTED, spec.paper, spec.name)
    assert write_table(run.table, tmp_path / "t.csv").read_bytes() == paths.table.read_bytes()
    assert write_claims(run.claims, tmp_path / "c.csv").read_bytes() == paths.claims.read_bytes()
    assert run.commits == record["row_commits"]
