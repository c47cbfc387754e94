"""Synthetic IsoGD (RGB, depth) and flow frames: layout, read-back, agreement of the modalities, caching."""

import hashlib
import shutil

import numpy as np
import pytest
import torch

import motion_rnn.data.isogd.synthetic as isogd_synthetic
import motion_rnn.data.jester.synthetic as jester_synthetic
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.frames import list_frame_folder, read_frames
from motion_rnn.data.isogd import (
    ISOGD_DEPTH_MEAN,
    IsoGDDataset,
    read_isogd_list,
    read_video_frames,
    write_isogd_list,
)
from motion_rnn.data.isogd.flow import FLOW_MEAN, flow_list_name, write_flow_frames
from motion_rnn.data.isogd.synthetic import (
    CLASSES_FILE,
    DEFAULT_DEPTH_STYLE,
    DepthStyle,
    list_path,
    render_depth,
    video_rngs,
    write_synthetic_isogd,
    write_video,
)
from motion_rnn.data.jester.synthetic import (
    DEFAULT_STYLE,
    MANIFEST_FILE,
    PLAIN_STYLE,
    SYNTHETIC_CLASSES,
    render_gesture,
    write_synthetic_jester,
)

SEED = 5
FRAMES = 10
SIZE = 32
SMALL = dict(videos_per_class={"train": 2, "valid": 1}, num_frames=FRAMES, size=SIZE, seed=SEED)
HAND = 135  # depth grey above which a pixel is a hand (hands are nearer than 2.2 m, the wall farther than 2.8 m)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_synthetic_isogd(tmp_path_factory.mktemp("isogd") / "isogd", **SMALL)


@pytest.fixture(scope="module")
def flow(small, tmp_path_factory):
    return write_flow_frames(small, list_path(small, "valid"), tmp_path_factory.mktemp("flow") / "flow")


def _valid_video(root, name):
    """(RGB path, depth path, RGB rng, depth rng) of the valid video of class ``name`` (one a class)."""
    table = read_isogd_list(list_path(root, "valid"))
    label = SYNTHETIC_CLASSES.index(name)
    row = table[table["label"] == label].iloc[0]
    rgb_rng, depth_rng = video_rngs(SEED, "valid", label, 0)
    return root / row["path"], root / row["path"].replace("/M_", "/K_"), rgb_rng, depth_rng


# --- step 1: render_gesture's frames and draws are unchanged; each hand's mirror flag is reported --
# (style, class, seed key, mirrors, sha256 of the frames, the stream's next draw), all computed with
# render_gesture before "mirrors" was added to its info
BEFORE = [
    ("default", "Swiping Right", 1, [True], "85797a09cde832138475ced1812f23d1d9c0683aaf1dd8cd85a221a352674fa8", 1727917993),
    ("default", "Zooming In With Two Hands", 0, [False, True], "b6ee0cafbea0c29df1d76fa9001b36ae948f991fd741279dfcee3237046d4775", 1711542034),
    ("default", "No gesture", 0, [True, False], "4a7ad1c210bf00ef14cc544e451d206913816ec4012d58d1e1cbf76449f0a3c1", 168775406),
    ("plain", "Swiping Left", 1, [True], "cd7fabd97290c36b48c46460e865d331e65304becb5d7aa77caed1f5e154acfe", 1595001424),
    ("plain", "Zooming Out With Two Hands", 0, [False, True], "9ceb4d3a8344fe6ea796ce72dfab840e50bda3eed3630c77fc8dcd83b5ac2fb3", 524633169),
    ("plain", "Pulling Hand In", 1, [True], "364b3deb745a1738b010f4be37878a5f0fc4fc23868e14a233847595b305fe54", 1595001424),
]  # fmt: skip


