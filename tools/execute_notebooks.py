"""Execute the book's notebooks with papermill, then the status page.

    python tools/execute_notebooks.py [--profile ci] [--out _build/executed] [--results-dir _build/results] [NOTEBOOK ...]

Each ``notebooks/<paper>/<table>.ipynb`` is executed with ``profile`` and ``results_dir`` injected
into its ``parameters`` cell (its other parameters keep their defaults) and written to
``<out>/notebooks/<paper>/<table>.ipynb``; then the book's own notebook pages (``book/**.ipynb``),
and last ``book/status.ipynb`` against the results folders, to ``<out>/book/...``. A notebook that fails stops the build with its
name; the outputs of the notebooks already executed are kept.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]


def execute(source: Path, target: Path, parameters: dict, *, show_parameters: bool = True) -> float:
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    papermill.execute_notebook(
        str(source), str(target), parameters=parameters, kernel_name="python3", cwd=str(ROOT),
        progress_bar=False, request_save_on_cell_execute=False,
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all under notebooks/)")
    parser.add_argument("--profile", default="ci", choices=("ci", "quick", "full"))
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "executed")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "_build" / "results")
    parser.add_argument("--notebooks-only", action="store_true", help="skip the book's own pages and the status page")
    args = parser.parse_args(argv)

    notebooks = args.notebooks or sorted((ROOT / "notebooks").rglob("*.ipynb"))
    notebooks = [n.resolve() for n in notebooks if ".ipynb_checkpoints" not in n.parts]
    results_dir = args.results_dir.resolve()
    timings = []
    for source in notebooks:
        target = args.out / source.relative_to(ROOT)
        seconds = execute(source, target, {"profile": args.profile, "results_dir": str(results_dir)})
        timings.append((source.relative_to(ROOT), seconds))
        print(f"{seconds:7.1f} s  {source.relative_to(ROOT)}", flush=True)
    if args.notebooks_only:
        return 0
    # Book pages written as notebooks (e.g. a data set's page with its examples), then the status
    # page last, since it reads every results folder.
    status = ROOT / "book" / "status.ipynb"
    for page in sorted(p for p in (ROOT / "book").rglob("*.ipynb") if p != status and ".ipynb_checkpoints" not in p.parts):
        seconds = execute(page, args.out / page.relative_to(ROOT), {}, show_parameters=False)
        timings.append((page.relative_to(ROOT), seconds))
        print(f"{seconds:7.1f} s  {page.relative_to(ROOT)}", flush=True)
    seconds = execute(status, args.out / "book" / "status.ipynb",
                      {"results_dirs": [str(results_dir), str(ROOT / "results")]}, show_parameters=False)
    print(f"{seconds:7.1f} s  book/status.ipynb", flush=True)
    total = sum(s for _, s in timings) + seconds
    print(f"{total:7.1f} s  in all ({len(timings)} notebooks and the status page, profile {args.profile})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
