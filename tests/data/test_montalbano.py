"""The Montalbano reader (motion_rnn.data.montalbano) and the fragment augmentation
(motion_rnn.data.montalbano.augment): synthetic archives written in the real format, broken copies of them,
and the real ground-truth CSVs of the challenge (tests/data/chalearn2014, see its README)."""

import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.montalbano import (
    AUTHORS_SPLIT,
    JOINTS,
    CropBox,
    MontalbanoFragments,
    crop_person,
    list_samples,
    load_rgbd,
    montalbano_split,
    parse_skeleton_csv,
    person_crop_box,
    read_sample,
)
from motion_rnn.data.montalbano.augment import FragmentAugment, FragmentParams, fragment_indices
from motion_rnn.data.montalbano.chalearn_csv import intervals_to_frames, read_labels_csv
from motion_rnn.data.montalbano.synthetic import render_sequence, write_synthetic_montalbano

REAL_GT = Path(__file__).parent / "chalearn2014" / "gt" / "test"
T, SIZE = 120, (120, 160)  # frames a synthetic sequence, (H, W)
HEAD, HIP = JOINTS.index("Head"), JOINTS.index("HipCenter")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return write_synthetic_montalbano(
        tmp_path_factory.mktemp("montalbano") / "data", num_sequences=3, frames_per_sequence=T, seed=3, size=SIZE
    )


@pytest.fixture(scope="module")
def truth() -> dict:
    return {i: render_sequence(i, num_frames=T, seed=3, size=SIZE) for i in (1, 2, 3)}


# --- round trip: writer -> reader -------------------------------------------------------------
def test_round_trip_full_frames(root, truth):
    paths = list_samples(root)
    assert [p.name for p in paths] == ["Sample0001.zip", "Sample0002.zip", "Sample0003.zip"]
    s, ref = read_sample(paths[0]), truth[1]
    assert (s.sample_id, s.name, s.num_frames, s.fps) == (1, "Sample0001", T, 20)
    assert s.max_depth == ref.max_depth and s.frame_size == SIZE and s.crop is None
    assert s.frames.shape == (T, *SIZE, 3) and s.frames.dtype == np.uint8
    assert s.depth.shape == (T, *SIZE) and s.depth.dtype == np.float32
    # labels: identical rows, one label a frame with the end frame excluded
    assert s.intervals == ref.intervals and np.array_equal(s.labels, ref.labels)
    assert np.array_equal(s.labels, intervals_to_frames(ref.intervals, T))
    first = ref.intervals[0]
    assert s.labels[first.start - 1] == first.gesture and s.labels[first.end - 1] != first.gesture
    # skeleton: the CSV's values exactly, zero rows included
    assert s.skeleton.shape == (T, 20, 9) and np.array_equal(s.skeleton, ref.skeleton)
    # videos: within the lossy codec's error
    colour = np.abs(s.frames.astype(np.int16) - ref.frames)
    assert colour.mean() < 5.0
    level = s.max_depth / 255.0  # mm a gray level
    depth = np.abs(s.depth - ref.depth)
    assert depth.mean() < 2.5 * level and np.percentile(depth, 95) < 5 * level
    assert np.allclose(s.depth_gray().astype(int), ref.depth_gray, atol=40)
    assert (s.user == ref.user).mean() > 0.98