@pytest.mark.parametrize("style, name, key, mirrors, digest, next_draw", BEFORE)
def test_frames_unchanged_and_mirror_flags_reported(style, name, key, mirrors, digest, next_draw):
    rng = np.random.default_rng(np.random.SeedSequence([2018, key]))
    style = DEFAULT_STYLE if style == "default" else PLAIN_STYLE
    frames, info = render_gesture(name, num_frames=10, size=32, width=40, rng=rng, style=style)
    assert hashlib.sha256(frames.tobytes()).hexdigest() == digest
    assert int(rng.integers(0, 2**31)) == next_draw  # the same number of draws
    assert info["mirrors"] == mirrors and all(type(m) is bool for m in info["mirrors"])
    assert len(info["mirrors"]) == info["hands"].shape[1]


# --- the layout and the lists -------------------------------------------------------------------
def test_layout_lists_and_classes(small):
    assert (small / CLASSES_FILE).read_text().splitlines() == list(SYNTHETIC_CLASSES)
    assert (small / MANIFEST_FILE).is_file()
    for split, per in (("train", 2), ("valid", 1)):
        rgb, depth = read_isogd_list(list_path(small, split)), read_isogd_list(list_path(small, split, "depth"))
        n = per * len(SYNTHETIC_CLASSES)
        assert rgb["path"].tolist() == [f"{split}/001/M_{k:05d}.avi" for k in range(1, n + 1)]  # 1-based a subset
        assert depth["path"].tolist() == [p.replace("/M_", "/K_") for p in rgb["path"]]
        assert rgb["label"].tolist() == depth["label"].tolist()
        assert sorted(rgb["label"].value_counts().items()) == [(k, per) for k in range(12)]
        assert rgb["label"].tolist() != sorted(rgb["label"].tolist())  # classes interleaved
        assert set(rgb["frame_count"]) == {FRAMES}
        assert all((small / p).is_file() for p in rgb["path"].tolist() + depth["path"].tolist())
    assert isogd_synthetic._relative("valid", "K", 200) == "valid/001/K_00200.avi"
    assert isogd_synthetic._relative("valid", "K", 201) == "valid/002/K_00201.avi"  # 200 a folder


def test_read_back_by_the_isogd_dataset_rgb_depth_and_flow(small, flow):
    table = read_isogd_list(list_path(small, "train"))
    for lst, mean, prefix in (
        (list_path(small, "train"), (112.0, 112.0, 112.0), "M_"),
        (list_path(small, "train", "depth"), ISOGD_DEPTH_MEAN, "K_"),
    ):
        ds = IsoGDDataset(small, lst, num_frames=8, size=SIZE, train=True, mean=mean)
        assert len(ds) == 24
        for i in (0, 5):
            item = ds[i]
            assert item["clip"].shape == (8, 3, SIZE, SIZE) and item["clip"].dtype == torch.float32
            assert item["label"] == table["label"][i] and item["video_id"] == f"{prefix}{i + 1:05d}"
    assert flow.name == "valid_flow_list.txt" and flow_list_name("valid_depth_list.txt") == "valid_depth_list_flow.txt"
    flows = read_isogd_list(flow)
    valid = read_isogd_list(list_path(small, "valid"))
    assert flows["path"].tolist() == [p.replace(".avi", "/") for p in valid["path"]]
    assert set(flows["frame_count"]) == {FRAMES - 1} and flows["label"].tolist() == valid["label"].tolist()
    ds = IsoGDDataset(flow.parent, flow, num_frames=8, size=SIZE, train=False, mean=FLOW_MEAN)
    item = ds[3]
    assert item["clip"].shape == (8, 3, SIZE, SIZE) and item["video_id"] == "M_00004"
    assert item["label"] == valid["label"][3]


# --- the videos: RGB equals render_gesture's, depth the same scene -------------------------------
def test_decoded_videos_match_the_rendered_frames(small):
    for name in ("Swiping Up", "Zooming In With Two Hands"):
        m_path, k_path, rgb_rng, depth_rng = _valid_video(small, name)
        frames, info = render_gesture(name, num_frames=FRAMES, size=SIZE, rng=rgb_rng, style=PLAIN_STYLE)
        depth = render_depth(info, size=SIZE, rng=depth_rng)
        m = read_video_frames(m_path).permute(0, 2, 3, 1).numpy().astype(int)
        k = read_video_frames(k_path).numpy().astype(int)
        assert m.shape == frames.shape and k.shape == (FRAMES, 3, SIZE, SIZE)
        assert np.abs(m - frames).mean() < 3.0
        assert np.abs(k[:, 0] - depth).mean() < 2.0
        assert np.abs(k[:, 0] - k[:, 1]).max() <= 1 and np.abs(k[:, 0] - k[:, 2]).max() <= 1  # grey x 3


