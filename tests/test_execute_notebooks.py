"""The notebook executor's jobs: papers at once, each paper's notebooks in order, failures named."""

from __future__ import annotations

import importlib.util
import sys

import nbformat
import pytest

from motion_rnn.paths import project_root


@pytest.fixture(scope="module")
def executor():
    path = project_root() / "tools" / "execute_notebooks.py"
    spec = importlib.util.spec_from_file_location("execute_notebooks", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the job processes unpickle its functions by this name
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def notebook(path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def job(source, out):
    return (source, out / source.name, {}, False)


def test_groups_run_at_once_in_order_with_the_threads_shared(executor, tmp_path, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    log = tmp_path / "log.txt"
    write = f"import os, time; open({str(log)!r}, 'a').write('{{}} ' + os.environ['OMP_NUM_THREADS'] + '\\n')"
    groups = [
        [job(notebook(tmp_path / f"{g}{i}.ipynb", write.replace("{}", f"{g}{i}", 1)), tmp_path / "out") for i in (1, 2)]
        for g in "ab"
    ]
    executor.execute_groups(groups, jobs=2)
    lines = log.read_text().split()
    names, threads = lines[::2], lines[1::2]
    assert sorted(names) == ["a1", "a2", "b1", "b2"]
    assert names.index("a1") < names.index("a2") and names.index("b1") < names.index("b2")
    assert set(threads) == {"1"}, "two jobs share the run's two threads"
    assert all((tmp_path / "out" / f"{n}.ipynb").exists() for n in names)


def test_a_failing_notebook_is_named_and_the_other_jobs_still_finish(executor, tmp_path):
    failing = notebook(tmp_path / "broken.ipynb", "raise ValueError('bad cell')")
    after = notebook(tmp_path / "after.ipynb", "1")
    other = notebook(tmp_path / "other.ipynb", "import time; time.sleep(1)")
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match=r"(?s)broken\.ipynb failed.*ValueError: bad cell"):
        executor.execute_groups([[job(failing, out), job(after, out)], [job(other, out)]], jobs=2)
    assert (out / "other.ipynb").exists(), "the other paper's notebooks are kept"
    assert not (out / "after.ipynb").exists(), "a failure stops its own paper's notebooks"
