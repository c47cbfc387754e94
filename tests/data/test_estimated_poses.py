"""Poses estimated in real clips (Le Roux's Table 10): the MediaPipe -> NTU mapping, the 2D
tracking and Viterbi smoothing on crafted hypotheses, the stored clips, bad inputs, and (only
where ``make pose-env`` has built .venv-pose) the estimator itself."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.estimated_poses import (
    ESTIMATED_POSES_DIR,
    MEDIAPIPE_LANDMARKS,
    MEDIAPIPE_TO_NTU13,
    MEDIAPIPE_TO_NTU_AXES,
    PoseHypotheses,
    best_per_frame,
    list_clips,
    mediapipe_to_ntu13,
    read_estimated,
    read_strip,
    strip_frame_indices,
    track_2d,
    viterbi_smoothing,
)
from motion_rnn.data.pose import SUBSET_13_NAMES, align_poses, bone_lengths

ROOT = Path(__file__).resolve().parents[2]
POSE_PYTHON = ROOT / ".venv-pose" / "bin" / "python"
ESTIMATOR = ROOT / "tools" / "estimate_poses.py"
needs_pose_env = pytest.mark.skipif(
    not POSE_PYTHON.exists(), reason="needs the MediaPipe environment: run `make pose-env` (.venv-pose/bin/python)"
)

# ---- the mapping ---------------------------------------------------------------------------


def test_mapping_table_covers_subset_13_in_order_with_valid_landmarks():
    assert len(MEDIAPIPE_TO_NTU13) == 13
    assert tuple(name for name, _, _ in MEDIAPIPE_TO_NTU13) == SUBSET_13_NAMES
    for name, indices, why in MEDIAPIPE_TO_NTU13:
        assert indices and all(0 <= i < 33 for i in indices), name
        assert why
        sources = [MEDIAPIPE_LANDMARKS[i] for i in indices]
        if name.endswith("Left"):
            assert all(s.startswith("left_") for s in sources), (name, sources)
        elif name.endswith("Right"):
            assert all(s.startswith("right_") for s in sources), (name, sources)
        else:  # the head: both sides, so it stays on the midline
            assert sorted(s.split("_")[0] for s in sources) == ["left", "right"]


def test_axes_are_a_rotation_with_y_up():
    assert np.linalg.det(MEDIAPIPE_TO_NTU_AXES) == pytest.approx(1.0)
    assert (MEDIAPIPE_TO_NTU_AXES @ [0, -1, 0])[1] == 1  # MediaPipe's up (-y) is NTU's up
    assert (MEDIAPIPE_TO_NTU_AXES @ [0, 0, 1])[2] == 1  # away from the camera stays +z


def _mediapipe_facing_camera() -> np.ndarray:
    """A person facing the camera in MediaPipe's world axes (x image right, y down, z away)."""
    pose = np.zeros((33, 3))
    for i, name in enumerate(MEDIAPIPE_LANDMARKS):
        side = 1.0 if name.startswith("left") else -1.0 if name.startswith("right") else 0.0
        height = {"shoulder": -0.5, "elbow": -0.25, "wrist": 0.0, "hip": 0.0, "knee": 0.45, "ankle": 0.9}
        part = name.split("_", 1)[-1]
        pose[i] = [0.15 * side, height.get(part, -0.65), -0.05 if name == "nose" else 0.0]
    return pose


def test_mapping_keeps_left_and_right_and_matches_ntu_camera_axes():
    ntu = mediapipe_to_ntu13(_mediapipe_facing_camera())
    j = {name: k for k, name in enumerate(SUBSET_13_NAMES)}
    # NTU's Kinect: facing the camera, the right shoulder has the larger x, the head is up.
    assert ntu[j["ShoulderRight"], 0] > ntu[j["ShoulderLeft"], 0]
    assert ntu[j["Head"], 1] > ntu[j["ShoulderLeft"], 1] > ntu[j["AnkleLeft"], 1]
    image = mediapipe_to_ntu13(np.random.default_rng(0).random((4, 33, 2)), axes=False)
    assert image.shape == (4, 13, 2)
    with pytest.raises(ValueError, match="33"):
        mediapipe_to_ntu13(np.zeros((13, 3)))


