r"""The hand-crafted baseline of Borg & Camilleri 2019's Table 5: Shipman et al.'s polar motion profiles
[2, 3, 5] and an SVM.

The paper describes the baseline in one sentence (Sec. 2): background subtraction, then "polar motion
profiles ... [which] describe foreground pixels in terms of their distributions of distances and polar
orientations from the centre of the face", and re-implements it on its own data (Sec. 5.2.2); the
authors' code holds only the SVM (an RBF ``SVC``, optionally after PCA to 50 dimensions). The details
below are therefore ours:

* Face: OpenCV's Haar frontal-face cascade (``haarcascade_frontalface_default.xml``, Viola-Jones, the
  detector family Shipman et al. use), on the histogram-equalised grey frame; the largest face wins.
  OpenCV 5 dropped ``cv2.CascadeClassifier`` and the bundled cascades from its main modules; with such a
  build :func:`detect_face` raises :class:`FaceDetectorUnavailable`, and any ``detector`` callable
  ``(H, W) uint8 grey -> (x, y, w, h) or None`` can be passed instead.
* Frames without a face: the face of the latest earlier frame that had one (the preceding frames count),
  else the image centre with a face width of a quarter of the shorter image side; a ``face_found``
  feature (1 or 0) says which.
* Foreground: OpenCV's MOG2 background subtractor (defaults: history 500, variance threshold 16, shadow
  detection), run over the preceding frames first so that the model has seen the background; shadows
  (mask value 127) count as background.
* Profiles: for each foreground pixel, its distance from the face centre divided by the face width, in
  ``distance_bins`` bins up to ``max_distance`` face widths (farther pixels go in the last bin), and its
  polar orientation atan2(-(y - y_c), x - x_c) (0 to the right of the face in the image, 90 degrees
  above it, 180 to its left), in ``orientation_bins`` bins centred on 0, 360/n, ... degrees. Each
  histogram counts pixels divided by the frame's pixel count, so its sum is the foreground fraction: the
  amount of motion stays in the profile.
* Per frame: ``[distance histogram, orientation histogram, foreground fraction, face_found]``
  (:func:`polar_motion_sequence`, the input of "baseline + RNN"); per 20-frame segment, the mean and the
  standard deviation over its frames (:func:`polar_motion_features`, the SVM's input).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import torch
from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

__all__ = [
    "DISTANCE_BINS",
    "MAX_DISTANCE",
    "ORIENTATION_BINS",
    "PCA_COMPONENTS",
    "FaceDetectorUnavailable",
    "detect_face",
    "feature_names",
    "haar_face_detector",
    "make_svm_baseline",
    "polar_motion_features",
    "polar_motion_sequence",
    "segments_features",
]

Box = tuple[int, int, int, int]
Detector = Callable[[np.ndarray], "Box | None"]

DISTANCE_BINS = 8
"""Distance bins, each half a face width wide up to :data:`MAX_DISTANCE` (our choice)."""
MAX_DISTANCE = 4.0
"""Face widths covered by the distance bins; farther pixels go in the last bin (our choice)."""
ORIENTATION_BINS = 12
"""Orientation bins of 30 degrees (our choice)."""
PCA_COMPONENTS = 50
"""The authors' SVM code: PCA to 50 dimensions before the SVC (optional)."""
HAAR_CASCADE = "haarcascade_frontalface_default.xml"


class FaceDetectorUnavailable(RuntimeError):
    """The installed OpenCV has no ``CascadeClassifier`` or no bundled Haar cascades (OpenCV 5)."""


@lru_cache(maxsize=1)
def haar_face_detector() -> Detector:
    """OpenCV's Haar frontal-face detector as a callable ``grey (H, W) uint8 -> (x, y, w, h) | None``,
    the largest face found (scale factor 1.1, 5 neighbours, faces of 20 pixels and more)."""
    folder = getattr(getattr(cv2, "data", None), "haarcascades", None)
    path = Path(folder or "") / HAAR_CASCADE
    if not hasattr(cv2, "CascadeClassifier") or not path.is_file():
        raise FaceDetectorUnavailable(
            f"OpenCV {cv2.__version__} has no cv2.CascadeClassifier or no {HAAR_CASCADE} (OpenCV 5 moved the "
            "Haar cascades out of its main modules); install opencv-python-headless<5, or pass detector=..."
        )
    cascade = cv2.CascadeClassifier(str(path))

    def detect(grey: np.ndarray) -> Box | None:
        faces = cascade.detectMultiScale(cv2.equalizeHist(grey), scaleFactor=1.1, minNeighbors=5, minSize=(20, 20))
        if len(faces) == 0:
            return None
        x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
        return int(x), int(y), int(w), int(h)

    return detect


def _frames_hwc(frames: np.ndarray | torch.Tensor) -> np.ndarray:
    """``(T, 3, H, W)`` RGB or ``(T, H, W)`` grey uint8 -> ``(T, H, W, 3)`` BGR (MOG2 and Haar's order)."""
    array = frames.numpy() if isinstance(frames, torch.Tensor) else np.asarray(frames)
    if array.dtype != np.uint8:
        raise ValueError(f"expected uint8 frames, got {array.dtype}")
    if array.ndim == 3:
        return np.repeat(array[..., None], 3, axis=-1)
    if array.ndim == 4 and array.shape[1] == 3:
        return np.ascontiguousarray(array[:, ::-1].transpose(0, 2, 3, 1))
    raise ValueError(f"expected frames (T, 3, H, W) or (T, H, W), got {array.shape}")


def detect_face(image: np.ndarray, detector: Detector | None = None) -> Box | None:
    """The largest face ``(x, y, w, h)`` in one ``(3, H, W)`` RGB or ``(H, W)`` grey uint8 image, or None."""
    grey = (
        image if image.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(image.transpose(1, 2, 0)), cv2.COLOR_RGB2GRAY)
    )
    return (detector or haar_face_detector())(grey)


