"""Write-once folders marked by a manifest (motion_rnn.data.cache)."""

import json

import pytest

from motion_rnn.data.cache import MANIFEST_FILE, read_manifest, write_once

PARAMS = {"generator": "test", "seed": 3, "sizes": [1, 2]}


class Writer:
    """A ``generate`` that writes two files and counts its calls."""

    def __init__(self, fail: bool = False):
        self.calls = 0
        self.fail = fail

    def __call__(self, tmp):
        self.calls += 1
        assert tmp.is_dir() and not any(tmp.iterdir())  # an empty folder of its own
        (tmp / "a.txt").write_text("a")
        if self.fail:
            raise RuntimeError("interrupted")
        (tmp / "b.txt").write_text("b")
        return {"files": ["a.txt", "b.txt"]}


def has_files(root, manifest):
    return all((root / name).is_file() for name in manifest["files"])


def write(root, generate, params=PARAMS, **options):
    return write_once(root, params, generate=generate, is_complete=has_files, writer="write_test", **options)


def test_writes_files_then_the_manifest(tmp_path):
    root = tmp_path / "out"

    def generate(tmp):
        (tmp / "a.txt").write_text("a")
        (tmp / "b.txt").write_text("b")
        assert not (tmp / MANIFEST_FILE).exists()  # not before every file is there
        assert not root.exists()  # nor is the folder in place before then
        return {"files": ["a.txt", "b.txt"]}

    assert write(root, generate, indent=1) == root
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left
    text = (root / MANIFEST_FILE).read_text(encoding="utf-8")
    assert text == json.dumps({"parameters": PARAMS, "files": ["a.txt", "b.txt"]}, indent=1) + "\n"
    assert list(read_manifest(root)) == ["parameters", "files"]
    assert (root / "a.txt").read_text() == "a"


def test_a_complete_folder_is_reused_without_calling_generate(tmp_path):
    root, first = tmp_path / "out", Writer()
    write(root, first)
    stamp = (root / MANIFEST_FILE).stat().st_mtime_ns

    def must_not_run(tmp):
        raise AssertionError("generate called for a complete folder")

    assert write(str(root), must_not_run) == root
    assert first.calls == 1
    assert (root / MANIFEST_FILE).stat().st_mtime_ns == stamp


def test_other_parameters_or_missing_files_regenerate(tmp_path):
    root, writer = tmp_path / "out", Writer()
    write(root, writer)
    write(root, writer, params=PARAMS | {"seed": 4})
    assert writer.calls == 2
    assert read_manifest(root)["parameters"]["seed"] == 4
    (root / "b.txt").unlink()  # the manifest alone does not make a folder complete
    write(root, writer, params=PARAMS | {"seed": 4})
    assert writer.calls == 3
    assert (root / "b.txt").is_file()


def test_an_empty_folder_is_filled(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    write(root, Writer())
    assert has_files(root, read_manifest(root))


def test_a_folder_it_did_not_write_is_refused_and_left_alone(tmp_path):
    root, writer = tmp_path / "out", Writer()
    root.mkdir()
    (root / "mine.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match=r"out exists and was not written by write_test \(no synthetic_manifest"):
        write(root, writer)
    file = tmp_path / "file"
    file.write_text("keep me too")
    with pytest.raises(FileExistsError, match="not written by write_test"):
        write(file, writer)
    assert writer.calls == 0
    assert [p.name for p in root.iterdir()] == ["mine.txt"]
    assert file.read_text() == "keep me too"


def test_a_failing_generate_leaves_no_folder_and_no_temporary_folder(tmp_path):
    root = tmp_path / "sub" / "out"
    with pytest.raises(RuntimeError, match="interrupted"):
        write(root, Writer(fail=True))
    assert not root.exists()
    assert list((tmp_path / "sub").iterdir()) == []


def test_a_failing_generate_keeps_an_earlier_output(tmp_path):
    root = tmp_path / "out"
    write(root, Writer())
    with pytest.raises(RuntimeError):
        write(root, Writer(fail=True), params=PARAMS | {"seed": 4})
    assert read_manifest(root)["parameters"] == PARAMS  # still the earlier, complete set
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_completed_meanwhile_by_another_writer_is_kept(tmp_path):
    root = tmp_path / "out"

    def racing(tmp):
        write(root, Writer())  # another process finishes first
        (tmp / "a.txt").write_text("ours")
        (tmp / "b.txt").write_text("ours")
        return {"files": ["a.txt", "b.txt"]}

    assert write(root, racing) == root
    assert (root / "a.txt").read_text() == "a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_read_manifest_of_a_missing_or_broken_manifest_is_none(tmp_path):
    assert read_manifest(tmp_path / "nowhere") is None
    (tmp_path / MANIFEST_FILE).write_text("{not json")
    assert read_manifest(tmp_path) is None


def test_generate_may_not_write_the_parameters_entry(tmp_path):
    with pytest.raises(ValueError, match="parameters"):
        write(tmp_path / "out", lambda tmp: {"parameters": {}})
    assert list(tmp_path.iterdir()) == []
