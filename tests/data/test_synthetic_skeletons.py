"""The synthetic NTU generator: files the NTU reader reads back exactly, and the properties the
generator promises (views, bodies, tracking failures, bystanders, classes that share poses)."""

from __future__ import annotations

import functools
import json
import math
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from motion_rnn.data.ntu import (
    CROSS_SUBJECT_TRAIN_PERFORMERS,
    MISSING_SKELETONS,
    THESIS_VALIDATION_PERFORMERS,
    NTUSkeletonDataset,
    list_skeleton_files,
    main_body,
    main_body_index,
    parse_sample_name,
    read_skeleton,
)
from motion_rnn.data.ntu.synthetic import (
    ARM_PAIRS,
    CAMERA_ANGLES,
    MANIFEST_FILE,
    ORDER_PAIRS,
    SYNTHETIC_NTU_ACTIONS,
    SYNTHETIC_PERFORMERS,
    TIMING_PAIRS,
    SkeletonStyle,
    iter_synthetic_ntu,
    write_synthetic_ntu,
)
from motion_rnn.data.pose import bone_lengths, fill_missing, missing_joints, preprocess

PER_CLASS = 4  # 12 classes x 4 performances x 3 cameras = 144 files


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ntu") / "synthetic"
    return write_synthetic_ntu(folder, performances_per_class=PER_CLASS, seed=3)


@pytest.fixture(scope="module")
def manifest(root) -> dict:
    return json.loads((root / MANIFEST_FILE).read_text())


# ---- files and reader ------------------------------------------------------------------------


def test_files_are_named_as_ntu_and_read_back_exactly(root, manifest):
    files = sorted(root.glob("*.skeleton"))
    assert len(files) == len(SYNTHETIC_NTU_ACTIONS) * PER_CLASS * 3 == len(manifest["files"])
    expected = {s.name: s for s, _ in iter_synthetic_ntu(performances_per_class=PER_CLASS, seed=3)}
    for file in files[::7]:
        read = read_skeleton(file)
        made = expected[file.stem]
        assert read.info.label == manifest["files"][file.stem]["label"] == parse_sample_name(file).action - 1
        # The reader numbers bodies by first appearance: match them by bodyID.
        order = [made.body_ids.index(b) for b in read.body_ids]
        np.testing.assert_array_equal(read.joints, made.joints[order])
        np.testing.assert_array_equal(read.tracking_states, made.tracking_states[order])
        np.testing.assert_array_equal(read.present, made.present[order])


def test_names_avoid_the_list_of_missing_skeletons_that_readers_skip(root, manifest):
    # e.g. S001C003P002R002A012 is on the dataset authors' list: that performance moves to S002
    assert not set(manifest["files"]) & MISSING_SKELETONS
    assert "S002C003P002R002A012" in manifest["files"]
    assert len(list_skeleton_files(root, skip_missing=True)) == len(manifest["files"])


def test_every_performance_is_seen_by_the_three_cameras(manifest):
    stems = {}
    for name in manifest["files"]:
        stems.setdefault(name[:4] + name[8:], set()).add(parse_sample_name(name).camera)
    assert set(map(frozenset, stems.values())) == {frozenset({1, 2, 3})}


def test_performers_cover_the_thesis_split(root):
    parts = {}
    for split in ("train", "validation", "test"):
        ds = NTUSkeletonDataset(root, split=split, protocol="cross_subject")
        parts[split] = {parse_sample_name(n).performer for n in ds.names}
        assert len(ds) > 0
    assert parts["validation"] <= THESIS_VALIDATION_PERFORMERS
    assert parts["train"] <= CROSS_SUBJECT_TRAIN_PERFORMERS - THESIS_VALIDATION_PERFORMERS
    assert not parts["test"] & CROSS_SUBJECT_TRAIN_PERFORMERS
    assert parts["train"] | parts["validation"] | parts["test"] == set(SYNTHETIC_PERFORMERS[:PER_CLASS])
    assert len(set(SYNTHETIC_PERFORMERS) & THESIS_VALIDATION_PERFORMERS) == 2
    assert len(set(SYNTHETIC_PERFORMERS) - CROSS_SUBJECT_TRAIN_PERFORMERS) == 4


def test_lengths_vary_within_the_style_range(manifest):
    frames = [f["frames"] for f in manifest["files"].values()]
    assert 40 <= min(frames) < 60 and 100 < max(frames) <= 120


