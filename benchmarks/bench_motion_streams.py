"""Compute time of Borg & Camilleri 2019's three motion streams (Sec. 4.2, Table 2), side by side.

One network input of each, at 224 x 224 (Sec. 4.1): ten Farneback fields from 11 frames, HSV-coded
and stacked to 30 channels; a motion history image of a 5-frame window; a multi-frame difference of a
5-frame window (:func:`motion_rnn.data.motion_images.time_encodings`), beside Table 2's forward times
(57.8 : 17.1 : 9.7 ms). Table 2 does not say on what hardware, nor whether its times include VGG-16's
forward pass; ours are the encodings alone, on this machine's CPU.

Frames: a video file given with ``--video`` (decoded with OpenCV, resized to 224 x 224 with INTER_AREA
as the authors' scripts do); without one, matplotlib's sample photograph (``grace_hopper.jpg``) seen by
a synthetic camera pan, 3 pixels a frame (no video file is available offline).

    python benchmarks/bench_motion_streams.py [--video FILE] [--inputs 4] [--repeats 3] [--out CSV]
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

import motion_rnn  # noqa: F401
from motion_rnn.data.motion_images import STACKED_FIELDS, TABLE2_FORWARD_MS, camera_pan, time_encodings

SIZE = 224


def video_frames(path: Path, count: int) -> np.ndarray:
    """The first ``count`` frames of a video, resized to 224 x 224: ``(T, 3, 224, 224)`` uint8 RGB."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        frame = cv2.resize(frame, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB).transpose(2, 0, 1))
    capture.release()
    if len(frames) < count:
        raise SystemExit(f"{path}: {len(frames)} frames decoded, {count} needed")
    return np.stack(frames)


def panned_photograph(count: int) -> np.ndarray:
    from matplotlib import cbook

    bgr = cv2.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return camera_pan(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), frames=count, size=SIZE, step=3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=None, help="a video file (default: a panned photograph)")
    parser.add_argument("--inputs", type=int, default=4, help="network inputs a timed run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; the fastest counts")
    parser.add_argument("--out", type=Path, default=None, help="CSV file to write the measurement to")
    args = parser.parse_args()

    cv2.setNumThreads(1)  # one core, as the authors' per-video extraction processes each ran on one
    count = STACKED_FIELDS + args.inputs
    if args.video is not None:
        frames, source = video_frames(args.video, count), f"{args.video} (first {count} frames)"
    else:
        frames, source = panned_photograph(count), "grace_hopper.jpg, synthetic camera pan of 3 px a frame"
    times = time_encodings(frames, inputs=args.inputs, repeats=args.repeats)

    print(
        f"frames: {source}; {SIZE} x {SIZE}; OpenCV {cv2.__version__}, 1 thread; {platform.processor() or platform.machine()}"
    )
    print(f"ms per network input, fastest of {args.repeats} runs of {args.inputs} inputs\n")
    print(f"{'stream':<18} {'ours ms':>9} {'ratio':>7} {'Table 2 ms':>11} {'ratio':>7}")
    rows = []
    for name, paper in TABLE2_FORWARD_MS.items():
        ours = times[name]
        ratio, paper_ratio = ours / times["frame_difference"], paper / TABLE2_FORWARD_MS["frame_difference"]
        print(f"{name:<18} {ours:>9.2f} {ratio:>7.2f} {paper:>11.1f} {paper_ratio:>7.2f}")
        rows.append({"stream": name, "ms": ours, "ratio": ratio, "paper_ms": paper, "paper_ratio": paper_ratio})
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        table = pd.DataFrame(rows).assign(frames=source, opencv=cv2.__version__, repeats=args.repeats)
        table.to_csv(args.out, index=False, float_format="%.6g")
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()