def test_video_round_trip_error_is_small(tmp_path):
    frames, info = render_gesture(7, num_frames=12, size=36, rng=np.random.default_rng(1), style=DEFAULT_STYLE)
    depth = render_depth(info, size=36, rng=np.random.default_rng(2))
    m = read_video_frames(write_video(tmp_path / "M.avi", frames)).permute(0, 2, 3, 1).numpy()
    k = read_video_frames(write_video(tmp_path / "K.avi", depth)).numpy()[:, 0]
    assert m.shape == frames.shape and k.shape == depth.shape  # frame count exact
    assert np.abs(m.astype(int) - frames).mean() < 3.0  # with DEFAULT_STYLE's sensor noise
    assert np.abs(k.astype(int) - depth).mean() < 1.5


@pytest.fixture
def green_hands(monkeypatch):
    """Hands drawn saturated green (the same random draws), so the RGB frame shows where they are."""
    skin = jester_synthetic._skin

    def green(rng):
        skin(rng)
        return np.array([0.0, 255.0, 0.0])

    monkeypatch.setattr(jester_synthetic, "_skin", green)


def _ious(frames, depth):
    f = frames.astype(np.float32)
    greenness = f[..., 1] - np.maximum(f[..., 0], f[..., 2])
    out = []
    for g, d in zip(greenness, depth):
        dm, measured = d > HAND, d > 0
        rm = g > (np.median(g[dm]) + np.median(g[~dm])) / 2  # the RGB hand: half way to its colour
        out.append((dm & rm & measured).sum() / ((dm | rm) & measured).sum())
    return np.array(out)


@pytest.mark.parametrize("name, width", [(name, None) for name in SYNTHETIC_CLASSES] + [("Swiping Right", 64)])
def test_depth_silhouette_is_the_rgb_hand(green_hands, name, width):
    # 48 pixels: at 32 a 1-pixel disagreement of the two thresholds costs a small hand 0.05 of IoU
    label, size = SYNTHETIC_CLASSES.index(name), 48
    rgb_rng, depth_rng = video_rngs(3, "train", label, 0)
    frames, info = render_gesture(name, num_frames=FRAMES, size=size, width=width, rng=rgb_rng, style=PLAIN_STYLE)
    depth = render_depth(info, size=size, width=width, rng=depth_rng)
    assert depth.shape == frames.shape[:3] and depth.dtype == np.uint8
    ious = _ious(frames, depth)
    assert ious.min() > 0.9, ious
    # the mirror flag matters: the other hand shape agrees less
    flipped = dict(info, mirrors=[not m for m in info["mirrors"]])
    other = render_depth(flipped, size=size, width=width, rng=video_rngs(3, "train", label, 0)[1])
    assert _ious(frames, other).mean() < ious.mean()
    # missing depth lies along the hands' edges (and in their shadow, right of them)
    holes = depth == 0
    near = np.zeros_like(holes)
    for dx in range(-2, 9):
        for dy in range(-2, 3):
            near |= np.roll(depth > HAND, (dy, dx), axis=(1, 2))
    assert holes.any() and not (holes & ~near).any()
    assert holes.mean() < 0.06


def test_nearer_hand_is_brighter_in_depth(small):
    for name, sign in (("Pulling Hand In", 1), ("Pushing Hand Away", -1)):
        _, k_path, rgb_rng, _ = _valid_video(small, name)
        _, info = render_gesture(name, num_frames=FRAMES, size=SIZE, rng=rgb_rng, style=PLAIN_STYLE)
        depth = read_video_frames(k_path).numpy()[:, 0].astype(float)
        palm = np.rint(info["hands"][:, 0, :2]).astype(int)  # (T, 2) x, y of the palm's centre
        grey = np.array([np.median(d[y - 1 : y + 2, x - 1 : x + 2]) for d, (x, y) in zip(depth, palm)])
        radius = info["hands"][:, 0, 3]
        assert sign * (grey[-1] - grey[0]) > 20  # pull: nearer, brighter; push: farther, darker
        assert np.corrcoef(grey, radius)[0, 1] > 0.9  # larger (nearer) hand, brighter depth


