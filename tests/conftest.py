"""Shared fixtures: where the built book lives, and building it when a test needs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from book_paths import EXECUTED, HTML, NOTEBOOKS, ROOT


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The HTML book, built by `make book` (or here, if a test runs without it)."""
    if not all((EXECUTED / n).exists() for n in NOTEBOOKS) or not (EXECUTED / "book" / "status.ipynb").exists():
        subprocess.run([sys.executable, str(ROOT / "tools" / "execute_notebooks.py")], check=True, cwd=ROOT)
    if not (HTML / "index.html").exists():
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py")], check=True, cwd=ROOT)
    return HTML
