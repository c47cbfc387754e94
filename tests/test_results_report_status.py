import json

import pandas as pd
import pytest

from motion_rnn.parameters import check_parameters
from motion_rnn.reference import catalogue, paper_table
from motion_rnn.report import Claim, claims_frame, paper_vs_ours, show_claims, side_by_side
from motion_rnn.results import (
    CLAIM_COLUMNS,
    TABLE_COLUMNS,
    provenance,
    result_paths,
    write_claims,
    write_provenance,
    write_results,
    write_table,
)
from motion_rnn.status import collect_status, status_view


@pytest.fixture
def params(tmp_path):
    return check_parameters(profile="ci", data="synthetic", seed=4, device="cpu", results_dir=tmp_path)


def ours_cells():
    return pd.DataFrame(
        [
            ("ConvLSTM", "Parameter Size", 4.718592, "M"),
            ("Variant (a)", "Parameter Size", 0.528896, "M"),
            ("ConvLSTM", "Extra column", 1.0, ""),
        ],
        columns=["row", "column", "ours", "unit"],
    )


def test_paper_vs_ours_keeps_paper_order_and_adds_ours(params):
    table = paper_vs_ours(paper_table("zhang2018", "table1"), ours_cells(), table="table1", params=params)
    assert list(table.columns) == TABLE_COLUMNS
    assert len(table) == 25 + 1  # every paper cell, plus our extra one
    first = table.iloc[0]
    assert (first["row"], first["column"], first["paper"]) == ("ConvLSTM", "Validating accuracy (Jester)", 95.11)
    assert pd.isna(first["ours"])
    extra = table[table["column"] == "Extra column"].iloc[0]
    assert pd.isna(extra["paper"]) and extra["ours"] == 1.0 and table.iloc[-1]["column"] == "Extra column"
    assert set(table["profile"]) == {"ci"} and set(table["seed"]) == {4} and set(table["data"]) == {"synthetic"}


def test_side_by_side_difference(params):
    table = paper_vs_ours(paper_table("zhang2018", "table1"), ours_cells(), table="table1", params=params)
    wide = side_by_side(table, ["Parameter Size"])
    assert wide.loc["ConvLSTM", ("Parameter Size (M)", "ours − paper")] == pytest.approx(4.718592 - 4.719)
    assert pd.isna(wide.loc["Variant (b)", ("Parameter Size (M)", "ours")])


def test_write_table_is_byte_identical_for_identical_frames(params, tmp_path):
    table = paper_vs_ours(paper_table("zhang2018", "table1"), ours_cells(), table="table1", params=params)
    a, b = write_table(table, tmp_path / "a.csv"), write_table(table.copy(), tmp_path / "b.csv")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_text().splitlines()[0] == ",".join(TABLE_COLUMNS)


def test_write_table_refuses_missing_columns(tmp_path):
    with pytest.raises(ValueError, match="lacks columns"):
        write_table(pd.DataFrame({"row": [1]}), tmp_path / "x.csv")


def test_claims_roundtrip_and_display(tmp_path):
    frame = claims_frame([Claim("A beats B", True, "1 > 0"), Claim("C beats D", False, "0 < 1")])
    assert list(frame.columns) == CLAIM_COLUMNS
    path = write_claims(frame, tmp_path / "c.csv")
    back = pd.read_csv(path)
    assert list(back["holds"]) == [True, False]
    html = show_claims(frame).to_html()
    assert "does not hold" in html and "holds" in html


def test_provenance_records_where_a_result_came_from(params, tmp_path):
    record = provenance(params, wall_seconds=12.34)
    assert {"commit", "date", "device", "wall_seconds", "profile", "data", "seed", "torch"} <= set(record)
    path = write_provenance(record, tmp_path / "p.json")
    assert json.loads(path.read_text())["wall_seconds"] == 12.3


def test_provenance_keeps_the_training_time_of_reused_rows(params):
    table = paper_vs_ours(paper_table("zhang2018", "table1"), ours_cells(), table="table1", params=params)
    claims = claims_frame([Claim("c", True, "d")])
    runs = pd.DataFrame({"name": ["a", "b"], "seconds": [100.0, 23.45], "reused": [True, False]})
    paths = write_results(
        params, "zhang2018", "table1_convlstm_variants", table=table, claims=claims, wall_seconds=2.0, runs=runs
    )
    record = json.loads(paths.provenance.read_text())
    assert (record["wall_seconds"], record["row_seconds"], record["rows_reused"]) == (2.0, 123.5, 1)


def test_status_lists_every_table_and_what_ran(params, tmp_path):
    paths = result_paths(tmp_path, "zhang2018", "table1_convlstm_variants")
    table = paper_vs_ours(paper_table("zhang2018", "table1"), ours_cells(), table="table1", params=params)
    write_table(table, paths.table)
    write_claims(claims_frame([Claim("A", True, ""), Claim("B", False, "")]), paths.claims)
    write_provenance({"date": "2026-11-21", "commit": "abc"}, paths.provenance)
    status = collect_status([tmp_path, tmp_path / "empty"], project_root=tmp_path)
    assert len(status) == len(catalogue())  # one line a table: no second folder has results
    row = status[status["table"] == "table1_convlstm_variants"].iloc[0]
    assert (row["profile"], row["data"], row["seed"], row["claims_held"], row["claims_total"]) == (
        "ci",
        "synthetic",
        "4",
        1,
        2,
    )
    assert row["claims_failed"] == "B" and row["commit"] == "abc"
    views = status_view(status)
    assert list(views) == [
        "Pigou et al. (IJCV 2018)",
        "Lakhal et al. (ECCV-W 2018)",
        "Zhang et al. (NeurIPS 2018)",
        "Le Roux (2017)",
        "Borg and Camilleri (ICASSP 2019)",
    ]
    assert set(views["Pigou et al. (IJCV 2018)"]["state"]) == {"not built yet"}
    zhang = views["Zhang et al. (NeurIPS 2018)"].iloc[0]
    assert (zhang["claims"], zhang["claims not held"]) == ("1 of 2 hold", "B")


def test_above_chance():
    from motion_rnn.report import above_chance

    assert above_chance(50.0, samples=144, num_classes=12)[0]
    assert not above_chance(9.7, samples=144, num_classes=12)[0]  # 14 of 144 against 12 expected
    # Five rows tested for their best: a borderline result no longer passes.
    borderline = above_chance(15.3, samples=144, num_classes=12)
    assert borderline[0] and not above_chance(15.3, samples=144, num_classes=12, comparisons=5, level=0.001)[0]