def test_z_buffer_shows_the_nearer_hand():
    t, h = 3, 32
    hands = np.zeros((t, 2, 4))
    hands[:, 0] = (12.0, 16.0, 0.0, 5.0)  # the active hand, smaller: farther
    hands[:, 1] = (18.0, 16.0, 0.0, 8.0)  # the idle hand, larger: nearer, overlapping
    exact = DepthStyle(noise=0.0, edge_holes=0.0, baseline=0.0, wall_tilt=0.0)
    depth = render_depth({"hands": hands, "mirrors": [False, True]}, size=h, rng=np.random.default_rng(0), style=exact)
    near, far = exact.depth_range
    z = exact.focal * exact.hand_size / (hands[0, :, 3] / h)
    grey = np.rint(1 + 254 * (far - z) / (far - near))
    assert depth[0, 16, 15] == pytest.approx(grey[1], abs=1)  # overlap: the nearer (idle) hand
    assert depth[0, 16, 10] == pytest.approx(grey[0], abs=1)  # the active hand alone
    assert grey[1] > grey[0] > depth[0, 2, 2] > 0  # nearer brighter; the wall darkest
    assert DEFAULT_DEPTH_STYLE.depth_range == (0.5, 4.5)


# --- flow -----------------------------------------------------------------------------------------
def test_flow_of_a_swipe_moves_the_hand_right_or_left(small, flow):
    for name, sign in (("Swiping Right", 1), ("Swiping Left", -1)):
        m_path, _, rgb_rng, _ = _valid_video(small, name)
        _, info = render_gesture(name, num_frames=FRAMES, size=SIZE, rng=rgb_rng, style=PLAIN_STYLE)
        rel = m_path.relative_to(small).with_suffix("")
        images = read_frames(list_frame_folder(flow.parent / rel)).numpy().astype(float)  # (T-1, 3, H, W)
        assert images.shape == (FRAMES - 1, 3, SIZE, SIZE)
        yy, xx = np.mgrid[0:SIZE, 0:SIZE]
        dx = []
        for k, img in enumerate(images):
            x, y, _, r = info["hands"][k, 0]
            on_hand = (xx - x) ** 2 + (yy - y) ** 2 < (0.5 * r) ** 2  # the palm in frame k
            dx.append(img[0][on_hand].mean() - 128.0)
        assert sign * np.mean(dx) > 2.0, dx  # 0..255 units: 2 is 0.3 px a frame
        moved = info["hands"][1:, 0, 0] - info["hands"][:-1, 0, 0]
        assert np.corrcoef(dx, moved)[0, 1] > 0.5  # faster where the hand moves faster


def test_one_flow_folder_holds_several_lists(small, tmp_path, monkeypatch):
    train = read_isogd_list(list_path(small, "train")).head(3)
    valid = read_isogd_list(list_path(small, "valid")).head(2)
    write_isogd_list(train, tmp_path / "a_rgb_list.txt")
    write_isogd_list(valid, tmp_path / "b_rgb_list.txt")
    out = tmp_path / "flow"
    a = write_flow_frames(small, tmp_path / "a_rgb_list.txt", out)
    b = write_flow_frames(small, tmp_path / "b_rgb_list.txt", out)
    assert (a.name, b.name) == ("a_flow_list.txt", "b_flow_list.txt")
    assert {p.name for p in out.iterdir()} == {MANIFEST_FILE, "a_flow_list.txt", "b_flow_list.txt", "train", "valid"}
    for lst, n in ((a, 3), (b, 2)):  # both readable: writing b kept a
        assert len(IsoGDDataset(out, lst, num_frames=4, size=16, train=False, mean=FLOW_MEAN)) == n
    first = (out / "valid/001/M_00001/000001.jpg").read_bytes()

    def fail(*args, **kwargs):
        raise AssertionError("recomputed")

    with monkeypatch.context() as m:
        m.setattr("motion_rnn.data.isogd.flow.farneback_flow", fail)
        assert write_flow_frames(small, tmp_path / "a_rgb_list.txt", out) == a  # cached
        assert write_flow_frames(small, tmp_path / "b_rgb_list.txt", out) == b
    write_isogd_list(train.head(1), tmp_path / "a_rgb_list.txt")  # a changes: a rewritten, b kept
    write_flow_frames(small, tmp_path / "a_rgb_list.txt", out)
    assert len(read_isogd_list(a)) == 1 and not (out / "train/001/M_00002").exists()
    assert len(read_isogd_list(b)) == 2 and (out / "valid/001/M_00001/000001.jpg").read_bytes() == first


