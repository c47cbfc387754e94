"""Le Roux (2017) Table 10: training on skeletons and motion capture, testing on poses estimated in real video."""

import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from motion_rnn.data.deepmimic import DEEPMIMIC_DIR, forward_kinematics, read_motion, resample, to_ntu13
from motion_rnn.data.estimated_poses import ESTIMATED_POSES_DIR
from motion_rnn.data.ntu.synthetic import write_synthetic_ntu
from motion_rnn.data.pose import BONES_13
from motion_rnn.experiments.leroux2017 import tables, transfer
from motion_rnn.experiments.leroux2017.claims import claims_table10
from motion_rnn.experiments.leroux2017.settings import PRESETS
from motion_rnn.parameters import ParameterError, check_parameters
from motion_rnn.reference import paper_table_wide
from motion_rnn.runner import all_specs, check_table_parameters, run_table
from motion_rnn.statistics import ItemScores
from motion_rnn.verdicts import FAILS, HOLDS, INCONCLUSIVE, Evidence

TINY = transfer.TransferSettings(
    network=replace(PRESETS["ci"], max_epochs=2, width=0.03, dense_size=8, max_frames=8),
    mocap_train=4,
    mocap_validation=2,
)


@pytest.fixture(scope="module")
def jump():
    return to_ntu13(forward_kinematics(resample(read_motion(DEEPMIMIC_DIR / "humanoid3d_jump.txt"))))


def test_the_thesis_table_and_the_spec_in_the_book():
    paper = paper_table_wide("leroux2017", "table10")
    assert list(paper["Accuracy"]) == [1.7, 10, 13.3]
    assert all_specs()["leroux2017/table10_estimated_poses"] is tables.TABLE10
    assert transfer.rows(TINY, None)[0]["joints"] == 13 and transfer.rows(TINY, None)[0]["align"] is True


def test_a_performance_is_the_capture_moved_scaled_and_retimed(jump):
    rng = np.random.default_rng(0)
    lengths = lambda s: np.linalg.norm(s[:, [a for a, _ in BONES_13[:8]]] - s[:, [b for _, b in BONES_13[:8]]], axis=-1)  # noqa: E731
    base = np.median(lengths(jump), axis=0)
    sizes, frames = [], []
    for _ in range(40):
        out = transfer.perform(jump, rng, TINY)
        assert out.shape[1:] == (13, 3) and np.isfinite(out).all()
        ratio = np.median(lengths(out), axis=0) / base
        assert ratio.std() < 0.05  # one scale for the whole body
        sizes.append(ratio.mean())
        frames.append(len(out))
    assert 0.83 < min(sizes) and max(sizes) < 1.17 and np.ptp(sizes) > 0.15
    assert min(frames) < 0.9 * len(jump) < 1.1 * len(jump) < max(frames)  # faster and slower performances


def test_the_mirror_image_swaps_the_sides(jump):
    mirrored = [
        transfer.perform(jump, np.random.default_rng(seed), replace(TINY, turn_degrees=0.0)) for seed in range(12)
    ]
    # left shoulder (1) at negative x, right (4) at positive in the capture; a mirror keeps that order
    # only because it swaps the joints too: every performance keeps a person's right on the right
    for out in mirrored:
        assert out[0, 4, 0] > out[0, 1, 0]


def _evidence(hits_tracking, hits_smoothing, *, clips, seeds=3, chance=100 / 14):
    def scores(hits):
        return ItemScores.stack([ItemScores.of(np.asarray(hits, float), chance=np.full(len(hits), chance))] * seeds)

    table = pd.DataFrame(
        {
            "row": ["Random", "2D tracking", "3D temporal smoothing"],
            "column": "Accuracy",
            "ours": [100 / 14, np.mean(hits_tracking), np.mean(hits_smoothing)],
            "paper": [1.7, 10, 13.3],
        }
    )
    return Evidence(
        table,
        scores={
            ("Random", "Accuracy"): ItemScores.stack([ItemScores.of(np.full(len(hits_tracking), 100 / 14))] * seeds),
            ("2D tracking", "Accuracy"): scores(hits_tracking),
            ("3D temporal smoothing", "Accuracy"): scores(hits_smoothing),
        },
        facts={"clips": [{}] * clips},
    )


