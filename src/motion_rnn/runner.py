"""One runner for every table of the book.

A table is declared once as a :class:`TableSpec`: which paper and table it is, the settings of
each profile, how its data are loaded, its rows, how one row trains and scores, the cells of our
table and the claims. :func:`run_table` runs any specification with a notebook's checked
parameters:

1. load the data the ``data`` parameter names (one or more :class:`Source`; a table can run a
   real stand-in beside its synthetic data);
2. train the rows that have no valid stored row (:func:`motion_rnn.sweep.run_rows`: each row is
   keyed by its settings, the fingerprint of the code that trains it and that of the data);
3. put the paper's numbers beside ours (:func:`motion_rnn.report.paper_vs_ours`) and decide the
   claims on our table, never on anything else, so that a claims file can always be recomputed
   from its table;
4. write the results files (table, claims, provenance; :mod:`motion_rnn.results`).

With ``params.stored_only`` step 1 and 2 read back what a training run stored (rows, and the
description of its data) and nothing is trained or written: the book renders the committed
results of the longer profiles this way, in seconds. Rows made by code that has changed since
are marked stale (:attr:`TableRun.stale_rows`).
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, is_dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from motion_rnn import distributed
from motion_rnn.execution import current as current_execution
from motion_rnn.fingerprint import code_fingerprint, digest
from motion_rnn.parameters import ParameterError, RunParameters, check_parameters
from motion_rnn.reference import paper_table
from motion_rnn.report import paper_vs_ours
from motion_rnn.results import (
    SIGNIFICANT_DIGITS,
    git_commit,
    result_paths,
    write_results,
)
from motion_rnn.sources import Source
from motion_rnn.statistics import ItemScores, Resampler, seed_t_test
from motion_rnn.sweep import RowContext, run_rows
from motion_rnn.verdicts import Cell, Claim, Evidence, claims_frame


@dataclass(frozen=True)
class TableSpec:
    """Everything that makes one table of a paper, declared once."""

    paper: str
    """The paper's key, e.g. ``"pigou2016"``."""
    name: str
    """The table's notebook and results name, e.g. ``"table1_architectures"``."""
    presets: Mapping[str, Any]
    """Profile (``ci``, ``quick``, ``full``) -> the settings of that profile (a frozen dataclass)."""
    load_data: Callable[[RunParameters, Any], Sequence[Source]]
    """``(params, settings, **options)`` -> the data sets to run on."""
    rows: Callable[[Any, Source], Sequence[Mapping[str, Any]]]
    """``(settings, source)`` -> the rows: what each changes, with a unique ``"name"``."""
    train_row: Callable[[Mapping[str, Any], Source, Any, RowContext, RunParameters], Mapping[str, Any]]
    """``(row, source, settings, context, params)`` -> the row's results (JSON-encodable)."""
    cells: Callable[[pd.DataFrame, Source, Any], pd.DataFrame]
    """``(runs of one source, source, settings)`` -> our cells, tidy: ``row, column, ours, unit``."""
    claims: Callable[[Evidence], Sequence[Claim]]
    """``(evidence of one data set)`` -> the paper's claims decided on it (:mod:`motion_rnn.verdicts`);
    called once on our numbers and once on the paper's."""
    table: str = "table1"
    """The paper's name of the table (the results' ``table`` column), and its key in
    :mod:`motion_rnn.reference`."""
    reference: Callable[[], pd.DataFrame] | None = None
    """A function building the paper's table when it is more than the reference's (e.g. rows
    taken from another table); None: :func:`motion_rnn.reference.paper_table` of :attr:`table`."""
    data_choices: tuple[str, ...] = ("synthetic",)
    train_modules: tuple[str, ...] = ()
    """Modules whose code trains and scores a row (their imports count too); by default those of
    ``train_row`` and ``load_data``."""
    cpu_threads: int | None = None
    """torch's threads while training on the CPU (None: as set). Small recurrent networks run
    faster on one thread than on several that compete."""
    options: tuple[str, ...] = ()
    """Names of the table's own notebook parameters passed to ``load_data`` (e.g. ``standin``)."""
    data_per_seed: bool = True
    """Whether each seed draws its own synthetic data (False: every seed reads the same data and features,
    and a seed changes only the training's randomness); the pages say which."""
    scores: Callable[[pd.DataFrame, Source, Any], Mapping[Cell, ItemScores]] | None = None
    """``(runs of one source at one seed, source, settings)`` -> the outcomes on each test item of
    the cells that have them (:class:`motion_rnn.statistics.ItemScores`, in the cell's unit)."""

    @property
    def key(self) -> str:
        return f"{self.paper}/{self.name}"

    def settings(self, profile: str) -> Any:
        return self.presets[profile]

    def code_fingerprint(self) -> str:
        modules = self.train_modules or tuple(dict.fromkeys((self.train_row.__module__, self.load_data.__module__)))
        return code_fingerprint(modules)

    def paper_reference(self) -> pd.DataFrame:
        return paper_table(self.paper, self.table) if self.reference is None else self.reference()


