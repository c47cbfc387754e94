"""Synthetic UCF-101 videos (motion_rnn.data.ucf101.synthetic): the layout, determinism, and the cues
the classes are designed to carry (Lakhal et al. 2018, Tables 1-3)."""

import re
import time

import av
import cv2
import numpy as np
import pytest

from motion_rnn.data.cache import read_manifest
from motion_rnn.data.ucf101.synthetic import (
    CATEGORIES_FILE,
    CLASS_CUES,
    SYNTHETIC_CATEGORIES,
    SYNTHETIC_CLASSES,
    SYNTHETIC_PAIRS,
    render_video,
    write_synthetic_ucf101,
)

SMALL = dict(classes_per_category=2, videos_per_class={"train": 3, "test": 2}, num_frames=24, size=32, seed=0)


def small_classes():
    """The first two classes of each type, alphabetical (classInd order)."""
    per_type: dict[str, list[str]] = {}
    for name in SYNTHETIC_CLASSES:
        per_type.setdefault(SYNTHETIC_CATEGORIES[name], []).append(name)
    return sorted(n for names in per_type.values() for n in names[:2])


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_synthetic_ucf101(tmp_path_factory.mktemp("ucf") / "UCF-101", **SMALL)


def decode(path):
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


# ---------------------------------------------------------------------------------------------
# Layout and list files
# ---------------------------------------------------------------------------------------------
def test_layout_and_list_files_are_exact(small):
    classes = small_classes()
    assert len(classes) == 10
    lists = small / "ucfTrainTestlist"
    assert sorted(p.name for p in small.iterdir()) == sorted(
        [*classes, "ucfTrainTestlist", CATEGORIES_FILE, "synthetic_manifest.json"]
    )
    assert sorted(p.name for p in lists.iterdir()) == ["classInd.txt", "testlist01.txt", "trainlist01.txt"]
    assert (lists / "classInd.txt").read_bytes() == "".join(f"{i} {c}\r\n" for i, c in enumerate(classes, 1)).encode()
    # video j of a class: group groups[j % len], clip j // len + 1; split 1 puts groups 8-25 in train, 1-7 in test
    train = "".join(f"{c}/v_{c}_g{g:02d}_c01.avi {i}\r\n" for i, c in enumerate(classes, 1) for g in (8, 9, 10))
    test = "".join(f"{c}/v_{c}_g{g:02d}_c01.avi\r\n" for c in classes for g in (1, 2))
    assert (lists / "trainlist01.txt").read_bytes() == train.encode()
    assert (lists / "testlist01.txt").read_bytes() == test.encode()
    names = re.compile(r"^v_(?P<c>[A-Za-z]+)_g(?P<g>\d\d)_c(?P<k>\d\d)\.avi$")
    for c in classes:
        files = sorted(p.name for p in (small / c).iterdir())
        assert len(files) == 5 and all(names.match(f)["c"] == c for f in files)
    manifest = read_manifest(small)
    assert manifest["parameters"]["classes"] == classes
    assert manifest["parameters"]["groups"] == {"train": list(range(8, 26)), "test": list(range(1, 8))}
    assert len(manifest["videos"]) == 50


def test_videos_decode_losslessly_to_the_rendered_frames(small):
    lengths = read_manifest(small)["videos"]
    video = "SkyDiving/v_SkyDiving_g01_c01.avi"
    frames = decode(small / video)
    assert frames.shape == (lengths[video], 32, 32, 3)
    assert 20 <= len(frames) <= 36  # 5/6 to 3/2 of num_frames=24
    # the writer's seeds: [seed, class index, group, clip] for the clip, [seed, class index, group] for the group
    i = SYNTHETIC_CLASSES.index("SkyDiving")
    expected, _ = render_video("SkyDiving", seed=[0, i, 1, 1], group_seed=[0, i, 1], num_frames=24, size=32)
    np.testing.assert_array_equal(frames, expected)  # FFV1 is lossless
    cap = cv2.VideoCapture(str(small / video))  # OpenCV reads them too
    ok, first = cap.read()
    cap.release()
    assert ok and np.array_equal(first[..., ::-1], expected[0])
    assert len({v for v in lengths.values()}) > 3  # lengths vary


