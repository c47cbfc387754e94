"""Estimate 3D poses in the clips of ``clips.csv`` with MediaPipe's legacy pose solution.

The data half of Le Roux (2017), Table 10: the thesis runs LCR-net on every frame of a video
independently and gets several scored 2D/3D pose hypotheses per frame. This script stands in
for LCR-net with MediaPipe Pose (its model files ship inside the wheel; nothing is downloaded)
and stores per clip, in ``src/motion_rnn/data/resources/estimated_poses/<clip_id>.npz``:

* ``world`` (T, H, 33, 3) float16: MediaPipe's 3D ``pose_world_landmarks`` (metres, origin
  between the hips; x to the image right, y down, z away from the camera), H = 2 hypotheses;
* ``image`` (T, H, 33, 2) float16: the 2D ``pose_landmarks`` (x, y normalised by the image
  width and height);
* ``score`` (T, H) float16: the mean landmark visibility;
* ``valid`` (T, H) bool: False where the frame has no detection (its arrays are zeros).

and ``<clip_id>.strip.jpg``: five evenly spaced frames of the region the estimator saw, side by
side, 160 x 160 each, over which the book draws the estimated skeletons (the thesis's Figure 15).
``--strips-only`` writes the strips alone (OpenCV is enough; no MediaPipe needed).

MediaPipe gives one person, one pose. Hypothesis 0 is that pose; hypothesis 1 is its
front/back flip, the ambiguous mode the thesis names ("when it is difficult to differentiate
between the front and the back of the actor"): left and right landmarks swapped and the depth
negated (z -> -z about the hips). It projects onto the same image points with the left/right
labels exchanged, so ``image`` holds the swapped 2D points; its score is the first one's times
:data:`FLIP_SCORE_FACTOR`. The 2D tracking and the Viterbi smoothing of
``motion_rnn.data.estimated_poses`` then have something to choose between.

Each frame is estimated on its own (``static_image_mode=True``), as the thesis runs LCR-net
frame by frame. Run in the environment of ``make pose-env``::

    .venv-pose/bin/python tools/estimate_poses.py            # every clip of clips.csv
    .venv-pose/bin/python tools/estimate_poses.py --only s2d_jumping_jack_1 --out /tmp/poses

A clip is read from the installed package that ``clips.csv`` names (``importlib.metadata``),
at the version it names; a row with an empty ``package`` takes ``path_in_package`` as a file
path. A clip's ``roi`` ("x0 y0 x1 y1", pixels) cuts each frame to the actor of interest before
estimation, as the thesis "manually specif[ies] the actor of interest in the first frame"; the
2D landmarks are then normalised by the region's size. A video that cannot be decoded, or a clip in which no person is found in any frame, stops
the run with an error and leaves no file for that clip.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "src" / "motion_rnn" / "data" / "resources" / "estimated_poses"
CLIPS_CSV = RESOURCES / "clips.csv"
COLUMNS = (
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
NUM_LANDMARKS = 33
NUM_HYPOTHESES = 2
FLIP_SCORE_FACTOR = 0.5
"""The front/back flip's score relative to the detected pose (our choice: clearly lower, so the
per-frame best score always keeps MediaPipe's own pose)."""
MODEL_COMPLEXITY = 1
"""pose_landmark_full, the larger of the two landmark models that the wheel ships."""
MIN_DETECTION_CONFIDENCE = 0.5

# MediaPipe's 33 landmarks: 0 nose, then left/right pairs (1-6 eyes, 7-8 ears, 9-10 mouth,
# 11-12 shoulders, 13-14 elbows, 15-16 wrists, 17-22 hands, 23-24 hips, 25-26 knees,
# 27-28 ankles, 29-30 heels, 31-32 foot tips).
_PAIRS = [(1, 4), (2, 5), (3, 6)] + [(i, i + 1) for i in range(7, 33, 2)]
SWAP_LEFT_RIGHT = np.arange(NUM_LANDMARKS)
for _a, _b in _PAIRS:
    SWAP_LEFT_RIGHT[_a], SWAP_LEFT_RIGHT[_b] = _b, _a


class EstimationError(RuntimeError):
    """A clip that cannot be estimated; the message names the clip, the file and the fix."""


