"""Reading untrusted package trees and archives safely, and packing them deterministically.

Packages come from instructors' uploads and directories: nothing in them may write or read
outside the package. So:

* archive members with absolute paths, ``..`` components, device files or FIFOs are refused;
* symbolic and hard links are never created on disk: a link pointing inside the package is
  replaced by a copy of its target, a link pointing outside is refused;
* the number of entries and the total unpacked size are capped while reading (zip bombs and link
  amplification stop at the cap, not after filling the disk). Every member counts, the root
  (``./``) and skipped ones included: a million ``./`` entries stop at the file cap;
* what the archive libraries would read whole is bounded before they read it: a tar's pax and
  GNU long-name headers (``tarfile`` reads their body in one piece, even in ``is_tarfile``), a
  zip symlink's target, a zip's central directory (by its declared number of entries);
* paths are at most MAX_PATH_DEPTH components of at most MAX_NAME_BYTES bytes each, and
  MAX_PATH_BYTES in all: deeper or longer ones are refused with a message instead of reaching the
  file system (ENAMETOOLONG) or a recursion (RecursionError) as server errors.

The normalised form is a ``.tar.gz`` with one top-level directory (the package directory, whose
name is the package id), sorted entries, zeroed times and owners and only two file modes, so the
same content always gives the same bytes and the same sha256.
"""

from __future__ import annotations

import gzip
import io
import os
import posixpath
import shutil
import stat
import struct
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from verdict.judge.errors import PackageError
from verdict.judge.packages.common import brief

# Version-control and desktop clutter: never part of a package, sometimes huge (.git).
SKIPPED_NAMES = frozenset({".git", ".hg", ".svn", "__MACOSX", ".DS_Store"})
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip")
_CHUNK = 1 << 16
MAX_LINK_TARGET_BYTES = 4096  # PATH_MAX: no real link target is longer
MAX_TAR_HEADER_BYTES = 64 * 1024  # a pax or GNU long-name header; real ones are a few hundred bytes
MAX_PATH_DEPTH = 40
MAX_NAME_BYTES = 255  # NAME_MAX of every common file system
MAX_PATH_BYTES = 2048  # well under PATH_MAX once under the scratch directory
_ZIP_TAIL_BYTES = 22 + 0xFFFF  # the end-of-central-directory record and its longest comment


@dataclass
class Budget:
    """Caps on what one package may contain; ``None`` means unlimited."""

    max_bytes: int | None
    max_files: int | None
    source: str  # named in error messages
    bytes: int = 0
    files: int = 0

    def add_file(self, size: int = 0) -> None:
        self.files += 1
        if self.max_files is not None and self.files > self.max_files:
            raise PackageError(self.source, f"too many files: more than {self.max_files}")
        self.add_bytes(size)

    def add_bytes(self, size: int) -> None:
        self.bytes += size
        if self.max_bytes is not None and self.bytes > self.max_bytes:
            raise PackageError(self.source, f"package too large: more than {self.max_bytes} bytes unpacked")


@dataclass
class _Link:
    path: PurePosixPath  # where the link is, relative to the extraction root
    target: PurePosixPath  # what it points to, relative to the extraction root
    raw: str = field(default="")  # as written in the archive, for messages


# --------------------------------------------------------------------------- extraction


class OversizedTarHeader(tarfile.TarError):
    """Not a ReadError on purpose: ``tarfile.open(mode="r:*")`` would swallow that and try the next
    compression, ending in a vaguer message."""


class _BoundedTarInfo(tarfile.TarInfo):
    """A tar header whose pax or GNU long-name body is refused past MAX_TAR_HEADER_BYTES.

    ``tarfile`` reads such a body in one ``read(size)`` as soon as it meets the header (opening the
    archive reads the first one), so a 2 GiB declared size cost 2 GB. ``_proc_member`` is where
    tarfile turns a raw header into a member, before it reads any body: the size is checked there.
    (A private hook, but stable since Python 2; tests/platform/test_archive_bombs.py fails if a
    release stops calling it.)
    """

    _EXTENDED = (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE, tarfile.XGLTYPE)

    def _proc_member(self, tarfile_: tarfile.TarFile) -> tarfile.TarInfo:
        extended = self.type in self._EXTENDED or self.type == tarfile.SOLARIS_XHDTYPE
        if extended and self.size > MAX_TAR_HEADER_BYTES:
            raise OversizedTarHeader(
                f"an extended header of {self.size} bytes (at most {MAX_TAR_HEADER_BYTES} are allowed)"
            )
        member: tarfile.TarInfo = super()._proc_member(tarfile_)  # type: ignore[misc]
        return member


def is_archive(path: Path) -> bool:
    return path.is_file() and (zipfile.is_zipfile(path) or _is_tar(path))


