"""3D poses estimated in real videos, and the temporal consistency of Le Roux (2017), Sec. 4.1.2.

Table 10 of the thesis recognises NTU actions in YouTube clips from 3D poses that LCR-net
estimates frame by frame; LCR-net gives several scored 2D/3D pose hypotheses per frame, and two
ways of choosing one per frame are compared:

* **2D tracking** -> :func:`track_2d`: "selecting the top-scored 3D pose for each frame. Then,
  to avoid switching between actors, we prune any 3D pose that does not have a sufficient 2D
  overlap with the 3D pose selected in the previous frame. The 2D overlap is computed as the 2D
  Euclidean distance between 2D poses."
* **3D temporal smoothing** -> :func:`viterbi_smoothing`: states are pose hypotheses, the
  transition probability comes from the Euclidean distance between 3D poses, the observation
  probability from the estimator's scores, and the most probable sequence of states

  .. math:: p(\\pi_{0:T} | O_{0:T}) \\propto \\prod_{t=1}^T p(\\pi_t|\\pi_{t-1})
            \\prod_{t=0}^T p(O_t|\\pi_t)

  is found by Viterbi.

Here the estimator is MediaPipe Pose (``tools/estimate_poses.py``, run in the environment of
``make pose-env``; this module imports numpy only). It stores per clip the 33 MediaPipe landmarks
of H = 2 hypotheses per frame: MediaPipe's pose and its front/back flip (left and right swapped,
depth negated), the ambiguity the thesis names. :func:`read_estimated` maps them onto the 13 NTU
joints of :data:`~motion_rnn.data.pose.SUBSET_13` (:data:`MEDIAPIPE_TO_NTU13`) in NTU's camera
axes (:data:`MEDIAPIPE_TO_NTU_AXES`). The clips and their NTU labels are in
``resources/estimated_poses/clips.csv`` (:func:`list_clips`): ``start_frame`` and ``end_frame``
are 0-based video frame numbers, the end excluded; ``roi`` is the region of the frame the
estimator saw (the thesis "manually specif[ies] the actor of interest in the first frame").

Where the thesis leaves a detail open, the choice made here is marked "Our choice".
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from motion_rnn.data.errors import DataFormatError

__all__ = [
    "ESTIMATED_POSES_DIR",
    "MEDIAPIPE_LANDMARKS",
    "MEDIAPIPE_TO_NTU13",
    "MEDIAPIPE_TO_NTU_AXES",
    "EstimatedClip",
    "PoseHypotheses",
    "SelectedPoses",
    "best_per_frame",
    "list_clips",
    "mediapipe_to_ntu13",
    "read_estimated",
    "read_strip",
    "strip_frame_indices",
    "track_2d",
    "viterbi_smoothing",
]

ESTIMATED_POSES_DIR = Path(__file__).resolve().parent / "resources" / "estimated_poses"
"""The stored estimates: ``clips.csv``, ``<clip_id>.npz``, ``provenance.json``."""

MEDIAPIPE_LANDMARKS: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer", "left_ear", "right_ear",
    "mouth_left", "mouth_right", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
"""MediaPipe Pose's 33 landmarks in its order (``mp.solutions.pose.PoseLandmark``). Left and
right are the person's own."""

MEDIAPIPE_TO_NTU13: tuple[tuple[str, tuple[int, ...], str], ...] = (
    ("Head", (7, 8), "the middle of the two ears: the Kinect's Head joint sits in the centre of "
     "the head, level with the ears; the nose is ~10 cm in front of it"),
    ("ShoulderLeft", (11,), "left_shoulder"),
    ("ElbowLeft", (13,), "left_elbow"),
    ("WristLeft", (15,), "left_wrist (NTU's HandLeft, the middle of the hand, is dropped)"),
    ("ShoulderRight", (12,), "right_shoulder"),
    ("ElbowRight", (14,), "right_elbow"),
    ("WristRight", (16,), "right_wrist"),
    ("HipLeft", (23,), "left_hip"),
    ("KneeLeft", (25,), "left_knee"),
    ("AnkleLeft", (27,), "left_ankle (heel and foot tip are dropped, as NTU's FootLeft is)"),
    ("HipRight", (24,), "right_hip"),
    ("KneeRight", (26,), "right_knee"),
    ("AnkleRight", (28,), "right_ankle"),
)  # fmt: skip
"""For each joint of :data:`~motion_rnn.data.pose.SUBSET_13`, in its order: the NTU joint name,
the MediaPipe landmarks whose mean gives it, and why. Both skeletons name sides from the
person's point of view, so left maps to left."""

