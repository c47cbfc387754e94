"""The one table runner: stored rows tied to the code and data that made them, resumable and checked.

A toy table (a linear classifier on random points) is declared on :class:`TableSpec` in a module
written for each test, so that changing its code is a real edit of a real file.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import textwrap

import pandas as pd
import pytest

from motion_rnn.parameters import check_parameters
from motion_rnn.results import result_paths
from motion_rnn.runner import TableSpec, run_table
from motion_rnn.sweep import MissingRowsError
from motion_rnn.train import CheckpointMismatchError

TOY = '''
"""A toy table: a linear classifier of random points, one row a learning rate."""
import os

import torch
from torch.utils.data import DataLoader, TensorDataset

from motion_rnn.reproducibility import seed_everything
from motion_rnn.runner import Source
from motion_rnn.train import FitConfig, fit

SCALE = 1.0
INTERRUPT_AT = None  # (epoch, batch): raise KeyboardInterrupt there, as a killed run would stop
calls = {"trained": 0, "loss": 0}


def load_data(params, settings):
    g = torch.Generator().manual_seed(params.seed)
    x = torch.randn(64, 4, generator=g) * SCALE
    y = (x[:, 0] > 0).long()
    return [Source(params.data_label, "random points", f"toy-{params.seed}-{os.environ.get('TOY_DATA', 'a')}", facts={"classes": 2},
                   payload=TensorDataset(x, y))]


def train_row(row, source, settings, context, params):
    calls["trained"] += 1
    generator = seed_everything(params.seed)
    model = torch.nn.Linear(4, 2)
    loader = DataLoader(source.payload, batch_size=16, shuffle=True, generator=generator)

    def loss(out, y):
        calls["loss"] += 1
        if INTERRUPT_AT is not None and calls["loss"] == INTERRUPT_AT:
            raise KeyboardInterrupt
        return torch.nn.functional.cross_entropy(out, y)

    result = fit(model, _Batches(loader), config=FitConfig(epochs=settings["epochs"], lr=row["lr"], optimizer="sgd"),
                 loss_fn=loss, checkpoint_path=context.checkpoint, checkpoint_key=context.key, progress=False)
    return {"loss": round(float(result.history["train_loss"].iloc[-1]), 6), "epochs": len(result.history)}


class _Batches:
    """The loader as the training loop reads it (dicts), keeping its shuffling generator."""

    def __init__(self, loader):
        self.loader, self.generator = loader, loader.generator

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for x, y in self.loader:
            yield {"clip": x, "label": y}
'''


def toy_cells(runs, source, settings):
    return pd.DataFrame({"row": runs["name"], "column": "Loss", "ours": runs["loss"], "unit": ""})


def toy_claims(evidence):
    from motion_rnn.verdicts import compare

    return [
        compare(
            evidence,
            "The larger learning rate ends with the lower loss",
            ("lr 0.5", "Loss"),
            ("lr 0.01", "Loss"),
            lower_is_better=True,
            digits=4,
        )
    ]


def toy_reference():
    return pd.DataFrame({"row": ["lr 0.01", "lr 0.5"], "column": "Loss", "value": [0.7, 0.3], "unit": ""})


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy module, written to a file of its own and importable as ``toy_table``."""
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "toy_table.py").write_text(textwrap.dedent(TOY))
    monkeypatch.syspath_prepend(str(folder))
    sys.modules.pop("toy_table", None)
    module = importlib.import_module("toy_table")
    yield module
    sys.modules.pop("toy_table", None)


def spec_of(module) -> TableSpec:
    return TableSpec(
        paper="toy",
        name="table1_toy",
        presets={"ci": {"epochs": 3}, "quick": {"epochs": 3}, "full": {"epochs": 3}},
        load_data=module.load_data,
        rows=lambda s, src: [{"name": "lr 0.01", "lr": 0.01}, {"name": "lr 0.5", "lr": 0.5}],
        train_row=module.train_row,
        cells=toy_cells,
        claims=toy_claims,
        table="table1",
        reference=toy_reference,
    )


def params(tmp_path, seed=0, stored_only=False, seeds=None):
    return check_parameters(
        profile="ci",
        data="synthetic",
        seed=seed,
        seeds=seeds,
        device="cpu",
        results_dir=tmp_path / "results",
        stored_only=stored_only,
    )