def test_categories_file_and_table(small):
    rows = (small / CATEGORIES_FILE).read_text(encoding="utf-8").splitlines()
    assert rows[0] == "class_name,category"
    assert rows[1:] == [f"{c},{SYNTHETIC_CATEGORIES[c]}" for c in small_classes()]
    assert len(SYNTHETIC_CLASSES) == 20
    counts = {cat: list(SYNTHETIC_CATEGORIES.values()).count(cat) for cat in set(SYNTHETIC_CATEGORIES.values())}
    assert set(counts.values()) == {4} and len(counts) == 5
    from motion_rnn.data.ucf101.reader import ucf101_categories

    real = ucf101_categories()
    assert all(real[c] == SYNTHETIC_CATEGORIES[c] for c in SYNTHETIC_CLASSES)  # UCF-101 names, real types
    assert {"PizzaTossing", "Mixing", "SalsaSpin", "PlayingDhol"} <= set(SYNTHETIC_CLASSES)
    assert [p[2] for p in SYNTHETIC_PAIRS].count("appearance") == 4
    assert CLASS_CUES["PizzaTossing"] == CLASS_CUES["SalsaSpin"] == "fast"


def test_read_back_with_the_reader(small):
    try:
        from motion_rnn.data.ucf101.reader import read_split
    except ImportError as error:  # pragma: no cover - the reader is written alongside
        pytest.skip(f"motion_rnn.data.ucf101.reader.read_split is not available: {error}")
    train, test = read_split(small, 1, "train"), read_split(small, 1, "test")
    classes = small_classes()
    assert len(train) == 30 and len(test) == 20
    assert set(train["group"]) == {8, 9, 10} and set(test["group"]) == {1, 2}
    assert [classes[i] for i in train["label"]] == list(train["class_name"])
    assert [classes[i] for i in test["label"]] == list(test["class_name"])


# ---------------------------------------------------------------------------------------------
# Determinism and the write-once cache
# ---------------------------------------------------------------------------------------------
def test_same_seed_same_output_and_rerun_returns_at_once(tmp_path, small):
    options = dict(SMALL, classes_per_category=1, videos_per_class={"train": 1, "test": 1})
    a = write_synthetic_ucf101(tmp_path / "a", **options)
    b = write_synthetic_ucf101(tmp_path / "b", **options)
    c = write_synthetic_ucf101(tmp_path / "c", **dict(options, seed=1))
    for name in ("classInd.txt", "trainlist01.txt", "testlist01.txt"):
        assert (a / "ucfTrainTestlist" / name).read_bytes() == (b / "ucfTrainTestlist" / name).read_bytes()
    video = "SkyDiving/v_SkyDiving_g08_c01.avi"
    assert np.array_equal(decode(a / video)[0], decode(b / video)[0])
    assert not np.array_equal(decode(a / video)[0], decode(c / video)[0])
    # the same clip is the same whatever else is written (its seed is its class, group and clip)
    assert np.array_equal(decode(a / video), decode(small / "SkyDiving/v_SkyDiving_g08_c01.avi"))
    stamp = (a / video).stat().st_mtime_ns
    start = time.perf_counter()
    assert write_synthetic_ucf101(tmp_path / "a", **options) == a
    assert time.perf_counter() - start < 0.5 and (a / video).stat().st_mtime_ns == stamp


def test_rejects_bad_parameters(tmp_path):
    with pytest.raises(ValueError, match="overlap"):
        write_synthetic_ucf101(tmp_path / "x", videos_per_class=1, groups={"train": [1, 2], "test": [2]})
    with pytest.raises(ValueError, match="classes_per_category"):
        write_synthetic_ucf101(tmp_path / "x", videos_per_class=1, classes_per_category=5)
    with pytest.raises(ValueError, match="unknown class"):
        render_video("ApplyEyeMakeup")


# ---------------------------------------------------------------------------------------------
# The designed cues. The two classes of a pair drawn from the same seeds share the scene, the
# performer and every random draw: they differ only in the pair's cue.
# ---------------------------------------------------------------------------------------------
def pair(a, b, s):
    return render_video(a, seed=[11, s])[0], render_video(b, seed=[11, s])[0]


def mean_frame(frames, part=slice(None)):
    return frames[part].astype(np.float32).mean(0)


def flow(frames):
    g = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]
    return np.stack(
        [cv2.calcOpticalFlowFarneback(g[i], g[i + 1], None, 0.5, 2, 9, 3, 5, 1.1, 0) for i in range(len(g) - 1)]
    )