MEDIAPIPE_TO_NTU_AXES = np.diag([-1.0, -1.0, 1.0])
"""NTU camera axes from MediaPipe's world axes: :math:`P_{NTU} = A\\, P_{MP}`.

MediaPipe's world landmarks (metres, origin between the hips) have x to the image right, y down
and z away from the camera (checked on the stored clips: raised wrists have negative y, the nose
of a person facing the camera a negative z, their left shoulder a positive x). NTU's Kinect
camera space has y up and z away from the camera, and x towards the *image left* of an ordinary
(unmirrored) camera view: in ``S001C001P001R001A001`` x rises with the Kinect's colorX
(correlation 0.98; its colour frames are mirrored) and the right shoulder has the larger x
while the actor faces the camera (feet and hands in front of the body, nearer the camera).
So x and y are negated: a rotation by 180 degrees about the optical axis, which keeps the
skeleton's handedness (negating one axis alone would turn a right-handed wave into a left-handed
body labelled right)."""

_WORLD_MAP = np.zeros((13, len(MEDIAPIPE_LANDMARKS)))
for _row, (_name, _indices, _why) in enumerate(MEDIAPIPE_TO_NTU13):
    _WORLD_MAP[_row, list(_indices)] = 1.0 / len(_indices)

_CLIP_COLUMNS = (
    "clip_id",
    "package",
    "version",
    "path_in_package",
    "start_frame",
    "end_frame",
    "ntu_label",
    "ntu_name",
    "licence",
    "description",
    "roi",
)


def mediapipe_to_ntu13(landmarks: np.ndarray, *, axes: bool = True) -> np.ndarray:
    """(..., 33, D) MediaPipe landmarks -> (..., 13, D) in the joint order of SUBSET_13.

    With ``axes`` (3D world landmarks, D = 3) the result is in NTU's camera axes
    (:data:`MEDIAPIPE_TO_NTU_AXES`); pass ``axes=False`` for 2D image landmarks, which keep
    their image coordinates.
    """
    landmarks = np.asarray(landmarks, dtype=np.float64)
    if landmarks.ndim < 2 or landmarks.shape[-2] != len(MEDIAPIPE_LANDMARKS):
        raise ValueError(f"expected (..., 33, D) MediaPipe landmarks, got shape {landmarks.shape}")
    joints = np.einsum("jk,...kd->...jd", _WORLD_MAP, landmarks)
    if axes:
        if joints.shape[-1] != 3:
            raise ValueError(f"axes=True needs 3D landmarks, got D = {joints.shape[-1]}")
        joints = joints @ MEDIAPIPE_TO_NTU_AXES.T
    return joints


# --------------------------------------------------------------------------------------------
# The stored clips
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EstimatedClip:
    """One row of ``clips.csv``."""

    clip_id: str
    package: str
    version: str
    path_in_package: str
    start_frame: int
    end_frame: int
    ntu_label: int
    ntu_name: str
    licence: str
    description: str
    roi: str


def list_clips(path: str | os.PathLike | None = None) -> list[EstimatedClip]:
    """The clips of ``clips.csv`` (default the stored one), checked against NTU's class names."""
    from motion_rnn.data.ntu.reader import ACTION_NAMES

    path = Path(path) if path is not None else ESTIMATED_POSES_DIR / "clips.csv"
    if not path.is_file():
        raise DataFormatError.build(path, found="no file", expected="clips.csv", fix="restore it from git")
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != _CLIP_COLUMNS:
            raise DataFormatError.build(
                path, line=1, found=f"columns {reader.fieldnames}", expected=f"{list(_CLIP_COLUMNS)}",
                fix="write the header in that order",
            )  # fmt: skip
        clips = []
        for line, row in enumerate(reader, start=2):
            try:
                clip = EstimatedClip(
                    **{k: row[k] for k in _CLIP_COLUMNS if k not in ("start_frame", "end_frame", "ntu_label")},
                    start_frame=int(row["start_frame"]),
                    end_frame=int(row["end_frame"]),
                    ntu_label=int(row["ntu_label"]),
                )
            except (TypeError, ValueError):
                raise DataFormatError.build(
                    path, line=line, found=f"row {row}", expected="integer frames and label",
                    fix="correct the row",
                ) from None  # fmt: skip
            if not 0 <= clip.ntu_label < len(ACTION_NAMES) or ACTION_NAMES[clip.ntu_label] != clip.ntu_name:
                raise DataFormatError.build(
                    path, line=line, found=f"ntu_label {clip.ntu_label} with ntu_name {clip.ntu_name!r}",
                    expected="a 0-based NTU action index and its name (resources/ntu60_actions.csv)",
                    fix="make label and name agree",
                )  # fmt: skip
            if not 0 <= clip.start_frame < clip.end_frame:
                raise DataFormatError.build(
                    path, line=line, found=f"frames {clip.start_frame}..{clip.end_frame}",
                    expected="0 <= start_frame < end_frame", fix="correct the frame numbers",
                )  # fmt: skip
            clips.append(clip)
    return clips


