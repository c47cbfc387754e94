"""The synthetic Montalbano generator (motion_rnn.data.montalbano.synthetic): the format it writes,
determinism, its gesture classes (order pairs that single frames cannot separate), and a rendering
consistent with the skeleton and depth it writes."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from motion_rnn.data.montalbano import JOINTS, list_samples, montalbano_split, read_sample
from motion_rnn.data.montalbano.chalearn_csv import read_data_csv
from motion_rnn.data.montalbano.synthetic import (
    DEFAULT_STYLE,
    MANIFEST_FILE,
    ORDER_PAIRS,
    SYNTHETIC_GESTURES,
    Performer,
    _body,
    _draw_gesture_instance,
    gesture_path,
    make_performer,
    render_sequence,
    sequence_timeline,
    synthetic_split_ids,
    write_synthetic_montalbano,
)

SIZE = (96, 128)
J = {name: i for i, name in enumerate(JOINTS)}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    return write_synthetic_montalbano(
        tmp_path_factory.mktemp("synth") / "data",
        num_sequences=2,
        frames_per_sequence=100,
        seed=11,
        size=SIZE,
        first_id=601,
    )


# --- format, manifest, determinism ----------------------------------------------------------------
def test_archives_hold_the_challenge_members_at_their_root(written, tmp_path):
    assert [p.name for p in list_samples(written)] == ["Sample0601.zip", "Sample0602.zip"]
    with zipfile.ZipFile(written / "Sample0601.zip") as z:
        assert sorted(z.namelist()) == sorted(
            f"Sample0601_{m}" for m in ("color.mp4", "depth.mp4", "user.mp4", "skeleton.csv", "data.csv", "labels.csv")
        )
        (tmp_path / "Sample0601_data.csv").write_bytes(z.read("Sample0601_data.csv"))
        labels = z.read("Sample0601_labels.csv").decode().splitlines()
    info = read_data_csv(tmp_path / "Sample0601_data.csv")
    assert info.num_frames == 100 and info.fps == 20 and 3900 <= info.max_depth <= 4095
    assert labels and all(len(row.split(",")) == 3 for row in labels)
    manifest = json.loads((written / MANIFEST_FILE).read_text())
    assert manifest["parameters"]["ids"] == [601, 602] and manifest["parameters"]["size"] == list(SIZE)
    assert manifest["gesture_names"] == list(SYNTHETIC_GESTURES)
    assert montalbano_split([601, 602]) == {"train": [], "validation": [601, 602], "test": []}


def test_deterministic_and_not_rewritten(written, tmp_path):
    again = write_synthetic_montalbano(
        tmp_path / "again", num_sequences=1, frames_per_sequence=100, seed=11, size=SIZE, first_id=601
    )
    assert (again / "Sample0601.zip").read_bytes() == (written / "Sample0601.zip").read_bytes()
    stamp = (again / "Sample0601.zip").stat().st_mtime_ns
    write_synthetic_montalbano(again, num_sequences=1, frames_per_sequence=100, seed=11, size=SIZE, first_id=601)
    assert (again / "Sample0601.zip").stat().st_mtime_ns == stamp  # identical manifest: skipped
    other = write_synthetic_montalbano(
        again, num_sequences=1, frames_per_sequence=100, seed=12, size=SIZE, first_id=601
    )
    assert (other / "Sample0601.zip").read_bytes() != (written / "Sample0601.zip").read_bytes()
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        write_synthetic_montalbano(tmp_path / "foreign", num_sequences=1, frames_per_sequence=100, size=SIZE)
    with pytest.raises(ValueError, match="even"):
        write_synthetic_montalbano(tmp_path / "odd", num_sequences=1, size=(95, 128))


def test_mpeg4_part2_videos_read_back(tmp_path):
    root = write_synthetic_montalbano(
        tmp_path / "mpeg4", num_sequences=1, frames_per_sequence=64, seed=2, size=(64, 96), codec="mpeg4"
    )
    assert json.loads((root / MANIFEST_FILE).read_text())["parameters"]["codec"] == "mpeg4"
    s, ref = read_sample(root / "Sample0001.zip"), render_sequence(1, num_frames=64, seed=2, size=(64, 96))
    assert s.frames.shape == (64, 64, 96, 3) and np.array_equal(s.labels, ref.labels)
    assert np.abs(s.frames.astype(np.int16) - ref.frames).mean() < 6
    assert np.abs(s.depth - ref.depth).mean() < 3 * s.max_depth / 255


def test_split_ids():
    ids = synthetic_split_ids(train=3, validation=2, test=1)
    assert ids == {"train": [1, 2, 3], "validation": [601, 602], "test": [701]}
    assert montalbano_split(sum(ids.values(), [])) == ids
    assert 417 not in synthetic_split_ids(train=420, validation=0, test=0)["train"]
    assert synthetic_split_ids(train=0, validation=1, test=0, scheme="challenge")["validation"] == [471]
    with pytest.raises(ValueError, match="at most 100"):
        synthetic_split_ids(train=1, validation=101, test=0)


# --- the gesture vocabulary ----------------------------------------------------------------------------
def test_twenty_classes_all_performed_with_paper_durations():
    assert len(SYNTHETIC_GESTURES) == 20 and len(set(SYNTHETIC_GESTURES)) == 20
    assert sorted(sum(map(list, ORDER_PAIRS), [])) == list(range(1, 19))
    seen, kinds = set(), set()
    for sample in range(1, 13):
        tl = sequence_timeline(sample, num_frames=400, seed=0)
        gestures = [e for e in tl.events if e[0] == "gesture"]
        kinds |= {e[0] for e in tl.events}
        assert len(gestures) >= 4
        for _, g, a, b in gestures:
            assert 20 <= b - a <= 50 and np.all(tl.labels[a:b] == g)
            assert tl.labels[a - 1] == 0 and (b == 400 or tl.labels[b] == 0)  # separated by unlabelled frames
            seen.add(g)
        assert np.count_nonzero(tl.labels) == sum(b - a for _, _, a, b in gestures)
    assert seen == set(range(1, 21))
    # unlabelled movements between gestures: everyday motion and out-of-vocabulary gestures
    assert kinds == {"gesture", "scratch", "hips", "cross", "wander", "aborted"}


@pytest.mark.parametrize("pair", ORDER_PAIRS)
def test_order_pairs_are_the_same_poses_reversed(pair):
    a, b = pair
    inst_a = _draw_gesture_instance(a, np.random.default_rng(4), DEFAULT_STYLE)
    inst_b = _draw_gesture_instance(b, np.random.default_rng(4), DEFAULT_STYLE)
    u = np.linspace(0.0, 1.0, 33)
    path_a, path_b = gesture_path(a, inst_a, u), gesture_path(b, inst_b, u)
    assert np.allclose(path_b, path_a[::-1], equal_nan=True)  # every pose of b is a pose of a
    assert not np.allclose(path_a[0], path_b[0], equal_nan=True)  # but they start apart


def test_single_frames_cannot_tell_order_pairs_apart_but_motion_can():
    """1-nearest-neighbour between the two classes of each order pair, on the wrist positions of
    single labelled frames vs. positions and their change over four frames (neighbours from other
    performances only): chance for single frames, near-perfect with motion."""
    pos, mot, cls, inst = [], [], [], []
    for sample in range(1, 31):
        tl = sequence_timeline(sample, num_frames=400, seed=1)
        w = tl.wrists.reshape(len(tl.wrists), -1)
        for k, (kind, g, a, b) in enumerate(tl.events):
            if kind != "gesture" or g > 18:
                continue
            for f in range(a + 2, b - 2):
                pos.append(w[f])
                mot.append(np.r_[w[f], 3 * (w[f + 2] - w[f - 2])])
                cls.append(g)
                inst.append(sample * 100 + k)
    pos, mot, cls, inst = map(np.asarray, (pos, mot, cls, inst))

    def pair_accuracy(x: np.ndarray) -> float:
        hits = total = 0
        for a, b in ORDER_PAIRS:
            m = (cls == a) | (cls == b)
            d = ((x[m][:, None] - x[m][None]) ** 2).sum(-1)
            d[inst[m][:, None] == inst[m][None]] = np.inf
            hits += int((cls[m][d.argmin(1)] == cls[m]).sum())
            total += int(m.sum())
        return hits / total

    assert pair_accuracy(pos) < 0.6
    assert pair_accuracy(mot) > 0.95


def test_left_handed_performers_mirror_the_gesture():
    """Flipping a right-hander's gesture gives a left-hander's same gesture (flip keeps labels)."""
    right = make_performer(0, 0)
    left = Performer(**{**right.__dict__, "left_handed": not right.left_handed})
    inst = _draw_gesture_instance(5, np.random.default_rng(0), DEFAULT_STYLE)
    wrists = np.nan_to_num(gesture_path(5, inst, np.linspace(0, 1, 20)), nan=0.3)
    sway = np.zeros((20, 2))
    a, b = _body(right, wrists, sway), _body(left, wrists, sway)
    mirror = b.copy()
    mirror[..., 0] *= -1
    for name in ("Shoulder", "Elbow", "Wrist", "Hand", "Hip", "Knee", "Ankle", "Foot"):  # left <-> right
        l_, r_ = J[f"{name}Left"], J[f"{name}Right"]
        mirror[:, [l_, r_]] = mirror[:, [r_, l_]]
    assert np.allclose(a, mirror, atol=1e-9)


# --- rendering consistent with the skeleton and depth it writes -----------------------------------
def test_skeleton_depth_and_mask_agree_with_the_figure(written):
    seq = render_sequence(602, num_frames=100, seed=11, size=SIZE)
    s = read_sample(written / "Sample0602.zip", modalities=("depth", "user"))
    assert np.array_equal(s.skeleton, seq.skeleton) and np.array_equal(s.labels, seq.labels)
    tracked = seq.skeleton.any(axis=(1, 2))
    px = s.skeleton[..., 7:9]
    assert np.abs(px[tracked] - seq.true_pixels[tracked]).max() < 3.0  # tracker jitter only
    assert np.all(seq.skeleton[~tracked] == 0)
    frames = np.arange(len(seq.labels))
    for joint in ("Spine", "Head", "HandRight", "HandLeft"):
        x, y = np.rint(seq.true_pixels[:, J[joint]]).astype(int).T
        inside = (x >= 0) & (x < SIZE[1]) & (y >= 0) & (y < SIZE[0])
        assert s.user[frames[inside], y[inside], x[inside]].mean() > 0.9
        if joint in ("Spine", "Head"):  # not occluded by the arms in most frames
            z = 1000 * seq.true_world[frames[inside], J[joint], 2]
            assert np.median(np.abs(s.depth[frames[inside], y[inside], x[inside]] - z)) < 60
    assert not s.user[:, 0, 0].any()  # a corner shows the room
    wall = s.depth[:, 2, 2]
    assert np.all(wall > 1000 * seq.true_world[:, J["Spine"], 2].max())  # the room lies behind the person
