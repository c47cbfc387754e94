"""Running a table: a list of configurations, each trained and evaluated once.

:func:`run_sweep` is how every notebook runs its rows. Each finished configuration is written at
once to its own small JSON file under the table's store folder, keyed by a hash of the whole
configuration (profile, data and seed included). A rerun with the same configuration reads the
stored row instead of training again, so an interrupted sweep resumes where it stopped and no
finished work is lost; a new seed, profile or setting is a new key and runs afresh.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import pandas as pd
from tqdm import tqdm


def config_key(config: Mapping[str, Any]) -> str:
    """A short stable hash of a configuration (keys sorted, values JSON-encoded)."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_sweep(
    configs: Sequence[Mapping[str, Any]],
    run_one: Callable[[Mapping[str, Any]], Mapping[str, Any]],
    *,
    store_dir: str | Path,
    name_key: str = "name",
    progress: bool = True,
) -> pd.DataFrame:
    """Run ``run_one(config)`` for each configuration not already finished; return all rows.

    Returns one row a configuration: the configuration's entries, then the result's entries, then
    ``seconds`` (wall time of that run, measured when it ran) and ``reused`` (whether the row came
    from an earlier run).
    """
    store = Path(store_dir)
    store.mkdir(parents=True, exist_ok=True)
    keys = [config_key(c) for c in configs]
    if len(set(keys)) != len(keys):
        raise ValueError("two configurations of the sweep are identical; each row needs its own settings")
    rows = []
    bar = tqdm(list(zip(configs, keys)), desc="rows", disable=not progress, file=sys.stderr)
    for config, key in bar:
        bar.set_postfix_str(str(config.get(name_key, key)))
        path = store / f"{key}.json"
        stored = _read_row(path, config)
        if stored is None:
            started = time.perf_counter()
            result = dict(run_one(config))
            stored = {"config": dict(config), "result": result, "seconds": time.perf_counter() - started}
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(stored, indent=1, sort_keys=True, default=_jsonable))
            tmp.replace(path)  # atomic: a row file is either whole or absent
            reused = False
        else:
            reused = True
        rows.append({**stored["config"], **stored["result"], "seconds": stored["seconds"], "reused": reused})
    bar.close()
    return pd.DataFrame(rows)


def _read_row(path: Path, config: Mapping[str, Any]) -> dict | None:
    if not path.exists():
        return None
    try:
        stored = json.loads(path.read_text())
    except json.JSONDecodeError:
        # A damaged row file (e.g. a disk filled up) is run again rather than trusted.
        return None
    if json.dumps(stored.get("config"), sort_keys=True, default=str) != json.dumps(dict(config), sort_keys=True, default=str):
        return None
    return stored


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)