@dataclass(frozen=True)
class PoseHypotheses:
    """H pose hypotheses per frame in the 13-joint layout of SUBSET_13.

    * ``world`` (T, H, 13, 3) float64: 3D joints in NTU's camera axes, metres, origin between
      the hips (MediaPipe's world frame turned by :data:`MEDIAPIPE_TO_NTU_AXES`);
    * ``image`` (T, H, 13, 2) float64: 2D joints, x right and y down, normalised by the size of
      the image region the estimator saw;
    * ``score`` (T, H) float64: the estimator's score (mean visibility; 0 where invalid);
    * ``valid`` (T, H) bool: False for a hypothesis that does not exist (a frame with no
      detection has none); its arrays are zeros.
    """

    world: np.ndarray
    image: np.ndarray
    score: np.ndarray
    valid: np.ndarray
    name: str = ""

    def __post_init__(self) -> None:
        t, h = np.shape(self.valid)
        shapes = {
            "world": (np.shape(self.world), (t, h, 13, 3)),
            "image": (np.shape(self.image), (t, h, 13, 2)),
            "score": (np.shape(self.score), (t, h)),
        }
        for what, (got, want) in shapes.items():
            if got != want:
                raise ValueError(f"{self.name or 'hypotheses'}: {what} has shape {got}, expected {want}")

    @property
    def num_frames(self) -> int:
        return self.valid.shape[0]

    @property
    def num_hypotheses(self) -> int:
        return self.valid.shape[1]

    @classmethod
    def from_mediapipe(
        cls, world: np.ndarray, image: np.ndarray, score: np.ndarray, valid: np.ndarray, name: str = ""
    ) -> PoseHypotheses:
        """From the arrays of one ``.npz`` (33 landmarks) to the 13 NTU joints."""
        valid = np.asarray(valid, dtype=bool)
        keep = valid[..., None, None]
        return cls(
            world=np.where(keep, mediapipe_to_ntu13(world), 0.0),
            image=np.where(keep, mediapipe_to_ntu13(image, axes=False), 0.0),
            score=np.where(valid, np.asarray(score, dtype=np.float64), 0.0),
            valid=valid,
            name=name,
        )


def read_estimated(clip: str | os.PathLike) -> PoseHypotheses:
    """A stored clip's hypotheses in NTU's 13-joint layout (:class:`PoseHypotheses`).

    ``clip`` is a clip id of ``clips.csv`` (read from :data:`ESTIMATED_POSES_DIR`) or the path
    of an ``.npz`` written by ``tools/estimate_poses.py``.

    Raises:
        DataFormatError: the file is missing, or its arrays are missing, misshapen, of the wrong
            type, or not finite where valid.
    """
    text = os.fspath(clip)
    path = Path(text) if text.endswith(".npz") or os.sep in text else ESTIMATED_POSES_DIR / f"{text}.npz"
    fix = "re-run `.venv-pose/bin/python tools/estimate_poses.py` (after `make pose-env`)"
    if not path.is_file():
        raise DataFormatError.build(path, found="no file", expected="an estimated-pose .npz", fix=fix)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in ("world", "image", "score", "valid") if key in data}
    except (OSError, ValueError) as error:
        raise DataFormatError.build(path, found=f"an unreadable file ({error})", expected="an .npz", fix=fix) from None
    missing = {"world", "image", "score", "valid"} - set(arrays)
    if missing:
        raise DataFormatError.build(
            path, found=f"no arrays {sorted(missing)}", expected="world, image, score, valid", fix=fix
        )
    valid = arrays["valid"]
    if valid.ndim != 2 or valid.dtype != bool:
        raise DataFormatError.build(path, found=f"valid {valid.dtype} {valid.shape}", expected="(T, H) bool", fix=fix)
    t, h = valid.shape
    want = {"world": (t, h, 33, 3), "image": (t, h, 33, 2), "score": (t, h)}
    for key, shape in want.items():
        if arrays[key].shape != shape:
            raise DataFormatError.build(path, found=f"{key} of shape {arrays[key].shape}", expected=f"{shape}", fix=fix)
        values = arrays[key].astype(np.float64)[valid]
        if not np.isfinite(values).all():
            raise DataFormatError.build(
                path, found=f"non-finite {key} in valid hypotheses", expected="finite values", fix=fix
            )
    if t == 0 or not valid.any():
        raise DataFormatError.build(
            path, found="no valid hypothesis in any frame", expected="a person in some frame", fix=fix
        )
    return PoseHypotheses.from_mediapipe(arrays["world"], arrays["image"], arrays["score"], valid, name=path.stem)


