"""Carry a table's stored rows over a code change that cannot change their numbers, after checking that.

    python -m motion_rnn.rekey zhang2018/table1_convlstm_variants --against 0a1cc4375d48
    python -m motion_rnn.rekey zhang2018/table1_convlstm_variants --against HEAD~3 --dry-run

A stored row is reused only when its key names today's code (:mod:`motion_rnn.sweep`), so any
change of the modules that train a table (a refactor, one more entry in a returned dict, a new
option whose default keeps the old behaviour) makes every row of the table stale, and training
them again costs hours. Exempting such changes by hand would let a real change slip through, so
this tool migrates the rows only after a check:

1. the table's code fingerprint at the old commit (in a temporary ``git worktree`` of it) and
   today's; equal fingerprints leave nothing to do;
2. the table is trained with a short profile (``ci``, one seed) once with the old code and once
   with today's, and every stored row's ``config``, ``data`` and ``result`` must be identical
   (exactly: every number, list and nested entry); any difference, or a row on one side only,
   stops the tool with the differing rows and fields, and nothing changes;
3. the committed rows made by the old code get today's fingerprint and the key that goes with it
   (:func:`motion_rnn.sweep.row_key`), and a record of the migration in their ``rekeyed`` list
   (from and to which code and commit, and the check's evidence); rows of other code are left;
4. the results files are rewritten from the stored rows (as ``python -m motion_rnn.run ...
   --rewrite`` would, with the options and seeds of the table's provenance), so the provenance
   names today's fingerprint, no stale row, and the migrations (``rekeyed``, collected from the
   rows by :func:`motion_rnn.runner.write_run`).

The check runs on the short profile, not on the rows it migrates: it is evidence that the change
does not alter what a row computes, not a proof for every setting. Generated data sets are cached
by their settings, not by the code that generated them (``MOTION_RNN_DATA``, else
``<checkout>/_build/data``), and both runs read the cache they find, so a change of a data
generator can go unseen: ``--fresh-data`` gives each run its own empty cache (each code then
generates its own data, which the record says).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from motion_rnn.parameters import PROFILES
from motion_rnn.paths import resolve
from motion_rnn.results import git_commit, result_paths
from motion_rnn.run import name_values
from motion_rnn.sweep import ROW_FORMAT, row_key

FIELDS = ("config", "data", "result")
"""What must be identical between the old code's and today's row (not ``seconds``, ``date``,
``commit``, ``key``, ``code``)."""

FINGERPRINT_SNIPPET = """
import importlib, json, sys
try:
    import motion_rnn.runner as runner
except ModuleNotFoundError as error:  # a commit before the package had its runner: no table
    if not (error.name or "").startswith("motion_rnn"):
        raise
    print("null")
    sys.exit()
key = sys.argv[1]
modules = getattr(runner, "SPEC_MODULES", {})
paper = key.split("/")[0]
specs = {s.key: s for s in importlib.import_module(modules[paper]).TABLES} if paper in modules else runner.all_specs()
spec = specs.get(key)
print(json.dumps(None if spec is None else spec.code_fingerprint()))
"""
"""Prints a table's code fingerprint (or null where the table does not exist) with the code on ``sys.path``."""


class RekeyError(RuntimeError):
    """The re-keying cannot go on; the message names the problem and the fix."""


@dataclass(frozen=True)
class RowDifference:
    """A row that differs between the old code's run and today's."""

    row: str
    """The row's name, seed and data (and its file)."""
    fields: tuple[str, ...]
    """The first differing fields, e.g. ``result.history.val_accuracy[3]: 0.1 != 0.2``."""

    def __str__(self) -> str:
        return f"{self.row}: " + "; ".join(self.fields)


@dataclass
class Rekeyed:
    """What re-keying a table's row files changed (or, with ``dry_run``, would change)."""

    changed: list[str] = field(default_factory=list)
    """Files of rows made by the old code, now keyed with today's."""
    other_code: dict[str, int] = field(default_factory=dict)
    """Code fingerprint -> how many rows of that code were left alone."""
    bad_key: list[str] = field(default_factory=list)
    """Files of the old code whose key does not match their settings, code and data (left alone)."""


# ----------------------------------------------------------------------------------------------
# Comparing two runs


def read_rows(store: str | Path) -> dict[str, dict]:
    """The row files of a table's store (``<config_key>.json``; not its sources files) by file name."""
    rows = {}
    for path in sorted(Path(store).glob("*.json")):
        try:
            stored = json.loads(path.read_text())
        except json.JSONDecodeError:
            continue  # a damaged row file: trained again by the next run, never carried over
        if isinstance(stored, dict) and stored.get("format") == ROW_FORMAT:
            rows[path.name] = stored
    return rows


