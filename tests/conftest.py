"""Shared fixtures: where the built book lives, and building it when a test needs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from book_paths import CI_EXECUTED, EXECUTED, HTML, NOTEBOOKS, ROOT


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The HTML book, built by `make book` (or here, if a test runs without it)."""
    tools = ROOT / "tools"
    if not all((EXECUTED / n).exists() for n in NOTEBOOKS) or not (EXECUTED / "book" / "status.ipynb").exists():
        subprocess.run([sys.executable, str(tools / "execute_notebooks.py"), "--book"], check=True, cwd=ROOT)
    if not (HTML / "index.html").exists():
        subprocess.run([sys.executable, str(tools / "build_book.py")], check=True, cwd=ROOT)
    return HTML


@pytest.fixture(scope="session")
def ci_runs() -> Path:
    """Every notebook trained with the ``ci`` profile (`make test` runs them before pytest)."""
    if not all((CI_EXECUTED / n).exists() for n in NOTEBOOKS):
        subprocess.run(
            [sys.executable, str(ROOT / "tools" / "execute_notebooks.py"), "--profile", "ci"], check=True, cwd=ROOT
        )
    return CI_EXECUTED