# --------------------------------------------------------------------------------------------
# One pose per frame
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelectedPoses:
    """One pose per frame chosen among the hypotheses.

    * ``world`` (T, 13, 3), ``image`` (T, 13, 2): the chosen poses; ``world`` is the skeleton
      sequence to hand to :func:`~motion_rnn.data.pose.align_poses`;
    * ``index`` (T,) int: the hypothesis chosen in each frame, -1 where none was (the frame's
      pose is then carried, below);
    * ``carried`` (T,) bool: frames whose pose is carried from the nearest earlier chosen frame
      (or, before the first one, from the first chosen frame).
    """

    world: np.ndarray
    image: np.ndarray
    index: np.ndarray
    carried: np.ndarray


def _assemble(hyp: PoseHypotheses, index: np.ndarray) -> SelectedPoses:
    """Gather the chosen hypotheses; carry the last chosen pose over frames with index -1.

    Our choice for missing frames (no detection, or every hypothesis pruned): hold the previous
    pose, so the sequence keeps its length and time base; frames before the first choice take
    the first chosen pose.
    """
    chosen = np.flatnonzero(index >= 0)
    if chosen.size == 0:
        raise ValueError(f"{hyp.name or 'hypotheses'}: no frame has a valid hypothesis")
    last = chosen[0]
    frame_of = np.empty(len(index), dtype=int)
    for t in range(len(index)):
        if index[t] >= 0:
            last = t
        frame_of[t] = last
    source = index[frame_of]
    frames = np.arange(len(index))
    return SelectedPoses(
        world=hyp.world[frame_of, source],
        image=hyp.image[frame_of, source],
        index=index,
        carried=frame_of != frames,
    )


def best_per_frame(hyp: PoseHypotheses) -> SelectedPoses:
    """The top-scored valid hypothesis of each frame, with no temporal link (the first step of
    the thesis's 2D tracking, before pruning)."""
    scores = np.where(hyp.valid, hyp.score, -np.inf)
    index = np.where(hyp.valid.any(axis=1), scores.argmax(axis=1), -1)
    return _assemble(hyp, index)


