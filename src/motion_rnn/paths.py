"""Where the book keeps things: the project root, the data cache, results folders."""

from __future__ import annotations

import os
from pathlib import Path


def project_root(start: str | Path | None = None) -> Path:
    """The folder holding ``_toc.yml`` and ``pyproject.toml`` above ``start`` (default: the cwd).

    Notebooks opened in Jupyter run in their own folder; anchoring relative paths here makes
    ``results_dir="_build/results"`` mean the same folder whether a notebook runs from Jupyter, from
    papermill at the project root or from the book build. Outside the project, the cwd.
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file() and (folder / "pyproject.toml").is_file():
            return folder
    return here


def resolve(path: str | Path) -> Path:
    """An absolute path; a relative one is taken from the project root (see :func:`project_root`)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else project_root() / path


def data_cache_dir() -> Path:
    """Where generated data sets are written: ``$MOTION_RNN_DATA`` or ``<project>/_build/data``."""
    return (
        Path(os.environ["MOTION_RNN_DATA"]) if os.environ.get("MOTION_RNN_DATA") else project_root() / "_build" / "data"
    )
