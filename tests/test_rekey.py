"""Re-keying a table's stored rows after a code change that leaves their numbers (:mod:`motion_rnn.rekey`).

The check's two training runs are replaced by stand-ins here (they take minutes); the comparison,
the re-keying of the row files, the rewrite of the results files and the temporary worktree of
the old commit are the real ones, and so is the old code's fingerprint in the end-to-end test.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from motion_rnn import rekey
from motion_rnn.fingerprint import imported_modules
from motion_rnn.sweep import ROW_FORMAT, row_key

from book_paths import COMMITTED, ROOT

OLD, NEW = "0ld0ld0ld0ld0ld0", "eeeeeeeeeeeeeeee"
TABLE = "leroux2017/table9_alignment"
"""A table whose committed results rewrite in seconds."""


def row(name="ConvLSTM", seed=0, code=OLD, data="d1", result=None):
    config = {"name": name, "seed": seed, "data": "synthetic", "settings": {"epochs": 2}}
    return {
        "format": ROW_FORMAT,
        "config": config,
        "key": row_key(config, code=code, data=data),
        "code": code,
        "data": data,
        "commit": "abc",
        "date": "2026-01-01T00:00:00+00:00",
        "seconds": 1.5,
        "result": result if result is not None else {"accuracy": 50.0, "history": {"val_accuracy": [0.1, 0.2]}},
    }


# ----------------------------------------------------------------------------------------------
# The comparison


def test_identical_runs_pass_whatever_their_times_commits_and_keys():
    old = {"a.json": row(), "b.json": row("Variant (a)")}
    new = copy.deepcopy(old)
    new["a.json"].update(seconds=9.0, date="2027-01-01", commit="def", code=NEW, key="other")
    assert rekey.compare_rows(old, new) == []


def test_a_number_changed_deep_in_a_result_is_refused_with_the_row_and_field_named():
    old = {"a.json": row(result={"accuracy": 50.0, "history": {"val_accuracy": [0.1, 0.2, {"x": [1, 2]}]}})}
    new = copy.deepcopy(old)
    new["a.json"]["result"]["history"]["val_accuracy"][2]["x"][1] = 3
    (difference,) = rekey.compare_rows(old, new)
    assert "ConvLSTM" in difference.row and "seed 0" in difference.row and "a.json" in difference.row
    assert difference.fields == ("result.history.val_accuracy[2].x[1]: 2 (old) != 3 (today)",)


def test_exact_comparison_types_nans_and_lengths():
    assert rekey.first_differences({"x": float("nan")}, {"x": float("nan")}) == []
    assert rekey.first_differences({"x": 1}, {"x": 1.0}) == ["x: 1 (old) != 1.0 (today)"]
    assert rekey.first_differences([1, 2], [1]) == ["value: 2 entries (old) != 1 (today)"]
    assert rekey.first_differences({"x": 1}, {"y": 1})[0].startswith("x: present in the old run")


def test_a_changed_config_or_a_row_on_one_side_only_is_refused():
    old = {"a.json": row(), "b.json": row("Variant (a)")}
    new = {"a.json": row(), "c.json": row("Variant (b)")}
    new["a.json"]["config"]["settings"]["epochs"] = 3
    messages = [str(d) for d in rekey.compare_rows(old, new)]
    assert len(messages) == 3
    assert any("ConvLSTM" in m and "config.settings.epochs: 2 (old) != 3 (today)" in m for m in messages)
    assert any("Variant (a)" in m and "missing in today's run" in m for m in messages)
    assert any("Variant (b)" in m and "missing in the old code's run" in m for m in messages)


# ----------------------------------------------------------------------------------------------
# The row files


def write_store(folder: Path) -> dict[str, str]:
    """A store with rows of the old code (one with a key that does not fit), of other code and a sources file."""
    folder.mkdir(parents=True, exist_ok=True)
    earlier = {"from_code": "1111", "to_code": OLD}
    files = {
        "a.json": row(),
        "b.json": {**row("Variant (a)"), "rekeyed": [earlier]},
        "c.json": row("Variant (b)", code="othercode"),
        "d.json": {**row("Variant (c)"), "key": "tampered"},
    }
    for name, stored in files.items():
        (folder / name).write_text(json.dumps(stored, indent=1, sort_keys=True))
    (folder / "sources-123.json").write_text(json.dumps([{"label": "synthetic"}]))
    return {p.name: p.read_text() for p in folder.iterdir()}


def test_only_rows_of_the_old_code_are_rekeyed_with_the_record_appended(tmp_path):
    before = write_store(tmp_path)
    record = {"from_code": OLD, "to_code": NEW, "verified": "ci profile, seeds 0: 5 rows identical"}
    outcome = rekey.rekey_rows(tmp_path, old_code=OLD, new_code=NEW, record=record, dry_run=False)
    assert outcome.changed == ["a.json", "b.json"]
    assert outcome.other_code == {"othercode": 1} and outcome.bad_key == ["d.json"]
    for name in ("a.json", "b.json"):
        stored = json.loads((tmp_path / name).read_text())
        assert stored["code"] == NEW and stored["key"] == row_key(stored["config"], code=NEW, data="d1")
        assert stored["rekeyed"][-1] == record and stored["result"] == row()["result"]
        assert stored["commit"] == "abc" and stored["seconds"] == 1.5
    assert json.loads((tmp_path / "b.json").read_text())["rekeyed"][0] == {"from_code": "1111", "to_code": OLD}
    assert all((tmp_path / n).read_text() == before[n] for n in ("c.json", "d.json", "sources-123.json"))
    assert not list(tmp_path.glob("*.tmp"))


def test_a_dry_run_of_the_rekeying_changes_nothing(tmp_path):
    before = write_store(tmp_path)
    outcome = rekey.rekey_rows(tmp_path, old_code=OLD, new_code=NEW, record={}, dry_run=True)
    assert outcome.changed == ["a.json", "b.json"]
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == before


# ----------------------------------------------------------------------------------------------
# The command, with stand-ins for the check's training runs


@pytest.fixture
def committed(tmp_path):
    """A copy of a table's committed results whose rows pretend to be made by the code ``OLD``."""
    paper, name = TABLE.split("/")
    folder = tmp_path / "results" / paper
    folder.mkdir(parents=True)
    for path in (COMMITTED / paper).glob(f"{name}.*"):
        (shutil.copytree if path.is_dir() else shutil.copy)(path, folder / path.name)
    store = folder / f"{name}.runs"
    for path in store.glob("*.json"):
        stored = json.loads(path.read_text())
        if isinstance(stored, dict):
            stored.update(code=OLD, key=row_key(stored["config"], code=OLD, data=stored["data"]))
            path.write_text(json.dumps(stored, indent=1, sort_keys=True))
    return tmp_path / "results"


