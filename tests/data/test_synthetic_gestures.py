"""The synthetic gesture generator: Jester layout round trip, determinism, and what a frame can tell."""

import hashlib
import json

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from motion_rnn.data.jester import JesterDataset, read_jester_labels, read_jester_split
from motion_rnn.data.jester.synthetic import (
    MANIFEST_FILE,
    PAIRED_CLASSES,
    PLAIN_STYLE,
    SYNTHETIC_CLASSES,
    GestureStyle,
    render_gesture,
    write_synthetic_jester,
)

SMALL = dict(
    videos_per_class={"train": 3, "validation": 1, "test": 1},
    num_frames=8,
    size=24,
    seed=11,
    splits=("train", "validation", "test"),
)


def _digest(root):
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_synthetic_jester(tmp_path_factory.mktemp("syn") / "jester", **SMALL)


# --- the written layout, read back by the real reader ---------------------------------------------
def test_round_trip_through_the_jester_reader(small):
    assert read_jester_labels(small) == list(SYNTHETIC_CLASSES)
    train = read_jester_split(small, "train")
    assert len(train) == 3 * len(SYNTHETIC_CLASSES)
    assert sorted(train["label"].value_counts().to_dict().items()) == [(k, 3) for k in range(12)]
    assert len(read_jester_split(small, "validation")) == 12
    ds = JesterDataset(small, "train", num_frames=8, size=24, train=True)
    item = ds[0]
    assert item["clip"].shape == (8, 3, 24, 24) and item["clip"].dtype == torch.float32
    assert item["label"] == train["label"][0] and item["video_id"] == train["video_id"][0]
    assert sorted({ds[i]["label"] for i in range(len(ds))}) == list(range(12))  # every class


def test_test_split_is_unlabelled_with_answers_aside(small):
    test = read_jester_split(small, "test")
    assert (test["label"] == -1).all() and len(test) == 12
    answers = dict(line.split(";") for line in (small / "synthetic-test-labels.csv").read_text().splitlines())
    assert set(answers) == set(test["video_id"]) and set(answers.values()) == set(SYNTHETIC_CLASSES)
    assert JesterDataset(small, "test", num_frames=4, size=16, train=False)[0]["label"] == -1


def test_manifest_records_the_parameters(small):
    m = json.loads((small / MANIFEST_FILE).read_text())
    assert m["parameters"]["seed"] == 11 and m["parameters"]["num_frames"] == 8
    assert m["parameters"]["videos_per_class"] == {"train": 3, "validation": 1, "test": 1}
    assert m["videos"] == {"train": 36, "validation": 12, "test": 12}


def test_deterministic_given_the_seed(small, tmp_path):
    again = write_synthetic_jester(tmp_path / "again", **SMALL)
    assert _digest(again) == _digest(small)
    other = write_synthetic_jester(tmp_path / "other", **{**SMALL, "seed": 12})
    assert _digest(other) != _digest(small)


def test_rerun_is_skipped_and_changed_parameters_regenerate(tmp_path):
    kw = dict(videos_per_class=1, num_frames=4, size=16, seed=0, classes=["Swiping Left", "No gesture"])
    root = write_synthetic_jester(tmp_path / "j", **kw)
    stamp = (root / MANIFEST_FILE).stat().st_mtime_ns
    assert write_synthetic_jester(tmp_path / "j", **kw) == root
    assert (root / MANIFEST_FILE).stat().st_mtime_ns == stamp  # nothing rewritten
    write_synthetic_jester(tmp_path / "j", **{**kw, "num_frames": 5})
    assert read_jester_labels(root) == ["Swiping Left", "No gesture"]
    assert len(list((root / "20bn-jester-v1" / "1").glob("*.jpg"))) == 5


def test_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="not written by write_synthetic_jester"):
        write_synthetic_jester(tmp_path / "mine", videos_per_class=1, num_frames=4, size=16)


