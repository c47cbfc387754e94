"""The baseline of Borg & Camilleri 2019's Table 5: polar motion profiles around the face (Shipman et al.)
on crafted frames, and the SVM pipeline."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from matplotlib import cbook

from motion_rnn.data.polar_motion import (
    FaceDetectorUnavailable,
    detect_face,
    feature_names,
    haar_face_detector,
    make_svm_baseline,
    polar_motion_features,
    polar_motion_sequence,
    segments_features,
)

FACE = (92, 40, 40, 40)  # (x, y, w, h): centre (112, 60)
F = 8 + 12 + 2


def _photo(size: int = 224) -> np.ndarray:
    bgr = cv2.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    rgb = cv2.cvtColor(cv2.resize(bgr, (size, size), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
    return rgb.transpose(2, 0, 1)  # (3, H, W)


def _clip(where: str, frames: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """10 still frames of the photograph, then ``frames`` with a white square bobbing beside the face."""
    still = np.repeat(_photo()[None], 10, axis=0)
    moving = np.repeat(_photo()[None], frames, axis=0).copy()
    for t in range(frames):
        offset = 4 * (t % 5)
        if where == "left":  # left of the face centre, at its height
            y, x = 50 + offset, 20
        else:  # above the face centre, at its x
            y, x = 2 + offset, 104
        moving[t, :, y : y + 16, x : x + 16] = 255
    return moving, still


def _fixed(box):
    return lambda grey: box


def test_a_real_face_is_detected():
    try:
        haar_face_detector()
    except FaceDetectorUnavailable as error:
        pytest.skip(str(error))
    x, y, w, h = detect_face(_photo())
    assert 60 <= x + w / 2 <= 160 and 30 <= y + h / 2 <= 130 and w >= 40  # her face, upper middle


@pytest.mark.parametrize(("where", "bin_"), [("left", 6), ("above", 3)])
def test_motion_beside_the_face_shows_in_its_orientation_bin(where, bin_):
    frames, still = _clip(where)
    rows = polar_motion_sequence(frames, still, detector=_fixed(FACE))
    assert rows.shape == (20, F) and rows.dtype == np.float32
    orientation = rows[:, 8:20].sum(axis=0)
    assert orientation.argmax() == bin_, orientation
    assert orientation[bin_] > 0.8 * orientation.sum()
    np.testing.assert_allclose(rows[:, 20], rows[:, :8].sum(axis=1), rtol=1e-5)  # both sum to the fraction
    np.testing.assert_allclose(rows[:, 20], rows[:, 8:20].sum(axis=1), rtol=1e-5)
    assert (rows[:, 21] == 1).all()
    distance = rows[:, :8].sum(axis=0)  # 0.6 to 2.3 face widths from the centre: bins 1-4 of half a width
    assert distance[1:5].sum() > 0.9 * distance.sum() and distance[0] == 0


def test_no_motion_no_profile_and_face_fallback():
    still = np.repeat(_photo()[None], 12, axis=0)
    calls = iter([FACE] * 5 + [None] * 7)  # a face in the preceding frames only
    rows = polar_motion_sequence(still[5:], still[:5], detector=lambda grey: next(calls))
    assert rows.shape == (7, F) and not rows[:, :21].any() and not rows[:, 21].any()
    frames, before = _clip("left")
    never = polar_motion_sequence(frames, before, detector=_fixed(None))  # the image centre (112, 112) instead
    assert not never[:, 21].any()
    assert never[:, 8:20].sum(axis=0).argmax() == 5  # the square is up and left of it: about 150 degrees


def test_segment_features_have_a_fixed_length():
    frames, still = _clip("left")
    names = feature_names()
    assert len(names) == F and names[8] == "orientation_0deg" and names[14] == "orientation_180deg"
    for length in (20, 7):
        features = polar_motion_features(frames[:length], still, detector=_fixed(FACE))
        assert features.shape == (2 * F,)
    rows = polar_motion_sequence(frames, still, detector=_fixed(FACE))
    features = polar_motion_features(frames, still, detector=_fixed(FACE))
    np.testing.assert_allclose(features, np.concatenate([rows.mean(0), rows.std(0)]), rtol=1e-6)
    assert segments_features([frames, frames[:5]], [still, None], detector=_fixed(FACE)).shape == (2, 2 * F)
    with pytest.raises(ValueError, match="uint8"):
        polar_motion_sequence(frames.astype(np.float32), detector=_fixed(FACE))


def test_svm_baseline_pipeline():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(c, 1.0, (30, 60)) for c in (0.0, 1.5, 3.0)])
    y = np.repeat([0, 1, 2], 30)
    model = make_svm_baseline().fit(x, y)
    assert [name for name, _ in model.steps] == ["scale", "pca", "svm"]
    assert model.named_steps["pca"].n_components == 50
    svm = model.named_steps["svm"].estimator
    assert svm.kernel == "rbf" and svm.class_weight == "balanced"
    probabilities = model.predict_proba(x)
    assert probabilities.shape == (90, 3) and np.allclose(probabilities.sum(1), 1)
    assert (model.predict(x) == y).mean() > 0.9
    assert [name for name, _ in make_svm_baseline(pca=False).steps] == ["scale", "svm"]
