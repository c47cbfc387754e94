"""Fingerprints of code and data (:mod:`motion_rnn.fingerprint`)."""

import importlib
import textwrap

from motion_rnn.fingerprint import code_fingerprint, folder_manifest, imported_modules


def test_the_imports_of_the_package_are_followed():
    modules = imported_modules(["motion_rnn.experiments.zhang2018.training"])
    assert "motion_rnn.train" in modules and "motion_rnn.models.zhang2018.convlstm" in modules
    assert "motion_rnn.experiments.zhang2018.claims" not in modules, "claims never key the trained rows"
    # the runner, the results files and the report are imported for type hints only
    assert not {"motion_rnn.runner", "motion_rnn.report", "motion_rnn.results", "motion_rnn.sweep"} & set(modules)


def test_code_edits_change_the_fingerprint_docstrings_and_comments_do_not(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    module = tmp_path / "fp_probe.py"
    module.write_text(
        textwrap.dedent('''
        """A probe."""
        from motion_rnn import train

        RATE = 0.1  # a comment
    ''')
    )
    importlib.invalidate_caches()
    first = code_fingerprint(["fp_probe"])
    module.write_text(
        module.read_text().replace('"""A probe."""', '"""A probe, reworded."""').replace("# a comment", "#")
    )
    assert code_fingerprint(["fp_probe"]) == first
    module.write_text(module.read_text().replace("RATE = 0.1", "RATE = 0.2"))
    assert code_fingerprint(["fp_probe"]) != first


def test_the_manifest_follows_the_files_not_the_folder_name(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name / "sub").mkdir(parents=True)
        (tmp_path / name / "sub" / "x.skeleton").write_text("12345")
        (tmp_path / name / ".hidden").write_text("ignored")
    assert folder_manifest(tmp_path / "a") == folder_manifest(tmp_path / "b") == {"sub/x.skeleton": 5}
    (tmp_path / "b" / "sub" / "x.skeleton").write_text("123456")
    assert folder_manifest(tmp_path / "a") != folder_manifest(tmp_path / "b")
    assert folder_manifest(tmp_path / "a", suffixes=(".zip",)) == {}
