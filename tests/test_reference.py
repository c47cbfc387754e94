import pytest

from motion_rnn.reference import catalogue, paper_table, paper_table_wide, papers


def test_zhang2018_table1_as_the_paper_prints_it():
    wide = paper_table_wide("zhang2018", "table1")
    assert list(wide.index) == ["ConvLSTM", "Variant (a)", "Variant (b)", "Variant (c)", "Variant (d)"]
    assert wide.loc["Variant (a)", "Validating accuracy (IsoGD)"] == 55.98
    assert list(wide["Parameter Size"]) == [4.719, 0.529, 0.667, 0.601, 0.601]
    assert list(wide["Mult-Adds"]) == [3700, 415, 522, 472, 472]


def test_tidy_columns():
    assert list(paper_table("zhang2018", "table1").columns) == ["table", "row", "column", "value", "unit"]


def test_unknown_table_names_known_ones():
    with pytest.raises(KeyError, match="zhang2018_table1"):
        paper_table("zhang2018", "table9")


def test_catalogue_covers_every_paper_and_has_unique_notebooks():
    cat = catalogue()
    assert set(cat["paper"]) == set(papers()["paper"])
    assert cat["notebook"].is_unique and cat["table"].notna().all()
    assert all(n == f"notebooks/{p}/{t}.ipynb" for p, t, n in zip(cat["paper"], cat["table"], cat["notebook"]))