def fake_check(monkeypatch, *, today_result=None):
    """The old code's fingerprint is ``OLD``; the check's runs give one row each (``today_result``: today's
    differs). Returns the arguments each run was given."""
    monkeypatch.setattr(rekey, "fingerprint_at", lambda checkout, table: OLD)
    calls = []

    def train_short(checkout, table, **kwargs):
        calls.append(kwargs)
        old_side = checkout != rekey.repo_root()
        code = OLD if old_side else rekey.today_spec(table).code_fingerprint()
        result = None if old_side else today_result
        return {"r.json": {**row(code=code, result=result)}}

    monkeypatch.setattr(rekey, "train_short", train_short)
    return calls


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_command_rekeys_the_rows_and_rewrites_the_provenance(committed, monkeypatch, capsys):
    fake_check(monkeypatch)
    assert rekey.main([TABLE, "--against", "HEAD", "--results-dir", str(committed)]) == 0
    out = capsys.readouterr().out
    paper, name = TABLE.split("/")
    today = rekey.today_spec(TABLE).code_fingerprint()
    rows = rekey.read_rows(committed / paper / f"{name}.runs")
    assert all(
        r["code"] == today and r["key"] == row_key(r["config"], code=today, data=r["data"]) for r in rows.values()
    )
    assert (
        f"re-keyed {len(rows)} rows from code {OLD} to {today}" in out
        and "ci profile, seeds 0: 1 rows identical" in out
    )
    provenance = json.loads((committed / paper / f"{name}.provenance.json").read_text())
    assert provenance["code_fingerprint"] == today and provenance["stale_rows"] == []
    record = provenance["rekeyed"][-1]  # earlier records: the committed rows' own migrations
    assert record["from_code"] == OLD and record["to_code"] == today and record["verified"].startswith("ci profile")
    assert all(r["rekeyed"][-1] == record for r in rows.values())
    rekey.rewrite(rekey.today_spec(TABLE), provenance, committed)  # a later --rewrite keeps the records
    kept = json.loads((committed / paper / f"{name}.provenance.json").read_text())["rekeyed"]
    assert kept == provenance["rekeyed"]
    # the page says so under the run
    from motion_rnn.page import run_note
    from motion_rnn.parameters import check_parameters
    from motion_rnn.runner import run_table

    params = check_parameters(
        profile=provenance["profile"],
        data=provenance["data"],
        seed=provenance["seed"],
        seeds=provenance["seeds"],
        results_dir=committed,
        stored_only=True,
    )
    note = run_note(run_table(rekey.today_spec(TABLE), params, progress=False, **provenance["options"])).data
    assert "**Carried over:**" in note and record["verified"] in note and "Stale" not in note


