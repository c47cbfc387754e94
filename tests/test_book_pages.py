"""The rendered book, as a reader's browser shows it (headless Chromium).

Every notebook page must show its table and its figure, the intro and the status page must exist,
the status page must list every catalogued table, and each chapter's methods page must show the
paper's equations and the package's code under them. Skips, saying why, only where no Chromium
is installed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from book_paths import NOTEBOOKS

pytestmark = pytest.mark.book

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def render(page: Path, tmp_path: Path) -> BeautifulSoup:
    """The page's DOM after Chromium loaded it and ran its scripts."""
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine (install Debian's 'chromium' package to run the browser check)")
    done = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return BeautifulSoup(done.stdout, "html.parser")


def screenshot(page: Path, png: Path, tmp_path: Path) -> Image.Image:
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,2400",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return Image.open(png)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_notebook_page_shows_its_table_and_figure(built_book, tmp_path, notebook):
    page = built_book / notebook.with_suffix(".html")
    assert page.exists(), f"{notebook} has no page in the book"
    dom = render(page, tmp_path)
    article = dom.find("article") or dom
    assert article.find("h1"), "page has no title"
    tables = article.find_all("table")
    assert len(tables) >= 2, "the paper's table and ours should both show"
    assert any("paper" in t.get_text() and "ours" in t.get_text() for t in tables), "no paper-vs-ours table"
    images = [img for img in article.find_all("img") if img.get("src", "").endswith(".png")]
    assert images, "no figure on the page"
    for img in images:
        file = (page.parent / img["src"]).resolve()
        with Image.open(file) as picture:
            assert picture.width > 200 and picture.height > 100, f"{file.name} is too small to be a figure"
    assert not article.select(".output.traceback, .ansi-red-intense-fg"), "the page shows an error"
    text = article.get_text()
    assert "verdict" in text and any(v in text for v in ("holds", "fails", "inconclusive")), "no claim verdicts"
    assert "on the paper's numbers" in text, "no verdicts on the paper's own numbers"
    shot = screenshot(page, tmp_path / "page.png", tmp_path)
    assert len(np.unique(np.asarray(shot.convert("L").resize((64, 128))))) > 8, "the page renders blank"


def test_intro_and_status_pages(built_book, tmp_path):
    from motion_rnn.reference import catalogue

    intro = render(built_book / "book" / "intro.html", tmp_path)
    assert "replication book" in intro.get_text()
    status = render(built_book / "book" / "status.html", tmp_path)
    text = status.get_text()
    for caption in catalogue()["caption"]:
        assert caption.split(":")[0] in text
    unbuilt = [n for n in catalogue()["notebook"] if not Path(n).exists()]
    assert ("not built yet" in text) == bool(unbuilt) and ("ran" in text or "stale" in text)
    assert all(word in text for word in ("holds", "fails", "inconclusive", "Pipeline checks"))


def test_scorecard_lists_every_committed_claim_sortable_and_plots_verdicts(built_book, tmp_path):
    import pandas as pd

    from motion_rnn.status import scorecard

    card = scorecard([Path(__file__).resolve().parents[1] / "results"])
    page = built_book / "book" / "scorecard.html"
    assert page.exists(), "no scorecard page in the book"
    dom = render(page, tmp_path)
    article = dom.find("article") or dom
    text = article.get_text()
    assert f"{len(card)} claims" in text
    # DataTables ran in the browser: a search box to filter, and one line a claim
    assert article.select("input[type=search]"), "the scorecard cannot be filtered"
    table = max(article.find_all("table"), key=lambda t: len(t.find_all("tr")))
    headers = [th.get_text(strip=True) for th in table.find_all("th")]
    assert {"paper", "table", "claim", "kind", "verdict"} <= set(headers)
    assert len(table.select("tbody tr")) == len(card) > 0
    assert set(pd.unique(card["verdict"])) <= {"holds", "fails", "inconclusive", ""}
    assert [img for img in article.find_all("img") if img.get("src", "").endswith(".png")], "no plot of verdicts"


def test_benchmarks_page_shows_each_committed_measurement_with_its_machine_and_the_gaps(built_book, tmp_path):
    import pandas as pd

    results = Path(__file__).resolve().parents[1] / "results"
    page = built_book / "book" / "benchmarks.html"
    assert page.exists(), "no benchmarks page in the book"
    text = (render(page, tmp_path).find("article") or BeautifulSoup("", "html.parser")).get_text(" ")
    throughput = pd.read_csv(results / "benchmarks" / "training_throughput.csv")
    lstm = pd.read_csv(results / "pigou2016" / "peephole_lstm.timing.csv").iloc[0]
    cells = pd.read_csv(results / "benchmarks" / "convlstm_cells.csv").set_index("kind")
    assert throughput["machine"].iloc[0] in text
    assert all(model in text for model in throughput.loc[throughput["benchmark"] == "training_step", "model"])
    assert f"{lstm['ratio']:.2f} times" in text and lstm["device"] in text
    assert f"{cells.loc['a', 'speedup_vs_convlstm']:.1f} times" in text
    assert ("target at most 1.4: met" in text) == (lstm["ratio"] <= 1.4)
    assert ("target at least 25: met" in text) == (cells.loc["a", "speedup_vs_convlstm"] >= 25)
    if throughput["device"].eq("cpu").all():
        assert "training throughput on a GPU: every committed figure is from a CPU" in text


METHODS_PAGES = [Path("book") / paper / "methods.html" for paper in ("pigou2016", "zhang2018", "leroux2017")]


@pytest.mark.parametrize("page_path", METHODS_PAGES, ids=str)
def test_methods_page_shows_equations_beside_code(built_book, tmp_path, page_path):
    """A chapter's methods page shows the paper's equations as display math and the package's code
    under them, included from the source (so the code must be there, not an include error)."""
    page = built_book / page_path
    assert page.exists(), f"{page_path} is not in the book"
    html = page.read_text(encoding="utf-8")
    assert r"\[" in html, "no MathJax display math in the page source"

    def check(dom: BeautifulSoup) -> None:
        article = dom.find("article") or dom
        assert article.find("h1"), "page has no title"
        assert len(article.select("div.math")) >= 3, "the paper's equations should show as display math"
        code = article.select("div.highlight-python") or article.select("div.highlight")
        assert len(code) >= 3, "the package's code should show under the equations"
        shown = "\n".join(block.get_text() for block in code)
        assert "def forward" in shown, "the models' forward passes should be on the page"
        assert not article.select(".system-message, .problematic"), "the page shows a build error"

    check(BeautifulSoup(html, "html.parser"))  # the page as built
    check(render(page, tmp_path))  # as Chromium shows it, after MathJax ran


def test_borg_data_page_lists_every_real_clip_with_its_source(built_book, tmp_path):
    """The data page of Borg and Camilleri's chapter names each registry clip the tables use, its package
    and its licence, as the clip list has them (a clip added to the list must be described there)."""
    from motion_rnn.data.signing_wild.footage import clips

    page = built_book / "book" / "borg2019" / "data.html"
    text = (render(page, tmp_path).find("article") or BeautifulSoup("", "html.parser")).get_text(" ")
    for clip in clips().itertuples():
        assert clip.clip_id in text, f"{clip.clip_id} is not described on the data page"
        assert clip.package in text and clip.version in text