@dataclass
class TableRun:
    """A table's run: the results files' content and what the page shows beside it."""

    spec: TableSpec
    params: RunParameters
    settings: Any
    table: pd.DataFrame
    """The contract's tidy table, the paper's number beside ours (one block a data set)."""
    claims: pd.DataFrame
    """One line a claim (:data:`motion_rnn.verdicts.CLAIM_COLUMNS`): its kind, our verdict and the
    verdict on the paper's own numbers."""
    runs: pd.DataFrame
    """One line a row: its settings, results, ``seconds``, ``reused``, ``stale``, ``commit``."""
    sources: list[dict]
    """Each data set's ``label``, ``description``, ``fingerprint`` and ``facts``."""
    wall_seconds: float
    code_fingerprint: str
    options: dict = field(default_factory=dict)
    """The table's own parameters of this run (e.g. ``standin``)."""
    evidence: dict[str, Evidence] = field(default_factory=dict)
    """Each data set's label -> what its claims were decided on (cells a seed, outcomes a test item)."""

    @property
    def descriptions(self) -> dict[str, str]:
        return {s["label"]: s["description"] for s in self.sources}

    @property
    def data_description(self) -> str:
        return self.sources[0]["description"]

    @property
    def facts(self) -> dict:
        """The facts of the first data set (the one the ``data`` parameter names)."""
        return dict(self.sources[0]["facts"])

    @property
    def stale_rows(self) -> list[str]:
        """Rows made by other code or data than today's (only with ``stored_only``)."""
        return [str(n) for n in self.runs.loc[self.runs["stale"], "name"]] if len(self.runs) else []

    @property
    def commits(self) -> list[str]:
        return sorted(set(self.runs["commit"].astype(str)))

    @property
    def row_seconds(self) -> float:
        return float(self.runs["seconds"].sum())


def check_table_parameters(
    spec: TableSpec,
    *,
    profile: str,
    data: str,
    seed: int,
    device: str = "auto",
    results_dir: str = "_build/results",
    stored_only: bool = False,
    seeds: int | None = None,
    **options: Any,
) -> RunParameters:
    """The notebook's parameters checked for ``spec``; raises :class:`ParameterError` at the first bad one."""
    unknown = set(options) - set(spec.options)
    if unknown:
        raise ParameterError(f"{spec.key} has no parameter {', '.join(sorted(unknown))}")
    return check_parameters(
        profile=profile,
        data=data,
        seed=seed,
        device=device,
        results_dir=results_dir,
        data_choices=spec.data_choices,
        stored_only=stored_only,
        seeds=seeds,
    )


@contextmanager
def _threads(count: int | None):
    previous = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _settings_dict(settings: Any) -> dict:
    return asdict(settings) if is_dataclass(settings) else dict(settings)


def _sources_path(store: Path, params: RunParameters, options: Mapping[str, Any]) -> Path:
    return store / f"sources-{digest([params.profile, params.seed, params.data_label, dict(options)])}.json"


