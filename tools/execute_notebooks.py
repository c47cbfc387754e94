"""Execute the book's notebooks with papermill.

    python tools/execute_notebooks.py --book [--out _build/executed]
    python tools/execute_notebooks.py --profile ci [--out _build/ci] [--results-dir _build/results] [NOTEBOOK ...]

``--book``: the pages of the book. Each ``notebooks/<paper>/<table>.ipynb`` shows the committed
results of its longest profile: it is executed with that profile, seed and data, ``results_dir``
``results`` and ``stored_only=True``, so it reads the committed rows back (seconds, nothing is
trained or written). A table with no committed results yet is executed with the ``ci`` profile
(and says that it is a pipeline check). Then the book's own notebook pages (``book/**.ipynb``),
and last ``book/status.ipynb``.

``--profile``: every notebook trained with that profile, its results written to ``--results-dir``
(``make test`` proves the pipeline with ``ci``; ``make results`` reruns ``quick`` into
``results/``).

``--jobs N`` executes N papers' notebooks at once, each paper's in order in one process (a paper's
tables share its generated data, which the first one writes), with the machine's threads shared
between them (``OMP_NUM_THREADS`` divided by N): small networks use one core better than two, so
on two cores two jobs take about half the time of one.

Notebooks are written to ``<out>/notebooks/<paper>/<table>.ipynb``. A notebook that fails stops
its paper's notebooks with its name; the notebooks already executed are kept, and the run exits
with an error once the other jobs end. Paths are passed relative to the project root, so no
machine's folder appears on a page.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import groupby
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]
PROFILE_ORDER = ("full", "quick", "ci")
COMMITTED = "results"


def relative(path: Path) -> str:
    """``path`` relative to the project root where it lies inside it (pages show no machine's folders)."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def execute(source: Path, target: Path, parameters: dict, *, show_parameters: bool = True) -> float:
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    papermill.execute_notebook(
        str(source),
        str(target),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
        request_save_on_cell_execute=False,
    )
    seconds = time.perf_counter() - started
    if not show_parameters:
        # Book pages (not tables) need not show the parameters papermill injected.
        nb = nbformat.read(target, as_version=4)
        for cell in nb.cells:
            if "injected-parameters" in cell.metadata.get("tags", []):
                cell.metadata["tags"].append("remove-cell")
        nbformat.write(nb, target)
    return seconds


def committed_parameters(notebook: Path) -> dict | None:
    """The parameters that show a table's committed results (its longest profile), or None if none are committed."""
    paper, table = notebook.parent.name, notebook.stem
    record = ROOT / COMMITTED / paper / f"{table}.provenance.json"
    if not record.exists():
        return None
    provenance = json.loads(record.read_text())
    if provenance.get("profile") not in PROFILE_ORDER or not (ROOT / COMMITTED / paper / f"{table}.runs").is_dir():
        return None
    parameters = {
        "profile": provenance["profile"],
        "seed": provenance["seed"],
        "seeds": provenance.get("seeds", 1),
        "data": provenance["data"],
        "results_dir": COMMITTED,
        "stored_only": True,
    }
    parameters.update(provenance.get("options", {}))
    return parameters


Job = tuple[Path, Path, dict, bool]
"""One notebook to execute: source, target, parameters, whether the page shows its parameters."""


def execute_in_order(jobs: Sequence[Job]) -> float:
    """Execute ``jobs`` one after another, printing each as it ends; the first failure stops them."""
    total = 0.0
    for source, target, parameters, show_parameters in jobs:
        try:
            seconds = execute(source, target, parameters, show_parameters=show_parameters)
        except Exception as error:
            raise RuntimeError(f"{relative(source)} failed: {error}") from error
        total += seconds
        what = "stored" if parameters.get("stored_only") else "trained"
        label = f"  ({parameters['profile']}, {what})" if "profile" in parameters else ""
        print(f"{seconds:7.1f} s  {relative(source)}{label}", flush=True)
    return total


def _threads_each(jobs: int) -> str:
    """Each job's share of the threads the run was given (``OMP_NUM_THREADS``, else the cores)."""
    threads = int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)
    return str(max(1, threads // jobs))


def _start_worker(threads: str) -> None:
    # Read by the kernels the worker starts: torch sizes its thread pool from it at import.
    os.environ["OMP_NUM_THREADS"] = threads


def execute_groups(groups: Sequence[Sequence[Job]], jobs: int) -> float:
    """Each group in order, ``jobs`` groups at once (longest first); raise once all have ended if one failed."""
    if jobs <= 1 or len(groups) <= 1:
        return sum(execute_in_order(group) for group in groups)
    failures, total = [], 0.0
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(_threads_each(jobs),)) as pool:
        futures = [pool.submit(execute_in_order, group) for group in sorted(groups, key=len, reverse=True)]
        for future in futures:
            try:
                total += future.result()
            except Exception as error:  # the other groups still finish: their pages are kept
                failures.append(str(error))
    if failures:
        raise RuntimeError("; ".join(failures))
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all under notebooks/)")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--book", action="store_true", help="the book's pages: committed results, read back")
    mode.add_argument("--profile", choices=("ci", "quick", "full"), help="train every notebook with this profile")
    parser.add_argument("--out", type=Path, default=None, help="where executed notebooks go")
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=ROOT / "_build" / "results",
        help="with --profile: where the results files go (and where tables without committed "
        "results write their ci run with --book)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="papers executed at once, sharing the threads (default: 1)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs {args.jobs}: give 1 or more")
    out = args.out or ROOT / "_build" / ("executed" if args.book else args.profile)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

    notebooks = args.notebooks or sorted((ROOT / "notebooks").rglob("*.ipynb"))
    notebooks = [n.resolve() for n in notebooks if ".ipynb_checkpoints" not in n.parts]
    results_dir = relative(args.results_dir)
    tables: list[Job] = []
    for source in notebooks:
        parameters = committed_parameters(source) if args.book else None
        if parameters is None:
            parameters = {"profile": args.profile or "ci", "results_dir": results_dir}
        tables.append((source, out / source.relative_to(ROOT), parameters, True))
    groups = [list(group) for _, group in groupby(tables, key=lambda job: job[0].parent)]  # a paper's, in order
    if args.book:
        # Book pages written as notebooks (e.g. a data set's page with its examples): one more group.
        status = ROOT / "book" / "status.ipynb"
        pages = sorted(
            p for p in (ROOT / "book").rglob("*.ipynb") if p != status and ".ipynb_checkpoints" not in p.parts
        )
        groups.append([(page, out / page.relative_to(ROOT), {}, False) for page in pages])
    try:
        total = execute_groups([g for g in groups if g], args.jobs)
        if args.book:
            # The status page last, since it reads every results folder.
            page = (status, out / "book" / "status.ipynb", {"results_dirs": [COMMITTED, results_dir]}, False)
            total += execute_in_order([page])
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{total:7.1f} s  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