def test_skeleton_crop_is_centred_on_the_figure(root, truth):
    s, ref = read_sample(list_samples(root)[1], modalities=("color", "depth", "user"), crop="skeleton"), truth[2]
    assert s.frames.shape == (T, 64, 64, 3) and s.depth.shape == (T, 64, 64) and s.user.shape == (T, 64, 64)
    top, left, side = s.crop
    head, hip = ref.true_pixels[:, HEAD], ref.true_pixels[:, HIP]  # (T, 2) noise-free (x, y)
    assert abs(left + side / 2 - head[:, 0].mean()) < 2.0  # centred on the head's column
    h = hip[:, 1].mean() - head[:, 1].mean()
    assert abs(side - 2 * h) < 3.0
    for joint in (head, hip):
        assert np.all((joint[:, 0] > left) & (joint[:, 0] < left + side))
        assert np.all((joint[:, 1] > top) & (joint[:, 1] < top + side))
    # the mask's centroid lies near the crop's middle column, the figure fills part of it
    cols = np.nonzero(s.user)[2]
    assert abs(cols.mean() - 31.5) < 8 and 0.1 < s.user.mean() < 0.7
    rgbd = s.rgbd()
    assert rgbd.shape == (T, 4, 64, 64) and rgbd.dtype == np.uint8
    assert np.array_equal(rgbd[:, 3], s.depth_gray())
    centre = read_sample(list_samples(root)[1], modalities=("color",), crop="centre")
    assert centre.crop == CropBox(0, 20, 120) and centre.frames.shape == (T, 64, 64, 3)


def test_person_crop_box_rule_and_clamping():
    skel = np.zeros((4, 20, 9))
    skel[:, HEAD, 7:9] = (300, 100)  # (x, y)
    skel[:, HIP, 7:9] = (300, 200)
    skel[3] = 0  # an untracked frame is ignored
    # h = 100, centre = (100 + 70, 300), side 200
    assert person_crop_box(skel, frame_size=(480, 640)) == CropBox(70, 200, 200)
    skel[:3, HEAD, 7] = skel[:3, HIP, 7] = 20  # near the left edge: moved inside
    assert person_crop_box(skel, frame_size=(480, 640)) == CropBox(70, 0, 200)
    assert person_crop_box(np.zeros((3, 20, 9)), frame_size=(480, 640)) is None
    frames = np.zeros((2, 480, 640), np.uint8)
    frames[:, 70:270, 0:200] = 200  # the box, resized, is uniform
    out = crop_person(frames, box=CropBox(70, 0, 200), size=64)
    assert out.shape == (2, 64, 64) and np.all(out == 200)


# --- splits -----------------------------------------------------------------------------------
def test_splits():
    parts = montalbano_split(range(1, 941))
    assert [len(parts[k]) for k in ("train", "validation", "test")] == [599, 100, 240]
    assert 417 not in sum(parts.values(), []) and parts["validation"][0] == 601 and parts["test"][-1] == 940
    challenge = montalbano_split(range(1, 941), scheme="challenge")
    assert [len(challenge[k]) for k in ("train", "validation", "test")] == [470, 230, 240]
    assert 417 in challenge["train"] and challenge["validation"][0] == 471
    assert montalbano_split([700, 5, 701, 417]) == {"train": [5], "validation": [700], "test": [701]}
    assert AUTHORS_SPLIT["train"][-1] == 600
    with pytest.raises(ValueError, match="1..940"):
        montalbano_split([0, 3])
    with pytest.raises(ValueError, match="scheme"):
        montalbano_split([3], scheme="random")


def test_extracted_folder_reads_like_its_archive(root, tmp_path):
    with zipfile.ZipFile(root / "Sample0003.zip") as z:
        z.extractall(tmp_path / "Sample0003")
    (tmp_path / "Sample0002.zip").write_bytes((root / "Sample0002.zip").read_bytes())
    assert [p.name for p in list_samples(tmp_path)] == ["Sample0002.zip", "Sample0003"]
    folder, archive = read_sample(tmp_path / "Sample0003", modalities=("depth",)), read_sample(root / "Sample0003.zip")
    assert np.array_equal(folder.depth, archive.depth) and np.array_equal(folder.skeleton, archive.skeleton)
    assert folder.intervals == archive.intervals


