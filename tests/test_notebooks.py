"""The notebooks as readers use them: executed by papermill, rerun with new parameters, checked.

Each notebook must follow the contract of the book: one ``parameters`` cell with profile, data,
seed, device, results_dir and stored_only; no stored outputs in the source; its results files
written by the ``ci`` run; a wrong parameter value rejected at once; the same parameters give
identical CSV files; and the book's page of it shows the committed results of its longest
profile, read back from the committed rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from motion_rnn.results import CLAIM_COLUMNS, TABLE_COLUMNS
from motion_rnn.runner import all_specs
from motion_rnn.verdicts import KINDS, NOT_REPORTED, VERDICTS

from book_paths import CI_EXECUTED, COMMITTED, EXECUTED, NOTEBOOKS, RESULTS, ROOT

pytestmark = pytest.mark.book


def results_files(results_dir: Path, notebook: Path) -> tuple[Path, Path]:
    paper, table = notebook.parent.name, notebook.stem
    return results_dir / paper / f"{table}.csv", results_dir / paper / f"{table}.claims.csv"


def execute(notebook: Path, output: Path, **parameters):
    return papermill.execute_notebook(
        str(ROOT / notebook),
        str(output),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(ROOT),
        progress_bar=False,
    )


def test_every_catalogued_notebook_exists_or_is_marked_unbuilt():
    from motion_rnn.reference import catalogue

    assert set(map(str, NOTEBOOKS)) <= set(catalogue()["notebook"]), "a notebook is missing from reference/tables.csv"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_source_notebook_follows_the_contract(notebook):
    nb = nbformat.read(ROOT / notebook, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    for name in ("profile", "data", "seed", "seeds", "device", "results_dir", "stored_only"):
        assert f"{name} =" in tagged[0].source, f"parameters cell lacks {name}"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "source notebook has stored outputs"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_ci_run_of_the_notebook_ran_and_wrote_its_results(ci_runs, notebook):
    nb = nbformat.read(CI_EXECUTED / notebook, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert nb.metadata.papermill.parameters["profile"] == "ci"
    table_csv, claims_csv = results_files(RESULTS, notebook)
    table, claims = pd.read_csv(table_csv), pd.read_csv(claims_csv)
    assert list(table.columns) == TABLE_COLUMNS and list(claims.columns) == CLAIM_COLUMNS
    assert table["ours"].notna().any()
    # the paper's numbers beside ours, unless the paper prints none (Lakhal et al.'s Figure 3 is a plot)
    spec = all_specs()[f"{notebook.parent.name}/{notebook.stem}"]
    assert table["paper"].notna().any() == spec.paper_reference()["value"].notna().any()
    # By default every notebook runs on its synthetic data (some add a real stand-in beside it).
    assert set(table["profile"]) == {"ci"} and "synthetic" in set(table["data"]) and set(table["seed"]) == {0}
    assert set(table["seeds"]) <= {0, 1}  # ci trains one seed (0: a cell the paper has and we do not)
    assert len(claims) > 0 and claims["verdict"].isin(VERDICTS).all() and claims["kind"].isin(KINDS).all()
    assert claims["paper_verdict"].isin([*VERDICTS, NOT_REPORTED]).all()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_wrong_parameter_is_rejected_at_once(tmp_path, notebook):
    with pytest.raises(papermill.PapermillExecutionError) as error:
        execute(notebook, tmp_path / "out.ipynb", profile="fast", results_dir=str(tmp_path / "results"))
    assert "profile='fast' is not allowed; choose one of: 'ci', 'quick', 'full'" in str(error.value)
    assert not (tmp_path / "results").exists(), "nothing may run before the parameters are checked"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_same_parameters_give_identical_csv_files(ci_runs, tmp_path, notebook):
    execute(notebook, tmp_path / "out.ipynb", profile="ci", seed=0, results_dir=str(tmp_path / "results"))
    for built, rerun in zip(results_files(RESULTS, notebook), results_files(tmp_path / "results", notebook)):
        assert rerun.read_bytes() == built.read_bytes(), f"{rerun.name} differs from the book's run"


def test_papermill_rerun_with_new_parameters_gives_a_new_table(ci_runs, tmp_path):
    notebook = Path("notebooks/zhang2018/table1_convlstm_variants.ipynb")
    execute(notebook, tmp_path / "out.ipynb", profile="ci", seed=1, results_dir=str(tmp_path / "results"))
    table = pd.read_csv(results_files(tmp_path / "results", notebook)[0])
    built = pd.read_csv(results_files(RESULTS, notebook)[0])
    assert set(table["seed"]) == {1}
    accuracy = table["column"].str.startswith("Validating accuracy") & table["ours"].notna()
    assert accuracy.sum() == 5
    # Exact columns do not depend on the seed; the trained networks do.
    exact = table["column"].isin(["Parameter Size", "Mult-Adds"])
    assert table.loc[exact, "ours"].tolist() == built.loc[exact, "ours"].tolist()
    assert table.loc[accuracy, "ours"].tolist() != built.loc[accuracy, "ours"].tolist()
    provenance = json.loads(
        (tmp_path / "results" / "zhang2018" / "table1_convlstm_variants.provenance.json").read_text()
    )
    assert provenance["seed"] == 1 and provenance["profile"] == "ci"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=str)
def test_book_page_shows_the_committed_results_read_back(built_book, notebook):
    """The page of a table with committed results reads them back (never retrains) and says so."""
    provenance = json.loads((COMMITTED / notebook.parent.name / f"{notebook.stem}.provenance.json").read_text())
    nb = nbformat.read(EXECUTED / notebook, as_version=4)
    parameters = nb.metadata.papermill.parameters
    assert parameters["stored_only"] is True and parameters["results_dir"] == "results"
    assert (parameters["profile"], parameters["seed"]) == (provenance["profile"], provenance["seed"])
    assert provenance["profile"] != "ci", "the book shows committed results of a longer profile"
    text = "\n".join(
        str(o.get("data", {}).get("text/markdown", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert f"committed results of the `{provenance['profile']}` profile" in text
    assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
