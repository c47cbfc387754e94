"""Write a generated data set once, marked by a manifest, and reuse it afterwards.

The synthetic generators can take minutes, and every experiment that needs their output calls
them again. Each folder they write therefore ends with a manifest (:data:`MANIFEST_FILE`: the
generator's parameters and whatever facts it records), written after everything else, so that:

* a rerun with the same parameters finds a complete folder and returns at once;
* an interrupted run never leaves a half-written folder that looks complete: the files are
  generated into a hidden temporary sibling folder, which replaces ``root`` in one rename once
  its manifest is written, and is removed when generation fails;
* a folder not written by the generator (not empty, and without a manifest) is never
  overwritten: it is refused with :class:`FileExistsError`.

A folder written with other parameters is regenerated. When another process completes the same
folder meanwhile, its output is kept and ours discarded.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["MANIFEST_FILE", "read_manifest", "write_once"]

MANIFEST_FILE = "synthetic_manifest.json"


def read_manifest(root: str | os.PathLike) -> dict | None:
    """The manifest in ``root``, or ``None`` if it is missing or unreadable."""
    try:
        return json.loads((Path(root) / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _complete(root: Path, parameters: Mapping, is_complete: Callable[[Path, dict], bool]) -> bool:
    manifest = read_manifest(root)
    if manifest is None or manifest.get("parameters") != parameters:
        return False
    return is_complete(root, manifest)


def write_once(
    root: str | os.PathLike,
    parameters: Mapping,
    *,
    generate: Callable[[Path], Mapping | None],
    is_complete: Callable[[Path, dict], bool],
    writer: str,
    indent: int = 2,
) -> Path:
    """Have ``generate`` fill ``root`` unless it already holds the output for ``parameters``.

    ``generate(tmp)`` writes the files into the (existing, empty) folder ``tmp`` and returns
    extra manifest entries; the manifest ``{"parameters": parameters, **extra}`` is then written
    to ``tmp / MANIFEST_FILE`` (JSON with ``indent``) and ``tmp`` renamed to ``root``.

    ``root`` is complete, and returned at once, when its manifest's parameters equal
    ``parameters`` (compared as read back from JSON: use lists, not tuples) and
    ``is_complete(root, manifest)`` confirms the files are there. ``writer`` names the
    generator in the error raised for a folder it did not write.
    """
    root = Path(root)
    if _complete(root, parameters, is_complete):
        return root
    if root.exists() and (not root.is_dir() or (any(root.iterdir()) and read_manifest(root) is None)):
        raise FileExistsError(
            f"{root} exists and was not written by {writer} (no {MANIFEST_FILE}); choose a new or empty folder"
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = root.parent / f".{root.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        extra = dict(generate(tmp) or {})
        if "parameters" in extra:
            raise ValueError("generate must not return a 'parameters' entry: write_once writes it")
        manifest = {"parameters": parameters, **extra}
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=indent) + "\n", encoding="utf-8")
        if root.exists():
            if _complete(root, parameters, is_complete):  # written meanwhile by another process
                return root
            shutil.rmtree(root)
        os.replace(tmp, root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return root
