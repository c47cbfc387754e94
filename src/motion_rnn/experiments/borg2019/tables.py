"""Borg and Camilleri's Tables 1-5 (and Figure 4's confusion matrix), declared on the book's one runner.

Every table cross-validates classifiers on the same segments (:mod:`.data`); they differ in their
rows: the CNN layer the codes come from (Table 1), the stream and the decision fusion of two
(Table 2), the recurrent cell and depth (Table 3), the head's parts and dropout rates (Table 4),
and the hand-crafted baseline beside our two-stream network (Table 5).

Cells are the paper's ``(row, column)``. The paper's row names say VGG-16; ours are the same rows
with the notebook's backbone (the page says which). Each row also gets an accuracy cell of ours
where the paper prints none, so that a claim about a network that is not above chance comes out
inconclusive (:mod:`motion_rnn.verdicts`).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from motion_rnn.experiments.borg2019 import claims, data, training
from motion_rnn.experiments.borg2019.settings import PAPER_DROPOUT_RATES, PAPER_LAYERS, PRESETS, Settings
from motion_rnn.models.borg2019.head import SignDetectionHead, torch_parameter_count
from motion_rnn.reference import paper_cells, wide_as_printed
from motion_rnn.runner import Source, TableSpec
from motion_rnn.statistics import ItemScores, classification_scores

PAPER = "borg2019"
NAMES = {
    "table1": "table1_cnn_codes",
    "table2": "table2_motion_streams",
    "table3": "table3_rnn_architectures",
    "table4": "table4_ablations",
    "table5": "table5_baselines",
}
ACCURACY_OURS = "Accuracy (ours)"
PAPER_INPUT = 4096  # VGG-16's fc1: the input of Table 3's parameter counts

# Table 1
CONV, FC1 = "VGG-16 block5_conv3", "VGG-16 fc1"
CODE_SIZE, LOSS1 = "Code size", "Loss (validation set)"
# Table 2
STREAM_ROWS = {"rgb": "RGB stream only", "flow": "optical flow only", "mhi": "MHI only", "diff": "multi-frame diff."}
FUSION_ROWS = {"flow": "RGB + optical flow", "mhi": "RGB + MHI", "diff": "RGB + frame diff."}
LOSS, ACCURACY, TIME = "Loss", "Accuracy", "Forward time"
TIMING_KEYS = {"flow": "optical_flow", "mhi": "mhi", "diff": "frame_difference"}
# Table 3
PARAMETERS, LOSS3 = "trainable parameters", "Loss (valid. set)"
# Table 4
PROPOSED = "proposed model"
ABLATIONS = {
    "no batch normalisation": {"batch_norm": False},
    "no dropout layer": {"dropout": 0.0},
    "no GRU dropout": {"rnn_dropout": 0.0},
    "no classifier fc1 layer": {"fc1": False},
}
DROPOUT_ROW, RNN_DROPOUT_ROW = "dropout layer rate", "GRU dropout rate"
# Table 5
BASELINE, BASELINE_RNN, OURS = "baseline method [2, 3]", "baseline+RNN", "our method"
PRECISION = "Precision"


def measures_times(settings: Settings) -> bool:
    """Table 2's forward times are measured in a row of their own (stored, so that the committed table
    reads back byte for byte), except in the ``ci`` profile: its tables must come out the same when
    rerun, and a measured time never does."""
    return settings != PRESETS["ci"]


def sweep_accuracy(row: str) -> tuple[str, None]:
    """A dropout sweep's accuracies go to a row of their own, a rate a column, so that each loss cell's
    row holds one network a column (ours: the paper prints losses only)."""
    return (f"{row} (accuracy, ours)", None)


def layer_row(cell: str, layers: int) -> str:
    return f"{cell.upper()} {layers} layer{'s' if layers > 1 else ''}"


def _head(settings: Settings, name: str, row: str, **changes) -> dict:
    return {
        "name": name,
        "row": row,
        "model": "head",
        "features": "rgb",
        "layer": "fc1",
        "folds": "fold",
        "cell": settings.cell,
        "layers": settings.layers,
        "batch_norm": True,
        "fc1": True,
        "dropout": settings.dropout,
        "rnn_dropout": settings.rnn_dropout,
        **changes,
    }


def rows(key: str, settings: Settings, source: Source) -> list[dict]:
    """The rows of table ``key``: what each trains, named by the paper's row."""
    if key == "table1":
        return [_head(settings, layer, row, layer=layer) for layer, row in (("conv", CONV), ("fc1", FC1))]
    if key == "table2":
        heads = [_head(settings, s, STREAM_ROWS[s], features=s) for s in STREAM_ROWS]
        return heads + ([{"name": "timing", "row": "timing", "model": "timing"}] if measures_times(settings) else [])
    if key == "table3":
        return [
            _head(settings, layer_row(cell, n), layer_row(cell, n), cell=cell, layers=n)
            for cell in ("lstm", "gru")
            for n in PAPER_LAYERS
        ]
    if key == "table4":
        two = {"folds": "fold2"}
        out = [_head(settings, PROPOSED, PROPOSED, **two)]
        out += [_head(settings, name, name, **two, **change) for name, change in ABLATIONS.items()]
        out += [
            _head(settings, f"dropout {r:g}", DROPOUT_ROW, **two, dropout=r)
            for r in PAPER_DROPOUT_RATES
            if r != settings.dropout
        ]
        out += [
            _head(settings, f"GRU dropout {r:g}", RNN_DROPOUT_ROW, **two, rnn_dropout=r)
            for r in PAPER_DROPOUT_RATES
            if r != settings.rnn_dropout
        ]
        return out
    if key == "table5":
        return [
            {"name": "baseline", "row": BASELINE, "model": "svm", "features": "polar", "folds": "fold"},
            _head(settings, "baseline+RNN", BASELINE_RNN, features="polar"),
            _head(settings, "rgb", OURS, features="rgb"),
            _head(settings, "flow", OURS, features="flow"),
        ]
    raise KeyError(key)