def test_claims_in_all_three_outcomes():
    right = [100.0] * 12
    mixed = [100.0, 0.0] * 6
    wrong = [0.0] * 12
    beats, smoothing = claims_table10(_evidence(right, right, clips=12))
    assert (beats.verdict, smoothing.verdict) == (HOLDS, HOLDS)  # equal: no gain at all
    beats, smoothing = claims_table10(_evidence(mixed, right, clips=12))
    assert beats.verdict == HOLDS  # 50% and 100% both beat a 1-in-14 guess
    assert smoothing.verdict == FAILS  # smoothing gains 50 points, far more than one clip in 30
    # a network at chance decides nothing about itself (the verdicts' rule), even far below a guess
    beats, _ = claims_table10(_evidence(wrong, right, clips=12))
    assert beats.verdict == INCONCLUSIVE and "not above chance" in beats.detail
    # the same numbers on two clips decide nothing
    assert {c.verdict for c in claims_table10(_evidence(right[:2], right[:2], clips=2))} == {INCONCLUSIVE}
    # a network no better than its own bias (it names the clips' class for everything) is at chance
    assert claims_table10(_evidence(right, right, clips=12, chance=100.0))[0].verdict == INCONCLUSIVE


def test_claims_on_the_thesis_numbers():
    on_paper = claims_table10(Evidence(_evidence([100.0], [100.0], clips=1).table, values="paper"))
    assert [c.verdict for c in on_paper] == [HOLDS, HOLDS]  # 10 and 13.3 beat 1.7; 3.3 points is one clip in 30


def test_item_scores_use_the_larger_chance():
    runs = pd.DataFrame(
        [
            {
                "ntu_prediction_share": [0.0] * 13 + [0.9],
                "selections": {
                    row: {"predicted": [13, 12], "target": [13, 13], "accuracy": 50.0} for row in transfer.SELECTIONS
                },
            }
        ]
    )
    source = type("S", (), {"facts": {"num_classes": 14, "real_motion_classes": 2}})()
    scores = transfer.item_scores(runs, source, TINY)
    tracking = scores[("2D tracking", "Accuracy")]
    np.testing.assert_allclose(tracking.values[0], [100.0, 0.0])
    np.testing.assert_allclose(tracking.chance[0], [90.0, 90.0])  # its bias beats a 1-in-2 guess
    np.testing.assert_allclose(scores[("Random", "Accuracy")].values[0], [100 / 14] * 2)


def test_bad_clip_folders_are_refused(tmp_path):
    params = check_parameters(profile="ci", data="synthetic", seed=0, results_dir=tmp_path / "r")
    with pytest.raises(ParameterError, match="no clips.csv"):
        transfer.load_data(params, TINY, clips=str(tmp_path))
    own = tmp_path / "own"
    shutil.copytree(ESTIMATED_POSES_DIR, own)
    text = (own / "clips.csv").read_text().replace(",26,jump up,", ",7,sitting down,")
    (own / "clips.csv").write_text(text)
    with pytest.raises(ParameterError, match="no training sequence shows"):
        transfer.load_data(params, TINY, clips=str(own))


def test_a_tiny_run_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("MOTION_RNN_DATA", str(tmp_path / "data"))
    root = write_synthetic_ntu(tmp_path / "ntu", performances_per_class=3, seed=1, num_classes=3)
    spec = replace(tables.TABLE10, presets={"ci": TINY})
    params = check_table_parameters(spec, profile="ci", data=str(root), seed=0, results_dir=tmp_path / "r", clips=None)
    result = run_table(spec, params, progress=False, clips=None)
    table = result.table.set_index("row")["ours"]
    assert table["Random"] == pytest.approx(100 / 60, abs=1e-6)  # real NTU layout: its 60 classes
    assert set(table.index) == {"Random", "2D tracking", "3D temporal smoothing"}
    run = result.runs.iloc[0]
    assert run["clip_ids"] == ["s2d_jumping_jack_1", "s2d_jumping_jack_2"]
    assert {c for c in result.claims["verdict"]} == {INCONCLUSIVE}  # two clips decide nothing
    assert result.facts["real_motion_classes"] == 60