def test_wide_frames_and_bad_arguments(tmp_path):
    root = write_synthetic_jester(
        tmp_path / "w",
        videos_per_class=1,
        num_frames=4,
        size=16,
        width=28,
        classes=["Shaking Hand"],
        splits=("validation",),
    )
    ds = JesterDataset(root, "validation", num_frames=4, size=16, train=False)
    assert ds[0]["clip"].shape == (4, 3, 16, 16)
    with pytest.raises(ValueError, match="unknown classes"):
        write_synthetic_jester(tmp_path / "x", videos_per_class=1, classes=["Waving"])
    with pytest.raises(ValueError, match="splits"):
        write_synthetic_jester(tmp_path / "x", videos_per_class=1, splits=("val",))


def test_every_class_renders():
    for label, name in enumerate(SYNTHETIC_CLASSES):
        frames, info = render_gesture(name, num_frames=6, size=20, rng=np.random.default_rng(label))
        assert frames.shape == (6, 20, 20, 3) and frames.dtype == np.uint8
        assert info["label"] == label and info["hands"].shape[0] == 6
        assert info["hands"].shape[1] in ((2,) if name.startswith("Zooming") else (1, 2))


# --- what a single frame can and cannot tell ------------------------------------------------------
T, N = 9, 80  # odd T: frame 4 is the middle; N videos per class


def _videos(name, style=None):
    style = style or GestureStyle()
    label = SYNTHETIC_CLASSES.index(name)
    return [
        render_gesture(name, num_frames=T, size=32, rng=np.random.default_rng([5, label, i]), style=style)
        for i in range(N)
    ]


def _pose(info, frame):
    """The true pose at one frame: where the active hand is, its orientation and size, and for two
    hands their distance."""
    h = info["hands"][frame]
    x, y, a, r = h[0]
    gap = np.hypot(*(h[0, :2] - h[1, :2])) if info["name"].startswith("Zooming") else 0.0
    return [x, y, np.sin(a), np.cos(a), np.log(r), gap]