def fuse(first, second) -> dict:
    """Decision fusion (Sec. 4): the mean of two rows' class probabilities, scored like a row."""
    p = (np.asarray(first.items["probabilities"]) + np.asarray(second.items["probabilities"])) / 2
    return training.outcome(p, np.asarray(first.items["target"]))


def real_clip_accuracy(runs: pd.DataFrame, facts: dict, results: dict[str, str | tuple[str, str]]) -> pd.DataFrame:
    """Accuracy (%) on each real clip's segments (:meth:`.data.SegmentData.real_clips`), mean over seeds.

    ``results``: a column name -> the run whose out-of-fold predictions it scores, or a pair of runs
    whose decisions are fused (:func:`fuse`). A line a clip, and one for all clips together.
    Empty when the data hold no real clips (``footage="none"``, or a reader's own folder). The clips'
    positions index every segment, so only rows scored on every fold can be read this way (not Table 4's,
    scored on one of two): a row whose predictions do not cover every segment is refused.
    """
    clips = facts.get("real_clips") or []
    if not clips:
        return pd.DataFrame()
    total = sum(facts["segments"].values())
    predictions: dict[str, list[np.ndarray]] = {c: [] for c in results}
    target = None
    for _, per_seed in runs.groupby("seed"):
        named = _by_name(per_seed)
        for column, what in results.items():
            it = fuse(named[what[0]], named[what[1]])["items"] if isinstance(what, tuple) else named[what].items
            if len(it["predicted"]) != total:
                raise ValueError(
                    f"{column}: {len(it['predicted'])} predictions for {total} segments; the real clips' accuracy needs "
                    "a row scored on every fold"
                )
            predictions[column].append(np.asarray(it["predicted"]))
            target = np.asarray(it["target"])
    lines = []
    for clip in [
        *clips,
        {"clip": "all real clips", "class_name": "", "fold": "", "segments": [i for c in clips for i in c["segments"]]},
    ]:
        at = np.asarray(clip["segments"], dtype=int)
        line = {"clip": clip["clip"], "class": clip["class_name"], "fold": clip["fold"], "segments": len(at)}
        for column, seeds in predictions.items():
            line[column] = float(np.mean([100 * (p[at] == target[at]).mean() for p in seeds]))
        lines.append(line)
    return pd.DataFrame(lines).set_index("clip")


def paper_parameters(cell: str, layers: int) -> int:
    """Table 3's count of a head built at the paper's input (4,096 codes), counted on the module."""
    return torch_parameter_count(SignDetectionHead(PAPER_INPUT, 3, cell=cell, num_layers=layers))


def _by_name(runs: pd.DataFrame) -> dict:
    return {r.name: r for r in runs.itertuples()}


