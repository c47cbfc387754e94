"""Zhang et al.'s Table 2: rows, modalities, data folders, claims and Fig. 3's feature map."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from motion_rnn.data.isogd.synthetic import write_synthetic_isogd
from motion_rnn.experiments.zhang2018 import modality_data, table2, table2_claims
from motion_rnn.experiments.zhang2018.table2_settings import PRESETS, parse_modalities
from motion_rnn.models.zhang2018.table2_networks import TABLE2_ROWS, build_table2_network
from motion_rnn.parameters import ParameterError, check_parameters
from motion_rnn.reference import paper_table
from motion_rnn.report import paper_vs_ours
from motion_rnn.sources import Source
from motion_rnn.statistics import classification_scores
from motion_rnn.sweep import RowContext
from motion_rnn.verdicts import Evidence, claims_frame

TINY = replace(PRESETS["ci"], epochs=1, video_frames=8, video_size=32, num_frames=4)
COLUMNS = {"rgb": "RGB", "depth": "Depth", "flow": "Flow"}


def test_modalities_are_checked_and_put_in_the_papers_order():
    assert parse_modalities(None) == ("rgb", "depth", "flow")
    assert parse_modalities("flow, RGB") == ("rgb", "flow")
    with pytest.raises(ParameterError, match="'infrared' is not a modality.*'rgb', 'depth', 'flow'"):
        parse_modalities("rgb,infrared")


def test_a_row_a_network_and_modality():
    source = Source("synthetic", "", "", facts={"modalities": ["rgb", "flow"], "columns": COLUMNS})
    rows = table2.rows(TINY, source)
    assert len(rows) == 2 * len(TABLE2_ROWS) == 14
    assert len({r["name"] for r in rows}) == 14
    assert [r["modality"] for r in rows[:7]] == ["rgb"] * 7 and rows[-1]["network"] == table2.VARIANT_A


def _table(values: dict[tuple[str, str], float], values_are="ours") -> pd.DataFrame:
    ours = pd.DataFrame([(r, c, v, "%") for (r, c), v in values.items()], columns=["row", "column", "ours", "unit"])
    params = check_parameters(profile="ci", data="synthetic", seed=0, results_dir=".")
    return paper_vs_ours(paper_table("zhang2018", "table2"), ours, table="table2", params=params)


def test_the_claims_hold_on_the_papers_numbers():
    evidence = Evidence(_table({}), values="paper")
    claims = claims_frame(table2_claims.check_claims(evidence))
    assert len(claims) == 4 and (claims["verdict"] == "holds").all(), claims


def _evidence(values: dict[tuple[str, str], float]) -> Evidence:
    """Our table with each cell's outcomes on 1,000 validation videos of 10 classes."""
    target = np.arange(1000) % 10
    scores = {}
    for cell, accuracy in values.items():
        right = np.arange(1000) < 10 * accuracy
        scores[cell] = classification_scores(np.where(right, target, (target + 1) % 10), target)
    return Evidence(_table(values), scores, {c: s.per_seed() for c, s in scores.items()})


def test_the_claims_follow_our_numbers():
    good = {(row, c): 20.0 + 10 * i for i, row in enumerate(TABLE2_ROWS) for c in ("RGB", "Depth")}
    claims = claims_frame(table2_claims.check_claims(_evidence(good)))
    assert len(claims) == 3 and (claims["verdict"] == "holds").all(), claims
    # variant (a) the worst on depth (but above chance); Res3D alone the best on RGB
    bad = {**good, (table2.VARIANT_A, "Depth"): 15.0, (table2.RES3D, "RGB"): 90.0}
    verdicts = claims_frame(table2_claims.check_claims(_evidence(bad)))["verdict"]
    assert verdicts.tolist() == ["fails", "fails", "fails"], verdicts
    at_chance = {**good, (table2.VARIANT_A, "Depth"): 10.0}
    verdicts = claims_frame(table2_claims.check_claims(_evidence(at_chance)))["verdict"]
    assert verdicts.tolist() == ["holds", "inconclusive", "holds"], verdicts


def test_a_folder_without_the_authors_lists_is_refused_naming_them(tmp_path):
    (tmp_path / "isogd").mkdir()
    (tmp_path / "isogd" / "train_rgb_list.txt").write_text("")
    params = check_parameters(profile="ci", data=str(tmp_path / "isogd"), seed=0, results_dir=tmp_path / "r")
    with pytest.raises(ParameterError, match="missing train_depth_list.txt, valid_depth_list.txt, valid_rgb_list"):
        modality_data.load_data(params, TINY, modalities="depth")


def test_a_real_layout_folder_trains_every_modality_and_keeps_figure_3(tmp_path):
    root = write_synthetic_isogd(
        tmp_path / "isogd", videos_per_class={"train": 1, "valid": 1}, num_frames=8, size=32, seed=2
    )
    params = check_parameters(profile="ci", data=str(root), seed=0, results_dir=tmp_path / "r")
    (source,) = modality_data.load_data(params, TINY)
    assert source.facts["modalities"] == ["rgb", "depth", "flow"] and source.facts["num_classes"] == 249
    for modality, (train, valid) in source.payload.items():
        item = valid[0]
        assert item["clip"].shape == (4, 3, 32, 32) and len(train) == 12, modality
        assert item["video_id"].startswith("K_" if modality == "depth" else "M_"), modality
    context = RowContext(key="a", checkpoint=tmp_path / "a.pt", progress=False)
    row = {"name": "a | Flow", "network": table2.VARIANT_A, "modality": "flow"}
    result = table2.train_network(row, source, TINY, context, params)
    assert 0 <= result["accuracy"] <= 100 and len(result["items"]["target"]) == 12
    fused = result["fused_map"]
    maps, frames = np.array(fused["maps"]), np.array(fused["frames"])
    assert maps.shape == (2, 8, 8) and frames.shape == (2, 32, 32)  # 4 frames -> 2 steps on 8x8 maps
    assert maps.min() == 0 and maps.max() == 255 and 0 <= frames.min() and frames.max() <= 255


def test_figure_3_shows_the_channel_with_the_largest_activation_sum():
    torch.manual_seed(0)
    model = build_table2_network(table2.VARIANT_A, num_classes=3, width=1 / 16, convlstm_channels=6)
    item = {"clip": torch.randn(8, 3, 32, 32) * 30, "video_id": "M_00001", "label": 1}
    fused = table2.fused_feature_map(model, item, mean=112.0, scale=1.0, device="cpu")
    with torch.no_grad():
        x = model.res3d(item["clip"][None])
        for layer in model.convlstm:
            x = layer(x)
    assert fused["channels"] == 6 and fused["channel"] == int(x[0].sum(dim=(0, 2, 3)).argmax())
    expected = x[0, :, fused["channel"]]
    expected = 255 * (expected - expected.min()) / (expected.max() - expected.min())
    np.testing.assert_allclose(np.array(fused["maps"]), expected.numpy(), atol=0.51)


def test_a_run_of_some_modalities_decides_the_same_claims_on_the_papers_numbers():
    facts = {"columns": {"rgb": "RGB"}}
    ours = _evidence({(row, "RGB"): 20.0 + 10 * i for i, row in enumerate(TABLE2_ROWS)})
    ours = Evidence(ours.table, ours.scores, ours.per_seed, facts=facts)
    mine = table2_claims.check_claims(ours)
    on_paper = table2_claims.check_claims(Evidence(ours.table, values="paper", facts=facts))
    assert [c.claim for c in mine] == [c.claim for c in on_paper] and len(mine) == 2
    claims_frame(mine, on_paper)  # raises if the two sets differ
