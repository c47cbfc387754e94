"""Variable-length sequences in batches: an in-memory dataset, a padding collate, the last step.

Serves Le Roux (2017), *Learning action recognition from 3D poses*, Tables 4-9, 11 and 12 (NTU
RGB+D skeletons), and any recurrent network of the book that reads whole sequences of feature
vectors (e.g. the smartwatch recordings of :mod:`motion_rnn.data.smartwatch_exercises`).

How the thesis feeds a sequence to its networks
    Sec. 3.1.1 and Fig. 11: the network reads the whole skeleton sequence, one pose a time
    step, and "the output vector of the final LSTM layer at the final time step" goes to the
    classifier. The thesis cuts no sequence to a fixed number of frames and subsamples none;
    its Table 12 counts selected time steps up to "T", the sequence's own length. So here each
    sequence keeps its length; a batch is padded to its longest sequence, the lengths travel
    with it, and :func:`last_step` picks each sequence's own final step. A pose
    :math:`P_t \\in \\mathbb{R}^{J \\times 3}` becomes the input vector
    :math:`x_t \\in \\mathbb{R}^{3J}` (joint-major: x, y, z of joint 0, then of joint 1, ...).

Shapes: one item's ``"inputs"`` is (T, D) or (T, J, 3); a batch's ``"inputs"`` is (B, T, D)
with T the longest length in the batch.

Padding side
    ``padding="post"`` (default) puts the sequence at the start and zeros after it; a model
    then needs ``lengths`` to find the last step. ``padding="pre"`` puts the zeros first, so
    every sequence ends at the last index and a model that receives only ``inputs`` (as
    :func:`motion_rnn.train.fit` passes it) can read ``outputs[:, -1]``; the recurrent state
    then runs over the leading zeros first, which is not the same as starting at the
    sequence's first frame (our option, not the thesis's).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = [
    "SequenceDataset",
    "flatten_frames",
    "last_step",
    "materialize",
    "pad_collate",
    "pad_collate_pre",
    "padding_mask",
    "subsample_frames",
]

Padding = Literal["post", "pre"]
_INPUT_KEYS = ("inputs", "joints")  # SequenceDataset items, NTUSkeletonDataset items


def flatten_frames(sequence: torch.Tensor | np.ndarray) -> torch.Tensor:
    """(T, J, 3) or (T, D) -> (T, D) float32; a (T, J, 3) pose sequence becomes D = 3J."""
    x = torch.as_tensor(np.asarray(sequence) if not torch.is_tensor(sequence) else sequence)
    if x.ndim < 2:
        raise ValueError(f"expected a sequence (T, D) or (T, J, 3), got shape {tuple(x.shape)}")
    return x.reshape(x.shape[0], math.prod(x.shape[1:])).to(torch.float32)


def padding_mask(lengths: torch.Tensor, max_length: int, *, padding: Padding = "post") -> torch.Tensor:
    """(B,) lengths -> (B, T) bool, True at the steps that hold the sequence."""
    steps = torch.arange(max_length, device=lengths.device)
    if padding == "post":
        return steps[None, :] < lengths[:, None]
    if padding == "pre":
        return steps[None, :] >= (max_length - lengths)[:, None]
    raise ValueError(f"padding={padding!r}; expected 'post' or 'pre'")


def pad_collate(batch: Sequence[dict], *, padding: Padding = "post", value: float = 0.0) -> dict:
    """Pad the items' sequences to the longest in the batch.

    Args:
        batch: dicts with ``"inputs"`` (or ``"joints"``, as :class:`~motion_rnn.data.ntu.
            NTUSkeletonDataset` gives) of shape (T_i, D) or (T_i, J, 3), and ``"label"``.
        padding: ``"post"`` (zeros after the sequence) or ``"pre"`` (zeros before it).
        value: the padding value.

    Returns:
        ``{"inputs": (B, T, D) float32, "lengths": (B,) long, "mask": (B, T) bool,
        "label": (B,) long}``, T = max T_i, plus every other key of the items: numbers as a
        (B,) tensor, anything else as a list. Use ``functools.partial(pad_collate,
        padding="pre")`` as a ``DataLoader``'s ``collate_fn`` for the other side.
    """
    if padding not in ("post", "pre"):
        raise ValueError(f"padding={padding!r}; expected 'post' or 'pre'")
    if not batch:
        raise ValueError("cannot collate an empty batch")
    key = next((k for k in _INPUT_KEYS if k in batch[0]), None)
    if key is None:
        raise KeyError(f"items need one of {_INPUT_KEYS}; found keys {sorted(batch[0])}")
    sequences = [flatten_frames(item[key]) for item in batch]
    dims = {s.shape[1] for s in sequences}
    if len(dims) != 1:
        raise ValueError(f"items have different feature sizes {sorted(dims)}; expected one D")
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    if (lengths == 0).any():
        raise ValueError("cannot collate a sequence of length 0")
    longest = int(lengths.max())
    inputs = torch.full((len(batch), longest, dims.pop()), float(value), dtype=torch.float32)
    for i, s in enumerate(sequences):
        if padding == "post":
            inputs[i, : len(s)] = s
        else:
            inputs[i, longest - len(s) :] = s
    out = {
        "inputs": inputs,
        "lengths": lengths,
        "mask": padding_mask(lengths, longest, padding=padding),
        "label": torch.as_tensor([int(item["label"]) for item in batch], dtype=torch.long),
    }
    for name in batch[0]:
        if name in out or name == key:
            continue
        values = [item[name] for item in batch]
        is_number = all(isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating)) for v in values)
        out[name] = torch.as_tensor(values) if is_number else values
    return out


def last_step(outputs: torch.Tensor, lengths: torch.Tensor | None = None, *, padding: Padding = "post") -> torch.Tensor:
    """Each sequence's output at its own final time step (the thesis's Fig. 11): (B, T, H) -> (B, H).

    With ``padding="post"``, step ``lengths[b] - 1`` of sequence b (all T steps without
    ``lengths``); with ``"pre"``, the last index for every sequence.
    """
    if outputs.ndim != 3:
        raise ValueError(f"expected outputs (B, T, H), got shape {tuple(outputs.shape)}")
    if padding not in ("post", "pre"):
        raise ValueError(f"padding={padding!r}; expected 'post' or 'pre'")
    if padding == "pre" or lengths is None:
        return outputs[:, -1]
    lengths = lengths.to(device=outputs.device, dtype=torch.long)
    if (lengths < 1).any() or (lengths > outputs.shape[1]).any():
        raise ValueError(f"lengths must lie in 1..{outputs.shape[1]}, got {lengths.tolist()}")
    index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, outputs.shape[2])
    return outputs.gather(1, index).squeeze(1)


def subsample_frames(sequence: np.ndarray | torch.Tensor, max_frames: int):
    """At most ``max_frames`` frames, evenly spaced and including the first and last.

    Not in the thesis, which feeds every frame (see the module's docstring): an option to
    bound the cost of a time step loop on a CPU. A sequence no longer than ``max_frames`` is
    returned as it is. (T, ...) -> (min(T, max_frames), ...).
    """
    if max_frames < 2:
        raise ValueError(f"max_frames must be >= 2, got {max_frames}")
    t = len(sequence)
    if t <= max_frames:
        return sequence
    index = np.linspace(0, t - 1, max_frames).round().astype(np.int64)
    return sequence[index]


class SequenceDataset(Dataset):
    """Sequences of possibly different lengths, held in memory.

    Each item is a dict:

    * ``"inputs"``: float32 tensor (T, ...) as given (e.g. (T, D) or (T, J, 3)), after
      ``transform``;
    * ``"label"``: int;
    * ``"index"``: int, the item's position;
    * ``"name"``: str, if ``names`` is given; ``"group"``: int, if ``groups`` is given (e.g.
      the person, for splits by person).

    Batch it with :func:`pad_collate`.

    Args:
        sequences: a list of arrays (T_i, ...) or one array (N, T, ...).
        labels: N class indices.
        transform: applied to each sequence (a numpy array) at access.
    """

    def __init__(
        self,
        sequences: Sequence[np.ndarray] | np.ndarray,
        labels: Iterable[int],
        *,
        transform: Callable[[np.ndarray], np.ndarray] | None = None,
        names: Sequence[str] | None = None,
        groups: Iterable[int] | None = None,
    ) -> None:
        self.sequences = [np.asarray(s) for s in sequences]
        self.labels = [int(y) for y in labels]
        if len(self.sequences) != len(self.labels):
            raise ValueError(f"{len(self.sequences)} sequences but {len(self.labels)} labels")
        self.names = None if names is None else list(names)
        self.groups = None if groups is None else [int(g) for g in groups]
        for what, values in (("names", self.names), ("groups", self.groups)):
            if values is not None and len(values) != len(self.labels):
                raise ValueError(f"{len(values)} {what} for {len(self.labels)} sequences")
        self.transform = transform

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict:
        x = self.sequences[index]
        if self.transform is not None:
            x = self.transform(x)
        item = {
            "inputs": torch.as_tensor(np.ascontiguousarray(x, dtype=np.float32)),
            "label": self.labels[index],
            "index": int(index),
        }
        if self.names is not None:
            item["name"] = self.names[index]
        if self.groups is not None:
            item["group"] = self.groups[index]
        return item

    @property
    def lengths(self) -> list[int]:
        """Each sequence's number of frames (before ``transform``)."""
        return [len(s) for s in self.sequences]


def materialize(dataset: Dataset, *, key: str | None = None, progress: bool = False) -> SequenceDataset:
    """Read every item of ``dataset`` once into a :class:`SequenceDataset`.

    For datasets that read and preprocess files at each access (e.g.
    :class:`~motion_rnn.data.ntu.NTUSkeletonDataset` with the thesis's spline gap filling as
    its transform): the work is done once, not once an epoch. Keeps each item's ``"name"``.

    Args:
        key: the item's sequence entry; default ``"inputs"`` or ``"joints"``, whichever it has.
    """
    from tqdm.auto import tqdm  # only here: keeps the module light to import

    sequences, labels, names = [], [], []
    for i in tqdm(range(len(dataset)), desc="reading", disable=not progress, leave=False):
        item = dataset[i]
        k = key or next((c for c in _INPUT_KEYS if c in item), None)
        if k is None or k not in item:
            raise KeyError(f"item {i} has no {key or _INPUT_KEYS} entry; keys {sorted(item)}")
        x = item[k]
        sequences.append(x.numpy() if torch.is_tensor(x) else np.asarray(x))
        labels.append(int(item["label"]))
        names.append(item.get("name", str(i)))
    return SequenceDataset(sequences, labels, names=names)


pad_collate_pre = functools.partial(pad_collate, padding="pre")
""":func:`pad_collate` with the zeros before each sequence (see the module's docstring)."""
