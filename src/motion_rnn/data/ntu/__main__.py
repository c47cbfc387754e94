"""``python -m motion_rnn.data.ntu FILE...``: one JSON line a NTU RGB+D ``.skeleton`` file
(:func:`motion_rnn.data.ntu.reader.summary`); errors to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.ntu.reader import read_skeleton, summary


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m motion_rnn.data.ntu FILE...``: one JSON line a file; errors to stderr."""
    parser = argparse.ArgumentParser(
        prog="python -m motion_rnn.data.ntu",
        description="Summarise NTU RGB+D .skeleton files, one JSON line a file.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    status = 0
    for file in args.files:
        try:
            print(json.dumps(summary(read_skeleton(file))), flush=True)
        except (DataFormatError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