def test_a_dry_run_of_the_command_changes_nothing(committed, monkeypatch, capsys):
    fake_check(monkeypatch)
    before = files(committed)
    assert rekey.main([TABLE, "--against", "HEAD", "--results-dir", str(committed), "--dry-run"]) == 0
    assert "would re-key" in capsys.readouterr().out and files(committed) == before


def test_fresh_data_gives_each_run_its_own_cache_and_the_record_says_so(committed, monkeypatch, capsys):
    calls = fake_check(monkeypatch)
    args = [TABLE, "--against", "HEAD", "--results-dir", str(committed), "--dry-run", "--fresh-data", "--seeds", "2"]
    assert rekey.main(args) == 0
    caches = [c["data_cache"] for c in calls]
    assert None not in caches and caches[0] != caches[1] and [c["seeds"] for c in calls] == [2, 2]
    assert "ci profile, seeds 0, 1: 1 rows identical, each code generating its own data" in capsys.readouterr().out
    assert rekey._environment(Path("src"), caches[0])["MOTION_RNN_DATA"] == str(caches[0])


def test_an_old_checkout_reads_this_project_s_registry_clips(monkeypatch, tmp_path):
    monkeypatch.delenv("MOTION_RNN_FOOTAGE", raising=False)
    monkeypatch.chdir(Path(__file__).parents[1])
    assert rekey._environment(tmp_path / "src")["MOTION_RNN_FOOTAGE"] == str(Path.cwd() / "_build" / "footage")
    monkeypatch.setenv("MOTION_RNN_FOOTAGE", str(tmp_path))
    assert rekey._environment(tmp_path / "src")["MOTION_RNN_FOOTAGE"] == str(tmp_path)


def test_runs_that_differ_are_refused_and_nothing_changes(committed, monkeypatch, capsys):
    fake_check(monkeypatch, today_result={"accuracy": 50.0, "history": {"val_accuracy": [0.1, 0.25]}})
    before = files(committed)
    assert rekey.main([TABLE, "--against", "HEAD", "--results-dir", str(committed)]) == 1
    out = capsys.readouterr().out
    assert "refused" in out and "result.history.val_accuracy[1]: 0.2 (old) != 0.25 (today)" in out
    assert files(committed) == before


@pytest.mark.parametrize(
    "args, words",
    [
        (["nopaper/table1", "--against", "HEAD"], ["no table 'nopaper/table1'", TABLE]),
        ([TABLE, "--against", "0123456789abcdef0123"], ["git does not know the commit"]),
        ([TABLE, "--against", "HEAD", "--results-dir", "{empty}"], ["holds no stored rows of", "--results-dir"]),
    ],
)
def test_errors_name_the_problem_and_the_fix(args, words, tmp_path, capsys):
    args = [a.replace("{empty}", str(tmp_path)) for a in args]
    assert rekey.main(args) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err


def test_a_commit_without_the_table_is_named_and_the_worktree_removed(committed, monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(rekey, "fingerprint_at", lambda checkout, table: seen.append(checkout))
    assert rekey.main([TABLE, "--against", "HEAD", "--results-dir", str(committed)]) == 2
    assert "did not exist at" in capsys.readouterr().err
    assert seen and not seen[0].exists() and str(seen[0]) not in _rekey_worktrees()


# ----------------------------------------------------------------------------------------------
# The real command, end to end


def _rekey_worktrees() -> set[str]:
    listing = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True, text=True).stdout
    return {line.split()[0] for line in listing.splitlines() if "motion_rnn_rekey_" in line}


def test_against_head_itself_there_is_nothing_to_do_and_the_worktree_is_removed(capsys):
    spec = rekey.today_spec(TABLE)
    modules = spec.train_modules or (spec.train_row.__module__, spec.load_data.__module__)
    files = [str(importlib.util.find_spec(m).origin) for m in imported_modules(modules)]
    changed = subprocess.run(["git", "status", "--porcelain", "--", *files], cwd=ROOT, capture_output=True, text=True)
    if changed.stdout.strip():
        pytest.skip(f"{TABLE}'s code has changes since HEAD, so its fingerprint is not HEAD's")
    before = _rekey_worktrees()
    assert rekey.main([TABLE, "--against", "HEAD", "--dry-run"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert _rekey_worktrees() <= before