def run_table(spec: TableSpec, params: RunParameters, *, progress: bool = True, **options: Any) -> TableRun:
    """Run every row of ``spec`` for the checked parameters and write the results files.

    ``options``: the table's own parameters (:attr:`TableSpec.options`). With
    ``params.stored_only``, read the stored rows back instead (nothing is trained or written).
    """
    started = time.perf_counter()
    settings = spec.settings(params.profile)
    paths = result_paths(params.results_dir, spec.paper, spec.name)
    code = spec.code_fingerprint()
    commit = git_commit()
    cells, all_runs, sources = [], [], []
    with _threads(spec.cpu_threads if params.device.type == "cpu" else None):
        for seed in params.seed_list:
            one = replace(params, seed=seed, seeds=1)
            with distributed.main_first():  # rank 0 generates the data; the others read them
                seed_sources = _load_sources(spec, one, settings, paths.store, options)
            if not sources:
                sources = seed_sources
            for source in seed_sources:
                runs = _run_source(spec, one, settings, source, paths.store, code, commit, progress)
                all_runs.append(runs)
                scores = dict(spec.scores(runs, source, settings)) if spec.scores is not None else {}
                cells.append((seed, source.label, spec.cells(runs, source, settings), scores))
    tables, claims, paper_claims, evidences = [], [], [], {}
    for source in sources:
        part = [(seed, frame, scores) for seed, label, frame, scores in cells if label == source.label]
        ours, per_seed, item_scores = _over_seeds(part)
        table = paper_vs_ours(
            spec.paper_reference(),
            ours,
            table=spec.table,
            params=replace(params, data=source.label, data_path=None),
        )
        # Claims read the numbers as the table file keeps them (:data:`motion_rnn.results.SIGNIFICANT_DIGITS`).
        table = table.assign(**{c: table[c].map(as_written) for c in ("ours", "low", "high")})
        tables.append(table)
        prefix = "" if len(sources) == 1 else f"[{source.label}] "
        evidence = Evidence(table, item_scores, per_seed, facts=dict(source.facts))
        evidences[source.label] = evidence
        mine = list(spec.claims(evidence))
        on_paper = list(spec.claims(Evidence(table, values="paper", facts=dict(source.facts))))
        claims += [replace(c, claim=prefix + c.claim) for c in mine]
        paper_claims += [replace(c, claim=prefix + c.claim) for c in on_paper]
    runs = pd.concat(all_runs, ignore_index=True)
    run = TableRun(
        spec,
        params,
        settings,
        pd.concat(tables, ignore_index=True),
        claims_frame(claims, paper_claims),
        runs,
        [s.record() for s in sources],
        time.perf_counter() - started,
        code,
        dict(options),
        evidences,
    )
    if not params.stored_only and distributed.is_main():
        write_run(run)
    return run


def _load_sources(
    spec: TableSpec, params: RunParameters, settings: Any, store: Path, options: Mapping[str, Any]
) -> list[Source]:
    """The data sets of one seed: loaded (and their description stored), or read back with ``stored_only``."""
    sources_file = _sources_path(store, params, options)
    if params.stored_only:
        if not sources_file.exists():
            raise FileNotFoundError(
                f"no stored run of {spec.key} with profile {params.profile!r}, data {params.data_label!r}, seed "
                f"{params.seed} in {store}; train it first (run the notebook without stored_only, or "
                f"`make results`)"
            )
        return [Source(**record) for record in json.loads(sources_file.read_text())]
    sources = list(spec.load_data(params, settings, **options))
    if distributed.is_main():
        sources_file.parent.mkdir(parents=True, exist_ok=True)
        sources_file.write_text(json.dumps([s.record() for s in sources], indent=1, sort_keys=True) + "\n")
    return sources


def _run_source(
    spec: TableSpec,
    params: RunParameters,
    settings: Any,
    source: Source,
    store: Path,
    code: str,
    commit: str,
    progress: bool,
) -> pd.DataFrame:
    """The rows of one data set at one seed, trained where no valid stored row exists."""
    base = {"profile": params.profile, "data": source.label, "seed": params.seed, "settings": _settings_dict(settings)}
    # A precision other than the default changes the numbers: its rows are keyed apart.
    base.update(current_execution().key_entries())
    configs = [{**row, **base} for row in spec.rows(settings, source)]

    def run_one(config: Mapping[str, Any], context: RowContext) -> Mapping[str, Any]:
        return spec.train_row(config, source, settings, context, params)

    return run_rows(
        configs,
        run_one,
        store_dir=store,
        code=code,
        data=source.fingerprint,
        commit=commit,
        progress=progress,
        stored_only=params.stored_only,
    )


def _over_seeds(
    part: Sequence[tuple[int, pd.DataFrame, Mapping[Cell, ItemScores]]],
) -> tuple[pd.DataFrame, dict[Cell, np.ndarray], dict[Cell, ItemScores]]:
    """Our cells of one data set over the seeds: the mean of each cell with its 95% interval.

    The interval is the two-level bootstrap over seeds and test items where every seed has the
    cell's item outcomes, else the t interval across seeds (:mod:`motion_rnn.statistics`); a cell
    with a single measurement has none. Returns the cells (``row, column, unit, ours, low, high,
    seeds``), each cell's numbers a seed and its item outcomes over the seeds.
    """
    frames = [frame.assign(ours=pd.to_numeric(frame["ours"], errors="coerce")) for _, frame, _ in part]
    order = list(
        dict.fromkeys((str(r), str(c), u) for f in frames for r, c, u in zip(f["row"], f["column"], f["unit"]))
    )
    values = [
        {(str(r), str(c)): float(v) for r, c, v in zip(f["row"], f["column"], f["ours"]) if not np.isnan(v)}
        for f in frames
    ]
    resampler = Resampler()
    records, per_seed, item_scores = [], {}, {}
    for row, column, unit in order:
        cell = (row, column)
        seen = np.array([v[cell] for v in values if cell in v])
        if len(seen) == 0:
            records.append({"row": row, "column": column, "unit": unit, "ours": np.nan, "seeds": 0})
            continue
        per_seed[cell] = seen
        if all(cell in scores for _, _, scores in part):
            item_scores[cell] = ItemScores.stack([scores[cell] for _, _, scores in part])
            estimate = item_scores[cell].estimate(resampler)
        else:
            estimate = seed_t_test(seen)
        low, high = (estimate.low, estimate.high) if estimate.replicated else (np.nan, np.nan)
        records.append(
            {
                "row": row,
                "column": column,
                "unit": unit,
                "ours": float(seen.mean()),
                "low": low,
                "high": high,
                "seeds": len(seen),
            }
        )
    return (
        pd.DataFrame(records, columns=["row", "column", "unit", "ours", "low", "high", "seeds"]),
        per_seed,
        item_scores,
    )


