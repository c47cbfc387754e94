"""Synthetic stand-ins written in the real data sets' on-disk formats.

``gestures``: hand-gesture videos in the 20BN-Jester layout (Zhang et al. 2018).
"""

from motion_rnn.data.synthetic.gestures import (
    PAIRED_CLASSES,
    SYNTHETIC_CLASSES,
    GestureStyle,
    render_gesture,
    write_synthetic_jester,
)

__all__ = [
    "PAIRED_CLASSES",
    "SYNTHETIC_CLASSES",
    "GestureStyle",
    "render_gesture",
    "write_synthetic_jester",
]
