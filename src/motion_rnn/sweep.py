"""The stored rows of a table: each trained row kept as it finishes, and reused only when valid.

:func:`run_rows` is how every table runs its rows (through :func:`motion_rnn.runner.run_table`).
Each finished row is written at once to its own small JSON file in the table's store folder
(``<results_dir>/<paper>/<table>.runs/``), named by a hash of the row's *settings* (its
configuration: profile, data and seed included) and holding the row's *key*: a hash of the
settings, of the fingerprint of the code that trains and scores the row and of the fingerprint of
the data it was trained on (:mod:`motion_rnn.fingerprint`). A later run reuses a stored row only
when its key is today's; a row made by other code or on other data is trained again and
replaced. So an interrupted table resumes where it stopped, and a row trained by older code is
never read back as if today's code had made it.

Each row also records the commit it was made at (``-dirty`` when the tree had changes), its date
and its training time. With ``stored_only`` nothing is trained: the rows are read back as they
are, those made by other code marked ``stale`` (the book renders committed results this way).
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from motion_rnn import distributed
from motion_rnn.fingerprint import digest

ROW_FORMAT = 2
"""Version of the row files' layout; files of another layout are trained again."""


class MissingRowsError(RuntimeError):
    """Rows asked for with ``stored_only`` are not in the store."""


def config_key(config: Mapping[str, Any]) -> str:
    """A short stable hash of a configuration (keys sorted, values JSON-encoded): the row file's name."""
    return digest(dict(config))


def row_key(config: Mapping[str, Any], *, code: str, data: str) -> str:
    """The row's key: its settings, the code that trains it and the data it trains on."""
    return digest({"settings": config_key(config), "code": code, "data": data})


@dataclass(frozen=True)
class RowContext:
    """What a row's training function is told besides its configuration."""

    key: str
    """The row's key (:func:`row_key`); training checkpoints are named by it."""
    checkpoint: Path
    """Where the row's training may keep its checkpoint (``<store>/checkpoints/<key>.pt``)."""
    progress: bool = True


def run_rows(
    configs: Sequence[Mapping[str, Any]],
    run_one: Callable[[Mapping[str, Any], RowContext], Mapping[str, Any]],
    *,
    store_dir: str | Path,
    code: str,
    data: str | Mapping[str, str],
    commit: str = "unknown",
    name_key: str = "name",
    progress: bool = True,
    stored_only: bool = False,
) -> pd.DataFrame:
    """Run ``run_one(config, context)`` for each configuration without a valid stored row; return all rows.

    ``code``: the fingerprint of the code that trains and scores a row; ``data``: of the data (one
    for all rows, or by the configuration's ``"data"`` entry). Returns one row a configuration: the
    configuration's entries, then the result's, then ``seconds`` (training time, measured when
    the row was trained), ``reused``, ``stale`` (made by other code or data: only with
    ``stored_only``), ``commit`` and ``date`` (when it was made) and ``key``.
    """
    store = Path(store_dir)
    keys = [config_key(c) for c in configs]
    if len(set(keys)) != len(keys):
        raise ValueError("two configurations of the table are identical; each row needs its own settings")
    rows, missing = [], []
    bar = tqdm(
        list(zip(configs, keys)), desc="rows", disable=not progress or not distributed.is_main(), file=sys.stderr
    )
    for config, name in bar:
        label = str(config.get(name_key, name))
        bar.set_postfix_str(label)
        data_print = data if isinstance(data, str) else data[str(config.get("data"))]
        key = row_key(config, code=code, data=data_print)
        path = store / f"{name}.json"
        stored = _read_row(path, config)
        valid = stored is not None and stored.get("key") == key
        if stored_only:
            if stored is None:
                missing.append(label)
                continue
        elif not valid:
            store.mkdir(parents=True, exist_ok=True)
            context = RowContext(key=key, checkpoint=store / "checkpoints" / f"{key}.pt", progress=progress)
            started = time.perf_counter()
            result = dict(run_one(config, context))
            stored = {
                "format": ROW_FORMAT,
                "config": dict(config),
                "key": key,
                "code": code,
                "data": data_print,
                "commit": commit,
                "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - started, 1),
                "result": result,
            }
            if distributed.is_main():  # under torchrun every process trains, rank 0 writes
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(stored, indent=1, sort_keys=True, default=_jsonable))
                tmp.replace(path)  # atomic: a row file is either whole or absent
        rows.append(
            {
                **stored["config"],
                **stored["result"],
                "seconds": stored["seconds"],
                "reused": valid or stored_only,
                "stale": stored.get("key") != key,
                "commit": stored.get("commit", "unknown"),
                "date": stored.get("date", ""),
                "key": stored.get("key", ""),
            }
        )
    bar.close()
    if missing:
        raise MissingRowsError(
            f"{len(missing)} of {len(configs)} rows are not stored in {store}: {', '.join(missing[:5])}"
            f"{' ...' if len(missing) > 5 else ''}; train them first (run the notebook without stored_only, "
            f"or `make results`)"
        )
    return pd.DataFrame(rows)


def _read_row(path: Path, config: Mapping[str, Any]) -> dict | None:
    if not path.exists():
        return None
    try:
        stored = json.loads(path.read_text())
    except json.JSONDecodeError:
        # A damaged row file (e.g. a disk filled up) is run again rather than trusted.
        return None
    if not isinstance(stored, dict) or stored.get("format") != ROW_FORMAT:
        return None
    if json.dumps(stored.get("config"), sort_keys=True, default=str) != json.dumps(
        dict(config), sort_keys=True, default=str
    ):
        return None
    return stored


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)