# ---- crafted hypotheses --------------------------------------------------------------------

SWAP_13 = [0, 4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9]  # left <-> right in SUBSET_13's order


def _actor(t: int, shift: float = 0.0, turn: float = 0.7) -> tuple[np.ndarray, np.ndarray]:
    """A turned, arm-waving person: (T, 13, 3) NTU-axes joints and (T, 13, 2) image joints."""
    base = mediapipe_to_ntu13(_mediapipe_facing_camera())
    c, s = np.cos(turn), np.sin(turn)
    rot = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    world = np.repeat((base @ rot.T)[None], t, axis=0)
    world[:, 6, 1] += 0.3 * np.sin(np.linspace(0, np.pi, t))  # the right wrist rises and falls
    image = np.stack([-world[..., 0], -world[..., 1]], axis=-1) * 0.3 + [0.3 + shift, 0.5]
    return world, image


def _with_flip(world, image, scores, flip_scores) -> PoseHypotheses:
    flip_world = world[:, SWAP_13] * [1, 1, -1]
    return PoseHypotheses(
        world=np.stack([world, flip_world], axis=1),
        image=np.stack([image, image[:, SWAP_13]], axis=1),
        score=np.stack([scores, flip_scores], axis=1),
        valid=np.ones((len(world), 2), bool),
    )


def test_smoothing_rejects_a_better_scored_flip_that_the_per_frame_best_takes():
    t = 9
    world, image = _actor(t)
    flip_scores = np.full(t, 0.4)
    flip_scores[4] = 0.85  # the flip beats the pose (0.8) in one frame in the middle
    hyp = _with_flip(world, image, np.full(t, 0.8), flip_scores)
    assert best_per_frame(hyp).index.tolist() == [0, 0, 0, 0, 1, 0, 0, 0, 0]
    smoothed = viterbi_smoothing(hyp)
    assert smoothed.index.tolist() == [0] * t
    np.testing.assert_allclose(smoothed.world, world)
    # With a huge temperature the transitions no longer matter and the scores decide again.
    assert viterbi_smoothing(hyp, temperature=1e6).index[4] == 1


def test_smoothing_follows_the_flip_when_it_is_consistently_better():
    t = 6
    world, image = _actor(t)
    hyp = _with_flip(world, image, np.full(t, 0.4), np.full(t, 0.9))
    assert viterbi_smoothing(hyp).index.tolist() == [1] * t


def test_tracking_does_not_switch_to_another_actor():
    t = 8
    a_world, a_image = _actor(t)
    b_world, b_image = _actor(t, shift=0.45, turn=-0.3)  # a second person elsewhere in the image
    hyp = PoseHypotheses(
        world=np.stack([a_world, b_world], axis=1),
        image=np.stack([a_image, b_image], axis=1),
        score=np.array([[0.9, 0.6]] + [[0.5, 0.95]] * (t - 1)),
        valid=np.ones((t, 2), bool),
    )
    assert best_per_frame(hyp).index.tolist() == [0] + [1] * (t - 1)
    tracked = track_2d(hyp)
    assert tracked.index.tolist() == [0] * t
    np.testing.assert_allclose(tracked.world, a_world)
    assert track_2d(hyp, first=1).index.tolist() == [1] * t  # the actor named by hand


def test_tracking_keeps_a_nearby_flip_candidate():
    t = 5
    world, image = _actor(t)
    flip_scores = np.full(t, 0.4)
    flip_scores[2] = 0.85
    hyp = _with_flip(world, image, np.full(t, 0.8), flip_scores)
    # Its 2D pose overlaps the previous selection: 2D tracking cannot reject it (the thesis's
    # reason for the 3D smoothing).
    assert track_2d(hyp).index.tolist() == [0, 0, 1, 0, 0]


