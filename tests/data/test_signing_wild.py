"""Signing in the Wild (motion_rnn.data.signing_wild): the reader on real-format files, segments and
folds (Borg & Camilleri 2019, Sec. 3 and 5.1), and the cues the synthetic videos are built to carry."""

import shutil
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest

from motion_rnn.data.cache import read_manifest
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.signing_wild import (
    ANNOTATION_COLUMNS,
    CLASS_NAMES,
    SEGMENT_COLUMNS,
    SigningWildVideos,
    decode_frames,
    folds,
    read_annotations,
    segments,
)
from motion_rnn.data.signing_wild.synthetic import (
    ACTIVITIES,
    ACTIVITY_LABELS,
    _pools,
    _render_video,
    example_sheet,
    write_synthetic_signing_wild,
)


def write_video(path: Path, num_frames: int, size: int = 16) -> Path:
    """A tiny real video whose frame k is grey level 2k (lossless FFV1), so frames can be told apart."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("ffv1", rate=25)
        stream.width, stream.height, stream.pix_fmt = size, size, "bgr0"
        for k in range(num_frames):
            frame = av.VideoFrame.from_ndarray(np.full((size, size, 3), 2 * k, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def rows(video: str, labels: str, step: int = 5, first: int = 0) -> str:
    return "".join(f"{video} {first + i * step} {c}\n" for i, c in enumerate(labels))


@pytest.fixture
def root(tmp_path) -> Path:
    """Two annotated videos: vidA 120 frames (24 rows at 5 Hz), vidB 60 frames, as .avi and .mkv."""
    root = tmp_path / "signing"
    text = rows("vidA", "S" * 20 + "PPPP") + rows("vidB", "nnn?" + "n" * 8)
    (root / "videos").mkdir(parents=True)
    (root / "annotations.txt").write_text(text)
    write_video(root / "videos" / "vidA.avi", 120)
    write_video(root / "videos" / "vidB.mkv", 60)
    return root


def error_of(tmp_path, text: str) -> DataFormatError:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(DataFormatError) as info:
        read_annotations(path)
    assert info.value.path == path and str(path) in str(info.value)
    return info.value


# --- annotations --------------------------------------------------------------------------------
def test_read_annotations(root):
    table = read_annotations(root / "annotations.txt")
    assert tuple(table.columns) == ANNOTATION_COLUMNS
    assert table["video_id"].tolist()[:2] == ["vidA", "vidA"] and len(table) == 36
    assert table["frame"].tolist()[:3] == [0, 5, 10]
    assert table["line"].tolist()[:3] == [1, 2, 3]
    assert set(table["label"]) == {"S", "P", "n", "?"}


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("a 0 S\na 5 X\n", 2, "label 'X'"),  # unknown label
        ("a 0 S\na 5\n", 2, "'a 5'"),  # malformed: two fields
        ("a 0 S\na five S\n", 2, "'a five S'"),  # malformed: frame not a number
        ("a 0 S\na 5 S\na 15 S\n", 3, "1 missing sample"),  # gap
        ("a 0 S\na 5 S\na 12 S\n", 3, "irregular step"),  # gap off the grid
        ("a 0 S\na 5 S\na 5 S\n", 3, "duplicate"),  # duplicate frame
        ("a 0 S\na 10 S\na 5 S\n", 3, "overlapping"),  # decreasing
        ("a 0 S\nb 0 S\na 5 S\n", 3, "again after other videos"),  # split rows
    ],
)
def test_bad_annotation_rows_name_the_file_and_line(tmp_path, text, line, words):
    error = error_of(tmp_path, text)
    assert error.line == line and f"line {line}" in str(error)
    assert words in str(error) and "Fix:" in str(error)


def test_missing_video_names_annotation_file_and_first_line(root):
    with open(root / "annotations.txt", "a") as f:
        f.write(rows("vidC", "SSS"))
    with pytest.raises(DataFormatError) as info:
        SigningWildVideos(root)
    assert info.value.path == root / "annotations.txt" and info.value.line == 37
    assert "vidC" in str(info.value) and "1 of 3" in str(info.value)


def test_corrupt_video_names_the_file(root):
    (root / "videos" / "vidB.mkv").write_bytes(b"\x1a\x45\xdf\xa3 not a video at all" * 10)
    data = SigningWildVideos(root)  # listing does not decode
    with pytest.raises(DataFormatError) as info:
        data.frames("vidB", [0, 5])
    assert info.value.path == root / "videos" / "vidB.mkv" and "vidB.mkv" in str(info.value)


def test_video_shorter_than_its_annotations(root):
    write_video(root / "videos" / "vidB.mkv", 20)
    with pytest.raises(DataFormatError, match="a video of 20 frames"):
        SigningWildVideos(root).frames("vidB", [0, 55])


def test_a_video_in_two_files_and_two_files_of_a_video(tmp_path, root):
    (root / "annotations.txt").unlink()
    (root / "annotations").mkdir()
    (root / "annotations" / "a.txt").write_text(rows("vidA", "SSSS"))
    (root / "annotations" / "b.txt").write_text(rows("vidB", "nn") + rows("vidA", "SS", first=100))
    with pytest.raises(DataFormatError, match="in one annotation file") as info:
        SigningWildVideos(root)
    assert info.value.path == root / "annotations" / "b.txt" and info.value.line == 3
    (root / "annotations" / "b.txt").write_text(rows("vidB", "nn"))
    assert sorted(SigningWildVideos(root).videos) == ["vidA", "vidB"]  # several files are read
    shutil.copy(root / "videos" / "vidA.avi", root / "videos" / "vidA.mp4")
    with pytest.raises(DataFormatError, match="a second file of video 'vidA'"):
        SigningWildVideos(root)


# --- segments and folds -------------------------------------------------------------------------
def table_of(text: str, tmp_path) -> pd.DataFrame:
    path = tmp_path / "ann.txt"
    path.write_text(text)
    return read_annotations(path)


def test_segments_keep_consistent_runs_and_pad_the_last(tmp_path):
    text = rows("v", "S" * 20 + "S" * 19 + "P" + "n" * 20 + "PPPPP") + rows("w", "S" * 10 + "?" * 10 + "nnn")
    seg = segments(table_of(text, tmp_path))
    assert tuple(seg.columns) == SEGMENT_COLUMNS
    # v: run 0 S, run 1 mixed (dropped), run 2 n, run 3 five P (padded); w: run 0 has '?', run 1 three n (padded)
    assert seg["video_id"].tolist() == ["v", "v", "v", "w"]
    assert seg["class_name"].tolist() == ["signing", "other", "speaking", "other"]
    assert seg["label"].tolist() == [0, 2, 1, 2] and CLASS_NAMES == ("signing", "speaking", "other")
    assert seg["frames"][0] == tuple(range(0, 100, 5)) and seg["frames"][1] == tuple(range(200, 300, 5))
    assert seg["frames"][2] == tuple(range(300, 325, 5)) + (320,) * 15 and seg["padded"].tolist() == [0, 0, 15, 17]
    assert seg["line"].tolist() == [1, 41, 61, 86]
    assert all(len(f) == 20 for f in seg["frames"])
    unpadded = segments(table_of(text, tmp_path), pad_last=False)
    assert unpadded["padded"].tolist() == [0, 0]
    mixed_tail = segments(table_of(rows("v", "S" * 20 + "SSP"), tmp_path))
    assert len(mixed_tail) == 1  # a short last run of two labels is dropped, not padded


def test_folds_keep_videos_whole_balanced_and_deterministic():
    counts = {f"v{i:02d}": n for i, n in enumerate([30, 25, 20, 12, 10, 9, 8, 7, 5, 3, 2, 1])}
    ids = [v for v, n in counts.items() for _ in range(n)]
    assignment = folds(ids, k=5, seed=0)
    assert set(assignment) == set(counts) and set(assignment.values()) == set(range(5))
    assert assignment == folds(list(reversed(ids)), k=5, seed=0)  # order of the rows does not matter
    sizes = np.bincount([assignment[v] for v in ids], minlength=5)
    assert sizes.max() - sizes.min() <= max(counts.values())
    assert sizes.sum() == len(ids)
    assert [folds(ids, 5, seed=s) for s in (1, 2)] != [assignment, assignment]  # the seed matters
    with pytest.raises(ValueError, match="cannot fill"):
        folds(["a", "b"], k=5)


# --- frames -------------------------------------------------------------------------------------
def test_frames_and_windows_at_native_rate(root):
    data = SigningWildVideos(root)
    assert len(data) == 2  # vidA: 20 S, then 4 P padded; vidB: its one run holds a "?", dropped
    item = data[0]
    assert item["frames"].shape == (20, 3, 16, 16) and item["label"] == 0 and item["video_id"] == "vidA"
    assert item["frames"][:, 0, 0, 0].tolist() == [2 * f for f in range(0, 100, 5)]  # grey level 2k
    win = data.frames_around("vidA", [0, 50, 117], before=1, after=4)
    assert win.shape == (3, 6, 3, 16, 16)
    grey = win[:, :, 0, 0, 0].tolist()
    assert grey[0] == [0, 0, 2, 4, 6, 8]  # before the first frame: the first repeated
    assert grey[1] == [2 * f for f in range(49, 55)]
    assert grey[2] == [232, 234, 236, 238, 238, 238]  # past the last frame (119): the last repeated
    assert decode_frames(root / "videos" / "vidB.mkv", [3])[3][0, 0, 0] == 6


# --- the synthetic set --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    return write_synthetic_signing_wild(tmp_path_factory.mktemp("sw") / "set", num_videos=3, seconds=12, size=32)


def test_synthetic_round_trip(synthetic):
    manifest = read_manifest(synthetic)
    data = SigningWildVideos(synthetic)
    assert sorted(data.videos) == sorted(manifest["videos"])
    assert all(p.suffix == ".avi" and len(p.stem) == 11 for p in data.videos.values())
    table = data.annotations
    assert (table.groupby("video_id")["frame"].diff().dropna() == 5).all()  # 5 Hz of a 25 fps video
    assert table.groupby("video_id").size().tolist() == [60] * 3  # 12 s
    assert "?" in set(table["label"])
    # each row's label is its shot's activity's, or '?' within 5 frames of a change
    for vid, info in manifest["videos"].items():
        runs, k = [], 0  # (first frame, end, letter) of each activity, in order
        for act, n in (a for shot in info["shots"] for a in shot["activities"]):
            runs.append((k, k + n, ACTIVITY_LABELS[act]))
            k += n
        assert k == info["frames"] == 300
        for frame, label in table.loc[table["video_id"] == vid, ["frame", "label"]].itertuples(index=False):
            (lo, hi, letter) = next(s for s in runs if s[0] <= frame < s[1])
            assert label == letter or (label == "?" and min(frame - lo if lo else 99, hi - frame) <= 6)
    item = data[0]
    assert item["frames"].shape == (20, 3, 32, 32)
    assert write_synthetic_signing_wild(synthetic, num_videos=3, seconds=12, size=32) == synthetic  # at once


def test_example_sheet():
    sheet = example_sheet(size=32, frames_shown=4)
    assert sheet.shape == (len(ACTIVITIES) * 34, 4 * 34, 3) and sheet.dtype == np.uint8


@pytest.fixture(scope="module")
def rendered():
    """Twelve 30-second videos at 64x64, in memory: (frames, shots, rows) each."""
    looks, rooms = _pools(0, 80)
    return [_render_video(0, i, 30, 64, looks, rooms)[1:] for i in range(12)]


def spans(videos, letters: str):
    """``(letter, frames sampled at 5 Hz)`` of every activity span whose letter is in ``letters``."""
    for frames, shots, _ in videos:
        for shot in shots:
            k = shot["start"]
            for act, n in shot["activities"]:
                if ACTIVITY_LABELS[act] in letters:
                    yield ACTIVITY_LABELS[act], frames[k : k + n : 5].astype(np.float32)
                k += n


def test_motion_energy_does_not_single_out_signing(rendered):
    """Mean absolute frame difference over 2-second windows, by activity: signing is not the most
    moving activity, and a threshold on it cannot tell signing from the rest."""
    energy: dict[str, list[float]] = {a: [] for a in ACTIVITIES}
    for frames, shots, _ in rendered:
        grey = frames.astype(np.float32).mean(-1)
        diff = np.abs(np.diff(grey, axis=0)).mean((1, 2))
        for shot in shots:
            k = shot["start"]
            for act, n in shot["activities"]:
                energy[act] += [float(diff[s : s + 50].mean()) for s in range(k + 8, k + n - 58, 50)]
                k += n
    mean = {a: np.mean(e) for a, e in energy.items() if e}
    assert max(mean, key=mean.get) != "sign"
    assert mean["exercise"] > mean["sign"] and mean["clap"] > 0.8 * mean["sign"]
    sign = np.array(energy["sign"])
    rest = np.array([e for a, es in energy.items() if a != "sign" for e in es])
    cuts = np.concatenate([sign, rest])
    above = max(0.5 * ((sign >= t).mean() + (rest < t).mean()) for t in cuts)
    below = max(0.5 * ((sign <= t).mean() + (rest > t).mean()) for t in cuts)
    assert max(above, below) < 0.75  # balanced accuracy of the best threshold, either way round


def test_single_frames_of_signing_and_speaking_look_alike(rendered):
    """Performers, rooms and camera come from the same pools in both classes: the mean frames of
    signing and of speaking spans differ no more than those of a random relabelling of the spans
    usually do (with a few dozen spans, which rooms fall in which class moves the means more than
    the class does). "Other" is left out: a guitar or a title screen does mark its frames."""
    units = list(spans(rendered, "SP"))
    labels = np.array([u[0] for u in units])
    means = np.stack([u[1].mean(0) for u in units])
    weights = np.array([len(u[1]) for u in units], float)

    def distance(lab):
        a, b = (np.average(means[lab == c], axis=0, weights=weights[lab == c]) for c in "SP")
        return np.sqrt(((a - b) ** 2).mean())

    rng = np.random.default_rng(0)
    shuffled = np.array([distance(rng.permutation(labels)) for _ in range(100)])
    assert (shuffled >= distance(labels)).mean() > 0.1


def test_signing_moves_in_holds_and_bursts(rendered):
    """The designed temporal cue is in the pixels: signing's motion stops at holds between fast
    movements, so more of its frames are near-still (below half its 2-second window's median
    frame difference) than those of smooth speaking, exercise, the instrument or writing
    (clapping's contacts pause too)."""
    still: dict[str, list[float]] = {a: [] for a in ACTIVITIES}
    for frames, shots, _ in rendered:
        diff = np.abs(np.diff(frames.astype(np.float32).mean(-1), axis=0)).mean((1, 2))
        for shot in shots:
            k = shot["start"]
            for act, n in shot["activities"]:
                for s in range(k + 8, k + n - 58, 50):
                    window = diff[s : s + 50]
                    still[act].append(float((window < 0.5 * np.median(window)).mean()))
                k += n
    median = {a: np.median(v) for a, v in still.items() if v}
    for other in ("speak", "exercise", "instrument", "write"):
        assert median["sign"] > median[other], median