def test_a_corrupt_video_names_the_file_and_leaves_nothing(small, tmp_path):
    root = tmp_path / "src"
    (root / "train" / "001").mkdir(parents=True)
    shutil.copy(small / "train/001/M_00001.avi", root / "train/001/M_00001.avi")
    (root / "train/001/M_00002.avi").write_bytes(b"RIFF not a video at all" * 20)
    lst = root / "train_rgb_list.txt"
    lst.write_text(f"train/001/M_00001.avi {FRAMES} 3\ntrain/001/M_00002.avi {FRAMES} 4\n")
    with pytest.raises(DataFormatError, match=r"M_00002\.avi: found a video that cannot be decoded"):
        write_flow_frames(root, lst, tmp_path / "flow")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]  # no output, no temporary folder
    lst.write_text(f"train/001/M_00001.avi {FRAMES + 1} 3\n")
    with pytest.raises(DataFormatError, match=r"line 1: found frame count 11 for .*M_00001\.avi, which has 10"):
        write_flow_frames(root, lst, tmp_path / "flow")
    assert not (tmp_path / "flow").exists()


# --- caching --------------------------------------------------------------------------------------
def test_second_call_is_cached_and_other_writers_folders_are_refused(small, flow, tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("regenerated")

    manifest = (small / MANIFEST_FILE).read_bytes()
    monkeypatch.setattr(isogd_synthetic, "render_gesture", fail)
    monkeypatch.setattr("motion_rnn.data.isogd.flow.farneback_flow", fail)
    assert write_synthetic_isogd(small.parent / "isogd", **SMALL) == small
    assert write_flow_frames(small, list_path(small, "valid"), flow.parent) == flow
    assert (small / MANIFEST_FILE).read_bytes() == manifest
    monkeypatch.undo()
    # other parameters regenerate our own folder (as write_once does) ...
    out = tmp_path / "other"
    write_synthetic_isogd(out, videos_per_class=1, num_frames=4, size=16, classes=["Swiping Left"], splits=["valid"])
    write_synthetic_isogd(out, videos_per_class=1, num_frames=5, size=16, classes=["Swiping Left"], splits=["valid"])
    assert read_isogd_list(list_path(out, "valid"))["frame_count"].tolist() == [5]
    # ... but a folder written by another generator, or by none, is refused and left alone
    with pytest.raises(FileExistsError, match="write_synthetic_isogd"):
        write_synthetic_isogd(flow.parent, **SMALL)
    with pytest.raises(FileExistsError, match="write_flow_frames"):
        write_flow_frames(small, list_path(small, "valid"), out)
    jester = write_synthetic_jester(
        tmp_path / "jester", videos_per_class=1, num_frames=2, size=8, classes=["No gesture"]
    )
    with pytest.raises(FileExistsError, match="not of write_synthetic_isogd"):
        write_synthetic_isogd(jester, **SMALL)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="was not written by write_synthetic_isogd"):
        write_synthetic_isogd(tmp_path / "mine", **SMALL)
    with pytest.raises(ValueError, match="must not be root"):
        write_flow_frames(small, list_path(small, "valid"), small)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"
    assert read_isogd_list(list_path(small, "valid"))["frame_count"].tolist() == [FRAMES] * 12
