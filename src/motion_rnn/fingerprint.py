"""Fingerprints that tie a stored result to the code and the data that made it.

A row of a table is reused only when the code that trains and scores it and the data it was
trained on are the ones of today (:mod:`motion_rnn.sweep`). Two fingerprints make that checkable:

- :func:`code_fingerprint`: a hash of the source of some modules of this package and of every
  module of the package they import, directly or not. The source is hashed as Python's parser
  reads it, without docstrings and comments, so rewording a docstring keeps stored rows while
  any change of what the code does (a constant, a line of the loop) invalidates them.
- :func:`folder_manifest`: the files of a real data set's folder (relative path and size), so
  rows are tied to the data set's content rather than to the folder's name.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PACKAGE = "motion_rnn"


def digest(value: Any, length: int = 16) -> str:
    """A short stable hash of a JSON-encodable value (keys sorted)."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _module_file(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin in (None, "built-in", "frozen") or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(getattr(body[0], "value", None), ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    return tree


@functools.cache
def _parsed(path: Path, mtime_ns: int) -> tuple[str, tuple[str, ...]]:
    """(normalised source, names of the package's modules it imports) of one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported: list[str] = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.append(node.module)
            # ``from motion_rnn.data import ntu`` imports a module, not a name
            imported += [f"{node.module}.{alias.name}" for alias in node.names]
    own = tuple(sorted({n for n in imported if n == PACKAGE or n.startswith(PACKAGE + ".")}))
    return ast.dump(_without_docstrings(tree), include_attributes=False), own


def _runtime_nodes(tree: ast.AST):
    """The nodes of ``tree`` that run when the module is imported: ``if TYPE_CHECKING:`` blocks
    (imports for type hints only) are left out."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
            todo += node.orelse
            continue
        todo += list(ast.iter_child_nodes(node))


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imported_modules(modules: Iterable[str]) -> list[str]:
    """``modules`` and every module of the package they import, directly or not (sorted).

    Importing ``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py`` too, so they count.
    """
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_file(name)
        if path is None:
            continue  # a name imported from a module, not a module
        seen.add(name)
        _, own = _parsed(path, path.stat().st_mtime_ns)
        todo += [n for n in (*own, *_parents(name)) if n not in seen]
    return sorted(seen)


def code_fingerprint(modules: Iterable[str]) -> str:
    """A hash of the code of ``modules`` and of everything of the package they import."""
    parts = {}
    for name in imported_modules(modules):
        path = _module_file(name)
        parts[name] = hashlib.sha256(_parsed(path, path.stat().st_mtime_ns)[0].encode()).hexdigest()
    return digest(parts)


def folder_manifest(root: str | os.PathLike, *, suffixes: tuple[str, ...] | None = None) -> dict:
    """The files under ``root`` as ``{relative path: size in bytes}`` (hidden files skipped).

    ``suffixes``: only files with these endings (e.g. ``(".skeleton",)``). Sizes rather than
    contents: hashing a data set of hundreds of gigabytes would take longer than the run, and a
    file replaced by another of the same size is rare enough for the purpose.
    """
    root = Path(root)
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.startswith(".") or (suffixes and not name.endswith(suffixes)):
                continue
            path = Path(folder) / name
            files[path.relative_to(root).as_posix()] = path.stat().st_size
    return dict(sorted(files.items()))


def data_fingerprint(description: Any) -> str:
    """A hash of what identifies a data set: a generator's settings, or a :func:`folder_manifest`."""
    return digest(description)