def test_list_samples_errors(tmp_path, root):
    with pytest.raises(DataFormatError, match="no such folder"):
        list_samples(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFormatError, match="no SampleNNNN.zip"):
        list_samples(tmp_path / "empty")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for sub in ("a", "b"):
        (tmp_path / sub / "Sample0001.zip").write_bytes((root / "Sample0001.zip").read_bytes())
    with pytest.raises(DataFormatError, match="second archive of sample 1"):
        list_samples(tmp_path)


# --- broken archives ----------------------------------------------------------------------------
def rewrite(src: Path, dst: Path, *, drop: str = "", replace: dict | None = None) -> Path:
    """Copy a sample archive, leaving out the member ending in ``drop`` and replacing members."""
    replace = replace or {}
    dst.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if drop and info.filename.endswith(drop):
                continue
            suffix = info.filename.split("_", 1)[1]
            zout.writestr(info.filename, replace.get(suffix, zin.read(info.filename)))
    return dst


def member(root: Path, suffix: str) -> str:
    with zipfile.ZipFile(root / "Sample0001.zip") as z:
        return z.read(f"Sample0001_{suffix}").decode()


def test_missing_member_names_archive_and_member(root, tmp_path):
    bad = rewrite(root / "Sample0001.zip", tmp_path / "Sample0001.zip", drop="_user.mp4")
    with pytest.raises(DataFormatError) as err:
        read_sample(bad, modalities=())
    text = str(err.value)
    assert str(bad) in text and "no Sample0001_user.mp4" in text and "expected the members" in text
    assert err.value.path == bad


def test_labels_row_outside_the_sequence_or_unknown_class(root, tmp_path):
    good = member(root, "labels.csv")
    rows = good.splitlines()
    outside = "\n".join(rows[:1] + [f"3,{T - 5},{T + 40}"]) + "\n"
    bad = rewrite(root / "Sample0001.zip", tmp_path / "Sample0001.zip", replace={"labels.csv": outside.encode()})
    with pytest.raises(DataFormatError) as err:
        read_sample(bad, modalities=())
    text = str(err.value)
    assert f"{bad}/Sample0001_labels.csv, row 2" in text and "outside the sequence" in text
    assert f"expected frames in 1..{T + 1}" in text and err.value.line == 2
    unknown = rewrite(
        root / "Sample0001.zip", tmp_path / "unknown" / "Sample0001.zip", replace={"labels.csv": b"25,3,10\n"}
    )
    unknown_row = r"Sample0001_labels.csv, row 1: unknown class id 25: expected a gesture id in 1..20"
    with pytest.raises(DataFormatError, match=unknown_row):
        read_sample(unknown, modalities=())


def test_video_shorter_than_data_csv(root, tmp_path):
    skeleton = member(root, "skeleton.csv")
    longer = skeleton + "\n".join([skeleton.splitlines()[-1]] * 10) + "\n"  # 10 more rows
    info = member(root, "data.csv").strip().split(",")
    bad = rewrite(
        root / "Sample0001.zip",
        tmp_path / "Sample0001.zip",
        replace={"data.csv": f"{T + 10},{info[1]},{info[2]}\n".encode(), "skeleton.csv": longer.encode()},
    )
    with pytest.raises(DataFormatError) as err:
        read_sample(bad, modalities=("color",))
    text = str(err.value)
    assert f"{bad}/Sample0001_color.mp4" in text and f"found {T} frames" in text
    assert f"expected {T + 10} (numFrames in Sample0001_data.csv)" in text
    # the skeleton is checked the same way
    short = rewrite(
        root / "Sample0001.zip",
        tmp_path / "short" / "Sample0001.zip",
        replace={"skeleton.csv": "\n".join(skeleton.splitlines()[:-3]).encode()},
    )
    with pytest.raises(DataFormatError, match=f"found {T - 3} skeleton rows; expected {T} "):
        read_sample(short, modalities=())


