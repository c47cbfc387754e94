"""What the recurrent networks of Le Roux (2017), *Learning action recognition from 3D poses*,
read: skeleton sequences as tensors, padded to a common length (Tables 4-9, 11, 12).

* Sec. 2.4.2: a recurrent network reads a skeleton sequence "as a sequence of length T,
  containing vector of size N x C" -> :func:`flatten_joints`, ``(B, T, J, 3) -> (B, T, 3J)``.
* Sec. 3.3.2, skeleton motion (after Li et al.) :math:`M_t = P_{t+1} - P_t`, a sequence one
  step shorter -> :func:`skeleton_motion`, the tensor form of
  :func:`motion_rnn.data.pose.skeleton_motion` that also carries padded batches' lengths.
* NTU RGB+D sequences differ in length: :func:`pad_collate` batches them with a ``"lengths"``
  entry, and :func:`length_mask` marks the valid steps; the models and losses of this book take
  ``lengths`` so that padding never changes a result.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = ["check_lengths", "flatten_joints", "length_mask", "pad_collate", "skeleton_motion"]


def check_lengths(lengths: Tensor | None, batch_size: int, num_steps: int, *, minimum: int = 1) -> Tensor | None:
    """``lengths`` (B,) as int64 on its own device, checked to lie in ``[minimum, num_steps]``."""
    if lengths is None:
        return None
    lengths = torch.as_tensor(lengths)
    if lengths.shape != (batch_size,):
        raise ValueError(f"lengths must have shape ({batch_size},), got {tuple(lengths.shape)}")
    if lengths.is_floating_point():
        raise ValueError(f"lengths must be integers, got {lengths.dtype}")
    lengths = lengths.long()
    if batch_size and (int(lengths.min()) < minimum or int(lengths.max()) > num_steps):
        raise ValueError(f"lengths must lie in [{minimum}, {num_steps}], got {lengths.tolist()}")
    return lengths


def length_mask(lengths: Tensor, num_steps: int) -> Tensor:
    """``(B,)`` lengths -> ``(B, T)`` bool, True at the valid steps ``t < lengths[b]``."""
    steps = torch.arange(num_steps, device=lengths.device)
    return steps[None, :] < lengths[:, None]


def flatten_joints(skeletons: Tensor) -> Tensor:
    """Sec. 2.4.2: ``(B, T, J, 3) -> (B, T, 3J)``, joint-major (x0, y0, z0, x1, ...)."""
    if skeletons.dim() != 4 or skeletons.shape[-1] != 3:
        raise ValueError(f"expected skeletons of shape (B, T, J, 3), got {tuple(skeletons.shape)}")
    return skeletons.flatten(start_dim=2)


def skeleton_motion(skeletons: Tensor, lengths: Tensor | None = None) -> tuple[Tensor, Tensor | None]:
    """Skeleton motion of Sec. 3.3.2: ``(B, T, J, 3) -> (B, T-1, J, 3)`` and lengths ``L -> L-1``.

    .. math:: M_t = P_{t+1} - P_t

    "if the skeleton sequence was of length T, then the skeleton motion sequence is of length
    T - 1". In a padded batch the step that would subtract a sequence's last pose from padding
    is set to zero, like the padding after it.
    """
    if skeletons.dim() != 4 or skeletons.shape[-1] != 3:
        raise ValueError(f"expected skeletons of shape (B, T, J, 3), got {tuple(skeletons.shape)}")
    batch, steps = skeletons.shape[:2]
    if steps < 2:
        raise ValueError(f"skeleton motion needs at least 2 steps, got T={steps}")
    lengths = check_lengths(lengths, batch, steps, minimum=2)
    motion = skeletons.diff(dim=1)  # (B, T-1, J, 3)
    if lengths is None:
        return motion, None
    lengths = lengths - 1
    valid = length_mask(lengths.to(motion.device), steps - 1)  # (B, T-1)
    return motion * valid[:, :, None, None], lengths


def pad_collate(items: Sequence[dict], *, key: str = "joints") -> dict:
    """Batch dict items whose ``key`` entries are sequences ``(T_i, ...)`` of differing length.

    Returns a dict with ``key``: ``(B, max T_i, ...)`` zero-padded after each sequence's end,
    ``"lengths"``: int64 ``(B,)``, every other tensor or number entry stacked, and any other entry
    (e.g. ``"name"``) as a list. Usable as a ``DataLoader``'s ``collate_fn`` (through
    ``functools.partial`` for another ``key``).
    """
    if not items:
        raise ValueError("cannot collate an empty batch")
    sequences = [torch.as_tensor(item[key]) for item in items]
    batch = {
        key: torch.nn.utils.rnn.pad_sequence(sequences, batch_first=True),
        "lengths": torch.tensor([len(s) for s in sequences], dtype=torch.long),
    }
    for name in items[0]:
        if name in batch:
            continue
        values = [item[name] for item in items]
        if all(torch.is_tensor(v) for v in values):
            batch[name] = torch.stack(values)
        elif all(isinstance(v, (bool, int, float)) for v in values):
            batch[name] = torch.tensor(values)
        else:
            batch[name] = values
    return batch
