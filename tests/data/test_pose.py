"""Preprocessing of Le Roux (2017): gap filling, translation, joint subset, motion, alignment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from motion_rnn.data.ntu import main_body, read_skeleton
from motion_rnn.data.pose import (
    BONES_13,
    BONES_25,
    JOINT_NAMES,
    NTU13,
    NTU25,
    SUBSET_13,
    SUBSET_13_NAMES,
    align_poses,
    bone_length_statistics,
    bone_lengths,
    fill_missing,
    layout_for,
    missing_joints,
    preprocess,
    rotation_from_pose,
    scale_factor,
    select_joints,
    skeleton_motion,
    torso_position,
    translate_per_frame,
    translate_to_first_torso,
)

REAL = main_body(read_skeleton(Path(__file__).parent / "ntu" / "S001C001P001R001A001.skeleton"))
REAL64 = REAL.astype(np.float64)  # (103, 25, 3), metres

FAST = settings(max_examples=40, deadline=None)  # a few seconds a test on two cores


# ---- joints and layouts ---------------------------------------------------------------------


def test_the_13_joints_are_those_of_the_video_pose_estimator():
    assert SUBSET_13_NAMES == (
        "Head", "ShoulderLeft", "ElbowLeft", "WristLeft", "ShoulderRight", "ElbowRight",
        "WristRight", "HipLeft", "KneeLeft", "AnkleLeft", "HipRight", "KneeRight", "AnkleRight",
    )  # fmt: skip
    dropped = set(JOINT_NAMES) - set(SUBSET_13_NAMES)
    assert len(dropped) == 12
    assert dropped == {
        "SpineBase", "SpineMid", "Neck", "SpineShoulder", "HandLeft", "HandRight",
        "HandTipLeft", "HandTipRight", "ThumbLeft", "ThumbRight", "FootLeft", "FootRight",
    }  # fmt: skip
    assert select_joints(REAL).shape == (103, 13, 3)
    np.testing.assert_array_equal(select_joints(REAL)[:, 0], REAL[:, 3])


def test_layouts_name_the_shoulders_and_hips():
    for layout in (NTU25, NTU13):
        four = (layout.shoulder_left, layout.shoulder_right, layout.hip_left, layout.hip_right)
        names = [layout.names[i] for i in four]
        assert names == ["ShoulderLeft", "ShoulderRight", "HipLeft", "HipRight"]
    assert NTU25.names[NTU25.torso] == "SpineMid"
    assert len(BONES_25) == 24 and len(BONES_13) == 12
    assert layout_for(25) is NTU25 and layout_for(13) is NTU13
    with pytest.raises(ValueError, match="25 .* or 13"):
        layout_for(20)
    with pytest.raises(ValueError, match=r"\(\.\.\., T, J, 3\)"):
        torso_position(np.zeros((5, 25)))


def test_bones_connect_the_skeleton():
    # each bone set spans a connected graph; the Kinect tree has J - 1 bones
    for bones, num_joints in ((BONES_25, 25), (BONES_13, 13)):
        reached, frontier = {bones[0][0]}, [bones[0][0]]
        while frontier:
            joint = frontier.pop()
            for p, c in bones:
                for a, b in ((p, c), (c, p)):
                    if a == joint and b not in reached:
                        reached.add(b)
                        frontier.append(b)
        expected = set(range(num_joints)) - ({0} if num_joints == 13 else set())  # head has no bone
        assert reached == expected
    lengths = bone_lengths(REAL64)
    assert lengths.shape == (103, 24) and 0.02 < lengths.mean() < 0.4  # metres


# ---- gap filling ------------------------------------------------------------------------------


def _smooth(t, rng, num_joints=25):
    """(T, J, 3) slow sinusoids, a smooth stand-in for joint trajectories."""
    amplitude, frequency, phase = rng.uniform(0.1, 1, (3, num_joints, 3))
    return 2 + amplitude * np.sin(2 * np.pi * frequency * t[:, None, None] / 40 + 6 * phase)


@FAST
@given(seed=st.integers(0, 2**32 - 1), fraction=st.floats(0.05, 0.3))
def test_spline_filling_recovers_a_smooth_trajectory_with_dropped_frames(seed, fraction):
    rng = np.random.default_rng(seed)
    t = np.arange(80)
    truth = _smooth(t, rng)
    dropped = rng.random((80, 25)) < fraction
    dropped[:2] = dropped[-2:] = False  # interior gaps: edges are held, not interpolated
    dropped[rng.integers(2, 78)] = True  # and a frame where the whole body is lost
    seq = np.where(dropped[..., None], 0.0, truth)
    assert (missing_joints(seq) == dropped).all()
    filled = fill_missing(seq)
    np.testing.assert_array_equal(filled[~dropped], truth[~dropped])  # seen values untouched
    assert np.abs(filled - truth).max() < 0.02  # amplitude <= 1, gaps of a few frames


def test_spline_filling_is_exact_for_cubic_trajectories():
    t = np.arange(30, dtype=float)
    rng = np.random.default_rng(4)
    coefficients = rng.normal(size=(4, 25, 3))
    truth = sum(c * (t[:, None, None] / 30) ** k for k, c in enumerate(coefficients))
    seq = truth.copy()
    seq[[3, 4, 5, 11, 20, 21], :] = np.nan
    np.testing.assert_allclose(fill_missing(seq), truth, atol=1e-9)


def test_spline_filling_edges_and_degenerate_joints():
    seq = np.tile(np.arange(1.0, 11.0)[:, None, None], (1, 25, 3))  # x = y = z = t + 1
    seq[:3, 0] = 0.0  # joint 0 lost in the first three frames -> first seen value
    seq[-2:, 1] = 0.0  # joint 1 lost in the last two -> last seen value
    seq[:, 2] = 0.0  # joint 2 never seen -> stays zero
    seq[:, 3] = 0.0
    seq[4, 3] = 7.0  # joint 3 seen once -> that value throughout
    filled = fill_missing(seq.astype(np.float32))
    assert filled.dtype == np.float32
    np.testing.assert_array_equal(filled[:3, 0], 4.0)
    np.testing.assert_array_equal(filled[-2:, 1], 8.0)
    np.testing.assert_array_equal(filled[:, 2], 0.0)
    np.testing.assert_array_equal(filled[:, 3], 7.0)
    np.testing.assert_array_equal(filled[:, 4:], seq[:, 4:])


def test_spline_filling_takes_an_explicit_mask_and_batches():
    rng = np.random.default_rng(5)
    batch = np.stack([_smooth(np.arange(40), rng) for _ in range(3)])  # (B, T, J, 3)
    mask = np.zeros(batch.shape[:-1], bool)
    mask[1, 10:13, 6] = True  # e.g. tracking_states == 0
    corrupted = batch.copy()
    corrupted[1, 10:13, 6] = 5.0  # wrong but not zero: only the mask can tell
    filled = fill_missing(corrupted, missing=mask)
    np.testing.assert_allclose(filled, batch, atol=0.01)
    np.testing.assert_array_equal(filled[0], batch[0])


def test_real_sequence_is_unchanged_by_filling():
    assert not missing_joints(REAL).any()
    np.testing.assert_array_equal(fill_missing(REAL), REAL)


# ---- translation and motion ---------------------------------------------------------------------

sequences = arrays(
    np.float64, st.tuples(st.integers(1, 12), st.sampled_from([25, 13]), st.just(3)),
    elements=st.floats(-10, 10, allow_nan=False),
)  # fmt: skip


@FAST
@given(sequences)
def test_baseline_translation_puts_the_first_torso_at_the_origin(seq):
    out = translate_to_first_torso(seq)
    np.testing.assert_allclose(torso_position(out)[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(out - out[:1, :1], seq - seq[:1, :1], atol=1e-12)  # one shift for all


@FAST
@given(sequences)
def test_per_frame_translation_puts_every_torso_at_the_origin(seq):
    np.testing.assert_allclose(torso_position(translate_per_frame(seq)), 0.0, atol=1e-12)


def test_torso_of_13_joints_is_the_centre_of_shoulders_and_hips():
    np.testing.assert_allclose(torso_position(select_joints(REAL64)), REAL64[:, [4, 8, 12, 16]].mean(axis=1))
    np.testing.assert_array_equal(torso_position(REAL64), REAL64[:, 1])


@FAST
@given(sequences)
def test_skeleton_motion_is_the_frame_difference(seq):
    motion = skeleton_motion(seq)
    assert motion.shape == (seq.shape[0] - 1, *seq.shape[1:])
    np.testing.assert_allclose(seq[0] + np.cumsum(motion, axis=0), seq[1:], atol=1e-9)
    batched = skeleton_motion(np.stack([seq, 2 * seq]))
    np.testing.assert_allclose(batched[1], 2 * motion, atol=1e-9)


# ---- alignment ----------------------------------------------------------------------------------


@st.composite
def similarity_transforms(draw):
    """A random proper rotation, translation and uniform scale."""
    q = np.array(draw(st.tuples(*[st.floats(-1, 1)] * 4)))
    if np.linalg.norm(q) < 0.1:
        q = np.array([1.0, 0, 0, 0])
    w, x, y, z = q / np.linalg.norm(q)
    rotation = np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])  # fmt: skip
    translation = np.array(draw(st.tuples(*[st.floats(-5, 5)] * 3)))
    scale = draw(st.floats(0.05, 20))
    return rotation, translation, scale


def _clip(draw_start, num_joints):
    clip = REAL64[draw_start : draw_start + 20]
    return clip if num_joints == 25 else select_joints(clip)


@FAST
@given(similarity_transforms(), st.integers(0, 80), st.sampled_from([25, 13]))
def test_alignment_ignores_a_global_rotation_translation_and_scaling(transform, start, num_joints):
    rotation, translation, scale = transform
    seq = _clip(start, num_joints)
    moved = scale * seq @ rotation.T + translation
    reference = np.linspace(0.1, 0.5, len(layout_for(num_joints).bones))
    for kwargs in ({}, {"reference_bone_lengths": reference}):
        np.testing.assert_allclose(align_poses(moved, **kwargs), align_poses(seq, **kwargs), atol=1e-9)


@FAST
@given(st.integers(0, 80), st.sampled_from([25, 13]))
def test_aligned_poses_face_the_body_axes(start, num_joints):
    seq = _clip(start, num_joints)
    layout = layout_for(num_joints)
    out = align_poses(seq)
    np.testing.assert_allclose(torso_position(out), 0.0, atol=1e-9)  # every frame
    first = out[0]
    shoulders = first[layout.shoulder_left] - first[layout.shoulder_right]
    assert shoulders[0] > 0 and np.allclose(shoulders[1:], 0, atol=1e-9)  # right -> left is +x
    up = (first[layout.shoulder_left] + first[layout.shoulder_right]) / 2 - (
        first[layout.hip_left] + first[layout.hip_right]
    ) / 2
    assert up[1] > 0 and abs(up[2]) < 1e-9  # hips -> shoulders in the x-y plane, +y
    assert np.isclose(bone_lengths(out).mean(), 1.0)  # default: unit mean bone length


def test_alignment_of_a_real_sequence_puts_the_actor_upright():
    out = align_poses(REAL64)
    head, feet = out[:, 3], out[:, [15, 19]].mean(axis=1)
    assert (head[:, 1] > feet[:, 1] + 1).all()  # y up, head over feet by over a bone length
    # a person facing the Kinect faces +z after alignment: toes in front of ankles
    assert (out[:, [15, 19], 2] > out[:, [14, 18], 2]).mean() > 0.9


def test_rotation_is_proper_and_batches():
    rotations = rotation_from_pose(np.stack([REAL64[0], REAL64[50]]))
    for r in rotations:
        np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
        assert np.isclose(np.linalg.det(r), 1.0)
    batch = np.stack([REAL64[:30], REAL64[40:70]])
    np.testing.assert_allclose(align_poses(batch)[1], align_poses(REAL64[40:70]), atol=1e-12)


def test_alignment_refuses_a_degenerate_first_frame():
    seq = REAL64[:5].copy()
    seq[0, 8] = seq[0, 4]
    with pytest.raises(ValueError, match="shoulders coincide"):
        align_poses(seq)


def test_scaling_follows_the_bone_length_statistics():
    statistics = bone_length_statistics([REAL64[:50], REAL64[50:]])
    np.testing.assert_allclose(statistics, bone_lengths(REAL64).mean(axis=0))
    assert np.isclose(scale_factor(REAL64, statistics), 1.0)
    assert np.isclose(scale_factor(0.5 * REAL64, statistics), 2.0)
    out = align_poses(0.5 * REAL64, reference_bone_lengths=statistics)
    np.testing.assert_allclose(bone_lengths(out).mean(axis=0).sum(), statistics.sum())
    with pytest.raises(ValueError, match="reference_bone_lengths"):
        scale_factor(REAL64, statistics[:12])
    lost = REAL64.copy()
    lost[:10, 7] = 0.0  # HandLeft lost: its two bones leave those frames out
    np.testing.assert_allclose(bone_length_statistics([lost])[7], bone_lengths(REAL64[10:])[:, 7].mean())


# ---- the Table 9 pipelines -------------------------------------------------------------------------


@pytest.mark.parametrize("num_joints", [25, 13])
@pytest.mark.parametrize("align", [False, True])
def test_preprocess_gives_each_cell_of_table_9(num_joints, align):
    seq = REAL.copy()
    seq[20:23, 6] = 0.0  # a Kinect failure
    out = preprocess(seq, num_joints=num_joints, align=align)
    assert out.shape == (103, num_joints, 3) and out.dtype == np.float32
    clean = preprocess(REAL, num_joints=num_joints, align=align)
    assert np.abs(out - clean).max() < 0.05 * np.abs(clean).max()  # the gap is filled
    centre = torso_position(out)
    np.testing.assert_allclose(centre[0], 0.0, atol=1e-6)
    if align:
        np.testing.assert_allclose(centre, 0.0, atol=1e-5)
    else:
        kept = list(SUBSET_13) if num_joints == 13 else slice(None)
        np.testing.assert_allclose(out[5] - out[0], (seq[5] - seq[0])[kept], atol=1e-5)
    with pytest.raises(ValueError, match="25 or 13"):
        preprocess(seq, num_joints=12)