def test_members_longer_than_data_csv_are_cut_with_a_warning(root, tmp_path):
    info = member(root, "data.csv").strip().split(",")
    bad = rewrite(
        root / "Sample0001.zip",
        tmp_path / "Sample0001.zip",
        replace={"data.csv": f"{T - 20},{info[1]},{info[2]}\n".encode(), "labels.csv": b"4,10,30\n"},
    )
    with pytest.warns(UserWarning) as record:
        s = read_sample(bad, modalities=("color",))
    messages = sorted(str(w.message).rsplit("/", 1)[1] for w in record)
    said = f"where Sample0001_data.csv says {T - 20}; keeping the first {T - 20}"
    assert messages == [
        f"Sample0001_color.mp4: {T} frames {said}",
        f"Sample0001_skeleton.csv: {T} skeleton rows {said}",
    ]
    assert s.frames.shape[0] == s.skeleton.shape[0] == s.labels.shape[0] == T - 20


def test_malformed_skeleton_rows(root, tmp_path):
    lines = member(root, "skeleton.csv").splitlines()
    lines[4] = ",".join(lines[4].split(",")[:-1])  # 179 values on line 5
    bad = rewrite(
        root / "Sample0001.zip", tmp_path / "Sample0001.zip", replace={"skeleton.csv": "\n".join(lines).encode()}
    )
    with pytest.raises(DataFormatError) as err:
        read_sample(bad, modalities=())
    text = str(err.value)
    assert f"{bad}/Sample0001_skeleton.csv, line 5: found a row of 179 comma-separated values" in text
    assert "expected 180 values (20 joints x 9" in text and err.value.line == 5
    with pytest.raises(DataFormatError, match=r"line 2: found the value 'abc'; expected 180 numbers"):
        parse_skeleton_csv("0" + ",0" * 179 + "\n" + "abc" + ",0" * 179 + "\n", where="s.csv")
    assert parse_skeleton_csv("1" + ",2" * 179 + "\n\n").shape == (1, 20, 9)


def test_untracked_skeleton_cannot_crop(root, tmp_path):
    zeros = ("\n".join([",".join(["0"] * 180)] * T) + "\n").encode()
    bad = rewrite(root / "Sample0001.zip", tmp_path / "Sample0001.zip", replace={"skeleton.csv": zeros})
    untracked = r"Sample0001_skeleton.csv: found no frame in which both Head and HipCenter"
    with pytest.raises(DataFormatError, match=untracked):
        read_sample(bad, modalities=("color",), crop="skeleton")
    assert read_sample(bad, modalities=("color",), crop="centre").frames.shape == (T, 64, 64, 3)


def test_not_a_zip_and_undecodable_video(root, tmp_path):
    (tmp_path / "Sample0009.zip").write_bytes(b"not a zip")
    with pytest.raises(DataFormatError, match="not a zip archive"):
        read_sample(tmp_path / "Sample0009.zip")
    bad = rewrite(root / "Sample0001.zip", tmp_path / "Sample0001.zip", replace={"depth.mp4": b"\x00" * 100})
    with pytest.raises(DataFormatError, match=r"Sample0001_depth.mp4: found a video that cannot be decoded"):
        read_sample(bad, modalities=("depth",))


