"""Optical-flow frames for IsoGD lists: the third modality of Zhang et al.'s Table 2 (RGB, depth, flow).

:func:`write_flow_frames` reads every video of an authors'-format list (``path frame_count
label``; video files or frame folders, as :class:`~motion_rnn.data.isogd.IsoGDDataset` reads
them), computes the dense flow between consecutive frames with OpenCV's Farneback method
(:func:`motion_rnn.data.motion.farneback_flow`, :data:`~motion_rnn.data.motion.FARNEBACK_PARAMS`),
stores each field as a 3-channel 8-bit image (:func:`~motion_rnn.data.motion.flow_to_image`:
x and y displacement clipped to +-20 pixels and mapped to 0..255, zero motion at 128, and the
magnitude mapped 0..20 -> 0..255), and writes them as frame folders with a list of their own::

    out_root/train/001/M_00001/000001.jpg ... 000031.jpg       (from root/train/001/M_00001.avi, 32 frames)
    out_root/train_flow_list.txt                                 "train/001/M_00001/ 31 7"

so that ``IsoGDDataset(out_root, out_root / "train_flow_list.txt", mean=FLOW_MEAN, ...)`` reads
flow clips as it reads RGB ones. A video of T frames gives T - 1 flow frames.

The papers' flow is not ours. The flow column of Zhang et al.'s Table 2 (theirs and the
challenge entries they compare with: ResNet50, Res3D, the 3DCNN+BiConvLSTM of Zhu et al.) was
computed on the real 320x240 videos by the authors of each entry with their own methods; Zhang et
al. do not say which, and ``shared/REFERENCE_NOTES.md`` records nothing about it (its only flow
method is the Farneback flow of Borg & Camilleri's motion streams). Variational methods (TV-L1,
Brox et al.) are the usual choice in that literature and OpenCV keeps them only in its contrib
build; ours is Farneback (:mod:`motion_rnn.data.motion`), so flow accuracies here are comparable
with each other, not with the paper's numbers.

Written once through :func:`motion_rnn.data.cache.write_once` (atomic; cached by a manifest of the
list's content, the listed files' sizes, the source folder's own manifest if it has one, and the
flow parameters). A video that cannot be decoded raises the reader's
:class:`~motion_rnn.data.errors.DataFormatError` naming the file, and nothing is left in
``out_root``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import cv2
import numpy as np

from motion_rnn.data.cache import MANIFEST_FILE, read_manifest, write_once
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.frames import list_frame_folder, read_frames
from motion_rnn.data.isogd.reader import VIDEO_SUFFIXES, read_isogd_list, read_video_frames
from motion_rnn.data.isogd.synthetic import refuse_other_generator
from motion_rnn.data.motion import FARNEBACK_PARAMS, FLOW_BOUND, farneback_flow, flow_to_image

__all__ = ["FLOW_JPEG_QUALITY", "FLOW_MEAN", "flow_list_name", "write_flow_frames"]

FLOW_MEAN = (128.0, 128.0, 0.0)
"""Per-channel mean for :class:`~motion_rnn.data.isogd.IsoGDDataset` on flow frames: the encoding
of zero motion. x and y encode zero displacement as 127.5 (stored 128); the third channel is the
magnitude, which is 0 for zero motion (not 128)."""
FLOW_JPEG_QUALITY = 95
_FORMAT_VERSION = 1
_GENERATOR = "motion_rnn.data.isogd.flow"


def flow_list_name(list_name: str) -> str:
    """The flow list's default name: ``rgb`` replaced by ``flow`` (``train_rgb_list.txt`` ->
    ``train_flow_list.txt``); a name without ``rgb`` gets ``_flow`` before its suffix
    (``train_depth_list.txt`` -> ``train_depth_list_flow.txt``)."""
    if "rgb" in list_name:
        return list_name.replace("rgb", "flow")
    p = Path(list_name)
    return f"{p.stem}_flow{p.suffix}"


def _entry_target(root: Path, text: str, list_file: Path, line: int) -> tuple[Path, Path]:
    """(source path, output folder relative to out_root) of one list entry."""
    p = Path(text)
    source = p if p.is_absolute() else root / p
    if p.is_absolute():
        try:
            p = p.relative_to(root)
        except ValueError:
            raise DataFormatError.build(
                list_file,
                line=line,
                found=f"the absolute path {text} outside {root}",
                expected="paths relative to root (or absolute paths under it)",
                fix="rewrite the list with paths relative to root, or pass the folder holding them as root",
            ) from None
    rel = p.with_suffix("") if p.suffix.lower() in VIDEO_SUFFIXES else p
    if not rel.parts or ".." in rel.parts:
        raise DataFormatError.build(
            list_file,
            line=line,
            found=f"the path {text!r}",
            expected="a video or frame folder below root",
            fix="list paths below root, without '..'",
        )
    return source, rel


def _fingerprint(sources: list[tuple[Path, Path]]) -> str:
    """SHA-256 of each listed file's (or frame folder's files') name and size: a regenerated or
    replaced source changes it without reading the videos (a moved ``root`` does not)."""
    h = hashlib.sha256()
    for rel, src in sources:
        h.update(rel.as_posix().encode())
        if src.is_dir():
            for entry in sorted(os.scandir(src), key=lambda e: e.name):
                if entry.is_file():
                    h.update(f"|{entry.name}:{entry.stat().st_size}".encode())
        elif src.is_file():
            h.update(f"|{src.stat().st_size}".encode())
        h.update(b"\n")
    return h.hexdigest()


def write_flow_frames(
    root: str | os.PathLike,
    list_file: str | os.PathLike,
    out_root: str | os.PathLike,
    *,
    name: str | None = None,
) -> Path:
    """Write the Farneback flow of every video ``list_file`` names as frame folders; return the new list.

    ``root`` is the folder the list's relative paths start from (as for
    :class:`~motion_rnn.data.isogd.IsoGDDataset`). For an entry ``train/001/M_00001.avi`` (or a
    frame folder ``train/001/M_00001/``) of T frames, writes ``out_root/train/001/M_00001/
    000001.jpg ... <T-1>.jpg`` (JPEG quality :data:`FLOW_JPEG_QUALITY`, no chroma subsampling),
    and the list ``out_root/<name>`` (default :func:`flow_list_name` of the list's name) with
    lines ``<folder>/ <T-1> <label>``, paths relative to ``out_root``.

    ``out_root`` can hold the flow of several lists (``train_flow_list.txt`` and
    ``valid_flow_list.txt`` beside ``train/`` and ``valid/``): writing one list keeps the others'
    output. Cached: a call for a list whose content, sources and flow parameters are unchanged
    returns at once; a changed list is written again (the others kept); a non-empty ``out_root``
    that this function did not write (no manifest, or another generator's) is refused
    (:class:`FileExistsError`), and ``out_root`` may not be ``root`` or a folder above it
    (:class:`ValueError`). Two processes writing different lists into one ``out_root`` at the
    same time may drop one of them (the last to finish wins).

    Raises :class:`DataFormatError` (naming the file) for a malformed list, a missing or
    undecodable video, a frame count that disagrees with the list, or a video of one frame;
    ``out_root`` is then left as it was.
    """
    root, list_file, out_root = Path(root), Path(list_file), Path(out_root)
    table = read_isogd_list(list_file)
    out_name = name if name is not None else flow_list_name(list_file.name)
    if not out_name or Path(out_name).name != out_name or out_name == MANIFEST_FILE:
        raise ValueError(f"name must be a plain file name (not {MANIFEST_FILE}), got {out_name!r}")
    entries = [
        (*_entry_target(root, text, list_file, line), int(count), int(label), int(line))
        for text, count, label, line in table[["path", "frame_count", "label", "line"]].itertuples(index=False)
    ]
    rels = [rel for _, rel, *_ in entries]
    if len(set(rels)) != len(rels):
        dup = next(r for r in rels if rels.count(r) > 1)
        raise DataFormatError.build(
            list_file,
            found=f"two entries writing the flow folder {dup}",
            expected="each video listed once",
            fix="remove the duplicate entry",
        )
    missing = [(line, src) for src, _, _, _, line in entries if not src.exists()]
    if missing:
        line, src = missing[0]
        raise DataFormatError.build(
            list_file,
            line=line,
            found=f"{len(missing)} of {len(entries)} listed paths missing (first: {src})",
            expected=f"every listed video or frame folder to exist (relative paths under {root})",
            fix="extract the missing videos or pass the right root",
        )
    if out_root.resolve() == root.resolve() or out_root.resolve() in root.resolve().parents:
        raise ValueError(f"out_root {out_root} must not be root {root} or a folder above it")
    refuse_other_generator(out_root, _GENERATOR, "write_flow_frames")
    source_manifest = read_manifest(root)
    key = {  # this list's output is current while these are unchanged
        "list_name": list_file.name,
        "list_sha256": hashlib.sha256(list_file.read_bytes()).hexdigest(),
        "sources_sha256": _fingerprint([(rel, src) for src, rel, *_ in entries]),
        "source_manifest_sha256": None
        if source_manifest is None
        else hashlib.sha256(json.dumps(source_manifest, sort_keys=True).encode()).hexdigest(),
    }
    method = {
        "generator": _GENERATOR,
        "format_version": _FORMAT_VERSION,
        "method": "farneback",
        "farneback": dict(FARNEBACK_PARAMS),
        "bound": FLOW_BOUND,
        "jpeg_quality": FLOW_JPEG_QUALITY,
    }
    # out_root may hold the flow of several lists (train, valid, ...): keep the others' output.
    manifest = read_manifest(out_root) or {}
    before = manifest.get("parameters") or {}
    lists = dict(before.get("lists") or {}) if {k: before.get(k) for k in method} == method else {}
    if lists.get(out_name) == key and all((out_root / n).is_file() for n in lists):
        return out_root / out_name
    kept = {n: k for n, k in lists.items() if n != out_name and (out_root / n).is_file()}
    counts = {n: c for n, c in (manifest.get("videos") or {}).items() if n in kept}
    params = {**method, "lists": {**kept, out_name: key}}

    def generate(tmp: Path) -> dict:
        for other in kept:  # hard links: the earlier output is not copied, and stays valid until replaced
            for folder in read_isogd_list(out_root / other)["path"]:
                _link_tree(out_root / folder, tmp / folder)
            shutil.copy2(out_root / other, tmp / other)
        rows = []
        for src, rel, count, label, line in entries:
            frames = _read(src)  # (T, C, H, W) uint8
            if frames.shape[0] != count:
                raise DataFormatError.build(
                    list_file,
                    line=line,
                    found=f"frame count {count} for {src}, which has {frames.shape[0]} frames",
                    expected="the listed count to match the frames found",
                    fix="correct the count in the list, or re-extract the video",
                )
            if frames.shape[0] < 2:
                raise DataFormatError.build(
                    src,
                    found="a video of 1 frame",
                    expected="at least 2 frames (flow is computed between consecutive frames)",
                    fix="drop the video from the list",
                )
            images = flow_to_image(farneback_flow(frames))  # (T - 1, 3, H, W) uint8
            if (tmp / rel).exists():  # also another list's (linked): never write through its links
                shutil.rmtree(tmp / rel)
            _write_jpegs(tmp / rel, images)
            rows.append(f"{rel.as_posix()}/ {images.shape[0]} {label}\n")
        (tmp / out_name).write_text("".join(rows), encoding="utf-8")
        return {"videos": {**counts, out_name: len(rows)}}

    def is_complete(folder: Path, manifest: dict) -> bool:
        return all((folder / n).is_file() for n in manifest["parameters"]["lists"])

    write_once(out_root, params, generate=generate, is_complete=is_complete, writer="write_flow_frames")
    return out_root / out_name


def _link_tree(src: Path, dst: Path) -> None:
    """Hard-link (or, across file systems, copy) the files of the folder ``src`` into ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(src):
        if entry.is_file():
            try:
                os.link(entry.path, dst / entry.name)
            except OSError:
                shutil.copy2(entry.path, dst / entry.name)


def _read(src: Path) -> np.ndarray:
    """All frames of a video file or frame folder, ``(T, C, H, W)`` uint8 RGB."""
    if src.is_dir():
        return read_frames(list_frame_folder(src)).numpy()
    return read_video_frames(src).numpy()


def _write_jpegs(folder: Path, images: np.ndarray) -> None:
    """``(N, 3, H, W)`` uint8 -> ``folder/000001.jpg ...`` (channel 0 stored as red)."""
    folder.mkdir(parents=True, exist_ok=True)
    params = [
        cv2.IMWRITE_JPEG_QUALITY,
        FLOW_JPEG_QUALITY,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR,
        cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444,
    ]
    for k, chw in enumerate(images, 1):
        bgr = np.ascontiguousarray(chw[::-1].transpose(1, 2, 0))
        ok, buf = cv2.imencode(".jpg", bgr, params)
        if not ok:
            raise OSError(f"JPEG encoding failed for {folder / f'{k:06d}.jpg'}")
        (folder / f"{k:06d}.jpg").write_bytes(buf.tobytes())