def test_generation_is_deterministic_and_skipped_when_done(tmp_path):
    first = write_synthetic_ntu(tmp_path / "a", performances_per_class=2, seed=3, num_classes=2)
    again = write_synthetic_ntu(tmp_path / "b", performances_per_class=2, seed=3, num_classes=2)
    other = write_synthetic_ntu(tmp_path / "c", performances_per_class=2, seed=4, num_classes=2)
    names = sorted(p.name for p in first.glob("*.skeleton"))
    assert len(names) == 12 and names == sorted(p.name for p in again.glob("*.skeleton"))
    assert all((first / n).read_bytes() == (again / n).read_bytes() for n in names)
    assert (first / MANIFEST_FILE).read_bytes() == (again / MANIFEST_FILE).read_bytes()
    assert all((first / n).read_bytes() != (other / n).read_bytes() for n in names)
    stamp = os.stat(first / MANIFEST_FILE).st_mtime_ns
    write_synthetic_ntu(first, performances_per_class=2, seed=3, num_classes=2)  # identical: returns at once
    assert os.stat(first / MANIFEST_FILE).st_mtime_ns == stamp
    write_synthetic_ntu(first, performances_per_class=1, seed=3, num_classes=2)  # different: rewritten
    assert len(list(first.glob("*.skeleton"))) == 6


def test_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not written by write_synthetic_ntu"):
        write_synthetic_ntu(tmp_path, performances_per_class=1, num_classes=1)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="cameras"):
        next(iter_synthetic_ntu(performances_per_class=1, cameras=(4,)))
    with pytest.raises(ValueError, match="num_classes"):
        next(iter_synthetic_ntu(performances_per_class=1, num_classes=13))


# ---- views, bodies, failures, bystanders --------------------------------------------------------


def _yaw_between(a: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray]:
    """Rotation (degrees, unit axis) that best maps the centred points b onto a (Kabsch)."""
    rotation, _ = Rotation.align_vectors(a - a.mean(0), b - b.mean(0))
    rotvec = rotation.as_rotvec()
    return math.degrees(np.linalg.norm(rotvec)), rotvec / np.linalg.norm(rotvec)


@pytest.mark.parametrize("cameras", [(2, 3), (1, 2)])
def test_cameras_see_the_same_motion_rotated_about_the_vertical(root, cameras):
    first, second = cameras
    angles = []
    for file in sorted(root.glob(f"*C00{first}*A00[1-4].skeleton")):
        a = main_body(read_skeleton(file))
        b = main_body(read_skeleton(root / file.name.replace(f"C00{first}", f"C00{second}")))
        seen = ~(missing_joints(a) | missing_joints(b))  # (T, 25): seen by both cameras
        angle, axis = _yaw_between(a[seen], b[seen])
        assert abs(abs(axis[1]) - 1) < 1e-3  # about the vertical (y) axis
        angles.append(angle * np.sign(axis[1]))
    expected = CAMERA_ANGLES[second] - CAMERA_ANGLES[first]  # camera space of k = R_y(180 - angle_k) world
    np.testing.assert_allclose(angles, expected, atol=1.0)  # noise of a few millimetres


def test_performers_differ_in_size_and_keep_it():
    sizes = {}
    for sample, facts in iter_synthetic_ntu(performances_per_class=24, seed=3, actions=(10,), cameras=(1,)):
        joints = fill_missing(main_body(sample))
        sizes.setdefault(facts["performer"], []).append(bone_lengths(joints).mean(0).sum())
    assert set(sizes) == set(SYNTHETIC_PERFORMERS) and {len(v) for v in sizes.values()} == {2}
    means = [np.mean(v) for v in sizes.values()]
    assert max(means) / min(means) > 1.15  # body scales are drawn from 0.80-1.15
    assert max(abs(v[0] - v[1]) / np.mean(v) for v in sizes.values()) < 0.02  # noise only


