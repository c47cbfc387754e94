"""Pieces shared by the networks of several papers.

:func:`scaled_channels` turns a paper's channel (or unit) count into that of a narrower network,
so that every architecture can be trained small on a CPU (Zhang et al. 2018's Res3D and MobileNet,
Pigou et al. 2016's CNN and dense layers). The initialisation constants and checks come from
Pigou et al. 2016 (Sec. 3.1 and 4.2, and the authors' code): the leaky ReLU's slope, the
orthogonal gain for rectifiers, the hidden layers' bias and the two initialisation schemes,
``paper`` and ``code``, which both the CNN (:mod:`motion_rnn.models.pigou2016.cnn2d`) and the
recurrent layers (:mod:`motion_rnn.models.pigou2016.peephole_lstm`) use.
"""

from __future__ import annotations

import math
from typing import Literal

LEAKINESS = 0.3
"""Sec. 3.1: a(x) = max(alpha x, x) with alpha = 0.3."""
RELU_GAIN = math.sqrt(2.0)
"""The authors' code: ``Orthogonal("relu")`` for every layer with a (leaky) rectifier."""
HIDDEN_BIAS = 0.1
"""The authors' code: biases of the convolutions, dense and standard recurrent layers start at 0.1."""
INIT_SCHEMES = ("paper", "code")
"""``paper``: orthogonal weights everywhere (Sec. 4.2); ``code``: the authors' code's choices
where they differ (softmax layer, LSTM gates, Temp Conv's dense layers)."""

InitScheme = Literal["paper", "code"]


def check_init(init: str) -> None:
    """Raise a ``ValueError`` naming :data:`INIT_SCHEMES` unless ``init`` is one of them."""
    if init not in INIT_SCHEMES:
        raise ValueError(f"init={init!r} is not one of {', '.join(map(repr, INIT_SCHEMES))}")


def scaled_channels(channels: int, width: float) -> int:
    """``channels`` times the width multiplier, rounded, at least 1."""
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    return max(1, int(round(channels * width)))
