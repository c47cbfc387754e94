"""What the built book says about where its numbers come from.

Every table page shows the committed results (not the ``ci`` pipeline check) and says so; no page
shows a folder of the machine that built it.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from book_paths import NOTEBOOKS, ROOT

pytestmark = pytest.mark.book


def page_text(path) -> str:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ")


def test_no_page_shows_a_folder_of_the_build_machine(built_book):
    pages = sorted(built_book.rglob("*.html"))
    assert len(pages) > len(NOTEBOOKS)
    leaks = [p.relative_to(built_book) for p in pages if str(ROOT) in p.read_text(encoding="utf-8")]
    assert not leaks, f"{str(ROOT)!r} appears on {leaks}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_table_page_says_it_shows_committed_results(built_book, notebook):
    text = " ".join(page_text(built_book / notebook.with_suffix(".html")).split())
    assert "These are the committed results of the" in text
    assert "not retrained when the book was built" in text
    assert "made at commit" in text


def test_status_page_names_the_commit_behind_each_result(built_book):
    text = page_text(built_book / "book" / "status.html")
    assert "made at" in text and "results/" in text
