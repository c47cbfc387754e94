"""DeepMimic's motion capture (shipped from the pybullet wheel) as 13-joint NTU skeletons."""

import hashlib
import json

import numpy as np
import pytest

from motion_rnn.data import deepmimic
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.pose import BONES_13, SUBSET_13_NAMES, align_poses

CLIPS = ("humanoid3d_jump.txt", "humanoid3d_kick.txt")


@pytest.fixture(scope="module")
def jump():
    return deepmimic.resample(deepmimic.read_motion(deepmimic.DEEPMIMIC_DIR / "humanoid3d_jump.txt"))


def test_shipped_files_are_the_wheels_bytes():
    provenance = json.loads((deepmimic.DEEPMIMIC_DIR / "provenance.json").read_text())
    assert provenance["source"]["package"] == "pybullet"
    for name, entry in provenance["files"].items():
        data = (deepmimic.DEEPMIMIC_DIR / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
    assert set(provenance["ntu_actions"]) == set(CLIPS)


def test_humanoid_tree_from_the_urdf():
    skeleton = deepmimic.read_humanoid()
    assert skeleton.parents["root"] is None
    assert skeleton.parents["right_elbow"] == "right_shoulder"
    assert skeleton.parents["left_knee"] == "left_hip"
    assert skeleton.kinds["right_knee"] == "revolute" and skeleton.kinds["neck"] == "spherical"
    # mirror image: the right hip sits at +z, the left at -z, at the same height
    np.testing.assert_allclose(skeleton.offsets["right_hip"], skeleton.offsets["left_hip"] * [1, 1, -1])


@pytest.mark.parametrize("name", CLIPS)
def test_every_clip_reads_as_a_plausible_body(name):
    motion = deepmimic.read_motion(deepmimic.DEEPMIMIC_DIR / name)
    assert motion.num_frames > 20
    skeleton = deepmimic.to_ntu13(deepmimic.forward_kinematics(deepmimic.resample(motion)))
    assert skeleton.shape[1:] == (13, 3) and np.isfinite(skeleton).all()
    # limbs, shoulders and hips are rigid: forward kinematics keeps their lengths over the clip
    # (the two shoulder-to-hip "bones" of BONES_13 bend with the chest joint)
    rigid = BONES_13[:10]
    lengths = np.stack([np.linalg.norm(skeleton[:, a] - skeleton[:, b], axis=-1) for a, b in rigid], axis=1)
    np.testing.assert_allclose(lengths, lengths[:1].repeat(len(lengths), 0), atol=1e-9)
    # human proportions (metres): upper arm, forearm, thigh, shank
    upper_arm, forearm, thigh, shank = lengths[0, [0, 1, 4, 5]]
    assert 0.22 < upper_arm < 0.33 and 0.2 < forearm < 0.3 and 0.35 < thigh < 0.5 and 0.35 < shank < 0.5


def test_ntu_axes_put_a_front_facing_person_upright(jump):
    skeleton = deepmimic.to_ntu13(deepmimic.forward_kinematics(jump))
    first = dict(zip(SUBSET_13_NAMES, skeleton[0], strict=True))
    assert first["Head"][1] > first["ShoulderLeft"][1] > first["HipLeft"][1] > first["AnkleLeft"][1]  # y up
    # NTU's convention: a person facing the camera has the right shoulder at the larger x
    assert first["ShoulderRight"][0] > first["ShoulderLeft"][0]
    assert 2.5 < first["HipLeft"][2] < 3.5  # about 3 m from the camera
    np.testing.assert_allclose(np.linalg.det(deepmimic.DEEPMIMIC_TO_NTU_AXES), 1.0)


def test_the_jump_leaves_the_ground_after_a_crouch(jump):
    skeleton = deepmimic.to_ntu13(deepmimic.forward_kinematics(jump))
    head, ankles = skeleton[:, 0, 1], skeleton[:, [9, 12], 1].mean(1)
    top = int(ankles.argmax())
    assert ankles[top] - ankles[0] > 0.2  # both feet high off the floor
    assert head[:top].min() < head[0] - 0.2  # the crouch before take-off
    assert jump.num_frames == pytest.approx(30 * 1.77, abs=2)  # 1.77 s at NTU's 30 Hz


def test_resample_keeps_the_poses_at_the_original_times():
    motion = deepmimic.read_motion(deepmimic.DEEPMIMIC_DIR / "humanoid3d_kick.txt")
    rate = 1.0 / motion.durations[0]  # the clip's own rate: resampling changes nothing
    again = deepmimic.resample(motion, fps=rate)
    n = min(again.num_frames, motion.num_frames)
    a = deepmimic.to_ntu13(deepmimic.forward_kinematics(again))[:n]
    b = deepmimic.to_ntu13(deepmimic.forward_kinematics(motion))[:n]
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_aligned_mocap_has_the_shape_the_network_reads(jump):
    skeleton = deepmimic.to_ntu13(deepmimic.forward_kinematics(jump))
    aligned = align_poses(skeleton)
    assert aligned.shape == skeleton.shape and np.isfinite(aligned).all()


def test_bad_files_name_the_problem(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_text("{not json")
    with pytest.raises(DataFormatError, match="not a DeepMimic motion file"):
        deepmimic.read_motion(path)
    path.write_text(json.dumps({"Loop": "none", "Frames": [[0.1] * 43, [0.1] * 43]}))
    with pytest.raises(DataFormatError, match="44 numbers"):
        deepmimic.read_motion(path)
    urdf = tmp_path / "robot.urdf"
    urdf.write_text('<robot><joint name="a" type="fixed"><parent link="x"/><child link="y"/></joint></robot>')
    with pytest.raises(DataFormatError, match="no joint"):
        deepmimic.read_humanoid(urdf)
