"""Videos stored as folders of numbered images, one folder a video.

20BN-Jester is released in this form (:mod:`motion_rnn.data.jester`), and Zhang et al. (2018)
decoded IsoGD into it (:mod:`motion_rnn.data.isogd`): :func:`list_frame_folder` lists a video's
frames in order and checks the numbering, :func:`read_frames` decodes them into one tensor.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from motion_rnn.data.errors import DataFormatError

_FRAME_NAME = re.compile(r"^(\d+)\.(jpe?g|png)$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Frame folders: numbered images, one folder a video
# ---------------------------------------------------------------------------------------------
def _ranges(numbers: Sequence[int], limit: int = 10) -> str:
    """``[3, 4, 5, 9]`` -> ``"3-5, 9"`` (at most ``limit`` runs, then a count)."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:limit])
    if len(runs) > limit:
        text += f", ... ({len(numbers)} in all)"
    return text


def list_frame_folder(folder: str | os.PathLike) -> list[Path]:
    """The numbered frames of one video, in order: ``folder/00001.jpg, 00002.jpg, ...``.

    Names are digits plus ``.jpg``/``.jpeg``/``.png`` (any zero padding); numbering must run
    without gaps from 1 (or from 0). Other files are ignored. Raises :class:`DataFormatError` for
    a missing folder, a folder without frames, a gap or a frame number given twice.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataFormatError.build(
            folder,
            found="no such folder" if not folder.exists() else "a file, not a folder",
            expected="a folder of numbered frames 00001.jpg, 00002.jpg, ...",
            fix="check the video id and the frames folder (frames_dir=), or extract this video's frames",
        )
    numbered: dict[int, Path] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            m = _FRAME_NAME.match(entry.name)
            if m is None:
                continue
            n = int(m.group(1))
            if n in numbered:
                raise DataFormatError.build(
                    folder,
                    found=f"frame number {n} twice ({numbered[n].name} and {entry.name})",
                    expected="one image a frame number",
                    fix="remove the duplicate image",
                )
            numbered[n] = Path(entry.path)
    if not numbered:
        raise DataFormatError.build(
            folder,
            found="no frame images",
            expected="numbered frames 00001.jpg, 00002.jpg, ...",
            fix="extract this video's frames into the folder",
        )
    first = 0 if 0 in numbered else 1
    last = max(numbered)
    missing = [n for n in range(first, last + 1) if n not in numbered]
    if missing:
        raise DataFormatError.build(
            folder,
            found=f"frames {first}..{last} with {len(missing)} missing: {_ranges(missing)}",
            expected="frames numbered without gaps from 1",
            fix="re-extract this video's frames (or drop the video from the list)",
        )
    return [numbered[n] for n in range(first, last + 1)]


def read_frames(paths: Sequence[str | os.PathLike]) -> torch.Tensor:
    """Decode images to one ``(T, C, H, W)`` uint8 RGB tensor (each distinct file decoded once).

    Raises :class:`DataFormatError` naming the file for an unreadable or truncated image, and for
    an image whose size differs from the first one's.
    """
    cache: dict[Path, np.ndarray] = {}
    out: list[np.ndarray] = []
    for p in map(Path, paths):
        if p not in cache:
            try:
                with Image.open(p) as im:
                    cache[p] = np.asarray(im.convert("RGB"))  # (H, W, 3), forces the full decode
            except FileNotFoundError:
                raise DataFormatError.build(
                    p,
                    found="no such file",
                    expected="an image file",
                    fix="re-extract this video's frames",
                ) from None
            except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
                raise DataFormatError.build(
                    p,
                    found=f"an image that cannot be decoded ({exc})",
                    expected="a readable JPEG or PNG frame",
                    fix="re-extract this video's frames; the file is truncated or corrupt",
                ) from exc
            if out and cache[p].shape != out[0].shape:
                raise DataFormatError.build(
                    p,
                    found=f"a {cache[p].shape[1]}x{cache[p].shape[0]} image",
                    expected=f"the {out[0].shape[1]}x{out[0].shape[0]} size of the video's other frames",
                    fix="re-extract this video's frames at one size",
                )
        out.append(cache[p])
    if not out:
        raise ValueError("read_frames needs at least one path")
    return torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2).contiguous()  # (T, C, H, W)
