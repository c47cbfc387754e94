"""The training-throughput benchmark runs end to end (``--quick``: tiny models, a check, not a measurement)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd

from motion_rnn.paths import project_root

MODELS = {"zhang2018", "pigou2016", "leroux2017", "lakhal2018", "borg2019"}


def load_benchmark(name: str):
    path = project_root() / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _finite_positive(values: pd.Series) -> bool:
    values = values.to_numpy(dtype=float)
    return bool(len(values) and np.isfinite(values).all() and (values > 0).all())


def test_training_throughput_quick_writes_one_row_a_model_the_peak_and_the_loader(tmp_path):
    bench = load_benchmark("bench_training_throughput")
    out = tmp_path / "t.csv"
    bench.main(["--quick", "--out", str(out)])
    table = pd.read_csv(out)

    assert len(table) == len(MODELS) + 2
    peak = table[table["benchmark"] == "matmul_peak"]
    training = table[table["benchmark"] == "training_step"]
    loader = table[table["benchmark"] == "data_loading"]
    assert len(peak) == 1 and len(loader) == 1
    assert sorted(training["model"]) == sorted(MODELS)

    for column in ("step_seconds", "flops_per_step", "flops_per_s", "peak_flops_per_s"):
        assert _finite_positive(peak[column]), column
    assert peak["flops_per_s"].iloc[0] == table["peak_flops_per_s"].iloc[0]
    for column in ("samples_per_s", "step_seconds", "flops_per_step", "flops_per_s", "fraction_of_peak"):
        assert _finite_positive(training[column]), column
    for column in ("samples_per_s", "loader_samples_per_s", "loader_to_training_ratio"):
        assert _finite_positive(loader[column]), column
    assert table[["shape", "device", "machine", "torch"]].notna().all().all()
    assert (table["device"] == "cpu").all()


def test_convlstm_cells_benchmark_writes_one_row_a_cell_with_its_machine(tmp_path):
    bench = load_benchmark("bench_convlstm_cells")
    out = tmp_path / "cells.csv"
    tiny = ["--channels", "8", "--size", "6", "--batch", "1", "--steps", "2", "--repeats", "1"]
    bench.main([*tiny, "--out", str(out), "--profile", "a"])
    table = pd.read_csv(out).set_index("kind")
    profile = pd.read_csv(tmp_path / "cells.profile_a.csv")
    # the CSV keeps 6 significant digits a share: over a hundred-odd operators the rounding adds up to ~1e-5
    assert abs(profile["share"].sum() - 1) < 1e-4 and profile["seconds"].is_monotonic_decreasing
    assert profile["op"].str.contains("conv").any(), "variant (a) still convolves for its candidate"

    assert list(table.index) == ["convlstm", "a", "b", "c", "d"]
    assert table.loc["convlstm", "speedup_vs_convlstm"] == 1 and table.loc["convlstm", "measured_ratio"] == 1
    assert _finite_positive(table["ms_per_step"]) and _finite_positive(table["speedup_vs_convlstm"])
    # the pooled gates save multiply-adds: every variant does less than ConvLSTM at this shape
    assert (table.drop(index="convlstm")["measured_ratio"] > 1).all()
    assert table["device"].str.startswith("CPU").all() and (table["channels"] == 8).all()
