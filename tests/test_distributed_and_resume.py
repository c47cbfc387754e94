"""Training on several processes (torchrun, gloo on the CPU) and resuming a run killed half-way
through an epoch: both must end where one uninterrupted process ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from motion_rnn.execution import Execution, current, executing

WORKER = Path(__file__).parent / "train_worker.py"
ROOT = Path(__file__).parents[1]
TOLERANCE = 1e-5
"""Two processes average the same gradients as one, summed in another order: float32 rounding."""


def env() -> dict:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT / "src")}


def worker(out: Path, *args: str, processes: int = 1, **popen) -> subprocess.Popen:
    launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={processes}"]
    command = (launcher if processes > 1 else [sys.executable]) + [str(WORKER), str(out), *args]
    return subprocess.Popen(command, env=env(), cwd=ROOT, **popen)


def finished(out: Path, *args: str, processes: int = 1) -> dict:
    process = worker(out, *args, processes=processes, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict:
    return finished(tmp_path_factory.mktemp("one") / "one.json")


def assert_same_run(a: dict, b: dict, tolerance: float) -> None:
    assert a["history"]["epoch"] == b["history"]["epoch"]
    for column in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr"):
        np.testing.assert_allclose(a["history"][column], b["history"][column], rtol=tolerance, atol=tolerance)
    for name in a["weights"]:
        np.testing.assert_allclose(a["weights"][name], b["weights"][name], rtol=tolerance, atol=tolerance)


def test_two_processes_under_torchrun_train_as_one(tmp_path, uninterrupted):
    two = finished(tmp_path / "two.json", processes=2)
    assert_same_run(two, uninterrupted, TOLERANCE)


def test_a_run_killed_half_way_through_an_epoch_resumes_to_the_same_result(tmp_path, uninterrupted):
    checkpoint = tmp_path / "run.pt"
    # 12 batches an epoch at 80 ms each; a checkpoint after every batch (0.001 minutes).
    args = ("--checkpoint", str(checkpoint), "--slow", "0.01", "--checkpoint-minutes", "0.001")
    process = worker(tmp_path / "killed.json", *args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    saved = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if checkpoint.exists():
            try:
                saved = torch.load(checkpoint, weights_only=False)
            except (EOFError, RuntimeError):  # replaced while being read
                continue
            if saved["epoch"] == 1 and saved["batch"] >= 4:  # half-way through the second epoch
                break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert saved is not None and saved["batch"] > 0, "the run ended before a mid-epoch checkpoint"
    assert not (tmp_path / "killed.json").exists(), "the run finished before it was killed"
    resumed = finished(tmp_path / "resumed.json", *args)
    assert not checkpoint.exists()
    assert_same_run(resumed, uninterrupted, 0.0)  # bit for bit


def test_execution_defaults_change_nothing_and_bad_values_are_refused():
    assert current() == Execution() and Execution().key_entries() == {}
    with executing(Execution(precision="bf16")) as chosen:
        assert current() is chosen and chosen.key_entries() == {"precision": "bf16"}
    assert current() == Execution()
    with pytest.raises(ValueError, match="precision='fp16' is not one of 'fp32', 'bf16'"):
        Execution(precision="fp16")
    with pytest.raises(ValueError, match="checkpoint_minutes"):
        Execution(checkpoint_minutes=0)


def test_torchrun_trains_a_tables_rows_once_with_rank_0_writing(tmp_path):
    """``torchrun -m motion_rnn.run``: the rows and results files one process writes, written once.

    The numbers are not compared: Le Roux's networks use dropout, whose masks each process draws
    for its half of a batch, so they agree with one process only in distribution (the loop itself
    agrees to float rounding, above)."""
    table, said = "leroux2017/table9_alignment", {}
    for processes, folder in ((2, "two"), (1, "one")):
        launcher = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={processes}"]
        command = [*(launcher if processes > 1 else [sys.executable]), "-m", "motion_rnn.run", table]
        command += ["--profile", "ci", "--results-dir", str(tmp_path / folder), "--quiet"]
        done = subprocess.run(command, env=env(), cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        said[folder] = done.stderr
    assert "4 rows (4 trained on 2 processes)" in said["two"] and said["two"].count("rows (") == 1  # rank 0 alone
    store = {f: tmp_path / f / "leroux2017" / "table9_alignment.runs" for f in ("one", "two")}
    runs = {f: sorted(p.name for p in folder.glob("*.json")) for f, folder in store.items()}
    assert runs["one"] == runs["two"] and len(runs["two"]) == 5  # four rows and the data's description
    assert not list((store["two"] / "checkpoints").glob("*"))
    tables = {
        f: (tmp_path / f / "leroux2017" / "table9_alignment.csv").read_text().splitlines() for f in ("one", "two")
    }
    columns = {f: [line.split(",")[:4] for line in lines] for f, lines in tables.items()}
    assert columns["one"] == columns["two"]  # the same cells beside the same paper numbers


def test_each_process_takes_its_share_of_the_same_batches():
    from torch.utils.data import BatchSampler, SequentialSampler

    from motion_rnn.distributed import ShareOfBatches

    batches = BatchSampler(SequentialSampler(range(13)), batch_size=4, drop_last=False)  # last batch: [12]
    shares = [list(ShareOfBatches(batches, rank, 2)) for rank in (0, 1)]
    assert shares[0] == [[0, 2], [4, 6], [8, 10]] and shares[1] == [[1, 3], [5, 7], [9, 11]]
    assert len(ShareOfBatches(batches, 0, 2)) == 3  # the one-example batch cannot be shared by two
    assert len(ShareOfBatches(BatchSampler(SequentialSampler(range(14)), 4, False), 1, 2)) == 4
