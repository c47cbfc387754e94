import json

import pandas as pd
import pytest

from motion_rnn.parameters import check_parameters
from motion_rnn.reference import catalogue, paper_table
from motion_rnn.report import paper_vs_ours, show_claims, side_by_side
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
from motion_rnn.status import collect_status, pipeline_checks, scorecard, status_lines
from motion_rnn.verdicts import Claim, claims_frame


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
    ours = [Claim("A beats B", "empirical", "holds", "1 > 0"), Claim("C beats D", "ours", "inconclusive", "0 ~ 1")]
    frame = claims_frame(ours, [Claim("A beats B", "empirical", "fails", ""), Claim("C beats D", "ours", "holds", "")])
    assert list(frame.columns) == CLAIM_COLUMNS
    path = write_claims(frame, tmp_path / "c.csv")
    back = pd.read_csv(path)
    assert list(back["verdict"]) == ["holds", "inconclusive"] and list(back["paper_verdict"]) == ["fails", "holds"]
    html = show_claims(frame).to_html()
    assert "inconclusive" in html and "numbers" in html


def test_provenance_records_where_a_result_came_from(params, tmp_path):
    record = provenance(params, wall_seconds=12.34)
    assert {"commit", "date", "device", "wall_seconds", "profile", "data", "seed", "torch"} <= set(record)
    path = write_provenance(record, tmp_path / "p.json")
    assert json.loads(path.read_text())["wall_seconds"] == 12.3


def test_provenance_keeps_the_training_time_of_reused_rows(params):
    table = paper_vs_ours(paper_table("zhang2018", "table1"), ours_cells(), table="table1", params=params)
    claims = claims_frame([Claim("c", "empirical", "holds", "d")])
    runs = pd.DataFrame({"name": ["a", "b"], "seconds": [100.0, 23.45], "reused": [True, False]})
    paths = write_results(
        params, "zhang2018", "table1_convlstm_variants", table=table, claims=claims, wall_seconds=2.0, runs=runs
    )
    record = json.loads(paths.provenance.read_text())
    assert (record["wall_seconds"], record["row_seconds"], record["rows_reused"]) == (2.0, 123.5, 1)


def test_status_lists_every_table_and_what_ran(params, tmp_path):
    committed, build = tmp_path / "results", tmp_path / "build"
    table = paper_vs_ours(paper_table("zhang2018", "table1"), ours_cells(), table="table1", params=params)
    for folder, profile in ((committed, "quick"), (build, "ci")):
        paths = result_paths(folder, "zhang2018", "table1_convlstm_variants")
        write_table(table.assign(profile=profile, seeds=3 if profile == "quick" else 1), paths.table)
        verdicts = ["holds", "fails", "inconclusive", "inconclusive"]
        write_claims(claims_frame([Claim(v, "empirical", v, "") for v in verdicts]), paths.claims)
        write_provenance({"date": "2026-11-21", "commit": "abc"}, paths.provenance)
    status = collect_status([committed, build, tmp_path / "empty"], project_root=tmp_path)
    assert len(status) == len(catalogue()) + 1  # one line a table, and the ci run of the one that has both
    row = status[(status["table"] == "table1_convlstm_variants") & (status["profile"] == "quick")].iloc[0]
    assert (row["seeds"], row["holds"], row["fails"], row["inconclusive"], row["claims_total"]) == (3, 1, 1, 2, 4)
    lines = status_lines(status)
    assert len(lines) == len(catalogue())  # the ci run is not a line of its own
    zhang = lines[lines["table"] == "Table 1"].set_index("paper").loc["Zhang et al. (NeurIPS 2018)"]
    assert (zhang["run"], zhang["holds"], zhang["fails"], zhang["inconclusive"]) == (
        "quick, 3 seeds, synthetic",
        1,
        1,
        2,
    )
    assert set(lines.loc[lines["paper"] == "Lakhal et al. (ECCV-W 2018)", "state"]) == {"not built yet"}
    checks = pipeline_checks(status)
    assert len(checks) == 1 and checks.iloc[0]["claims decided"] == 4
    card = scorecard([committed, build])
    assert len(card) == 4 and set(card["profile"]) == {"quick"}  # the ci run's claims are not on the scorecard
    assert list(card["verdict"]) == ["holds", "fails", "inconclusive", "inconclusive"]


def test_the_page_says_what_a_seed_changes():
    from types import SimpleNamespace

    from motion_rnn.page import _seed_words
    from motion_rnn.runner import all_specs

    specs = all_specs()
    # Lakhal's and Borg's tables read one data set and one frozen extractor for every seed
    assert not specs["borg2019/table2_motion_streams"].data_per_seed
    assert not specs["lakhal2018/table1_time_steps"].data_per_seed
    assert specs["zhang2018/table1_convlstm_variants"].data_per_seed
    same = _seed_words(SimpleNamespace(spec=specs["borg2019/table2_motion_streams"]))
    assert "same data" in same and "own draw" not in same
    assert "own draw" in _seed_words(SimpleNamespace(spec=specs["leroux2017/table9_alignment"]))