# --- the real ground truth through the reader ---------------------------------------------------
def test_real_labels_and_data_csv_read_through_an_archive(tmp_path):
    """Sample0701's real _data.csv (1215 frames, maxDepth 3759) and _labels.csv (20 gestures) in an
    archive whose videos are not decoded (modalities=()): labels as the metric's converters give."""
    data, labels = (REAL_GT / "Sample0701_data.csv").read_bytes(), (REAL_GT / "Sample0701_labels.csv").read_bytes()
    zero_row = ",".join(["0"] * 180)
    members = {
        "color.mp4": b"",
        "depth.mp4": b"",
        "user.mp4": b"",
        "data.csv": data,
        "skeleton.csv": ("\n".join([zero_row] * 1215) + "\n").encode(),
        "labels.csv": labels,
    }
    path = tmp_path / "Sample0701.zip"
    with zipfile.ZipFile(path, "w") as z:
        for suffix, content in members.items():
            z.writestr(f"Sample0701_{suffix}", content)
    s = read_sample(path, modalities=())
    expected = read_labels_csv(REAL_GT / "Sample0701_labels.csv", 1215)
    assert (s.num_frames, s.fps, s.max_depth) == (1215, 20, 3759)
    assert s.intervals == expected and len(expected) == 20
    assert np.array_equal(s.labels, intervals_to_frames(expected, 1215))
    assert set(np.unique(s.labels)) == set(range(21))
    # the same labels from a separate ground-truth file, for an archive without them
    bare = tmp_path / "bare" / "Sample0701.zip"
    bare.parent.mkdir()
    with zipfile.ZipFile(bare, "w") as z:
        for suffix, content in members.items():
            if suffix != "labels.csv":
                z.writestr(f"Sample0701_{suffix}", content)
    assert read_sample(bare, modalities=(), labels_path=REAL_GT / "Sample0701_labels.csv").intervals == expected
    assert read_sample(bare, modalities=(), require_labels=False).labels is None
    with pytest.raises(DataFormatError, match="no Sample0701_labels.csv"):
        read_sample(bare, modalities=())


# --- fragments ----------------------------------------------------------------------------------
def test_load_rgbd_cache_and_separate_labels(root, tmp_path):
    bare = rewrite(root / "Sample0001.zip", tmp_path / "bare" / "Sample0001.zip", drop="_labels.csv")
    (tmp_path / "gt").mkdir()
    (tmp_path / "gt" / "Sample0001_labels.csv").write_text(member(root, "labels.csv"))
    clip, labels = load_rgbd(bare, labels_dir=tmp_path / "gt", cache_dir=tmp_path / "cache")
    assert (tmp_path / "cache" / "Sample0001_skeleton64_rgbd.npy").is_file()
    again, labels_again = load_rgbd(bare, labels_dir=tmp_path / "gt", cache_dir=tmp_path / "cache")
    assert isinstance(again, np.memmap)  # from the cache
    reference = read_sample(root / "Sample0001.zip", modalities=("color", "depth"), crop="skeleton")
    for c, y in ((clip, labels), (again, labels_again)):
        assert np.array_equal(c, reference.rgbd()) and np.array_equal(y, reference.labels)
    with pytest.raises(DataFormatError, match="no Sample0001_labels.csv"):
        load_rgbd(bare)


def test_training_fragments(root):
    paths = list_samples(root)
    ds = MontalbanoFragments(paths, train=True, augment=None, seed=5, fragments_per_epoch=6)
    assert len(ds) == 6
    item = ds[0]
    assert item["clip"].shape == (64, 4, 64, 64) and item["clip"].dtype == torch.float32
    assert 0.0 <= float(item["clip"].min()) and float(item["clip"].max()) <= 1.0
    assert item["labels"].shape == (64,) and item["labels"].dtype == torch.int64
    whole = ds.full_sequence(ds.sample_ids.index(item["sample"]))
    s = item["start"]
    assert torch.equal(item["labels"], whole["labels"][s : s + 64])  # no temporal scaling: consecutive frames
    assert torch.equal(item["clip"], whole["clip"][s : s + 64])
    assert item["label"] == int(item["labels"][32])
    assert torch.equal(ds[0]["clip"], item["clip"])  # a function of (seed, epoch, index)
    ds.set_epoch(1)
    assert not torch.equal(ds[0]["clip"], item["clip"])
    augmented = MontalbanoFragments(paths, train=True, seed=5, depth=False)  # the paper's augmentation
    assert augmented[0]["clip"].shape == (64, 3, 64, 64) and len(augmented) == 3 * T // 64