def edit(module, old, new):
    """Change the toy module's source on disk and reload it, as a developer's edit would."""
    path = module.__file__
    text = open(path).read()
    assert old in text
    open(path, "w").write(text.replace(old, new))
    importlib.invalidate_caches()
    return importlib.reload(module)


def test_rows_are_stored_and_reused_with_their_commit(tmp_path, toy):
    first = run_table(spec_of(toy), params(tmp_path), progress=False)
    assert toy.calls["trained"] == 2 and not first.runs["reused"].any()
    second = run_table(spec_of(toy), params(tmp_path), progress=False)
    assert toy.calls["trained"] == 2 and second.runs["reused"].all()
    assert second.table.equals(first.table)
    assert set(second.runs["commit"]) == set(first.runs["commit"]) and all(second.runs["commit"])
    provenance = pd.read_json(result_paths(tmp_path / "results", "toy", "table1_toy").provenance, typ="series")
    assert provenance["row_commits"] == first.commits and set(provenance["rows"]) == {"lr 0.01", "lr 0.5"}


def test_changing_the_code_invalidates_the_stored_rows(tmp_path, toy):
    run_table(spec_of(toy), params(tmp_path), progress=False)
    toy = edit(toy, "SCALE = 1.0", "SCALE = 3.0")
    rerun = run_table(spec_of(toy), params(tmp_path), progress=False)
    assert toy.calls["trained"] == 2, "rows made by the old code must be trained again"
    assert not rerun.runs["reused"].any()


def test_a_docstring_edit_keeps_the_stored_rows(tmp_path, toy):
    run_table(spec_of(toy), params(tmp_path), progress=False)
    toy = edit(toy, '"""A toy table: a linear', '"""A toy table, reworded: a linear')
    rerun = run_table(spec_of(toy), params(tmp_path), progress=False)
    assert toy.calls["trained"] == 0 and rerun.runs["reused"].all()


def test_stored_only_reads_back_marks_stale_rows_and_never_trains(tmp_path, toy):
    trained = run_table(spec_of(toy), params(tmp_path), progress=False)
    toy = edit(toy, "SCALE = 1.0", "SCALE = 2.0")
    shown = run_table(spec_of(toy), params(tmp_path, stored_only=True), progress=False)
    assert toy.calls["trained"] == 0
    assert shown.table.equals(trained.table) and shown.stale_rows == ["lr 0.01", "lr 0.5"]
    with pytest.raises(FileNotFoundError, match="train it first"):
        run_table(spec_of(toy), params(tmp_path, seed=5, stored_only=True), progress=False)


def test_stored_only_names_missing_rows(tmp_path, toy):
    run_table(spec_of(toy), params(tmp_path), progress=False)
    store = result_paths(tmp_path / "results", "toy", "table1_toy").store
    next(iter(sorted(p for p in store.glob("*.json") if not p.name.startswith("sources")))).unlink()
    with pytest.raises(MissingRowsError, match="1 of 2 rows are not stored"):
        run_table(spec_of(toy), params(tmp_path, stored_only=True), progress=False)


def test_changed_data_invalidates_the_stored_rows(tmp_path, toy, monkeypatch):
    run_table(spec_of(toy), params(tmp_path), progress=False)
    monkeypatch.setenv("TOY_DATA", "b")  # same code and settings, other data (as a changed folder's manifest)
    run_table(spec_of(toy), params(tmp_path), progress=False)
    assert toy.calls["trained"] == 4


def _interrupted(tmp_path, toy, seed):
    toy.calls["loss"] = 0
    toy.INTERRUPT_AT = 6  # second epoch of the first row (4 batches an epoch), after its checkpoint
    with pytest.raises(KeyboardInterrupt):
        run_table(spec_of(toy), params(tmp_path, seed=seed), progress=False)
    toy.INTERRUPT_AT = None
    store = result_paths(tmp_path / "results", "toy", "table1_toy").store
    return list((store / "checkpoints").glob("*.pt"))


def test_interrupted_row_resumes_to_the_same_result(tmp_path, toy):
    whole = run_table(spec_of(toy), params(tmp_path / "whole"), progress=False).table
    assert len(_interrupted(tmp_path, toy, seed=0)) == 1
    resumed = run_table(spec_of(toy), params(tmp_path), progress=False)
    assert resumed.table["ours"].tolist() == whole["ours"].tolist()


