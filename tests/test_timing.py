import time

import pytest

from motion_rnn.timing import best_time


def test_best_time_warms_up_and_keeps_the_fastest():
    calls = []

    def run():
        # The first (warm-up) call is slow, then one timed call is slower than the other.
        time.sleep([0.05, 0.02, 0.0][min(len(calls), 2)])
        calls.append(1)

    seconds = best_time(run, repeats=2)
    assert len(calls) == 3 and seconds < 0.015


def test_best_time_at_least_one_repeat():
    calls = []
    assert best_time(lambda: calls.append(1), repeats=0) >= 0 and len(calls) == 2


def test_best_time_rejects_unknown_device():
    with pytest.raises(RuntimeError):
        best_time(lambda: None, device="nodevice")


def test_fastest_of_each_takes_turns_after_one_warm_up_each():
    from motion_rnn.timing import fastest_of_each

    calls = []
    seconds = fastest_of_each({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeats=3)
    assert calls == ["a", "b"] * 4  # the warm-ups, then three rounds in turn
    assert set(seconds) == {"a", "b"} and all(s >= 0 for s in seconds.values())
