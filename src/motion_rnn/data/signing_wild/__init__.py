"""Signing in the Wild (Borg & Camilleri 2019, "Sign language detection 'in the wild' with
recurrent neural networks", Sec. 3): :mod:`~motion_rnn.data.signing_wild.reader` reads the
annotation rows and videos, cuts 20-frame segments and assigns whole videos to folds (the names
below are re-exported from it); :mod:`~motion_rnn.data.signing_wild.synthetic` writes stand-in
videos in the same layout.
"""

from motion_rnn.data.signing_wild.reader import (
    ANNOTATION_COLUMNS,
    ANNOTATIONS_FILE,
    ANNOTATIONS_FOLDER,
    CLASS_NAMES,
    LABELS,
    NUM_FOLDS,
    SAMPLE_RATE,
    SEGMENT_COLUMNS,
    SEGMENT_LENGTH,
    UNLABELLED,
    VIDEO_EXTENSIONS,
    VIDEOS_FOLDER,
    SigningWildVideos,
    annotation_files,
    decode_frames,
    folds,
    read_annotations,
    segments,
)

__all__ = [
    "ANNOTATION_COLUMNS",
    "ANNOTATIONS_FILE",
    "ANNOTATIONS_FOLDER",
    "CLASS_NAMES",
    "LABELS",
    "NUM_FOLDS",
    "SAMPLE_RATE",
    "SEGMENT_COLUMNS",
    "SEGMENT_LENGTH",
    "UNLABELLED",
    "VIDEOS_FOLDER",
    "VIDEO_EXTENSIONS",
    "SigningWildVideos",
    "annotation_files",
    "decode_frames",
    "folds",
    "read_annotations",
    "segments",
]
