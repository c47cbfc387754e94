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

Notebooks are written to ``<out>/notebooks/<paper>/<table>.ipynb``. A notebook that fails stops
the run with its name; the notebooks already executed are kept. Paths are passed relative to the
project root, so no machine's folder appears on a page.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
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
    args = parser.parse_args(argv)
    out = args.out or ROOT / "_build" / ("executed" if args.book else args.profile)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

    notebooks = args.notebooks or sorted((ROOT / "notebooks").rglob("*.ipynb"))
    notebooks = [n.resolve() for n in notebooks if ".ipynb_checkpoints" not in n.parts]
    results_dir = relative(args.results_dir)
    total = 0.0
    for source in notebooks:
        target = out / source.relative_to(ROOT)
        parameters = committed_parameters(source) if args.book else None
        if parameters is None:
            parameters = {"profile": args.profile or "ci", "results_dir": results_dir}
        seconds = execute(source, target, parameters)
        total += seconds
        what = "stored" if parameters.get("stored_only") else "trained"
        print(f"{seconds:7.1f} s  {source.relative_to(ROOT)}  ({parameters['profile']}, {what})", flush=True)
    if args.book:
        # Book pages written as notebooks (e.g. a data set's page with its examples), then the status
        # page last, since it reads every results folder.
        status = ROOT / "book" / "status.ipynb"
        for page in sorted(
            p for p in (ROOT / "book").rglob("*.ipynb") if p != status and ".ipynb_checkpoints" not in p.parts
        ):
            seconds = execute(page, out / page.relative_to(ROOT), {}, show_parameters=False)
            total += seconds
            print(f"{seconds:7.1f} s  {page.relative_to(ROOT)}", flush=True)
        seconds = execute(
            status, out / "book" / "status.ipynb", {"results_dirs": [COMMITTED, results_dir]}, show_parameters=False
        )
        total += seconds
        print(f"{seconds:7.1f} s  book/status.ipynb", flush=True)
    print(f"{total:7.1f} s  in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