def test_missing_frames_carry_the_previous_pose():
    t = 7
    world, image = _actor(t)
    hyp = _with_flip(world, image, np.full(t, 0.8), np.full(t, 0.4))
    valid = hyp.valid.copy()
    valid[[0, 3, 4]] = False
    hyp = PoseHypotheses(hyp.world, hyp.image, np.where(valid, hyp.score, 0), valid)
    for select in (best_per_frame, track_2d, viterbi_smoothing):
        chosen = select(hyp)
        assert chosen.index.tolist() == [-1, 0, 0, -1, -1, 0, 0], select.__name__
        assert chosen.carried.tolist() == [True, False, False, True, True, False, False]
        np.testing.assert_allclose(chosen.world[3], world[2])
        np.testing.assert_allclose(chosen.world[0], world[1])
    nothing = PoseHypotheses(hyp.world, hyp.image, hyp.score * 0, np.zeros_like(valid))
    for select in (best_per_frame, track_2d, viterbi_smoothing):
        with pytest.raises(ValueError, match="no frame"):
            select(nothing)
    with pytest.raises(ValueError, match="temperature"):
        viterbi_smoothing(hyp, temperature=0)


# ---- the stored clips ----------------------------------------------------------------------


def test_stored_clips_are_listed_labelled_and_readable():
    clips = list_clips()
    assert clips and len({c.clip_id for c in clips}) == len(clips)
    provenance = json.loads((ESTIMATED_POSES_DIR / "provenance.json").read_text())
    for clip in clips:
        hyp = read_estimated(clip.clip_id)
        assert hyp.world.shape == (clip.end_frame - clip.start_frame, 2, 13, 3)
        assert hyp.num_frames == provenance["clips"][clip.clip_id]["frames"]
        assert np.isfinite(hyp.world).all() and np.isfinite(hyp.image).all()
        assert (hyp.score[:, 1] < hyp.score[:, 0])[hyp.valid[:, 0]].all()  # the flip scores lower
        assert hyp.valid[:, 0].mean() > 0.5


def test_a_stored_sequence_has_plausible_bone_lengths():
    hyp = read_estimated("s2d_jumping_jack_1")
    seq = viterbi_smoothing(hyp).world
    bones = bone_lengths(seq).mean(axis=0)  # BONES_13: arms, legs, then the torso
    upper_arm, forearm, thigh, shank = bones[[0, 1, 4, 5]]
    assert 0.15 < upper_arm < 0.45 and 0.15 < forearm < 0.45
    assert 0.25 < thigh < 0.6 and 0.25 < shank < 0.6
    np.testing.assert_allclose(bones[[0, 1, 4, 5]], bones[[2, 3, 6, 7]], rtol=0.25)  # left ~ right
    assert (seq[:, 0, 1] > seq[:, [9, 12], 1].max(axis=1)).all()  # head above the ankles: y up
    assert np.isfinite(align_poses(seq)).all()


# ---- bad inputs ----------------------------------------------------------------------------


def _write(path: Path, **arrays) -> Path:
    np.savez(path, **arrays)
    return path


def _good_arrays(t=3):
    return {
        "world": np.zeros((t, 2, 33, 3), np.float16),
        "image": np.zeros((t, 2, 33, 2), np.float16),
        "score": np.full((t, 2), 0.5, np.float16),
        "valid": np.ones((t, 2), bool),
    }


def test_read_estimated_names_the_file_for_bad_inputs(tmp_path):
    with pytest.raises(DataFormatError, match="no file.*estimate_poses"):
        read_estimated("no_such_clip")
    assert read_estimated(_write(tmp_path / "ok.npz", **_good_arrays())).num_frames == 3
    bad = _good_arrays()
    del bad["score"]
    with pytest.raises(DataFormatError, match=r"no arrays \['score'\]"):
        read_estimated(_write(tmp_path / "a.npz", **bad))
    bad = _good_arrays()
    bad["world"] = np.zeros((3, 2, 25, 3))
    with pytest.raises(DataFormatError, match="world of shape"):
        read_estimated(_write(tmp_path / "b.npz", **bad))
    bad = _good_arrays()
    bad["image"][1, 0, 4, 0] = np.nan
    with pytest.raises(DataFormatError, match="non-finite image") as info:
        read_estimated(_write(tmp_path / "c.npz", **bad))
    assert info.value.path == tmp_path / "c.npz"
    bad = _good_arrays()
    bad["valid"][:] = False
    with pytest.raises(DataFormatError, match="no valid hypothesis"):
        read_estimated(_write(tmp_path / "d.npz", **bad))
    (tmp_path / "e.npz").write_text("not a zip")
    with pytest.raises(DataFormatError, match="unreadable"):
        read_estimated(tmp_path / "e.npz")