def read_clips(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise EstimationError(f"{path}: columns {reader.fieldnames}; expected {list(COLUMNS)}")
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        start, end = int(row["start_frame"]), int(row["end_frame"])
        if not 0 <= start < end:
            raise EstimationError(f"{path}, line {line}: frames {start}..{end}; expected 0 <= start < end")
    return rows


def video_path(row: dict) -> Path:
    """The clip's video file inside its installed package (or a plain path if no package)."""
    if not row["package"]:
        return Path(row["path_in_package"])
    try:
        dist = metadata.distribution(row["package"])
    except metadata.PackageNotFoundError:
        raise EstimationError(
            f"clip {row['clip_id']}: package {row['package']} is not installed; "
            "run `make pose-env`, which installs the clip packages"
        ) from None
    if dist.version != row["version"]:
        raise EstimationError(
            f"clip {row['clip_id']}: {row['package']} {dist.version} is installed, clips.csv names "
            f"{row['version']}; run `make pose-env` in a fresh .venv-pose"
        )
    return Path(dist.locate_file(row["path_in_package"]))


def parse_roi(text: str) -> tuple[int, int, int, int] | None:
    """``"x0 y0 x1 y1"`` (pixels, end exclusive) or empty for the whole frame."""
    if not text.strip():
        return None
    x0, y0, x1, y1 = (int(v) for v in text.split())
    if not (0 <= x0 < x1 and 0 <= y0 < y1):
        raise EstimationError(f"roi {text!r}: expected 'x0 y0 x1 y1' with x0 < x1 and y0 < y1")
    return x0, y0, x1, y1


def decode_frames(
    path: Path, start: int, end: int, clip_id: str = "", roi: tuple[int, int, int, int] | None = None
) -> list[np.ndarray]:
    """Frames ``start <= t < end`` of a video as RGB arrays (OpenCV), cut to ``roi`` if given."""
    import cv2

    if not path.is_file():
        raise EstimationError(f"clip {clip_id}: {path} does not exist")
    capture = cv2.VideoCapture(str(path))
    frames: list[np.ndarray] = []
    index = 0
    try:
        while index < end:
            ok, frame = capture.read()
            if not ok:
                break
            if index >= start:
                if roi is not None:
                    frame = np.ascontiguousarray(frame[roi[1] : roi[3], roi[0] : roi[2]])
                frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            index += 1
    finally:
        capture.release()
    if index == 0:
        raise EstimationError(f"clip {clip_id}: OpenCV cannot decode any frame of {path}; is it a video file?")
    if len(frames) != end - start:
        raise EstimationError(
            f"clip {clip_id}: {path} has {index} frames, the clip asks for frames {start}..{end - 1}; "
            "fix start_frame/end_frame in clips.csv"
        )
    return frames


STRIP_FRAMES = 5
STRIP_SIZE = 160


def write_strip(frames: list[np.ndarray], path: Path) -> list[int]:
    """Save STRIP_FRAMES evenly spaced frames of the clip side by side, each resized to
    STRIP_SIZE x STRIP_SIZE, as one JPEG (the book draws the estimated skeletons over them);
    return the frame indices (0-based in the clip)."""
    import cv2

    # as motion_rnn.data.estimated_poses.strip_frame_indices (not imported: this environment has no torch)
    picked = np.linspace(0, len(frames) - 1, STRIP_FRAMES).round().astype(int)
    tiles = [cv2.resize(frames[t], (STRIP_SIZE, STRIP_SIZE), interpolation=cv2.INTER_AREA) for t in picked]
    strip = cv2.cvtColor(np.concatenate(tiles, axis=1), cv2.COLOR_RGB2BGR)
    if not cv2.imwrite(str(path.with_suffix(".tmp.jpg")), strip, [cv2.IMWRITE_JPEG_QUALITY, 85]):
        raise EstimationError(f"cannot write {path}")
    path.with_suffix(".tmp.jpg").replace(path)
    return [int(t) for t in picked]


def hypotheses(world: np.ndarray, image: np.ndarray, score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One detection (33, 3), (33, 2) -> H = 2 hypotheses: the pose and its front/back flip."""
    flipped_world = world[SWAP_LEFT_RIGHT] * np.array([1.0, 1.0, -1.0])
    flipped_image = image[SWAP_LEFT_RIGHT]  # the same image points, labels exchanged
    return (
        np.stack([world, flipped_world]),
        np.stack([image, flipped_image]),
        np.array([score, score * FLIP_SCORE_FACTOR]),
    )


def estimate(frames: list[np.ndarray], clip_id: str = "") -> dict[str, np.ndarray]:
    """MediaPipe Pose on each frame independently -> the arrays of one ``.npz``."""
    import mediapipe as mp

    t = len(frames)
    world = np.zeros((t, NUM_HYPOTHESES, NUM_LANDMARKS, 3), np.float32)
    image = np.zeros((t, NUM_HYPOTHESES, NUM_LANDMARKS, 2), np.float32)
    score = np.zeros((t, NUM_HYPOTHESES), np.float32)
    valid = np.zeros((t, NUM_HYPOTHESES), bool)
    with mp.solutions.pose.Pose(
        static_image_mode=True,
        model_complexity=MODEL_COMPLEXITY,
        enable_segmentation=False,
        min_detection_confidence=MIN_DETECTION_CONFIDENCE,
    ) as pose:
        for i, frame in enumerate(frames):
            result = pose.process(frame)
            if result.pose_world_landmarks is None or result.pose_landmarks is None:
                continue
            w = np.array([[p.x, p.y, p.z] for p in result.pose_world_landmarks.landmark])
            im = np.array([[p.x, p.y] for p in result.pose_landmarks.landmark])
            vis = float(np.mean([p.visibility for p in result.pose_landmarks.landmark]))
            world[i], image[i], score[i] = hypotheses(w, im, vis)
            valid[i] = True
    if not valid.any():
        raise EstimationError(
            f"clip {clip_id}: MediaPipe found no person in any of its {t} frames; "
            "check start_frame/end_frame, or leave the clip out of clips.csv"
        )
    return {
        "world": world.astype(np.float16),
        "image": image.astype(np.float16),
        "score": score.astype(np.float16),
        "valid": valid,
    }


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("mediapipe", "opencv-contrib-python", "opencv-python", "opencv-python-headless", "numpy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clips", type=Path, default=CLIPS_CSV)
    parser.add_argument("--out", type=Path, default=RESOURCES)
    parser.add_argument("--only", nargs="*", default=None, help="clip ids to estimate (default all)")
    parser.add_argument(
        "--strips-only",
        action="store_true",
        help="write only each clip's strip of frames (<clip_id>.strip.jpg), no estimation (needs OpenCV, not MediaPipe)",
    )
    args = parser.parse_args(argv)

    rows = read_clips(args.clips)
    if args.only:
        unknown = set(args.only) - {r["clip_id"] for r in rows}
        if unknown:
            raise EstimationError(f"{args.clips}: no clip {sorted(unknown)}")
        rows = [r for r in rows if r["clip_id"] in args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    provenance_path = args.out / "provenance.json"
    provenance = json.loads(provenance_path.read_text()) if provenance_path.exists() else {"clips": {}}
    for row in rows:
        clip_id = row["clip_id"]
        path = video_path(row)
        roi = parse_roi(row["roi"])
        frames = decode_frames(path, int(row["start_frame"]), int(row["end_frame"]), clip_id, roi)
        strip = write_strip(frames, args.out / f"{clip_id}.strip.jpg")
        if args.strips_only:
            provenance["clips"].setdefault(clip_id, {})["strip_frames"] = strip
            print(f"{clip_id}: strip of frames {strip}", flush=True)
            continue
        arrays = estimate(frames, clip_id)  # raises before anything is written
        np.savez_compressed(args.out / f"{clip_id}.npz", **arrays)
        found = int(arrays["valid"][:, 0].sum())
        provenance["clips"][clip_id] = {
            "frames": len(frames),
            "frames_with_a_person": found,
            "frame_size_estimated": list(frames[0].shape[:2]),
            "strip_frames": strip,
        }
        print(f"{clip_id}: {len(frames)} frames, a person in {found}", flush=True)
    if args.strips_only:
        provenance["clips"] = dict(sorted(provenance["clips"].items()))
        provenance["strips"] = {
            "command": " ".join(["tools/estimate_poses.py", *(argv if argv is not None else sys.argv[1:])]),
            "frames": STRIP_FRAMES,
            "size": STRIP_SIZE,
            "opencv": versions().get("opencv-python-headless") or versions().get("opencv-python"),
        }
        provenance_path.write_text(json.dumps(provenance, indent=2) + "\n")
        return 0
    provenance.update(
        {
            "command": " ".join(["tools/estimate_poses.py", *(argv if argv is not None else sys.argv[1:])]),
            "date": datetime.date.today().isoformat(),
            "versions": versions(),
            "model": {
                "solution": "mediapipe.solutions.pose",
                "static_image_mode": True,
                "model_complexity": MODEL_COMPLEXITY,
                "min_detection_confidence": MIN_DETECTION_CONFIDENCE,
            },
            "hypotheses": ["mediapipe", "front/back flip (left/right swapped, z negated)"],
            "flip_score_factor": FLIP_SCORE_FACTOR,
        }
    )
    provenance["clips"] = dict(sorted(provenance["clips"].items()))
    provenance_path.write_text(json.dumps(provenance, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except EstimationError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
