"""Scores of the papers: the ChaLearn LAP 2014 Jaccard index and frame-wise classification scores.

Submodules are loaded on first use, so that ``python -m motion_rnn.metrics.jaccard`` runs its
module only once.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "jaccard": (
        "DataFormatError",
        "Interval",
        "SequenceInfo",
        "class_masks",
        "frame_jaccard",
        "frames_to_intervals",
        "intervals_to_frames",
        "jaccard_index",
        "read_data_csv",
        "read_labels_csv",
        "read_prediction_csv",
        "score_directory",
    ),
    "classification": (
        "accuracy",
        "confusion_matrix",
        "macro_precision_recall",
        "majority_vote",
        "majority_vote_error_rate",
        "per_class_precision_recall",
    ),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