def _pose_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean over joints of the Euclidean distance between joints: (..., J, D) x (..., J, D)."""
    return np.linalg.norm(a - b, axis=-1).mean(axis=-1)


def track_2d(
    hyp: PoseHypotheses,
    *,
    max_distance: float = 0.5,
    first: int | None = None,
) -> SelectedPoses:
    """The thesis's 2D tracking (Sec. 4.1.2).

    In the first frame with a valid hypothesis, the top-scored one (or hypothesis ``first``:
    the thesis names the actor of interest by hand). In each later frame t, every hypothesis i
    whose 2D pose is far from the previous selection :math:`\\hat p^{t-1}` is pruned,

    .. math:: d_i = \\frac{1}{J} \\sum_j \\lVert p^t_{i,j} - \\hat p^{t-1}_j \\rVert_2
              > \\text{max\\_distance} \\cdot \\mathrm{diag}(\\hat p^{t-1}),

    and the best-scored of the others is selected.

    Our choices (the thesis gives no threshold): the distance is the mean per-joint 2D
    Euclidean distance; the threshold is relative to the size of the previous selection, the
    diagonal of its 2D bounding box, so it does not depend on the image resolution or on how
    large the actor appears. A frame where every hypothesis is pruned, or that has none, gets no
    selection: its pose is carried (:class:`SelectedPoses`) and the next frame is compared with
    the last selected pose.
    """
    valid = hyp.valid
    index = np.full(hyp.num_frames, -1)
    start = np.flatnonzero(valid.any(axis=1))
    if start.size == 0:
        raise ValueError(f"{hyp.name or 'hypotheses'}: no frame has a valid hypothesis")
    t0 = start[0]
    if first is None:
        index[t0] = int(np.where(valid[t0], hyp.score[t0], -np.inf).argmax())
    else:
        if not (0 <= first < hyp.num_hypotheses and valid[t0, first]):
            raise ValueError(f"first={first}: not a valid hypothesis of frame {t0}")
        index[t0] = first
    previous = hyp.image[t0, index[t0]]
    for t in range(t0 + 1, hyp.num_frames):
        size = np.linalg.norm(previous.max(axis=0) - previous.min(axis=0))
        distance = _pose_distance(hyp.image[t], previous[None])  # (H,)
        keep = valid[t] & (distance <= max_distance * size)
        if not keep.any():
            continue
        index[t] = int(np.where(keep, hyp.score[t], -np.inf).argmax())
        previous = hyp.image[t, index[t]]
    return _assemble(hyp, index)


def viterbi_smoothing(
    hyp: PoseHypotheses,
    *,
    temperature: float = 0.1,
    min_score: float = 1e-3,
) -> SelectedPoses:
    """The thesis's 3D temporal smoothing (Sec. 4.1.2): the most probable path by Viterbi.

    States at frame t are its valid hypotheses. In log space,

    .. math::
        \\log p(O_t | \\pi_t = i) = \\log \\max(s^t_i, \\text{min\\_score}), \\qquad
        \\log p(\\pi_t = j | \\pi_{t-1} = i) = -\\frac{d(P^{t-1}_i, P^t_j)}{\\tau}
            - \\log \\sum_{k} e^{-d(P^{t-1}_i, P^t_k)/\\tau},

    with d the mean per-joint 3D Euclidean distance (metres) and :math:`\\tau` = ``temperature``
    (metres): a jump of :math:`\\tau` between consecutive poses costs one nat more than staying
    put. The transition is normalised over the valid hypotheses k of frame t, so it is a
    probability. The path maximising the sum of these terms is found by dynamic programming
    and backtracking.

    Our choices: the thesis builds its states from LCR-net's pose classes and, where the chosen
    state has no hypothesis in a frame, keeps that state's average pose; MediaPipe has no pose
    classes, so the states are the frame's hypotheses themselves. Frames without any valid
    hypothesis are left out of the chain (the transition links the frames on either side) and
    their pose is carried (:class:`SelectedPoses`). :math:`\\tau` = 0.1 m is about the motion
    of a joint between two frames of a brisk movement at 30 frames per second; the front/back
    flip of an upright body lies a few tenths of a metre away, so switching to it and back
    costs several nats, more than a slightly higher score gains.
    """
    if temperature <= 0:
        raise ValueError(f"temperature={temperature}; expected > 0")
    frames = np.flatnonzero(hyp.valid.any(axis=1))
    if frames.size == 0:
        raise ValueError(f"{hyp.name or 'hypotheses'}: no frame has a valid hypothesis")
    log_obs = np.where(hyp.valid, np.log(np.maximum(hyp.score, min_score)), -np.inf)  # (T, H)
    h = hyp.num_hypotheses
    delta = log_obs[frames[0]].copy()  # best log-probability of a path ending in each state
    back = np.zeros((len(frames), h), dtype=int)
    for n in range(1, len(frames)):
        prev, t = frames[n - 1], frames[n]
        distance = _pose_distance(hyp.world[prev][:, None], hyp.world[t][None, :])  # (H_prev, H)
        logits = np.where(hyp.valid[t][None, :], -distance / temperature, -np.inf)
        log_trans = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
        total = delta[:, None] + log_trans  # (H_prev, H)
        back[n] = total.argmax(axis=0)
        delta = total.max(axis=0) + log_obs[t]
    path = np.empty(len(frames), dtype=int)
    path[-1] = int(delta.argmax())
    for n in range(len(frames) - 1, 0, -1):
        path[n - 1] = back[n, path[n]]
    index = np.full(hyp.num_frames, -1)
    index[frames] = path
    return _assemble(hyp, index)


# --------------------------------------------------------------------------------------------
# Frames for the figure
# --------------------------------------------------------------------------------------------


def strip_frame_indices(num_frames: int, count: int = 5) -> np.ndarray:
    """The ``count`` evenly spaced frames of a clip that its stored strip of frames shows."""
    return np.linspace(0, num_frames - 1, count).round().astype(int)


def read_strip(clip: str | os.PathLike, count: int = 5) -> list[np.ndarray] | None:
    """The stored frames of a clip (``<clip_id>.strip.jpg`` beside its ``.npz``: the region the
    estimator saw at :func:`strip_frame_indices`, each resized to a square) as RGB arrays, or None
    when the clip has no strip."""
    text = os.fspath(clip)
    path = Path(text).with_suffix(".strip.jpg") if text.endswith(".npz") else ESTIMATED_POSES_DIR / f"{text}.strip.jpg"
    if not path.is_file():
        return None
    from PIL import Image

    image = np.asarray(Image.open(path).convert("RGB"))
    width = image.shape[1] // count
    return [image[:, k * width : (k + 1) * width] for k in range(count)]