def test_interrupted_run_resumed_with_another_seed_starts_fresh(tmp_path, toy):
    fresh = run_table(spec_of(toy), params(tmp_path / "fresh", seed=1), progress=False).table
    checkpoints = _interrupted(tmp_path, toy, seed=0)
    resumed = run_table(spec_of(toy), params(tmp_path, seed=1), progress=False)
    assert resumed.table["ours"].tolist() == fresh["ours"].tolist()
    assert checkpoints[0].exists(), "seed 0's checkpoint is not seed 1's to resume or delete"


def test_a_checkpoint_of_another_row_is_refused(tmp_path, toy):
    (checkpoint,) = _interrupted(tmp_path, toy, seed=0)
    run_table(spec_of(toy), params(tmp_path / "other", seed=1), progress=False)  # learn seed 1's key
    other = result_paths(tmp_path / "other" / "results", "toy", "table1_toy").store
    row = pd.read_json(next(p for p in other.glob("*.json") if not p.name.startswith("sources")), typ="series")
    target = result_paths(tmp_path / "results", "toy", "table1_toy").store / "checkpoints" / f"{row['key']}.pt"
    shutil.copy(checkpoint, target)  # seed 0's checkpoint under seed 1's name
    with pytest.raises(CheckpointMismatchError, match="delete it"):
        run_table(spec_of(toy), params(tmp_path, seed=1), progress=False)


def test_seeds_train_each_row_once_a_seed_and_give_intervals(tmp_path, toy):
    run = run_table(spec_of(toy), params(tmp_path, seeds=3), progress=False)
    assert toy.calls["trained"] == 6 and sorted(run.runs["seed"].unique()) == [0, 1, 2]
    table = run.table.set_index("row")
    assert (table["seeds"] == 3).all() and (table["seed"] == 0).all()
    per_seed = run.runs.groupby("name")["loss"].mean()
    for row in ("lr 0.01", "lr 0.5"):
        assert table.loc[row, "ours"] == pytest.approx(per_seed[row], rel=1e-9)
        assert table.loc[row, "low"] < table.loc[row, "ours"] < table.loc[row, "high"]  # t interval across seeds
    (claim,) = run.claims.itertuples()
    assert (
        claim.verdict in ("holds", "fails", "inconclusive")
        and claim.test == "paired t-test across seeds, 95% t interval"
    )
    assert claim.paper_verdict == "holds"  # the toy paper's 0.3 < 0.7
    # one seed more trains only the new seed's rows
    again = run_table(spec_of(toy), params(tmp_path, seeds=4), progress=False)
    assert toy.calls["trained"] == 8 and int(again.runs["reused"].sum()) == 6


def test_stored_rows_rebuild_the_claims_file(tmp_path, toy):
    run_table(spec_of(toy), params(tmp_path, seeds=2), progress=False)
    paths = result_paths(tmp_path / "results", "toy", "table1_toy")
    written = paths.claims.read_text()
    again = run_table(spec_of(toy), params(tmp_path, seeds=2, stored_only=True), progress=False)
    assert toy.calls["trained"] == 4
    assert again.claims.to_csv(index=False) == written


def test_the_command_line_trains_a_table_and_rewrites_it_from_its_rows(tmp_path, capsys):
    from motion_rnn.run import main

    results = tmp_path / "results"
    assert main(["leroux2017/table9_alignment", "--profile", "ci", "--results-dir", str(results), "--quiet"]) == 0
    paths = result_paths(results, "leroux2017", "table9_alignment")
    table, claims = paths.table.read_bytes(), paths.claims.read_bytes()
    assert "4 rows (4 trained)" in capsys.readouterr().err
    paths.claims.unlink()
    assert main(["leroux2017/table9_alignment", "--profile", "ci", "--results-dir", str(results), "--rewrite"]) == 0
    assert "4 rows (0 trained)" in capsys.readouterr().err
    assert paths.table.read_bytes() == table and paths.claims.read_bytes() == claims
    with pytest.raises(SystemExit):
        main(["leroux2017/table99", "--results-dir", str(results)])
    assert "no table 'leroux2017/table99'" in capsys.readouterr().err
