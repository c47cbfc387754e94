"""Build the HTML book from the executed notebooks.

    python tools/build_book.py [--executed _build/executed] [--html _build/html]

The book's sources (``_config.yml``, ``_toc.yml``, ``book/``), the package's source
``src/motion_rnn`` (the methods pages include its code) and the *executed* notebooks are staged
in ``_build/site`` (notebooks are executed by papermill beforehand, never by the book build),
then Jupyter Book builds them with Sphinx warnings treated as errors, and the HTML is placed in
``_build/html``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stage(executed: Path, site: Path) -> None:
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, site / name)
    shutil.copytree(ROOT / "book", site / "book")
    # The methods pages include the package's code ({literalinclude} ../../src/motion_rnn/...).
    shutil.copytree(
        ROOT / "src" / "motion_rnn", site / "src" / "motion_rnn", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    shutil.copytree(executed / "notebooks", site / "notebooks")
    # Book pages that are notebooks (the status page among them): use their executed copies.
    for page in (executed / "book").rglob("*.ipynb"):
        shutil.copy2(page, site / page.relative_to(executed))
    missing = [
        p.relative_to(ROOT) for p in (ROOT / "notebooks").rglob("*.ipynb") if not (site / p.relative_to(ROOT)).exists()
    ]
    if missing:
        raise SystemExit(f"notebooks not executed yet: {', '.join(map(str, missing))}; run tools/execute_notebooks.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--executed", type=Path, default=ROOT / "_build" / "executed")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    args = parser.parse_args(argv)
    site = ROOT / "_build" / "site"
    stage(args.executed.resolve(), site)
    command = [
        str(Path(sys.executable).with_name("jupyter-book")),
        "build",
        str(site),
        "--path-output",
        str(site),
        "--warningiserror",
        "--keep-going",
        "--all",
        "-q",
    ]
    done = subprocess.run(command, cwd=ROOT)
    if done.returncode != 0:
        return done.returncode
    if args.html.exists():
        shutil.rmtree(args.html)
    shutil.copytree(site / "_build" / "html", args.html)
    print(f"book built: {args.html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