def test_dropped_joints_are_zeros_with_state_zero_and_filled_by_splines():
    quiet = SkeletonStyle(noise=0.0, smooth_noise=0.0, hand_noise=0.0, inferred_prob=0.0, bystander_prob=0.0)
    common = dict(performances_per_class=3, seed=5, num_classes=4, cameras=(1,))
    # The failures are drawn after the motion and the noise, so both runs share the motion.
    clean = {s.name: s for s, _ in iter_synthetic_ntu(**common, style=replace(quiet, dropout_prob=0.0))}
    errors = []
    for sample, facts in iter_synthetic_ntu(**common, style=replace(quiet, dropout_prob=1.0)):
        joints = main_body(sample)
        lost = missing_joints(joints)
        assert facts["lost_joints"] == lost.sum() > 0
        assert np.array_equal(lost, (sample.tracking_states[0] == 0) | ~sample.present[0][:, None])
        assert (joints[lost] == 0).all()
        truth = main_body(clean[sample.name])
        assert not missing_joints(truth).any()
        filled = fill_missing(joints)
        assert not missing_joints(filled).any()
        np.testing.assert_array_equal(filled[~lost], truth[~lost])
        errors.append(np.linalg.norm(filled[lost] - truth[lost], axis=-1))
    assert len(errors) == 12
    # A spline bridges a few frames of smooth motion: centimetres on average, where the zeros
    # were metres off (the performer stands 2.4-3.5 m from the camera).
    assert np.concatenate(errors).mean() < 0.03


def test_inferred_hands_have_state_one(manifest, root):
    name = next(n for n, f in manifest["files"].items() if f["inferred_joints"] > 0)
    sample = read_skeleton(root / f"{name}.skeleton")
    main = main_body_index(sample)
    assert (sample.tracking_states[main] == 1).sum() == manifest["files"][name]["inferred_joints"]


def test_bystanders_are_present_and_the_main_body_rule_finds_the_performer(root, manifest):
    two = [n for n, f in manifest["files"].items() if f["bodies"] == 2]
    assert two and any(manifest["files"][n]["main_body"] == 1 for n in two)  # first body is wrong there
    for name in two[:12]:
        assert main_body_index(read_skeleton(root / f"{name}.skeleton")) == manifest["files"][name]["main_body"]


# ---- classes that share poses ---------------------------------------------------------------------


def _bag_of_poses(x: np.ndarray) -> np.ndarray:
    """Order-free: quantiles of every coordinate over the frames (a shuffle changes nothing)."""
    return np.quantile(x.reshape(len(x), -1), [0.1, 0.3, 0.5, 0.7, 0.9], axis=0).ravel()


_BANDS = np.array([0.0, 1 / 40, 1 / 20, 1 / 14, 1 / 9, 0.51])  # cycles a frame


def _in_order(x: np.ndarray) -> np.ndarray:
    """Order-aware: 8 evenly spaced poses, and the share of each coordinate's velocity energy
    in five frequency bands (how fast it oscillates)."""
    index = np.linspace(0, len(x) - 1, 8).round().astype(int)
    velocity = np.diff(x.reshape(len(x), -1), axis=0)
    power = np.abs(np.fft.rfft(velocity - velocity.mean(0), n=256, axis=0)) ** 2
    freq = np.fft.rfftfreq(256)
    energy = np.stack([power[(freq >= lo) & (freq < hi)].sum(0) for lo, hi in zip(_BANDS[:-1], _BANDS[1:])])
    return np.concatenate([x[index].ravel(), (energy / energy.sum(0)).ravel()])


@functools.cache
def _cross_subject_accuracies(pair: tuple[int, int]) -> tuple[float, float]:
    """Accuracy on unseen performers of a linear classifier on each representation."""
    sequences, labels, train = [], [], []
    for sample, facts in iter_synthetic_ntu(performances_per_class=48, seed=11, actions=pair, cameras=(1,)):
        sequences.append(preprocess(main_body(sample)))
        labels.append(facts["label"])
        train.append(facts["performer"] in CROSS_SUBJECT_TRAIN_PERFORMERS)
    y, train = np.array(labels), np.array(train)  # 64 training and 32 test samples
    scores = []
    for features in (_bag_of_poses, _in_order):
        x = np.array([features(s) for s in sequences])
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, solver="liblinear"))
        scores.append(model.fit(x[train], y[train]).score(x[~train], y[~train]))
    return scores[0], scores[1]


@pytest.mark.parametrize("pair", [*ORDER_PAIRS, *TIMING_PAIRS])
def test_pairs_share_their_poses_and_differ_in_order_or_speed(pair):
    bag, in_order = _cross_subject_accuracies(pair)
    assert bag <= 0.75  # chance is 0.5
    assert in_order >= 0.9


def test_the_arm_pair_differs_in_its_poses():
    # The control: the same bag-of-poses classifier does tell poses apart when they differ.
    bag, _ = _cross_subject_accuracies(ARM_PAIRS[0])
    assert bag >= 0.9
