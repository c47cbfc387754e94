"""The one error every data reader raises for input it cannot use.

A reader that finds something wrong says, in one message: which file (and line or row), what it
found there, what it expected, and how to fix it. :meth:`DataFormatError.build` composes that
message so the readers phrase it the same way.
"""

from __future__ import annotations

import os
from pathlib import Path


class DataFormatError(ValueError):
    """A data file or folder is missing, malformed or disagrees with its index.

    Attributes ``path`` and ``line`` (1-based; ``None`` where it does not apply) locate the
    problem for programs; the message is written for people.
    """

    def __init__(self, message: str, *, path: str | os.PathLike | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.path = None if path is None else Path(path)
        self.line = line

    @classmethod
    def build(
        cls,
        path: str | os.PathLike,
        *,
        found: str,
        expected: str,
        fix: str,
        line: int | None = None,
    ) -> DataFormatError:
        """Compose ``"<path>, line <n>: found ...; expected ... Fix: ..."``."""
        where = f"{path}" if line is None else f"{path}, line {line}"
        return cls(f"{where}: found {found}; expected {expected}. Fix: {fix}", path=path, line=line)