def feature_names(distance_bins: int = DISTANCE_BINS, orientation_bins: int = ORIENTATION_BINS) -> list[str]:
    """Names of the per-frame features of :func:`polar_motion_sequence`, in order."""
    step = 360 / orientation_bins
    return (
        [f"distance_{i}" for i in range(distance_bins)]
        + [f"orientation_{i * step:g}deg" for i in range(orientation_bins)]
        + ["foreground_fraction", "face_found"]
    )


def _profile(mask: np.ndarray, face: Box, distance_bins: int, orientation_bins: int, max_distance: float) -> np.ndarray:
    x, y, w, h = face
    cy, cx = y + h / 2, x + w / 2
    ys, xs = np.nonzero(mask)
    distance = np.hypot(xs - cx, ys - cy) / w
    d_bin = np.minimum((distance * (distance_bins / max_distance)).astype(np.int64), distance_bins - 1)
    angle = np.arctan2(-(ys - cy), xs - cx)  # y up: 0 right, pi/2 above, pi left of the face
    o_bin = np.round(angle * (orientation_bins / (2 * np.pi))).astype(np.int64) % orientation_bins
    pixels = mask.size
    return np.concatenate(
        [
            np.bincount(d_bin, minlength=distance_bins) / pixels,
            np.bincount(o_bin, minlength=orientation_bins) / pixels,
            [len(xs) / pixels],
        ]
    )


def polar_motion_sequence(
    frames: np.ndarray | torch.Tensor,
    preceding: np.ndarray | torch.Tensor | None = None,
    *,
    detector: Detector | None = None,
    distance_bins: int = DISTANCE_BINS,
    orientation_bins: int = ORIENTATION_BINS,
    max_distance: float = MAX_DISTANCE,
) -> np.ndarray:
    """Per-frame polar motion profiles: ``(T, 3, H, W)`` RGB or ``(T, H, W)`` grey uint8 frames ->
    ``(T, distance_bins + orientation_bins + 2)`` float32 (:func:`feature_names`).

    ``preceding`` frames (same layout) only train the background model and offer a face to fall back on;
    they get no row. See the module docstring for every choice.
    """
    detector = detector or haar_face_detector()
    segment = _frames_hwc(frames)
    before = _frames_hwc(preceding) if preceding is not None and len(preceding) else segment[:0]
    if before.shape[1:] != segment.shape[1:]:
        raise ValueError(f"preceding frames {before.shape[1:]} and frames {segment.shape[1:]} differ in size")
    height, width = segment.shape[1:3]
    side = min(height, width) // 4
    face: Box = (width // 2 - side // 2, height // 2 - side // 2, side, side)  # no face yet: the centre
    subtractor = cv2.createBackgroundSubtractorMOG2()
    rows = []
    for t, bgr in enumerate(np.concatenate([before, segment])):
        mask = subtractor.apply(bgr) == 255  # 127: shadow, background
        found = detector(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))
        face = found or face
        if t >= len(before):
            profile = _profile(mask, face, distance_bins, orientation_bins, max_distance)
            rows.append(np.append(profile, float(found is not None)))
    return np.asarray(rows, np.float32)


def polar_motion_features(
    frames: np.ndarray | torch.Tensor,
    preceding: np.ndarray | torch.Tensor | None = None,
    **options,
) -> np.ndarray:
    """A segment's fixed-length feature vector: the mean, then the standard deviation, over its frames of
    :func:`polar_motion_sequence` (same arguments): ``2 (distance_bins + orientation_bins + 2)`` float32."""
    rows = polar_motion_sequence(frames, preceding, **options)
    return np.concatenate([rows.mean(axis=0), rows.std(axis=0)]).astype(np.float32)


def make_svm_baseline(
    *, pca: bool = True, n_components: int = PCA_COMPONENTS, C: float = 1.0, random_state: int | None = 0
) -> Pipeline:
    """Table 5's baseline classifier, as the authors' ``train_CNN_SVM_model.py``: standardised features,
    optionally PCA to 50 dimensions, and an RBF ``SVC`` (one-vs-one over the three classes).

    Probabilities, so that a log loss can be reported as Table 5 does: Platt's sigmoid fitted on
    cross-validated decision values, the final SVC fitted on all the data; that is ``SVC(probability=True)``,
    which scikit-learn 1.9 deprecates for ``CalibratedClassifierCV(SVC(), ensemble=False)``, used here
    (5 folds; it calibrates each class one-vs-rest and normalises, where libsvm couples the pairs).
    ``class_weight="balanced"``, as the authors weight the classes by their frequency when training the
    recurrent head (their SVM script leaves the weights equal). PCA needs at least ``n_components``
    samples and features. The SVC is ``model.named_steps["svm"].estimator``.
    """
    steps: list[tuple[str, object]] = [("scale", StandardScaler())]
    if pca:
        steps.append(("pca", PCA(n_components=n_components, random_state=random_state)))
    svc = SVC(kernel="rbf", C=C, class_weight="balanced", random_state=random_state)
    steps.append(("svm", CalibratedClassifierCV(svc, method="sigmoid", cv=5, ensemble=False)))
    return Pipeline(steps)


def segments_features(
    segments: Sequence[np.ndarray], preceding: Sequence[np.ndarray | None] | None = None, **options
) -> np.ndarray:
    """:func:`polar_motion_features` of several segments, stacked: ``(N, 2 F)``."""
    preceding = preceding if preceding is not None else [None] * len(segments)
    return np.stack([polar_motion_features(s, p, **options) for s, p in zip(segments, preceding)])