def test_list_clips_rejects_a_label_that_disagrees_with_its_name(tmp_path):
    rows = list(csv.reader(open(ESTIMATED_POSES_DIR / "clips.csv", newline="", encoding="utf-8")))
    rows[1][rows[0].index("ntu_label")] = "5"  # pickup, but the name says jump up
    path = tmp_path / "clips.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(DataFormatError, match="line 2.*ntu_label 5"):
        list_clips(path)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([rows[0][:-1]])
    with pytest.raises(DataFormatError, match="columns"):
        list_clips(path)


# ---- the estimator (only with .venv-pose) --------------------------------------------------


def _run_estimator(clips_csv: Path, out: Path, *only: str) -> subprocess.CompletedProcess:
    command = [str(POSE_PYTHON), str(ESTIMATOR), "--clips", str(clips_csv), "--out", str(out)]
    if only:
        command += ["--only", *only]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env={"OMP_NUM_THREADS": "1"})


def _one_row_csv(tmp_path: Path, video: Path) -> Path:
    header = next(csv.reader(open(ESTIMATED_POSES_DIR / "clips.csv", newline="", encoding="utf-8")))
    row = dict.fromkeys(header, "")
    row.update(clip_id="probe", path_in_package=str(video), start_frame="0", end_frame="8")
    row.update(ntu_label="26", ntu_name="jump up")
    path = tmp_path / "clips.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerow(row)
    return path


@needs_pose_env
def test_estimator_reproduces_a_stored_clip(tmp_path):
    clip = list_clips()[0]
    shutil.copy(ESTIMATED_POSES_DIR / "clips.csv", tmp_path / "clips.csv")
    done = _run_estimator(tmp_path / "clips.csv", tmp_path / "out", clip.clip_id)
    assert done.returncode == 0, done.stderr[-2000:]
    new = np.load(tmp_path / "out" / f"{clip.clip_id}.npz")
    old = np.load(ESTIMATED_POSES_DIR / f"{clip.clip_id}.npz")
    np.testing.assert_array_equal(new["valid"], old["valid"])
    for key in ("world", "image", "score"):
        np.testing.assert_allclose(new[key].astype(float), old[key].astype(float), atol=2e-2, err_msg=key)


@needs_pose_env
def test_estimator_refuses_a_clip_without_a_person(tmp_path):
    import cv2

    video = tmp_path / "empty.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (96, 96))
    for _ in range(10):
        writer.write(np.full((96, 96, 3), 127, np.uint8))
    writer.release()
    done = _run_estimator(_one_row_csv(tmp_path, video), tmp_path / "out")
    assert done.returncode == 2
    assert "probe" in done.stderr and "no person" in done.stderr
    assert not (tmp_path / "out" / "probe.npz").exists()


@needs_pose_env
def test_estimator_refuses_a_video_it_cannot_decode(tmp_path):
    video = tmp_path / "broken.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(200))
    done = _run_estimator(_one_row_csv(tmp_path, video), tmp_path / "out")
    assert done.returncode == 2
    assert "cannot decode" in done.stderr and str(video) in done.stderr
    assert not (tmp_path / "out" / "probe.npz").exists()


def test_every_stored_clip_has_its_strip_of_frames():
    provenance = json.loads((ESTIMATED_POSES_DIR / "provenance.json").read_text())
    for clip in list_clips():
        tiles = read_strip(clip.clip_id)
        assert tiles is not None and len(tiles) == 5
        assert all(t.shape == (160, 160, 3) for t in tiles)
        frames = clip.end_frame - clip.start_frame
        # the frames the strip shows are the ones the book's figure draws the skeletons of
        assert provenance["clips"][clip.clip_id]["strip_frames"] == strip_frame_indices(frames).tolist()
        assert read_estimated(clip.clip_id).num_frames == frames
    assert read_strip("no_such_clip") is None
