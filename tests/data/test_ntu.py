"""The NTU RGB+D reader against a real file, broken files, and random files it wrote itself."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.ntu import (
    ACTION_NAMES,
    CROSS_SUBJECT_TRAIN_PERFORMERS,
    MISSING_SKELETONS,
    THESIS_VALIDATION_PERFORMERS,
    NTUSample,
    NTUSkeletonDataset,
    cross_subject_split,
    cross_view_split,
    list_skeleton_files,
    main_body,
    main_body_index,
    parse_sample_name,
    read_skeleton,
    write_skeleton,
)
from motion_rnn.data.ntu.__main__ import main
from motion_rnn.data.pose import preprocess

REAL = Path(__file__).parent / "ntu" / "S001C001P001R001A001.skeleton"
REAL_LINES = REAL.read_text().splitlines()
# Line numbers of the real file: 1 frame count, 2 body count of frame 1, 3 body line,
# 4 joint count, 5-29 the 25 joints of frame 1, 30 body count of frame 2, ...


# ---- the real file ---------------------------------------------------------------------------


def test_real_file_is_read_as_its_text_says():
    sample = read_skeleton(REAL)
    assert sample.num_frames == 103
    assert sample.num_bodies == 1
    assert sample.body_ids == [72057594037931101]
    assert sample.joints.shape == (1, 103, 25, 3) and sample.joints.dtype == np.float32
    assert sample.joint_records.shape == (1, 103, 25, 12)
    # line 5, joint 1 (SpineBase) of frame 1
    np.testing.assert_array_equal(
        sample.joint_records[0, 0, 0],
        [0.2181153, 0.1725972, 3.785547, 277.419, 191.8218, 1036.233, 519.1677,
         -0.2059419, 0.05349901, 0.9692109, -0.1239193, 2],
    )  # fmt: skip
    np.testing.assert_array_equal(sample.joints[0, 0, 0], np.array([0.2181153, 0.1725972, 3.785547], np.float32))
    # line 33, joint 1 of frame 2; the last line, joint 25 of frame 103
    np.testing.assert_array_equal(sample.joints[0, 1, 0], np.float32([0.2184443, 0.1737018, 3.789234]))
    np.testing.assert_array_equal(sample.joints[0, -1, -1], np.float32([0.1140334, 0.7601054, 3.444]))
    # line 3, the body line after bodyID
    np.testing.assert_array_equal(sample.body_info[0, 0], [0, 1, 1, 1, 1, 0, 0.02764709, 0.05745083, 2])
    assert sample.tracking_states[0, 0, :8].tolist() == [2, 2, 2, 2, 2, 1, 1, 2]
    assert sample.present.all() and (sample.positions == 0).all()
    info = sample.info
    assert (info.setup, info.camera, info.performer, info.replication, info.action) == (1, 1, 1, 1, 1)
    assert sample.label == 0 and info.action_name == "drink water"


def test_writer_reproduces_the_real_file_byte_for_byte(tmp_path):
    out = write_skeleton(tmp_path / REAL.name, read_skeleton(REAL))
    assert out.read_bytes() == REAL.read_bytes()


def test_main_body_of_the_real_file():
    sample = read_skeleton(REAL)
    assert main_body_index(sample) == 0
    body = main_body(sample)
    assert body.shape == (103, 25, 3) and body.dtype == np.float32


def test_command_line_prints_one_json_line_a_file():
    result = subprocess.run(
        [sys.executable, "-m", "motion_rnn.data.ntu", str(REAL), str(REAL)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    record = json.loads(lines[0])
    assert record["frames"] == 103 and record["bodies"] == 1
    assert record["body_ids"] == [72057594037931101]
    assert {k: record[k] for k in ("setup", "camera", "performer", "replication", "action")} == {
        "setup": 1, "camera": 1, "performer": 1, "replication": 1, "action": 1,
    }  # fmt: skip
    assert record["label"] == 0 and record["action_name"] == "drink water"


def test_command_line_reports_a_broken_file_and_goes_on(tmp_path, capsys):
    broken = tmp_path / "S001C001P001R001A002.skeleton"
    broken.write_text("\n".join(REAL_LINES[:10]) + "\n")
    assert main([str(broken), str(REAL)]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["frames"] == 103
    assert str(broken) in captured.err and "line 11" in captured.err


# ---- broken files ------------------------------------------------------------------------------


def _edit(lineno: int, text: str | None) -> list[str]:
    lines = list(REAL_LINES)
    if text is None:
        del lines[lineno - 1]
    else:
        lines[lineno - 1] = text
    return lines


def _values_without_last(lineno: int) -> str:
    return " ".join(REAL_LINES[lineno - 1].split()[:-1])


def _replace_token(lineno: int, index: int, token: str) -> str:
    tokens = REAL_LINES[lineno - 1].split()
    tokens[index] = token
    return " ".join(tokens)


BROKEN = {
    # name: (lines of the file, line named in the message, words the message must hold)
    "truncated": (REAL_LINES[:40], 41, ["end of file", "joint 9 of body 1 of 1 in frame 2"]),
    "truncated after a frame": (REAL_LINES[:29], 30, ["end of file", "frame 2 of 103"]),
    "joint line with 11 values": (_edit(9, _values_without_last(9)), 9, ["expected 12 values", "found 11"]),
    "joint line with 13 values": (_edit(9, REAL_LINES[8] + " 1"), 9, ["expected 12 values", "found 13"]),
    "non-numeric value": (_edit(10, _replace_token(10, 4, "abc")), 10, ["'abc'", "finite number", "value 5"]),
    "nan value": (_edit(10, _replace_token(10, 0, "nan")), 10, ["'nan'", "finite number"]),
    "coordinate beyond float32": (_edit(10, _replace_token(10, 2, "1e39")), 10, ["float32"]),
    "20 joints": (_edit(4, "20"), 4, ["20 joints", "expected 25"]),
    "joint count not a number": (_edit(32, "twenty-five"), 32, ["number of joints", "'twenty-five'"]),
    "body line with 9 values": (_edit(3, _values_without_last(3)), 3, ["expected 10 values", "found 9"]),
    "bodyID not an integer": (_edit(3, _replace_token(3, 0, "7.2e16")), 3, ["bodyID", "'7.2e16'"]),
    "frame count not an integer": (_edit(1, "103.5"), 1, ["number of frames", "'103.5'"]),
    "body count negative": (_edit(30, "-1"), 30, ["number of bodies in frame 2"]),
    "tracking state 7": (_edit(6, _replace_token(6, 11, "7")), 6, ["trackingState", "expected 0, 1 or 2"]),
    "text after the last frame": (REAL_LINES + ["1"], len(REAL_LINES) + 1, ["end of the file after 103 frames"]),
    "too few frames for the header": (_edit(1, "104"), len(REAL_LINES) + 1, ["end of file", "frame 104 of 104"]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file_error_names_file_line_and_expectation(tmp_path, case):
    lines, lineno, words = BROKEN[case]
    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError) as caught:
        read_skeleton(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"line {lineno}:" in message
    assert caught.value.path == path and caught.value.line == lineno
    for word in words:
        assert word in message


def test_error_is_a_value_error():
    assert issubclass(DataFormatError, ValueError)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_bytes(b"103\n\xff\xfe\n")
    with pytest.raises(DataFormatError, match="not ASCII"):
        read_skeleton(path)


@pytest.mark.parametrize(
    "name", ["drink.skeleton", "S001C001P001R001.skeleton", "S1C1P1R1A1.skeleton",
             "s001c001p001r001a001.skeleton", "S001C001P001R001A000.skeleton"],
)  # fmt: skip
def test_file_not_named_as_ntu_names_is_refused(tmp_path, name):
    path = tmp_path / name
    shutil.copy(REAL, path)
    with pytest.raises(DataFormatError) as caught:
        read_skeleton(path)
    assert str(path) in str(caught.value)
    assert "SsssCcccPpppRrrrAaaa" in str(caught.value)


def test_folder_without_skeleton_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(DataFormatError) as caught:
        list_skeleton_files(tmp_path)
    assert str(tmp_path) in str(caught.value) and ".skeleton" in str(caught.value)
    with pytest.raises(DataFormatError):
        NTUSkeletonDataset(tmp_path, split="train")
    with pytest.raises(FileNotFoundError):
        list_skeleton_files(tmp_path / "absent")


# ---- names, splits, resources ---------------------------------------------------------------


def test_parse_sample_name():
    parsed = parse_sample_name("S017C003P020R002A060")
    fields = (parsed.setup, parsed.camera, parsed.performer, parsed.replication, parsed.action)
    assert fields == (17, 3, 20, 2, 60)
    assert parsed.label == 59 and parsed.name == "S017C003P020R002A060"
    assert parse_sample_name(Path("a/b/S017C003P020R002A060.skeleton")) == parsed
    assert parse_sample_name("S001C001P001R001A061").action_name is None  # beyond NTU 60


def test_authors_lists_are_package_data():
    assert len(MISSING_SKELETONS) == 302
    assert {"S001C002P005R002A008", "S017C003P020R001A059"} <= MISSING_SKELETONS
    assert len(ACTION_NAMES) == 60
    assert ACTION_NAMES[0] == "drink water" and ACTION_NAMES[59] == "walking apart from each other"


def _all_names(performers=range(1, 41), cameras=(1, 2, 3)):
    return [f"S001C{c:03d}P{p:03d}R001A001" for p in performers for c in cameras]


def test_cross_subject_split_holds_out_the_thesis_validation_performers():
    names = _all_names()
    split = cross_subject_split(names)
    performers = {
        part: {parse_sample_name(n).performer for n in getattr(split, part)} for part in ("train", "validation", "test")
    }
    assert performers["validation"] == {25, 27, 28, 31, 34, 35, 38}
    assert performers["train"] == {1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19}
    assert performers["test"] == set(range(1, 41)) - CROSS_SUBJECT_TRAIN_PERFORMERS
    assert sorted(split.train + split.validation + split.test) == sorted(names)
    two_way = cross_subject_split(names, validation_performers=())
    assert two_way.validation == [] and len(two_way.train) == 20 * 3
    assert THESIS_VALIDATION_PERFORMERS <= CROSS_SUBJECT_TRAIN_PERFORMERS
    with pytest.raises(ValueError, match="not training performers"):
        cross_subject_split(names, validation_performers=[3])


def test_cross_view_split_tests_on_camera_1():
    names = _all_names()
    split = cross_view_split(names)
    assert {parse_sample_name(n).camera for n in split.test} == {1}
    assert {parse_sample_name(n).camera for n in split.train} == {2, 3}
    assert split.validation == []
    held = cross_view_split(names, validation_performers=[7])
    assert {parse_sample_name(n).performer for n in held.validation} == {7}
    assert all(parse_sample_name(n).camera != 1 for n in held.validation)


def test_splits_keep_paths_as_given():
    paths = [Path("x") / f"{n}.skeleton" for n in _all_names(performers=[1, 3, 25])]
    split = cross_subject_split(paths)
    assert split.train[0] == paths[0] and isinstance(split.test[0], Path)


# ---- bodies and frames ----------------------------------------------------------------------


def _file(frames: list[list[tuple[int, np.ndarray]]]) -> str:
    """A .skeleton text from frames of (bodyID, (25, 3) xyz) bodies; other values fixed."""
    out = [str(len(frames))]
    for bodies in frames:
        out.append(str(len(bodies)))
        for body_id, xyz in bodies:
            out.append(f"{body_id} 0 1 1 1 1 0 0.1 -0.2 2")
            out.append("25")
            rest = [1.5, 2.5, 3.5, 4.5, 0.5, 0.5, 0.5, 0.5, 2]
            out.extend(" ".join(map(repr, [*map(float, p), *rest])) for p in xyz)
    return "\n".join(out) + "\n"


def test_frames_with_zero_bodies_are_kept_with_all_bodies_absent(tmp_path):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 25, 3))
    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_text(_file([[(5, a)], [], [(5, b)]]))
    sample = read_skeleton(path)
    assert sample.num_frames == 3 and sample.num_bodies == 1
    assert sample.present.tolist() == [[True, False, True]]
    assert (sample.joints[0, 1] == 0).all() and (sample.joint_records[0, 1] == 0).all()
    np.testing.assert_array_equal(sample.joints[0, 2], b.astype(np.float32))
    assert main_body(sample).shape == (3, 25, 3)

    path.write_text(_file([[], []]))
    empty = read_skeleton(path)
    assert empty.num_frames == 2 and empty.num_bodies == 0 and empty.joints.shape == (0, 2, 25, 3)
    with pytest.raises(DataFormatError, match="no body in any of its 2 frames"):
        main_body(empty)


def test_bodies_are_matched_by_id_not_by_place_in_the_frame(tmp_path):
    rng = np.random.default_rng(1)
    a0, a1, b0, b1, b2 = rng.normal(size=(5, 25, 3))
    big = 72057594037931101
    path = tmp_path / "S001C001P001R001A050.skeleton"
    path.write_text(_file([[(big, a0), (7, b0)], [(7, b1), (big, a1)], [(7, b2)]]))
    sample = read_skeleton(path)
    assert sample.body_ids == [big, 7]
    np.testing.assert_array_equal(sample.joints[0, :2], np.float32([a0, a1]))
    np.testing.assert_array_equal(sample.joints[1], np.float32([b0, b1, b2]))
    assert sample.positions.tolist() == [[0, 1, -1], [1, 0, 0]]
    assert (sample.joints[0, 2] == 0).all()
    out = write_skeleton(tmp_path / "copy.skeleton", sample)
    assert out.read_text() == write_skeleton(tmp_path / "again.skeleton", sample).read_text()


def test_main_body_is_the_one_that_moves_most():
    rng = np.random.default_rng(2)
    still = np.repeat(rng.normal(size=(1, 25, 3)), 30, axis=0) + 0.001 * rng.normal(size=(30, 25, 3))
    moving = still + np.linspace(0, 1, 30)[:, None, None] * rng.normal(size=(1, 25, 3))
    for order in ([still, moving], [moving, still]):
        sample = NTUSample.from_joints("S001C001P001R001A001", np.stack(order))
        assert main_body_index(sample) == [id(x) for x in order].index(id(moving))
        np.testing.assert_array_equal(main_body(sample), moving.astype(np.float32))


def test_from_joints_writes_and_reads_back(tmp_path):
    rng = np.random.default_rng(3)
    joints = rng.normal(size=(2, 6, 25, 3)).astype(np.float32)
    present = np.array([[1, 1, 0, 1, 0, 0], [0, 1, 1, 1, 0, 1]], bool)
    sample = NTUSample.from_joints("S002C003P004R001A010", joints, body_ids=[11, 12], present=present)
    back = read_skeleton(write_skeleton(tmp_path / "S002C003P004R001A010.skeleton", sample))
    np.testing.assert_array_equal(back.joints, np.where(present[..., None, None], joints, 0))
    assert back.body_ids == [11, 12] and back.present.tolist() == present.tolist()
    assert (back.tracking_states[back.present] == 2).all() and back.label == 9


# ---- random files round trip -----------------------------------------------------------------

_ID_POOL = [0, 1, 72057594037931101, 2**64 - 1]


@st.composite
def skeleton_structures(draw):
    """Frames (incl. zero-body ones), each a list of distinct bodyIDs, and a seed for values."""
    num_frames = draw(st.integers(0, 6))
    frames = [draw(st.lists(st.sampled_from(_ID_POOL), max_size=3, unique=True)) for _ in range(num_frames)]
    specials = draw(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), max_size=5))
    return frames, draw(st.integers(0, 2**32 - 1)), specials


def _random_values(rng, shape, specials):
    """Values of many magnitudes, whole numbers, zeros, and hypothesis's own floats."""
    values = rng.normal(size=shape) * 10.0 ** rng.integers(-12, 12, size=shape)
    values = np.where(rng.random(shape) < 0.2, np.round(values), values)
    values = np.where(rng.random(shape) < 0.1, 0.0, values)
    flat = values.reshape(-1)
    if flat.size and specials:
        flat[rng.integers(0, flat.size, size=len(specials))] = specials
    return values


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(skeleton_structures())
def test_random_valid_files_read_back_unchanged(tmp_path, structure):
    frames, seed, specials = structure
    rng = np.random.default_rng(seed)
    text, expected = [str(len(frames))], []  # expected: (frame, position, id, info, records)
    for t, ids in enumerate(frames):
        text.append(str(len(ids)))
        for position, body_id in enumerate(ids):
            info = _random_values(rng, 9, specials)
            records = _random_values(rng, (25, 12), specials)
            records[:, 11] = rng.integers(0, 3, size=25)
            text.append(" ".join([str(body_id), *map(repr, info.tolist())]))
            text.append("25")
            text.extend(" ".join(map(repr, row)) for row in records.tolist())
            expected.append((t, position, body_id, info, records))
    path = tmp_path / "S003C002P017R002A042.skeleton"
    path.write_text("\n".join(text) + "\n")

    sample = read_skeleton(path)
    order = list(dict.fromkeys(body_id for *_, body_id, _, _ in sorted(expected, key=lambda e: e[:2])))
    assert sample.num_frames == len(frames) and sample.body_ids == order
    assert sample.present.sum() == len(expected)
    for t, position, body_id, info, records in expected:
        b = order.index(body_id)
        assert sample.positions[b, t] == position
        np.testing.assert_array_equal(sample.joint_records[b, t], records)
        np.testing.assert_array_equal(sample.body_info[b, t], info)
        np.testing.assert_array_equal(sample.joints[b, t], records[:, :3].astype(np.float32))
    assert (sample.joint_records[~sample.present] == 0).all()

    again = read_skeleton(write_skeleton(path, sample))
    np.testing.assert_array_equal(again.joint_records, sample.joint_records)
    np.testing.assert_array_equal(again.body_info, sample.body_info)
    np.testing.assert_array_equal(again.positions, sample.positions)
    assert again.body_ids == sample.body_ids