def as_written(value: Any) -> Any:
    """A number as the results table keeps it (:func:`motion_rnn.results.write_table`)."""
    try:
        return float(f"{float(value):.{SIGNIFICANT_DIGITS}g}")
    except (TypeError, ValueError):
        return value


def read_table(path: str | Path) -> pd.DataFrame:
    """A results table file read back as :func:`run_table` made it (row and column names as text)."""
    return pd.read_csv(
        path,
        dtype={"row": str, "column": str, "data": str, "unit": str},
        keep_default_na=False,
        na_values={"paper": [""], "ours": [""]},
    )


def write_run(run: TableRun) -> None:
    """Write the three results files of a run (:func:`motion_rnn.results.write_results`), with the
    commit, key, date and training time of every row in the provenance, and the rows' migrations to
    other code (``rekeyed``, where there are any)."""
    rows = {
        str(r.name) + ("" if len(run.sources) == 1 else f" [{r.data}]"): {
            "commit": r.commit,
            "key": r.key,
            "seconds": r.seconds,
            "date": r.date,
        }
        for r in run.runs.itertuples()
    }
    extra = {
        "table": run.spec.key,
        "settings": _settings_dict(run.settings),
        "data_description": run.descriptions if len(run.sources) > 1 else run.data_description,
        "sources": run.sources,
        "code_fingerprint": run.code_fingerprint,
        "options": run.options,
        "row_commits": run.commits,
        "rows": rows,
        "stale_rows": run.stale_rows,
    }
    rekeyed = rekeyed_records(run)
    if rekeyed:
        extra["rekeyed"] = rekeyed
    write_results(
        run.params,
        run.spec.paper,
        run.spec.name,
        table=run.table,
        claims=run.claims,
        wall_seconds=run.wall_seconds,
        extra=extra,
        runs=run.runs,
    )


def rekeyed_records(run: TableRun) -> list[dict]:
    """The migrations of the run's rows to other code (:mod:`motion_rnn.rekey`), once each, oldest first.

    They live in the row files (``rekeyed``), so that every rewrite of the provenance keeps them and a
    row trained again drops its own.
    """
    store = result_paths(run.params.results_dir, run.spec.paper, run.spec.name).store
    keys = set(run.runs["key"].astype(str)) if "key" in run.runs else set()
    records: dict[str, dict] = {}
    for path in sorted(store.glob("*.json")):
        try:
            stored = json.loads(path.read_text())
        except json.JSONDecodeError:
            continue
        if isinstance(stored, dict) and stored.get("key") in keys:
            for record in stored.get("rekeyed", []):
                records.setdefault(json.dumps(record, sort_keys=True), record)
    return sorted(records.values(), key=lambda r: str(r.get("date", "")))


# ----------------------------------------------------------------------------------------------
# The book's tables

SPEC_MODULES = {
    "pigou2016": "motion_rnn.experiments.pigou2016.tables",
    "zhang2018": "motion_rnn.experiments.zhang2018.tables",
    "leroux2017": "motion_rnn.experiments.leroux2017.tables",
    "lakhal2018": "motion_rnn.experiments.lakhal2018.tables",
    "borg2019": "motion_rnn.experiments.borg2019.tables",
}
"""Paper -> the module declaring its tables (as ``TABLES``, a tuple of :class:`TableSpec`)."""


def all_specs() -> dict[str, TableSpec]:
    """Every table of the book: ``"<paper>/<table>"`` -> its specification."""
    specs = {}
    for module in SPEC_MODULES.values():
        for spec in importlib.import_module(module).TABLES:
            specs[spec.key] = spec
    return specs