def first_differences(old: Any, new: Any, where: str = "", limit: int = 3) -> list[str]:
    """Up to ``limit`` paths at which two JSON values differ, each with both values.

    Leaves are compared as JSON text, so ``1`` and ``1.0`` differ and two ``NaN`` are equal.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new), key=str):
            here = f"{where}.{key}" if where else str(key)
            if key not in old or key not in new:
                found.append(
                    f"{here}: {'missing' if key not in old else 'present'} in the old run, "
                    f"{'missing' if key not in new else 'present'} in today's"
                )
            else:
                found += first_differences(old[key], new[key], here, limit - len(found))
            if len(found) >= limit:
                break
        return found[:limit]
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [f"{where or 'value'}: {len(old)} entries (old) != {len(new)} (today)"]
        found = []
        for i, (a, b) in enumerate(zip(old, new)):
            found += first_differences(a, b, f"{where}[{i}]", limit - len(found))
            if len(found) >= limit:
                break
        return found[:limit]
    if _text(old) == _text(new):
        return []
    return [f"{where or 'value'}: {_short(old)} (old) != {_short(new)} (today)"]


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _short(value: Any, length: int = 60) -> str:
    text = _text(value)
    return text if len(text) <= length else text[: length - 3] + "..."


def _row_label(name: str, stored: Mapping[str, Any]) -> str:
    config = stored.get("config") or {}
    return f"{config.get('name', '?')} (seed {config.get('seed', '?')}, {config.get('data', '?')}; {name})"


def compare_rows(old: Mapping[str, Mapping], new: Mapping[str, Mapping]) -> list[RowDifference]:
    """The rows (by file name) whose :data:`FIELDS` differ between two runs, or that only one has."""
    differences = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            differences.append(RowDifference(_row_label(name, old[name]), ("missing in today's run",)))
        elif name not in old:
            differences.append(RowDifference(_row_label(name, new[name]), ("missing in the old code's run",)))
        else:
            fields = first_differences({f: old[name].get(f) for f in FIELDS}, {f: new[name].get(f) for f in FIELDS})
            if fields:
                differences.append(RowDifference(_row_label(name, old[name]), tuple(fields)))
    return differences


# ----------------------------------------------------------------------------------------------
# Re-keying the row files


def rekey_rows(store: str | Path, *, old_code: str, new_code: str, record: Mapping[str, Any], dry_run: bool) -> Rekeyed:
    """Give the rows of ``store`` made by ``old_code`` today's code and key, with ``record`` appended.

    A row is re-keyed only when its ``code`` is ``old_code`` and its ``key`` is the one its
    settings, that code and its data give (:func:`motion_rnn.sweep.row_key`); each file is
    written whole or not at all. ``dry_run``: only say what would change.
    """
    outcome = Rekeyed()
    for name, stored in read_rows(store).items():
        code = str(stored.get("code"))
        if code != old_code:
            outcome.other_code[code] = outcome.other_code.get(code, 0) + 1
            continue
        config, data = stored["config"], stored["data"]
        if stored.get("key") != row_key(config, code=old_code, data=data):
            outcome.bad_key.append(name)
            continue
        outcome.changed.append(name)
        if not dry_run:
            updated = {
                **stored,
                "code": new_code,
                "key": row_key(config, code=new_code, data=data),
                "rekeyed": [*stored.get("rekeyed", []), dict(record)],
            }
            _write_atomic(Path(store) / name, json.dumps(updated, indent=1, sort_keys=True))
    return outcome


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)  # as motion_rnn.sweep writes a row: whole or absent


# ----------------------------------------------------------------------------------------------
# Git and the two codes


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, ["git", *args], done.stdout, done.stderr)
    return done.stdout.strip()


def repo_root() -> Path:
    """The git checkout holding today's code (the imported package's)."""
    here = Path(__file__).resolve().parent
    try:
        return Path(_git(here, "rev-parse", "--show-toplevel"))
    except (OSError, subprocess.CalledProcessError) as error:
        raise RekeyError(f"today's code ({here}) is not in a git checkout; run from the book's repository") from error


def resolve_commit(repo: Path, commit: str) -> str:
    """The full hash of ``commit``; an error naming the fix when git does not know it."""
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
    except subprocess.CalledProcessError:
        raise RekeyError(
            f"git does not know the commit {commit!r} in {repo}; pass a commit hash, tag or ref that "
            "`git log` shows (e.g. one of the provenance's row_commits), after `git fetch` if it is elsewhere"
        ) from None


@contextmanager
def worktree(repo: Path, commit: str) -> Iterator[Path]:
    """A temporary checkout of ``commit`` (``git worktree add --detach``), removed afterwards, also on errors."""
    parent = Path(tempfile.mkdtemp(prefix="motion_rnn_rekey_"))
    path = parent / "old"
    try:
        try:
            _git(repo, "worktree", "add", "--detach", str(path), commit)
        except subprocess.CalledProcessError as error:
            raise RekeyError(f"git could not check out {commit[:12]} into {path}: {error.stderr.strip()}") from None
        yield path
    finally:
        try:
            if path.exists():
                _git(repo, "worktree", "remove", "--force", str(path))
        except (OSError, subprocess.CalledProcessError):
            shutil.rmtree(path, ignore_errors=True)
            subprocess.run(["git", "worktree", "prune"], cwd=repo, capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)


def _environment(src: Path, data_cache: Path | None = None) -> dict[str, str]:
    """The environment with ``src`` first on the import path; ``MOTION_RNN_DATA`` kept, or ``data_cache``;
    the registry clips (:mod:`motion_rnn.data.registry_files`) read from this project's copy, which an old
    checkout has not fetched."""
    from motion_rnn.data.registry_files import FOOTAGE_ENV, footage_dir

    env = dict(os.environ)
    env.setdefault(FOOTAGE_ENV, str(footage_dir()))
    if data_cache is not None:
        env["MOTION_RNN_DATA"] = str(data_cache)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
    return env


def _python(checkout: Path, args: Sequence[str], what: str, data_cache: Path | None = None) -> str:
    """Run this interpreter with ``checkout``'s code; its stdout, or an error naming ``what`` failed."""
    env = _environment(checkout / "src", data_cache)
    done = subprocess.run([sys.executable, *args], cwd=checkout, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RekeyError(f"{what} failed (exit status {done.returncode}) in {checkout}:\n{tail}")
    return done.stdout


def fingerprint_at(checkout: Path, table: str) -> str | None:
    """The table's code fingerprint with the code of ``checkout``, or None where it has no such table."""
    out = _python(checkout, ["-c", FINGERPRINT_SNIPPET, table], f"computing {table}'s code fingerprint")
    return json.loads(out.strip().splitlines()[-1])


def train_short(
    checkout: Path,
    table: str,
    *,
    profile: str,
    seeds: int,
    options: Mapping[str, Any],
    out: Path,
    data_cache: Path | None = None,
) -> dict:
    """Train ``table`` with ``checkout``'s code into ``out``; its stored rows (:func:`read_rows`).

    ``data_cache``: where generated data go (None: ``MOTION_RNN_DATA`` as set, else the checkout's own).
    """
    args = ["-m", "motion_rnn.run", table, "--profile", profile, "--seeds", str(seeds), "--device", "cpu"]
    args += ["--results-dir", str(out), "--quiet"]
    for name, value in options.items():
        args += ["--option", f"{name}={'' if value is None else value}"]
    _python(checkout, args, f"training {table} with the {profile} profile", data_cache)
    paper, name = table.split("/")
    return read_rows(result_paths(out, paper, name).store)


def today_spec(table: str):
    """Today's :class:`~motion_rnn.runner.TableSpec` of ``table`` (only its paper's tables are
    imported); an error listing the tables if there is none."""
    from motion_rnn.runner import SPEC_MODULES

    paper = table.split("/")[0]
    if paper in SPEC_MODULES:
        for spec in importlib.import_module(SPEC_MODULES[paper]).TABLES:
            if spec.key == table:
                return spec
    raise RekeyError(f"no table {table!r}; choose from: {', '.join(_table_names())}")


def _table_names() -> list[str]:
    """Every table of the book, skipping a paper whose tables do not import (work in progress)."""
    from motion_rnn.runner import SPEC_MODULES

    names = []
    for paper, module in SPEC_MODULES.items():
        try:
            names += [spec.key for spec in importlib.import_module(module).TABLES]
        except ImportError:
            names.append(f"{paper}/... (its tables do not import)")
    return sorted(names)


# ----------------------------------------------------------------------------------------------
# The command


def read_provenance(results_dir: Path, table: str) -> tuple[dict, Path]:
    """The committed provenance of ``table`` and its rows' folder; an error if either is missing."""
    paper, name = table.split("/")
    paths = result_paths(results_dir, paper, name)
    if not paths.provenance.exists() or not read_rows(paths.store):
        raise RekeyError(
            f"{results_dir} holds no stored rows of {table} (looked for {paths.store}/*.json and "
            f"{paths.provenance.name}); pass the --results-dir that holds them (the committed ones: results)"
        )
    provenance = json.loads(paths.provenance.read_text())
    missing = [k for k in ("profile", "data", "seed", "seeds", "options") if k not in provenance]
    if missing:
        raise RekeyError(
            f"{paths.provenance} lacks {', '.join(missing)}; rewrite it first (python -m motion_rnn.run {table} --rewrite)"
        )
    return provenance, paths.store


def rewrite(spec, provenance: Mapping[str, Any], results_dir: Path):
    """Rewrite the table's results files from its stored rows with the provenance's profile, data, seeds and options."""
    from motion_rnn.runner import check_table_parameters, run_table, write_run

    if str(provenance["data"]).startswith("path:"):
        raise RekeyError(
            f"{spec.key}'s results were made on a real data set ({provenance['data']}), whose folder the provenance "
            f"does not name; rewrite them yourself: python -m motion_rnn.run {spec.key} --rewrite --data <folder> ..."
        )
    params = check_table_parameters(
        spec,
        profile=provenance["profile"],
        data=provenance["data"],
        seed=int(provenance["seed"]),
        seeds=int(provenance["seeds"]),
        device="cpu",
        results_dir=results_dir,
        stored_only=True,
        **dict(provenance["options"]),
    )
    run = run_table(spec, params, progress=False, **dict(provenance["options"]))
    write_run(run)
    return run


@dataclass(frozen=True)
class Check:
    """How the old code and today's are compared: a short training run of each."""

    profile: str = "ci"
    seeds: int = 1
    fresh_data: bool = False
    """Each run generates its data into an empty cache of its own (else both read the cache they find)."""
    options: Mapping[str, Any] | None = None
    """The table's own parameters for the check's runs (None: those of the committed provenance)."""

    def describe(self) -> str:
        chosen = "" if self.options is None else f", options {dict(self.options)}"
        return f"{self.profile} profile, seeds {', '.join(str(s) for s in range(self.seeds))}{chosen}"

    def evidence(self, rows: int) -> str:
        """The record's ``verified``: the check's settings and how many rows were identical."""
        fresh = ", each code generating its own data" if self.fresh_data else ""
        return f"{self.describe()}: {rows} rows identical{fresh}"


def _print(*lines: str) -> None:
    print(*lines, sep="\n", flush=True)


def _row_commits(provenance: Mapping[str, Any]) -> str:
    return ", ".join(provenance.get("row_commits", [])) or "none listed"


def old_fingerprint(checkout: Path, table: str, commit: str, provenance: Mapping[str, Any]) -> str:
    """The table's code fingerprint at the old commit; an error if the table did not exist there."""
    code = fingerprint_at(checkout, table)
    if code is None:
        raise RekeyError(
            f"{table} did not exist at {commit[:12]}; pass a later commit (e.g. one of the provenance's "
            f"row_commits: {_row_commits(provenance)})"
        )
    return code


def run_check(
    old_checkout: Path, repo: Path, table: str, check: Check, options: Mapping[str, Any]
) -> tuple[dict, dict]:
    """The rows of the short training run with the old code and with today's (in temporary folders)."""
    with tempfile.TemporaryDirectory(prefix="motion_rnn_rekey_runs_") as tmp:
        runs = {}
        for side, checkout in (("old", old_checkout), ("new", repo)):
            _print(f"training {table} with the {side} code: {check.describe()} ...")
            runs[side] = train_short(
                checkout,
                table,
                profile=check.profile,
                seeds=check.seeds,
                options=options,
                out=Path(tmp) / side,
                data_cache=Path(tmp) / f"{side}-data" if check.fresh_data else None,
            )
    return runs["old"], runs["new"]


def rekey(table: str, *, against: str, check: Check, results_dir: str | Path, dry_run: bool) -> int:
    """The command's work (see the module's docstring); returns its exit status (1: the runs differ)."""
    spec = today_spec(table)
    repo = repo_root()
    old_commit = resolve_commit(repo, against)
    results_dir = resolve(results_dir)
    provenance, store = read_provenance(results_dir, table)
    new_code = spec.code_fingerprint()
    with worktree(repo, old_commit) as old_checkout:
        old_code = old_fingerprint(old_checkout, table, old_commit, provenance)
        if old_code == new_code:
            _print(f"{table}: the code fingerprint at {old_commit[:12]} is today's ({new_code}); nothing to do")
            return 0
        _print(f"{table}: code {old_code} at {old_commit[:12]}, {new_code} today")
        if not rekey_rows(store, old_code=old_code, new_code=new_code, record={}, dry_run=True).changed:
            raise RekeyError(
                f"no stored row of {table} in {store} was made by the code of {old_commit[:12]} ({old_code}); "
                f"pass --against a commit that made them (the provenance's row_commits: {_row_commits(provenance)})"
            )
        options = dict(provenance["options"] if check.options is None else check.options)
        old_rows, new_rows = run_check(old_checkout, repo, table, check, options)
    _check_codes(old_rows, old_code, "the old code's run")
    _check_codes(new_rows, new_code, "today's run")
    differences = compare_rows(old_rows, new_rows)
    if differences:
        _print(
            f"refused: {len(differences)} of {len(old_rows.keys() | new_rows.keys())} rows differ between the codes:"
        )
        _print(*(f"  {d}" for d in differences))
        _print("nothing was changed: the change alters what the table computes, so its rows must be trained again")
        return 1
    record = {
        "from_code": old_code,
        "to_code": new_code,
        "from_commit": old_commit[:12],
        "to_commit": git_commit(repo),
        "verified": check.evidence(len(new_rows)),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    outcome = rekey_rows(store, old_code=old_code, new_code=new_code, record=record, dry_run=dry_run)
    _summary(table, outcome, record, dry_run)
    if not dry_run:
        run = rewrite(spec, provenance, results_dir)
        stale = f": {', '.join(run.stale_rows)}" if run.stale_rows else ""
        _print(
            f"rewrote {table}'s results files in {results_dir} from the stored rows: code {run.code_fingerprint}, "
            f"{len(run.stale_rows)} stale rows{stale}"
        )
    return 0


def _check_codes(rows: Mapping[str, Mapping], code: str, what: str) -> None:
    """Each row of a check's run must name the code it was meant to run (else the check compared other code)."""
    others = sorted({str(r.get("code")) for r in rows.values()} - {code})
    if not rows or others:
        raise RekeyError(
            f"{what} stored {len(rows)} rows{' of code ' + ', '.join(others) if others else ''}, not of {code}; "
            "the check did not run the code it should (is motion_rnn importable from elsewhere, e.g. PYTHONPATH?)"
        )


def _summary(table: str, outcome: Rekeyed, record: Mapping[str, Any], dry_run: bool) -> None:
    verb = "would re-key" if dry_run else "re-keyed"
    _print(f"{table}: {verb} {len(outcome.changed)} rows from code {record['from_code']} to {record['to_code']}")
    if outcome.other_code:
        left = ", ".join(f"{n} of code {c}" for c, n in sorted(outcome.other_code.items()))
        _print(f"  left alone: {sum(outcome.other_code.values())} rows ({left})")
    if outcome.bad_key:
        _print(
            f"  left alone: {len(outcome.bad_key)} rows of the old code whose key does not fit: {', '.join(outcome.bad_key)}"
        )
    _print(f"  evidence: {record['verified']} ({record['from_commit']} -> {record['to_commit']})")
    if dry_run:
        _print("  dry run: nothing was written")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m motion_rnn.rekey", description=__doc__.split("\n\n")[0])
    parser.add_argument("table", help="<paper>/<table>")
    parser.add_argument("--against", required=True, metavar="COMMIT", help="the commit whose code made the stored rows")
    parser.add_argument(
        "--profile", default="ci", choices=PROFILES, help="the profile of the check's runs (default: ci)"
    )
    parser.add_argument("--seeds", type=int, default=1, help="how many seeds the check trains (default: 1)")
    parser.add_argument(
        "--fresh-data", action="store_true", help="each of the check's runs generates its data into its own cache"
    )
    parser.add_argument("--results-dir", default="results", help="where the table's stored rows are (default: results)")
    parser.add_argument("--dry-run", action="store_true", help="check and say what would change; write nothing")
    parser.add_argument(
        "--check-option",
        action="append",
        default=None,
        metavar="NAME=VALUE",
        help="a table parameter for the check's runs, in place of the provenance's (e.g. modalities=None)",
    )
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds {args.seeds}: give a positive number of seeds")
    options = None
    if args.check_option is not None:
        try:
            options = name_values(args.check_option, "--check-option")
        except ValueError as error:
            parser.error(str(error))
    check = Check(profile=args.profile, seeds=args.seeds, fresh_data=args.fresh_data, options=options)
    try:
        return rekey(args.table, against=args.against, check=check, results_dir=args.results_dir, dry_run=args.dry_run)
    except RekeyError as error:
        print(f"python -m motion_rnn.rekey: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
