"""Scoring whole test sequences as Sec. 4.2 says: frame-wise predictions and Table 1's metrics."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from motion_rnn.experiments.pigou2016.settings import RECURRENT_KEEP
from motion_rnn.metrics.classification import macro_precision_recall, majority_vote_error_rate
from motion_rnn.metrics.jaccard import frame_jaccard, frames_to_intervals


@torch.no_grad()
def predict_sequence(
    model: torch.nn.Module, clip: Tensor, *, device: torch.device | str = "cpu", batch_size: int = 64
) -> np.ndarray:
    """Frame-wise class probabilities of a whole sequence: clip ``(T, C, H, W)`` -> ``(T, K)``.

    Recurrent models (``model.framewise``): windows of ``model.num_frames`` (64) frames every 32
    frames; each window's middle 32 frames are kept (Sec. 4.2), the first window's first frames and
    the last window's last frames too, so every frame is predicted once. Non-recurrent models: one
    window centred on every frame ("a sliding window with single-frame steps", Sec. 4.2), the first
    and last frames repeated beyond the sequence's ends, as :class:`MontalbanoFragments` does.
    For the single-frame and temporal pooling networks the per-frame CNN features are computed once
    and pooled per window, which gives the same numbers as running each window through the model.
    """
    model.eval().to(device)
    steps, length = clip.shape[0], model.num_frames
    if getattr(model, "framewise", False):
        if steps <= length:
            return torch.softmax(model(clip[None].to(device))[0], -1).cpu().numpy()
        margin = (length - RECURRENT_KEEP) // 2
        starts = list(range(0, steps - length, RECURRENT_KEEP)) + [steps - length]
        out, done = np.zeros((steps, model.classifier.out_features), np.float32), 0
        for k, start in enumerate(starts):
            probs = torch.softmax(model(clip[None, start : start + length].to(device))[0], -1).cpu().numpy()
            stop = steps if k == len(starts) - 1 else start + length - margin
            out[done:stop] = probs[done - start : stop - start]
            done = stop
        return out
    offsets = np.arange(length) - length // 2  # window around frame t
    index = np.clip(np.arange(steps)[:, None] + offsets[None, :], 0, steps - 1)  # (T, L)
    outputs = []
    if model.temporal == "flatten":  # Temp Conv: every window through the spatiotemporal CNN
        for chunk in np.array_split(index, max(1, int(np.ceil(steps / batch_size)))):
            outputs.append(model(clip[torch.from_numpy(chunk)].to(device)))
    else:
        features = torch.cat(
            [model.features(clip[None, a : a + 256].to(device))[0] for a in range(0, steps, 256)]
        )  # (T, D), eq. 1
        if model.temporal == "centre":
            pooled = features
        else:
            windows = features[torch.from_numpy(index).to(device)]  # (T, L, D)
            pooled = model.pooling(windows)  # (T, D)
        outputs.append(model.head(pooled))
    return torch.softmax(torch.cat(outputs), -1).cpu().numpy()


def label_switches(labels: np.ndarray) -> int:
    """How often a frame's label differs from the previous frame's (Figure 2's "jagged" predictions)."""
    labels = np.asarray(labels)
    return int(np.count_nonzero(labels[1:] != labels[:-1]))


def run_lengths(labels: np.ndarray) -> list[list[int]]:
    """Frame labels ``(T,)`` as ``[[label, frames], ...]`` runs: how a row stores a whole sequence compactly."""
    labels = np.asarray(labels)
    if labels.size == 0:
        return []
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    lengths = np.diff(np.r_[starts, labels.size])
    return [[int(labels[s]), int(n)] for s, n in zip(starts, lengths)]


def from_run_lengths(runs: list[list[int]]) -> np.ndarray:
    """The frame labels back from :func:`run_lengths`."""
    if not runs:
        return np.zeros(0, dtype=np.int64)
    labels, lengths = zip(*runs)
    return np.repeat(np.asarray(labels, dtype=np.int64), np.asarray(lengths, dtype=np.int64))


def sequence_jaccards(prediction: np.ndarray, truth: np.ndarray) -> tuple[float | None, float | None]:
    """:math:`J_s` of one sequence under both conventions (:mod:`motion_rnn.metrics.jaccard`):
    the challenge's scorer and the false-positive one; None where the convention has no score.

    A sequence whose ground truth holds no gesture has no score under the challenge's scorer (its
    mean over the ground truth's classes is empty: the scorer divides by zero) and is left out of
    the mean. Under the false-positive convention it scores 0 when a gesture is predicted in it
    (every predicted class is a zero-overlap term) and has no score when none is (0 / 0).
    """
    if np.any(truth != 0):
        return frame_jaccard(truth, prediction), frame_jaccard(truth, prediction, false_positives=True)
    return None, (0.0 if np.any(prediction != 0) else None)


def sequence_metrics(predictions: list[np.ndarray], truths: list[np.ndarray]) -> dict:
    """Table 1's columns from frame labels ``(T,)`` of whole test sequences (predicted and true).

    - Jaccard Index: eqs. 7-8 as the challenge's published scorer computes them (a predicted class
      absent from a sequence's ground truth is not counted; :mod:`motion_rnn.metrics.jaccard`), mean
      over the sequences holding at least one gesture; also with false positives counted, where a
      sequence without gestures counts too (:func:`sequence_jaccards`);
    - Precision, Recall (%): per gesture class over all test frames, mean over the 20 classes (a class
      never predicted has precision 0);
    - Error Rate* (%): each ground-truth gesture's frames vote (majority of the predicted labels of
      the frames in its interval, cut from the whole-sequence predictions as the authors' code does);
    - Frame accuracy (%) and label switches per 100 frames (predicted, and in the ground truth).
    """
    scored = [(p, y) for p, y in zip(predictions, truths) if np.any(y != 0)]
    both = [sequence_jaccards(p, y) for p, y in zip(predictions, truths)]
    jaccard = float(np.mean([j for j, _ in both if j is not None]))
    jaccard_fp = float(np.mean([j for _, j in both if j is not None]))
    all_pred, all_true = np.concatenate(predictions), np.concatenate(truths)
    precision, recall = macro_precision_recall(all_true, all_pred)
    error = majority_vote_error_rate([p for p, _ in scored], [frames_to_intervals(y) for _, y in scored])
    frames = len(all_true)
    return {
        "jaccard": round(jaccard, 6),
        "jaccard_false_positives": round(jaccard_fp, 6),
        "precision": round(100 * precision, 4),
        "recall": round(100 * recall, 4),
        "error_rate": round(100 * error, 4),
        "frame_accuracy": round(100 * float(np.mean(all_pred == all_true)), 4),
        "switches_per_100_frames": round(100 * sum(map(label_switches, predictions)) / frames, 4),
        "true_switches_per_100_frames": round(100 * sum(map(label_switches, truths)) / frames, 4),
    }
