"""Where the built book lives (shared by the notebook and rendered-page tests)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "_build" / "executed"
"""The book's pages: each table notebook showing its committed results (``make book``)."""
CI_EXECUTED = ROOT / "_build" / "ci"
"""Every table notebook trained with the ``ci`` profile: the pipeline check of ``make test``."""
RESULTS = ROOT / "_build" / "results"
"""The results files of the ``ci`` runs."""
COMMITTED = ROOT / "results"
HTML = ROOT / "_build" / "html"
NOTEBOOKS = sorted(
    p.relative_to(ROOT) for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
