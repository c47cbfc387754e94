"""Variable-length batches: padding on either side, each sequence's own last step, the in-memory
dataset, and a recurrent network trained on them through the book's one training loop."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from motion_rnn.data.ntu import NTUSkeletonDataset
from motion_rnn.data.ntu.synthetic import write_synthetic_ntu
from motion_rnn.data.pose import preprocess
from motion_rnn.data.sequences import (
    SequenceDataset,
    flatten_frames,
    last_step,
    materialize,
    pad_collate,
    pad_collate_pre,
    padding_mask,
    subsample_frames,
)
from motion_rnn.reproducibility import seed_everything
from motion_rnn.train import FitConfig, fit


def _items(lengths, dim=(25, 3), seed=0):
    rng = np.random.default_rng(seed)
    return [
        {"joints": torch.tensor(rng.normal(size=(t, *dim)), dtype=torch.float32), "label": i % 3, "name": f"s{i}"}
        for i, t in enumerate(lengths)
    ]


# ---- pad_collate ------------------------------------------------------------------------------


def test_post_padding_keeps_each_sequence_at_the_start():
    items = _items([5, 2, 7])
    batch = pad_collate(items)
    assert batch["inputs"].shape == (3, 7, 75) and batch["inputs"].dtype == torch.float32
    assert batch["lengths"].tolist() == [5, 2, 7] and batch["lengths"].dtype == torch.long
    assert batch["label"].tolist() == [0, 1, 2] and batch["label"].dtype == torch.long
    assert batch["name"] == ["s0", "s1", "s2"]
    for i, item in enumerate(items):
        t = len(item["joints"])
        # x_t = (x, y, z of joint 0, x, y, z of joint 1, ...)
        torch.testing.assert_close(batch["inputs"][i, :t], item["joints"].reshape(t, 75))
        assert (batch["inputs"][i, t:] == 0).all()
        assert batch["mask"][i].tolist() == [True] * t + [False] * (7 - t)
    assert batch["inputs"][0, 1, 3 * 4 + 2] == items[0]["joints"][1, 4, 2]  # frame 1, joint 4, z


def test_pre_padding_ends_every_sequence_at_the_last_step():
    items = _items([5, 2, 7], dim=(4,))
    batch = pad_collate_pre(items)
    assert batch["inputs"].shape == (3, 7, 4)
    for i, item in enumerate(items):
        t = len(item["joints"])
        torch.testing.assert_close(batch["inputs"][i, 7 - t :], item["joints"])
        assert (batch["inputs"][i, : 7 - t] == 0).all()
        assert batch["mask"][i].tolist() == [False] * (7 - t) + [True] * t
    ends = torch.stack([item["joints"][-1] for item in items])
    torch.testing.assert_close(last_step(batch["inputs"], padding="pre"), ends)


def test_padding_value_and_numeric_extras():
    items = [{"inputs": np.ones((t, 2)), "label": 1, "group": g} for t, g in ((1, 7), (3, 8))]
    batch = pad_collate(items, value=-1.0)
    assert batch["inputs"][0, 1:].eq(-1).all()
    assert torch.equal(batch["group"], torch.tensor([7, 8]))


@pytest.mark.parametrize(
    "items, error",
    [
        ([], ValueError),
        ([{"x": np.ones((2, 3)), "label": 0}], KeyError),
        ([{"inputs": np.ones((2, 3)), "label": 0}, {"inputs": np.ones((2, 4)), "label": 0}], ValueError),
        ([{"inputs": np.ones((0, 3)), "label": 0}], ValueError),
    ],
)
def test_batches_that_cannot_be_padded_are_refused(items, error):
    with pytest.raises(error):
        pad_collate(items)


def test_unknown_padding_side_is_refused():
    with pytest.raises(ValueError, match="padding"):
        pad_collate(_items([2]), padding="middle")
    with pytest.raises(ValueError, match="padding"):
        padding_mask(torch.tensor([1]), 2, padding="both")


def test_flatten_frames_shapes():
    assert flatten_frames(np.zeros((4, 25, 3))).shape == (4, 75)
    assert flatten_frames(torch.zeros(4, 6)).shape == (4, 6)
    with pytest.raises(ValueError):
        flatten_frames(np.zeros(4))


# ---- last_step ---------------------------------------------------------------------------------


def test_last_step_of_post_padded_outputs_is_the_unpadded_final_state():
    torch.manual_seed(0)
    gru = nn.GRU(6, 5, batch_first=True)
    sequences = [torch.randn(t, 6) for t in (4, 9, 1)]
    batch = pad_collate([{"inputs": s, "label": 0} for s in sequences])
    outputs, _ = gru(batch["inputs"])  # (B, T, H); a causal network ignores the zeros after t
    picked = last_step(outputs, batch["lengths"])
    for i, s in enumerate(sequences):
        _, h = gru(s[None])
        torch.testing.assert_close(picked[i], h[0, 0])
    with pytest.raises(ValueError):
        last_step(outputs, torch.tensor([0, 9, 1]))
    with pytest.raises(ValueError):
        last_step(outputs[0], batch["lengths"])


# ---- datasets ----------------------------------------------------------------------------------


def test_sequence_dataset_items_and_transform():
    sequences = [np.arange(t * 2, dtype=np.float64).reshape(t, 2) for t in (3, 5)]
    ds = SequenceDataset(sequences, [1, 0], transform=lambda x: x * 2, names=["a", "b"], groups=[4, 5])
    assert len(ds) == 2 and ds.lengths == [3, 5]
    item = ds[1]
    assert item["inputs"].dtype == torch.float32 and item["inputs"].shape == (5, 2)
    torch.testing.assert_close(item["inputs"], torch.as_tensor(sequences[1] * 2, dtype=torch.float32))
    assert (item["label"], item["index"], item["name"], item["group"]) == (0, 1, "b", 5)
    stacked = SequenceDataset(np.zeros((4, 7, 3)), [0, 1, 2, 3])
    assert stacked.lengths == [7] * 4
    with pytest.raises(ValueError):
        SequenceDataset(sequences, [1])
    with pytest.raises(ValueError):
        SequenceDataset(sequences, [1, 0], groups=[1])


def test_materialize_reads_the_ntu_files_once(tmp_path):
    root = write_synthetic_ntu(tmp_path / "ntu", performances_per_class=1, num_classes=3, cameras=(1,), seed=0)
    transform = functools.partial(preprocess, num_joints=13)
    ntu = NTUSkeletonDataset(root, split="all", transform=transform)
    memory = materialize(ntu)
    assert len(memory) == len(ntu) == 3
    for i in range(len(ntu)):
        torch.testing.assert_close(memory[i]["inputs"], ntu[i]["joints"])
        assert memory[i]["name"] == ntu[i]["name"] and memory[i]["label"] == ntu[i]["label"]
    batch = pad_collate([memory[i] for i in range(3)])
    assert batch["inputs"].shape == (3, max(memory.lengths), 39)


def test_subsample_frames_keeps_ends_and_short_sequences():
    x = np.arange(100)
    picked = subsample_frames(x, 10)
    assert len(picked) == 10 and picked[0] == 0 and picked[-1] == 99 and (np.diff(picked) > 0).all()
    assert subsample_frames(x[:8], 10) is not None and len(subsample_frames(x[:8], 10)) == 8
    with pytest.raises(ValueError):
        subsample_frames(x, 1)


# ---- through the training loop -----------------------------------------------------------------


class _LastStepGRU(nn.Module):
    """(B, T, D) pre-padded inputs -> (B, K) scores from the last step."""

    def __init__(self, dim: int, classes: int) -> None:
        super().__init__()
        self.gru = nn.GRU(dim, 16, batch_first=True)
        self.head = nn.Linear(16, classes)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.gru(inputs)
        return self.head(last_step(outputs, padding="pre"))


@pytest.fixture
def one_thread():
    # Tiny tensors: one thread is fastest, and it keeps torch's threads from contending with
    # the BLAS threads that earlier tests (scikit-learn, scipy) leave spinning.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_fit_trains_a_recurrent_network_on_padded_batches(one_thread):
    generator = seed_everything(0)
    rng = np.random.default_rng(0)
    # The class is the sign of a blip whose time varies: only a model that reads in order sees it.
    sequences, labels = [], []
    for i in range(96):
        t = int(rng.integers(5, 16))
        x = rng.normal(0, 0.1, (t, 3))
        x[int(rng.integers(0, t)), 0] += 1.0 if i % 2 else -1.0
        sequences.append(x)
        labels.append(i % 2)
    train = DataLoader(
        SequenceDataset(sequences[:64], labels[:64]),
        batch_size=16,
        shuffle=True,
        collate_fn=pad_collate_pre,
        generator=generator,
    )
    val = DataLoader(SequenceDataset(sequences[64:], labels[64:]), batch_size=32, collate_fn=pad_collate_pre)
    model = _LastStepGRU(3, 2)
    result = fit(
        model,
        train,
        val_loader=val,
        config=FitConfig(epochs=10, lr=1e-2, optimizer="adam"),
        input_key="inputs",
        progress=False,
    )
    assert len(result.history) == 10
    assert result.history["train_loss"].iloc[-1] < result.history["train_loss"].iloc[0]
    assert result.history["val_accuracy"].max() >= 0.9