def test_evaluation_windows(root):
    paths = list_samples(root)[:2]
    rec = MontalbanoFragments(paths, train=False, length=64, stride=32)
    starts = [rec[i]["start"] for i in range(len(rec)) if rec[i]["sample"] == 1]
    assert starts == [0, 32, T - 64]  # the last window ends with the sequence
    centre = MontalbanoFragments(paths, train=False, length=16, window="centre")
    assert len(centre) == 2 * T
    first, last = centre[0], centre[T - 1]
    assert first["start"] == -8 and torch.equal(first["clip"][0], first["clip"][8])  # edge frames repeated
    whole = centre.full_sequence(0)
    for item, frame in ((first, 0), (last, T - 1), (centre[50], 50)):
        assert item["label"] == int(whole["labels"][frame])
        assert torch.equal(item["clip"][8], whole["clip"][frame])


# --- augmentation -------------------------------------------------------------------------------
def test_fragment_indices_and_temporal_scale():
    idx, start = fragment_indices(100, 64, start=10)
    assert start == 10 and idx.tolist() == list(range(10, 74))
    fast, _ = fragment_indices(1000, 64, temporal_scale=1.2, start=0)  # 77 frames into 64
    assert fast[-1] == 75 and np.all(np.diff(fast) >= 1)
    slow, _ = fragment_indices(1000, 64, temporal_scale=1 / 1.2, start=0)  # 53 frames into 64
    assert slow[-1] == 52 and np.any(np.diff(slow) == 0)
    g = torch.Generator().manual_seed(0)
    for _ in range(50):
        idx, start = fragment_indices(80, 64, temporal_scale=1.2, generator=g)
        assert 0 <= start <= 3 and idx.min() >= 0 and idx.max() <= 79
    short, _ = fragment_indices(20, 64)  # a sequence shorter than a fragment repeats its last frame
    assert short.max() == 19 and short[-1] == 19


def test_augmentation_ranges_and_transforms():
    aug = FragmentAugment()
    g = torch.Generator().manual_seed(1)
    draws = [aug.sample(g) for _ in range(400)]
    for p in draws:
        assert 1 / 1.1 <= p.scale <= 1.1 and 1 / 1.2 <= p.temporal_scale <= 1.2
        assert abs(p.angle) <= 2 and abs(p.shear) <= 2 and abs(p.shift[0]) <= 10 and abs(p.shift[1]) <= 5
    assert 0.4 < np.mean([p.flip for p in draws]) < 0.6
    assert max(abs(p.shift[0]) for p in draws) > 9 and max(abs(p.shift[1]) for p in draws) > 4.5
    clip = torch.rand(3, 4, 64, 64)
    clip[1:] = clip[0]  # three equal frames stay equal: one transform for the whole fragment
    same = FragmentParams(1.0, 1.0, 0.0, 0.0, (0.0, 0.0), False)
    assert torch.equal(aug.spatial(clip, same), clip)
    flipped = aug.spatial(clip, FragmentParams(1.0, 1.0, 0.0, 0.0, (0.0, 0.0), True))
    assert torch.equal(flipped, clip.flip(-1))
    shifted = aug.spatial(clip, FragmentParams(1.0, 1.0, 0.0, 0.0, (10.0, -5.0), False))
    assert torch.equal(shifted[..., 0:59, 10:], clip[..., 5:, :54]) and torch.all(shifted[..., :, :10] == 0)
    small = clip[..., ::4, ::4]  # 16 x 16: the paper's shift is a fraction of a 64 x 64 frame
    shifted = aug.spatial(small, FragmentParams(1.0, 1.0, 0.0, 0.0, (8.0, -4.0), False))
    assert torch.equal(shifted[..., 0:15, 2:], small[..., 1:, :14]) and torch.all(shifted[..., :, :2] == 0)
    warped = aug.spatial(clip, draws[0])
    assert torch.equal(warped[0], warped[1]) and torch.equal(warped[1], warped[2])
    with pytest.raises(ValueError, match="scale"):
        FragmentAugment(scale=(1.1, 1 / 1.1))