def excess_energy(frames):
    """Frame-difference energy per frame, above the video's median (noise, drift, background motion)."""
    e = (np.diff(frames.astype(np.float32), axis=0) ** 2).mean(axis=(1, 2, 3))
    return e - np.median(e)


def test_direction_pair_same_frames_opposite_flow():
    for s in range(4):
        down, up = pair("SkyDiving", "PoleVault", s)
        other = render_video("SkyDiving", seed=[12, s], group_seed=[11, s])[0]  # same scene, another clip
        same = np.abs(mean_frame(down) - mean_frame(up)).mean()
        assert same < 0.4 * np.abs(mean_frame(down) - mean_frame(other)).mean(), s
        # ... though not frame by frame: the first halves differ
        h = min(len(down), len(up)) // 2
        assert np.abs(mean_frame(down, slice(h)) - mean_frame(up, slice(h))).mean() > 2 * same
        vy_down, vy_up = flow(down)[..., 1].mean(), flow(up)[..., 1].mean()
        assert vy_down > 0.05 and vy_up < -0.05  # image y points down


def test_fast_class_has_a_higher_shorter_burst_of_motion():
    def half_energy_frames(x):  # how many frames carry half the energy above the median
        x = np.sort(np.maximum(x, 0))[::-1]
        return int(np.searchsorted(np.cumsum(x) / x.sum(), 0.5)) + 1

    for fast, slow in (("PizzaTossing", "Mixing"), ("SalsaSpin", "Haircut")):
        ratios, n_fast, n_slow = [], [], []
        for s in range(6):
            xf, xs = (excess_energy(v) for v in pair(fast, slow, s))
            ratios.append(xf.max() / xs.max())
            n_fast.append(half_energy_frames(xf))
            n_slow.append(half_energy_frames(xs))
        assert min(ratios) > 1.1 and np.median(ratios) > 1.5, (fast, ratios)
        assert np.mean(n_fast) < 0.8 * np.mean(n_slow), (fast, n_fast, n_slow)


def test_appearance_pairs_same_motion_other_colours():
    for a, b, cue in SYNTHETIC_PAIRS:
        if cue != "appearance":
            continue
        for s in range(2):
            va, vb = pair(a, b, s)
            changed = (np.abs(va.astype(int) - vb.astype(int)).max(-1) > 40).mean()
            assert 0.002 < changed < 0.15, (a, changed)  # the prop or uniform, not the scene
            wa, wb = np.linalg.norm(flow(va), axis=-1).mean(), np.linalg.norm(flow(vb), axis=-1).mean()
            assert abs(wa - wb) < 0.25 * max(wa, wb), (a, wa, wb)


def test_order_pairs_same_content_other_order():
    for a, b in (("BodyWeightSquats", "Lunges"), ("PlayingDhol", "PlayingDaf")):
        for s in range(3):
            va, vb = pair(a, b, s)
            whole = np.abs(mean_frame(va) - mean_frame(vb)).mean()
            h = len(va) // 3
            first = np.abs(mean_frame(va, slice(h)) - mean_frame(vb, slice(h))).mean()
            assert first > 2.5 * whole, (a, first, whole)
            ea, eb = (np.linalg.norm(flow(v), axis=-1).mean() for v in (va, vb))
            assert abs(ea - eb) < 0.15 * ea, (a, ea, eb)  # as much motion


def test_periodic_class_moves_more_over_the_same_poses():
    for s in range(3):
        jacks, taichi = pair("JumpingJack", "TaiChi", s)
        assert np.abs(mean_frame(jacks) - mean_frame(taichi)).mean() < 1.5
        assert np.linalg.norm(flow(jacks), axis=-1).mean() > 1.5 * np.linalg.norm(flow(taichi), axis=-1).mean()


def test_pairs_look_alike_within_and_differ_across():
    """Same seed, classes of one pair: near-identical mean frames; classes of two pairs: not."""
    base = mean_frame(render_video("PizzaTossing", seed=[11, 0])[0])
    partner = mean_frame(render_video("Mixing", seed=[11, 0])[0])
    stranger = mean_frame(render_video("JugglingBalls", seed=[11, 0])[0])
    assert np.abs(base - partner).mean() < 0.5 * np.abs(base - stranger).mean()