def _is_tar(path: Path) -> bool:
    # tarfile.is_tarfile would read the first header with the unbounded TarInfo.
    try:
        with _open_tar(path):
            return True
    except (OversizedTarHeader, RecursionError):
        return True  # a tar, and a hostile one (see safe_extract): extracting it says why it is refused
    except (tarfile.TarError, EOFError, OSError):
        return False


def archive_stem(path: Path) -> str:
    """``hello.pbm.tgz`` -> ``hello.pbm``: the package directory name an archive stands for."""
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or "package"
    return path.stem or "package"


def safe_extract(archive: Path | BinaryIO, dest: Path, budget: Budget) -> None:
    """Extract a tar (any compression) or zip archive into the empty directory ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    links: list[_Link] = []
    try:
        if _is_zip(archive):
            _check_zip_entry_count(archive, budget)
            with zipfile.ZipFile(archive) as zf:
                _extract_zip(zf, dest, budget, links)
        else:
            with _open_tar(archive) as tf:
                _extract_tar(tf, dest, budget, links)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, gzip.BadGzipFile) as error:
        raise PackageError(budget.source, f"not a readable tar or zip archive: {brief(str(error))}") from None
    except RecursionError:
        # tarfile reads each pax or long-name header by recursing into the next one.
        raise PackageError(
            budget.source, "not a readable tar archive: too many extended headers in a row"
        ) from None
    _materialise_links(dest, links, budget)


def _is_zip(archive: Path | BinaryIO) -> bool:
    if isinstance(archive, Path):
        return zipfile.is_zipfile(archive)
    position = archive.tell()
    try:
        return zipfile.is_zipfile(archive)
    finally:
        archive.seek(position)


def _open_tar(archive: Path | BinaryIO) -> tarfile.TarFile:
    if isinstance(archive, Path):
        return tarfile.open(archive, mode="r:*", tarinfo=_BoundedTarInfo)
    return tarfile.open(fileobj=archive, mode="r:*", tarinfo=_BoundedTarInfo)


def _check_zip_entry_count(archive: Path | BinaryIO, budget: Budget) -> None:
    """Refuse a zip declaring more entries than the file budget, before ZipFile reads its whole
    central directory into memory (a ZipInfo per entry)."""
    if budget.max_files is None:
        return
    if isinstance(archive, Path):
        with open(archive, "rb") as data:
            declared = _zip_declared_entries(data)
    else:
        position = archive.tell()
        try:
            declared = _zip_declared_entries(archive)
        finally:
            archive.seek(position)
    if declared is not None and declared > budget.max_files:
        raise PackageError(
            budget.source, f"too many files: the zip declares {declared} (at most {budget.max_files})"
        )


def _zip_declared_entries(data: BinaryIO) -> int | None:
    """The entry count of the end-of-central-directory record (zip64 one if present), or None."""
    size = data.seek(0, os.SEEK_END)
    start = max(0, size - _ZIP_TAIL_BYTES)
    data.seek(start)
    tail = data.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    (count,) = struct.unpack_from("<H", tail, at + 10)
    locator = at - 20
    if count != 0xFFFF or locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
        return int(count)
    (record_offset,) = struct.unpack_from("<Q", tail, locator + 8)
    data.seek(record_offset)
    record = data.read(56)
    if len(record) < 40 or record[:4] != b"PK\x06\x06":
        return int(count)
    (count64,) = struct.unpack_from("<Q", record, 32)
    return int(count64)


def _extract_tar(tf: tarfile.TarFile, dest: Path, budget: Budget, links: list[_Link]) -> None:
    for member in tf:
        budget.add_file()  # before anything is skipped: every member costs something to read
        relative = _safe_member_path(member.name, budget.source)
        if relative is None:
            continue
        if member.isdir():
            _make_dir(dest, relative, budget.source)
        elif member.isreg():
            source = tf.extractfile(member)
            assert source is not None  # regular members always have data
            _write_file(dest, relative, source, budget, executable=bool(member.mode & 0o111))
        elif member.issym():
            links.append(
                _Link(relative, _symlink_target(relative, member.linkname, budget.source), member.linkname)
            )
        elif member.islnk():
            target = _safe_member_path(member.linkname, budget.source)
            if target is None:
                raise PackageError(budget.source, f"hard link {relative} points to the archive root")
            links.append(_Link(relative, target, member.linkname))
        else:
            raise PackageError(budget.source, f"{relative}: device files and FIFOs are not allowed")


def _extract_zip(zf: zipfile.ZipFile, dest: Path, budget: Budget, links: list[_Link]) -> None:
    for info in zf.infolist():
        budget.add_file()  # before anything is skipped: every member costs something to read
        relative = _safe_member_path(info.filename, budget.source)
        if relative is None:
            continue
        mode = info.external_attr >> 16  # Unix mode, when the zip was made on Unix
        kind = stat.S_IFMT(mode)
        if info.is_dir() or kind == stat.S_IFDIR:
            _make_dir(dest, relative, budget.source)
        elif kind == stat.S_IFLNK:
            raw = _zip_link_target(zf, info, relative, budget.source)
            links.append(_Link(relative, _symlink_target(relative, raw, budget.source), raw))
        elif kind in (0, stat.S_IFREG):
            with zf.open(info) as source:
                _write_file(dest, relative, source, budget, executable=bool(mode & 0o111))
        else:
            raise PackageError(budget.source, f"{relative}: device files and FIFOs are not allowed")


def _zip_link_target(zf: zipfile.ZipFile, info: zipfile.ZipInfo, link: PurePosixPath, source: str) -> str:
    # Never read the member whole: its declared size may lie, so read one byte past the cap.
    if info.file_size > MAX_LINK_TARGET_BYTES:
        raise PackageError(source, f"symlink {link}: its target is longer than {MAX_LINK_TARGET_BYTES} bytes")
    with zf.open(info) as data:
        raw = data.read(MAX_LINK_TARGET_BYTES + 1)
    if len(raw) > MAX_LINK_TARGET_BYTES:
        raise PackageError(source, f"symlink {link}: its target is longer than {MAX_LINK_TARGET_BYTES} bytes")
    return raw.decode("utf-8", "replace")


def _safe_member_path(name: str, source: str) -> PurePosixPath | None:
    """The member's path relative to the root, or None for the root itself; refuses escapes."""
    if "\x00" in name:
        raise PackageError(source, f"member name {brief(name)} contains a NUL byte")
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        raise PackageError(source, f"absolute path in archive: {brief(name)}")
    parts = [part for part in normalised.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise PackageError(source, f"path escapes the package: {brief(name)}")
    if not parts:
        return None
    return _checked_path(PurePosixPath(*parts), source)


def _checked_path(path: PurePosixPath, source: str) -> PurePosixPath:
    """``path`` if the file system can hold it under the scratch directory; PackageError if not."""
    if len(path.parts) > MAX_PATH_DEPTH:
        raise PackageError(source, f"path {brief(str(path))} is more than {MAX_PATH_DEPTH} levels deep")
    if len(str(path).encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        raise PackageError(source, f"path {brief(str(path))} is longer than {MAX_PATH_BYTES} bytes")
    for part in path.parts:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise PackageError(source, f"name {brief(part)} is longer than {MAX_NAME_BYTES} bytes")
    return path


def _symlink_target(link: PurePosixPath, target: str, source: str) -> PurePosixPath:
    if target.startswith("/") or not target:
        raise PackageError(source, f"symlink {link} points outside the package ({brief(target)})")
    resolved = posixpath.normpath(posixpath.join(str(link.parent), target))
    if resolved == ".." or resolved.startswith("../"):
        raise PackageError(source, f"symlink {link} points outside the package ({brief(target)})")
    if resolved == ".":
        raise PackageError(source, f"symlink {link} points to the package root")
    return _checked_path(PurePosixPath(resolved), source)


def _make_dir(dest: Path, relative: PurePosixPath, source: str) -> None:
    try:
        (dest / relative).mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise PackageError(source, f"{relative}: conflicts with a file of the same name") from None


def _write_file(
    dest: Path, relative: PurePosixPath, data: IO[bytes], budget: Budget, *, executable: bool
) -> None:
    # Count the bytes actually read: sizes declared in archive headers can lie.
    target = dest / relative
    if relative.parent != PurePosixPath("."):
        _make_dir(dest, relative.parent, budget.source)
    if target.is_dir():
        raise PackageError(budget.source, f"{relative}: conflicts with a directory of the same name")
    with open(target, "wb") as out:
        while chunk := data.read(_CHUNK):
            budget.add_bytes(len(chunk))
            out.write(chunk)
    target.chmod(0o755 if executable else 0o644)


def _materialise_links(dest: Path, links: list[_Link], budget: Budget) -> None:
    """Replace each link by a copy of its target; links to links resolve over several rounds."""
    pending = list(links)
    while pending:
        waiting = []
        for link in pending:
            if link.path == link.target or link.target in link.path.parents:
                raise PackageError(budget.source, f"link {link.path} points to its own ancestor")
            target = dest / link.target
            if (target.is_dir() or target.is_file()) and not _holds_pending(link, pending):
                _copy_counted(target, dest / link.path, budget, len(link.path.parts))
            else:
                waiting.append(link)
        if len(waiting) == len(pending):
            names = ", ".join(f"{link.path} -> {link.raw}" for link in waiting)
            raise PackageError(budget.source, f"dangling or circular links: {names}")
        pending = waiting


def _holds_pending(link: _Link, pending: list[_Link]) -> bool:
    # Copy a directory only once the links inside it are real, or the copy would miss them.
    return any(
        other is not link and (other.path == link.target or link.target in other.path.parents)
        for other in pending
    )


def _copy_counted(source: Path, target: Path, budget: Budget, depth: int) -> None:
    if target.exists():
        raise PackageError(budget.source, f"{target.name}: a link and a file have the same name")
    if depth > MAX_PATH_DEPTH:  # a linked directory copied under a deep path gets deeper still
        raise PackageError(
            budget.source, f"a link copies {target.name} more than {MAX_PATH_DEPTH} levels deep"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        target.mkdir()
        for child in sorted(source.iterdir()):
            budget.add_file()
            _copy_counted(child, target / child.name, budget, depth + 1)
    else:
        budget.add_bytes(source.stat().st_size)
        shutil.copyfile(source, target)
        target.chmod(source.stat().st_mode & 0o777)


def package_root(extracted: Path) -> Path:
    """The package directory inside an extraction: its only top-level directory if it has just
    one (``hello.pbm/...``), otherwise the extraction directory itself."""
    entries = [entry for entry in extracted.iterdir() if entry.name not in SKIPPED_NAMES]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return extracted


# --------------------------------------------------------------------------- directory walk


@dataclass(frozen=True)
class Entry:
    path: PurePosixPath  # relative to the package root
    source: Path  # real file to read (links already followed)
    is_dir: bool
    executable: bool = False


def walk_package(root: Path, budget: Budget) -> list[Entry]:
    """Every directory and file under ``root``, sorted, links followed only inside ``root``."""
    if not root.is_dir():
        raise PackageError(root, "not a directory")
    real_root = Path(os.path.realpath(root))
    return list(_walk(root, PurePosixPath(), real_root, budget, (real_root,)))


def _walk(
    directory: Path, prefix: PurePosixPath, real_root: Path, budget: Budget, ancestors: tuple[Path, ...]
) -> Iterator[Entry]:
    for child in sorted(directory.iterdir(), key=lambda p: p.name):
        if child.name in SKIPPED_NAMES:
            continue
        relative = prefix / child.name
        if len(relative.parts) > MAX_PATH_DEPTH:
            raise PackageError(
                budget.source, f"path {brief(str(relative))} is more than {MAX_PATH_DEPTH} levels deep"
            )
        real = Path(os.path.realpath(child))
        if child.is_symlink() and not real.is_relative_to(real_root):
            raise PackageError(budget.source, f"symlink {relative} points outside the package")
        mode = _stat(child, relative, budget.source).st_mode
        budget.add_file()
        if stat.S_ISDIR(mode):
            if real in ancestors:
                raise PackageError(budget.source, f"symlink {relative} points to its own ancestor")
            yield Entry(relative, real, is_dir=True)
            yield from _walk(child, relative, real_root, budget, (*ancestors, real))
        elif stat.S_ISREG(mode):
            budget.add_bytes(os.stat(real).st_size)
            yield Entry(relative, real, is_dir=False, executable=bool(mode & 0o111))
        else:
            raise PackageError(budget.source, f"{relative}: device files, sockets and FIFOs are not allowed")


def _stat(path: Path, relative: PurePosixPath, source: str) -> os.stat_result:
    try:
        return path.stat()  # follows links (already checked to stay inside)
    except FileNotFoundError:
        raise PackageError(source, f"dangling symlink {relative}") from None
    except OSError as error:
        raise PackageError(source, f"{relative}: {error.strerror}") from None


# --------------------------------------------------------------------------- normalised archive


def pack_deterministic(name: str, entries: list[Entry]) -> bytes:
    """A .tar.gz of ``entries`` under the top-level directory ``name``; same input, same bytes."""
    buffer = io.BytesIO()
    # mtime=0 and no file name: the gzip header would otherwise record both.
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=6) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf,
    ):
        tf.addfile(_tar_info(name, is_dir=True, executable=True))
        for entry in sorted(entries, key=lambda e: e.path.parts):
            info = _tar_info(f"{name}/{entry.path}", is_dir=entry.is_dir, executable=entry.executable)
            if entry.is_dir:
                tf.addfile(info)
            else:
                with open(entry.source, "rb") as data:
                    info.size = os.fstat(data.fileno()).st_size
                    tf.addfile(info, data)
    return buffer.getvalue()


def _tar_info(name: str, *, is_dir: bool, executable: bool) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = 0o755 if is_dir or executable else 0o644
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info