# ---- a folder of samples -------------------------------------------------------------------


def test_dataset_lists_splits_skips_missing_and_loads_main_bodies(tmp_path):
    for name in [
        "S001C001P001R001A001",
        "S001C002P025R001A003",
        "S001C001P003R002A060",
        "S001C002P005R002A008",
    ]:  # the last is in the authors' missing list
        shutil.copy(REAL, tmp_path / f"{name}.skeleton")
    assert len(list_skeleton_files(tmp_path)) == 3
    assert len(list_skeleton_files(tmp_path, skip_missing=False)) == 4

    train = NTUSkeletonDataset(tmp_path, split="train")
    assert train.names == ["S001C001P001R001A001"]
    item = train[0]
    assert item["joints"].shape == (103, 25, 3) and item["joints"].dtype == torch.float32
    assert item["label"] == 0 and item["name"] == "S001C001P001R001A001"
    np.testing.assert_array_equal(item["joints"].numpy(), read_skeleton(REAL).joints[0])

    assert NTUSkeletonDataset(tmp_path, split="validation").labels == [2]
    aligned_13 = functools.partial(preprocess, num_joints=13, align=True)
    test = NTUSkeletonDataset(tmp_path, split="test", preload=True, transform=aligned_13)
    assert test.labels == [59] and test[0]["joints"].shape == (103, 13, 3)
    assert len(NTUSkeletonDataset(tmp_path, split="all")) == 3
    assert len(NTUSkeletonDataset(tmp_path, split="test", protocol="cross_view")) == 2
    with pytest.raises(ValueError, match="cross_subject"):
        NTUSkeletonDataset(tmp_path, split="train", protocol="cross-subject")
    with pytest.raises(ValueError, match="validation"):
        NTUSkeletonDataset(tmp_path, split="val")