def _cv_accuracy(make, X, y):
    """Two-fold accuracy (train on one half, test on the other, both ways)."""
    idx = np.random.default_rng(0).permutation(len(y))
    halves = idx[: len(y) // 2], idx[len(y) // 2 :]
    return np.mean([make().fit(X[a], y[a]).score(X[b], y[b]) for a, b in (halves, halves[::-1])])


def _knn():
    return KNeighborsClassifier(n_neighbors=15)


@pytest.fixture(scope="module")
def pairs():
    return {pair: (_videos(pair[0]), _videos(pair[1])) for pair in PAIRED_CLASSES}


@pytest.mark.parametrize("pair", PAIRED_CLASSES, ids=lambda p: p[0].split()[0] + "-" + p[0].split()[1])
def test_the_middle_frame_cannot_tell_paired_classes_apart(pairs, pair):
    a, b = pairs[pair]
    y = np.r_[np.zeros(N), np.ones(N)]
    # from the true pose of the middle frame (a flexible classifier on the quantities that define
    # the gesture) ...
    pose = StandardScaler().fit_transform(np.array([_pose(info, T // 2) for _, info in a + b]))
    assert _cv_accuracy(_knn, pose, y) < 0.66
    # ... and from its pixels
    pixels = np.array([f[T // 2].reshape(8, 4, 8, 4, 3).mean((1, 3)).ravel() / 255.0 for f, _ in a + b])
    assert _cv_accuracy(lambda: LogisticRegression(C=0.1, max_iter=500), pixels, y) < 0.66
    stats = np.array([np.r_[f[T // 2].mean((0, 1)), f[T // 2].std((0, 1))] for f, _ in a + b])
    stats = StandardScaler().fit_transform(stats)
    assert _cv_accuracy(lambda: LogisticRegression(max_iter=500), stats, y) < 0.66


def _change(info):
    """How the pose changed from the first to the last frame (the turn's angle unwrapped)."""
    turned = info["hands"][-1, 0, 2] - info["hands"][0, 0, 2]
    return np.r_[np.subtract(_pose(info, -1), _pose(info, 0)), turned]


@pytest.mark.parametrize("pair", PAIRED_CLASSES, ids=lambda p: p[0].split()[0] + "-" + p[0].split()[1])
def test_the_same_classifier_tells_them_apart_from_the_motion(pairs, pair):
    a, b = pairs[pair]
    y = np.r_[np.zeros(N), np.ones(N)]
    change = np.array([_change(info) for _, info in a + b])
    assert _cv_accuracy(_knn, StandardScaler().fit_transform(change), y) > 0.95
    # The first frame, at a known place in the clip, does carry a cue where the gesture has an
    # end point in space (the classifier has the power to find it); a turn's does not, its angle
    # being uniform on the circle. See the module docstring of motion_rnn.data.jester.synthetic.
    first = StandardScaler().fit_transform(np.array([_pose(info, 0) for _, info in a + b]))
    if pair[0].startswith("Turning"):
        assert _cv_accuracy(_knn, first, y) < 0.66
    else:
        assert _cv_accuracy(_knn, first, y) > 0.75


def _difference_centroid_slope(frames):
    """Energy-weighted slope of the x centroid of thresholded frame differences (pixels/frame)."""
    g = frames.astype(np.float32).mean(-1)  # (T, H, W)
    d = np.abs(np.diff(g, axis=0))  # (T - 1, H, W)
    d = np.maximum(d - 3 * np.median(d, axis=(1, 2), keepdims=True), 0)
    energy = d.sum((1, 2)) + 1e-6
    cx = (d.sum(1) * np.arange(g.shape[2])).sum(1) / energy
    t = np.arange(len(cx))
    tm, xm = (energy * t).sum() / energy.sum(), (energy * cx).sum() / energy.sum()
    return (energy * (t - tm) * (cx - xm)).sum() / (energy * (t - tm) ** 2).sum()


def test_a_frame_difference_trajectory_separates_swipe_left_from_right(pairs):
    left, right = pairs[("Swiping Left", "Swiping Right")]
    slopes_left = np.array([_difference_centroid_slope(f) for f, _ in left])
    slopes_right = np.array([_difference_centroid_slope(f) for f, _ in right])
    accuracy = ((slopes_left < 0).mean() + (slopes_right > 0).mean()) / 2
    assert accuracy > 0.8  # from pixels, despite distractors, a second hand and noise


@pytest.mark.parametrize("pair", PAIRED_CLASSES, ids=lambda p: p[0].split()[0] + "-" + p[0].split()[1])
def test_the_plain_style_keeps_the_middle_frame_uninformative(pair):
    # PLAIN_STYLE removes the distractors, not the symmetry the claims rest on: paired classes are
    # still apart only in the direction of their motion, and still apart from their motion.
    a, b = (_videos(name, PLAIN_STYLE) for name in pair)
    y = np.r_[np.zeros(N), np.ones(N)]
    pixels = np.array([f[T // 2].reshape(8, 4, 8, 4, 3).mean((1, 3)).ravel() / 255.0 for f, _ in a + b])
    assert _cv_accuracy(lambda: LogisticRegression(C=0.1, max_iter=500), pixels, y) < 0.66
    change = np.array([_change(info) for _, info in a + b])
    assert _cv_accuracy(_knn, StandardScaler().fit_transform(change), y) > 0.95


def test_the_plain_style_has_no_second_hand_and_a_plainer_background():
    def background_spread(style, i):
        frames, info = render_gesture("Swiping Left", num_frames=T, size=32, rng=np.random.default_rng(i), style=style)
        # the hand moves, so the median over time is the background (with the hand at rest blurred in)
        return info["hands"].shape[1], np.median(frames, axis=0).astype(float).std(axis=(0, 1)).mean()

    plain = [background_spread(PLAIN_STYLE, i) for i in range(12)]
    scene = [background_spread(GestureStyle(), i) for i in range(12)]
    assert all(hands == 1 for hands, _ in plain)  # the scene style adds an idle hand half the time
    assert np.mean([s for _, s in plain]) < 0.7 * np.mean([s for _, s in scene])
