"""The real stand-in: smartwatch recordings of seven shoulder exercises, loaded offline from the
seglearn wheel, cut into windows and split by person."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.signal import resample_poly
from seglearn.datasets import load_watch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from motion_rnn.data.sequences import pad_collate
from motion_rnn.data.smartwatch_exercises import (
    CHANNEL_NAMES,
    CLASS_NAMES,
    PERSON_SPLIT,
    load_smartwatch_exercises,
    person_split,
)


@pytest.fixture(scope="module")
def windows():
    return load_smartwatch_exercises()  # 4 s windows every 2 s at 25 Hz


@pytest.fixture(scope="module")
def raw():
    return load_watch()


def test_windows_have_the_documented_shapes(windows):
    n = len(windows)
    assert windows.sequences.shape == (n, 100, 6) and windows.sequences.dtype == np.float32
    assert n > 2000 and np.isfinite(windows.sequences).all()
    for column in (windows.labels, windows.persons, windows.sides, windows.recordings, windows.starts):
        assert column.shape == (n,) and column.dtype == np.int64
    assert set(windows.labels.tolist()) == set(range(7)) and windows.class_names == CLASS_NAMES
    assert windows.channel_names == CHANNEL_NAMES and windows.rate_hz == 25.0
    assert set(windows.persons.tolist()) == set(range(1, 11)) and set(windows.sides.tolist()) == {0, 1}


def test_whole_recordings_are_ten_people_by_seven_exercises_by_two_arms():
    whole = load_smartwatch_exercises(window_s=None, rate_hz=50.0)
    assert len(whole) == 140 and isinstance(whole.sequences, list)
    assert {s.shape[1] for s in whole.sequences} == {6} and len({len(s) for s in whole.sequences}) > 50
    cells = set(zip(whole.persons.tolist(), whole.labels.tolist(), whole.sides.tolist()))
    assert len(cells) == 140  # each person did each exercise once with each arm


def test_a_window_is_a_slice_of_its_resampled_recording(windows, raw):
    for i in (0, len(windows) // 2, len(windows) - 1):
        r, start = windows.recordings[i], windows.starts[i]
        resampled = resample_poly(np.asarray(raw["X"][r], float), 1, 2, axis=0)
        np.testing.assert_allclose(windows.sequences[i], resampled[start : start + 100], rtol=1e-6, atol=1e-6)
        assert windows.labels[i] == raw["y"][r] and windows.persons[i] == raw["subject"][r]
    exact = load_smartwatch_exercises(window_s=2.0, stride_s=None, rate_hz=50.0)
    np.testing.assert_array_equal(exact.sequences[1], np.asarray(raw["X"][0][100:200], np.float32))
    assert exact.starts[:2].tolist() == [0, 100]


def test_the_split_is_by_person_and_covers_every_class(windows):
    split = windows.split()
    parts = {name: getattr(split, name) for name in PERSON_SPLIT}
    assert sum(len(v) for v in parts.values()) == len(windows)
    persons = {name: set(windows.persons[idx].tolist()) for name, idx in parts.items()}
    assert persons == {name: set(members) for name, members in PERSON_SPLIT.items()}
    recordings = {name: set(windows.recordings[idx].tolist()) for name, idx in parts.items()}
    assert not recordings["train"] & recordings["test"] and not recordings["validation"] & recordings["test"]
    for idx in parts.values():
        assert set(windows.labels[idx].tolist()) == set(range(7))
    with pytest.raises(ValueError, match="no part"):
        person_split([1, 11])


def test_parts_as_datasets_batch_with_pad_collate(windows):
    test = windows.dataset("test")
    assert len(test) == len(windows.split().test)
    batch = pad_collate([test[i] for i in range(4)])
    assert batch["inputs"].shape == (4, 100, 6)
    assert batch["group"].tolist() == windows.persons[windows.split().test[:4]].tolist()
    assert set(batch["group"].tolist()) <= set(PERSON_SPLIT["test"])
    assert isinstance(batch["name"][0], str)
    with pytest.raises(ValueError, match="part"):
        windows.dataset("holdout")


def test_unseen_people_can_be_recognised(windows):
    # Real, correctly labelled recordings: per-channel mean and spread of a window already tell
    # the exercises apart on people never seen in training, far above chance (1/7).
    x = np.concatenate([windows.sequences.mean(1), windows.sequences.std(1)], axis=1)
    split = windows.split()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    model.fit(x[split.train], windows.labels[split.train])
    assert model.score(x[split.test], windows.labels[split.test]) > 0.5


@pytest.mark.parametrize("kwargs", [{"rate_hz": 60.0}, {"rate_hz": 0.0}, {"window_s": 0.01}])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        load_smartwatch_exercises(**kwargs)


def test_items_are_tensors(windows):
    item = windows.dataset()[0]
    assert isinstance(item["inputs"], torch.Tensor) and item["inputs"].shape == (100, 6)