def _cells_and_items(key: str, runs: pd.DataFrame, settings: Settings) -> tuple[list[dict], dict]:
    """Our cells (``row, column, ours, unit``) and the outcomes of the cells that have them."""
    cells, items = [], {}

    def add(row: str, column: str, value: float, unit: str = "", scores: ItemScores | None = None) -> None:
        cells.append({"row": row, "column": column, "ours": value, "unit": unit})
        if scores is not None:
            items[(row, column)] = scores

    def scored(row: str, loss_column: str, result, *, accuracy: str | tuple[str, str] = ACCURACY_OURS) -> None:
        it = result["items"] if isinstance(result, dict) else result.items
        target, predicted = np.asarray(it["target"]), np.asarray(it["predicted"])
        loss = result["loss"] if isinstance(result, dict) else result.loss
        add(row, loss_column, loss, "", ItemScores.of(it["loss"]))
        at = (row, accuracy) if isinstance(accuracy, str) else (accuracy[0], loss_column)
        add(*at, 100 * float((predicted == target).mean()), "%", classification_scores(predicted, target))

    named = _by_name(runs)
    if key == "table1":
        for r in runs.itertuples():
            scored(r.row, LOSS1, r)
            add(r.row, CODE_SIZE, r.code_size)
    elif key == "table2":
        for stream, row in STREAM_ROWS.items():
            scored(row, LOSS, named[stream], accuracy=ACCURACY)
            if stream in TIMING_KEYS and "timing" in named:
                add(row, TIME, named["timing"].ms[TIMING_KEYS[stream]], "ms")
        for stream, row in FUSION_ROWS.items():
            scored(row, LOSS, fuse(named["rgb"], named[stream]), accuracy=ACCURACY)
    elif key == "table3":
        for r in runs.itertuples():
            scored(r.row, LOSS3, r)
            add(r.row, PARAMETERS, paper_parameters(r.cell, r.layers))
    elif key == "table4":
        for r in runs.itertuples():
            if r.name == PROPOSED:
                scored(PROPOSED, LOSS1, r)
                scored(DROPOUT_ROW, f"{settings.dropout:g}", r, accuracy=sweep_accuracy(DROPOUT_ROW))
                scored(RNN_DROPOUT_ROW, f"{settings.rnn_dropout:g}", r, accuracy=sweep_accuracy(RNN_DROPOUT_ROW))
            elif r.row in (DROPOUT_ROW, RNN_DROPOUT_ROW):
                rate = f"{r.dropout if r.row == DROPOUT_ROW else r.rnn_dropout:g}"
                scored(r.row, rate, r, accuracy=sweep_accuracy(r.row))
            else:
                scored(r.row, LOSS1, r)
    elif key == "table5":
        results = {BASELINE: named["baseline"], BASELINE_RNN: named["baseline+RNN"]}
        results[OURS] = fuse(named["rgb"], named["flow"])
        for row, result in results.items():
            scored(row, LOSS, result)
            it = result["items"] if isinstance(result, dict) else result.items
            add(row, PRECISION, *precision_cell(it))
    return cells, items


def precision_cell(items: dict) -> tuple[float, str, ItemScores]:
    """Signing's precision (%): of the segments called signing, the share that are (ours: the paper does
    not say which precision; sign detection's, as Shipman et al. report). Chance: the share of signing."""
    target, predicted = np.asarray(items["target"]), np.asarray(items["predicted"])
    called = (predicted == 0).astype(float)
    right = 100.0 * (target == 0)
    chance = np.full(len(target), 100.0 * float((target == 0).mean()))
    value = float(right[called > 0].mean()) if called.any() else float("nan")
    return value, "%", ItemScores.of(right * called, weights=called, chance=chance * called)


def cells(key: str, runs: pd.DataFrame, source: Source, settings: Settings) -> pd.DataFrame:
    return pd.DataFrame(_cells_and_items(key, runs, settings)[0])


def item_scores(key: str, runs: pd.DataFrame, source: Source, settings: Settings) -> dict:
    return _cells_and_items(key, runs, settings)[1]


def reference(key: str) -> pd.DataFrame:
    """The paper's table ``key`` (tidy), its columns as text."""
    return paper_cells(PAPER, key)


def reference_wide(key: str) -> pd.DataFrame:
    """The paper's table ``key`` laid out as printed (rows and columns in its order), ``-`` where it has no number."""
    return wide_as_printed(reference(key))


def _spec(key: str) -> TableSpec:
    return TableSpec(
        paper=PAPER,
        name=NAMES[key],
        presets=PRESETS,
        table=key,
        reference=functools.partial(reference, key),
        load_data=data.load_data,
        rows=functools.partial(rows, key),
        train_row=training.train_row,
        cells=functools.partial(cells, key),
        claims=claims.CLAIMS[key],
        scores=functools.partial(item_scores, key),
        cpu_threads=1,
        data_per_seed=False,  # one data set and one frozen extractor for every seed (see .data)
        options=("backbone", "backbone_weights", "footage"),
        train_modules=(
            "motion_rnn.experiments.borg2019.training",
            "motion_rnn.experiments.borg2019.data",
            "motion_rnn.data.motion_images",
        ),
    )


SPECS = {key: _spec(key) for key in NAMES}
"""The paper's table (``"table1"``, ...) -> its specification."""
TABLES = tuple(SPECS.values())
