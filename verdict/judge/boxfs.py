"""Box files as the host sees them: through a directory fd, never following a link.

The host is root and the box is written by untrusted programs. Opening `/proc/<pid>/root/box/x`
follows whatever `x` is: a link to `/var/lib/verdict/verdict.db` made the host copy the database
into a student's feedback, and a link to `/tmp/...` made it write there (issue 10, C1). So the
host reaches the box only through a directory fd that the runner opened before any program ran,
and every path is resolved by `openat2(2)` with

- `RESOLVE_IN_ROOT`: `..` and absolute paths (in links or in the name) stay inside the box;
- `RESOLVE_NO_SYMLINKS`: any link on the way, the last component included, is an error (ELOOP);
- `RESOLVE_NO_MAGICLINKS`, `RESOLVE_NO_XDEV`: no `/proc` magic links, no crossing into another
  mount (the box is one tmpfs).

Reads accept regular files only (not a FIFO that would block the host, not a directory) and stop
at a caller's cap. Writes never open an existing name: it is unlinked first and the file created
with `O_EXCL | O_NOFOLLOW`, so a link planted between two calls cannot redirect the write either.
The host does all this as the slot's uid (`fs_identity`), so that what it creates belongs to a uid
mapped in the sandbox's user namespace.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from verdict.judge.errors import SandboxError

SYS_OPENAT2 = 437  # the same number on every architecture (syscalls added after 5.1 are unified)
RESOLVE_NO_XDEV = 0x01
RESOLVE_NO_MAGICLINKS = 0x02
RESOLVE_NO_SYMLINKS = 0x04
RESOLVE_IN_ROOT = 0x10
RESOLVE = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV
COPY_CHUNK = 1 << 20
MiB = 1024 * 1024


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


_libc = ctypes.CDLL(None, use_errno=True)


def openat2(dir_fd: int, name: str, flags: int, mode: int = 0) -> int:
    """An fd for `name` under `dir_fd`, resolved inside it and through no link at all."""
    how = _OpenHow(flags | os.O_CLOEXEC | os.O_NOCTTY, mode, RESOLVE)
    path = _relative(name).encode()
    fd = int(_libc.syscall(SYS_OPENAT2, dir_fd, path, ctypes.byref(how), ctypes.sizeof(how)))
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), name)
    return fd


@contextlib.contextmanager
def fs_identity(uid: int) -> Iterator[None]:
    """Acts on files as the slot's uid, in this thread only (setfsuid is per thread).

    Files the host creates in the box must belong to a uid mapped in the sandbox's user
    namespace (root is not: the kernel refuses with EOVERFLOW).
    """
    _libc.setfsgid(uid)
    _libc.setfsuid(uid)
    try:
        yield
    finally:
        _libc.setfsuid(0)
        _libc.setfsgid(0)


class BoxFiles:
    """Operations on one box, relative to its root directory fd (owned by the caller)."""

    def __init__(self, root_fd: int) -> None:
        self.root_fd = root_fd

    def open(self, name: str, flags: int, mode: int = 0) -> int:
        return openat2(self.root_fd, name, flags, mode)

    @contextlib.contextmanager
    def directory(self, name: str, create: bool = False) -> Iterator[int]:
        """An fd for the directory /box/<name>, made (with its parents) when `create`."""
        fd = os.dup(self.root_fd)
        try:
            for part in _relative(name).split("/"):
                if part in ("", "."):
                    continue
                child = _open_dir(fd, part, create)
                os.close(fd)
                fd = child
            yield fd
        finally:
            os.close(fd)

    def read(self, name: str, limit: int) -> bytes | None:
        """At most `limit` bytes of the regular file /box/<name>; None when there is none
        (absent, a link, a FIFO, a directory...)."""
        try:
            fd = self.open(name, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR, errno.EXDEV, errno.ENXIO):
                return None
            raise
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # before fdopen, which refuses a directory
            os.close(fd)
            return None
        with os.fdopen(fd, "rb", buffering=0) as file:
            return _read_capped(file, limit)

    def write(self, name: str, source: bytes | BinaryIO, mode: int) -> None:
        """Creates /box/<name> anew (parents too) with the given content and mode."""
        parent, leaf = _split(name)
        with self.directory(parent, create=True) as dir_fd:
            self._remove_entry(dir_fd, leaf)
            fd = os.open(
                leaf, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd
            )
            with os.fdopen(fd, "wb") as target:
                if isinstance(source, bytes):
                    target.write(source)
                else:
                    shutil.copyfileobj(source, target, COPY_CHUNK)
                os.fchmod(fd, mode)  # not the umask's choice

    def fresh_dir(self, name: str, mode: int) -> None:
        """An empty directory /box/<name>, whatever was there before (a link is removed, not followed)."""
        parent, leaf = _split(name)
        with self.directory(parent, create=True) as dir_fd:
            self._remove_entry(dir_fd, leaf)
            os.mkdir(leaf, mode, dir_fd=dir_fd)
            with self.directory(name) as fd:
                os.fchmod(fd, mode)

    def remove(self, name: str) -> None:
        """Removes /box/<name> if it is there (a link is unlinked, not followed)."""
        parent, leaf = _split(name)
        try:
            with self.directory(parent) as dir_fd:
                self._remove_entry(dir_fd, leaf)
        except (FileNotFoundError, NotADirectoryError):
            return

    def list_files(self, name: str) -> list[str]:
        with self.directory(name) as fd, os.scandir(fd) as entries:
            return sorted(entry.name for entry in entries if entry.is_file(follow_symlinks=False))

    def list_tree(self, name: str) -> list[str]:
        """Paths, relative to /box/<name>, of the regular files anywhere under it (no link is
        followed: a link to a directory is skipped as any other link). Meant for trees that our
        own code made (a compile seed): a directory swapped for a link meanwhile is an error."""
        with self.directory(name) as fd:
            return _walk(fd, "")

    def exists(self, name: str) -> bool:
        """Whether /box/<name> is there (a link counts, without being followed)."""
        parent, leaf = _split(name)
        try:
            with self.directory(parent) as dir_fd:
                os.stat(leaf, dir_fd=dir_fd, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return False
        except OSError as error:
            if error.errno == errno.ELOOP:  # a link on the way: what is behind is not the box's
                return False
            raise
        return True

    @staticmethod
    def _remove_entry(dir_fd: int, leaf: str) -> None:
        try:
            info = os.stat(leaf, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(leaf, dir_fd=dir_fd)  # the fd-based walk: links are unlinked, not followed
        else:
            os.unlink(leaf, dir_fd=dir_fd)


class SlotFiles:
    """A sandbox's box files as the host handles them: through `BoxFiles`, as the slot's uid.

    Files are created as the slot's uid: root is not mapped in the sandbox's user namespace (the
    kernel would refuse with EOVERFLOW)."""

    def __init__(self, root_fd: int, uid: int) -> None:
        self.box = BoxFiles(root_fd)
        self.uid = uid

    def put(self, name: str, data: bytes | Path, executable: bool = False) -> None:
        mode = 0o755 if executable else 0o644
        # The source is opened as root (it may be private); the copy is made as the slot's uid.
        with contextlib.ExitStack() as stack:
            source = stack.enter_context(open(data, "rb")) if isinstance(data, Path) else data
            stack.enter_context(fs_identity(self.uid))
            self.box.write(name, source, mode)

    def put_tree(self, source: Path, name: str = "") -> None:
        """Copies a host directory's files into /box/<name>."""
        for item in sorted(source.rglob("*")):
            if item.is_file():
                relative = Path(name) / item.relative_to(source)
                self.put(str(relative), item, executable=os.access(item, os.X_OK))

    def get(self, name: str, limit: int = 256 * MiB) -> bytes:
        """At most `limit` bytes of the regular file /box/<name> (a link is refused)."""
        data = self.read_file(name, limit)
        if data is None:
            raise SandboxError(f"/box/{name[:200]} is not a regular file of the box")
        return data

    def read_file(self, name: str, limit: int) -> bytes | None:
        """At most `limit` bytes of /box/<name>; None when it is absent or not a regular file."""
        with fs_identity(self.uid):
            return self.box.read(name, limit)

    def fresh_dir(self, name: str) -> None:
        """An empty directory /box/<name> the programs may write into."""
        with fs_identity(self.uid):
            self.box.fresh_dir(name, 0o777)

    def remove(self, name: str) -> None:
        """Removes /box/<name> if it is there: a file a program wrote in an earlier run."""
        with fs_identity(self.uid):
            self.box.remove(name)

    def list_files(self, name: str = "") -> list[str]:
        """Names of the regular files directly in /box/<name>."""
        with fs_identity(self.uid):
            return self.box.list_files(name)

    def list_tree(self, name: str) -> list[str]:
        """Paths, relative to /box/<name>, of the regular files anywhere under it."""
        with fs_identity(self.uid):
            return self.box.list_tree(name)

    def exists(self, name: str) -> bool:
        with fs_identity(self.uid):
            return self.box.exists(name)


def _open_dir(parent_fd: int, part: str, create: bool) -> int:
    """The directory `part` of `parent_fd`. With `create`, whatever else is there (a link a
    program planted, a file) is replaced by a new directory: the host owns the layout it makes."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(part, 0o755, dir_fd=parent_fd)
    try:
        return openat2(parent_fd, part, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        if not create or error.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
    BoxFiles._remove_entry(parent_fd, part)
    os.mkdir(part, 0o755, dir_fd=parent_fd)
    return openat2(parent_fd, part, os.O_RDONLY | os.O_DIRECTORY)


def _walk(dir_fd: int, prefix: str) -> list[str]:
    with os.scandir(dir_fd) as entries:
        listing = sorted(
            (e.name, e.is_file(follow_symlinks=False), e.is_dir(follow_symlinks=False)) for e in entries
        )
    found = []
    for name, is_file, is_dir in listing:
        if is_file:
            found.append(prefix + name)
        elif is_dir:
            child = openat2(dir_fd, name, os.O_RDONLY | os.O_DIRECTORY)
            try:
                found += _walk(child, f"{prefix}{name}/")
            finally:
                os.close(child)
    return found


def _read_capped(file: BinaryIO, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = file.read(min(left, COPY_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _relative(name: str) -> str:
    if "\0" in name:
        raise ValueError(f"box path with a NUL byte: {name[:100]!r}")
    return name.lstrip("/") or "."


def _split(name: str) -> tuple[str, str]:
    parent, _, leaf = _relative(name).rpartition("/")
    if leaf in ("", ".", ".."):
        raise ValueError(f"not a file name in the box: {name[:100]!r}")
    return parent, leaf


def openat2_available() -> bool:
    """Whether this kernel has openat2 (5.6+): without it the sandbox refuses to start."""
    root = os.open("/", os.O_PATH | os.O_CLOEXEC)
    try:
        os.close(openat2(root, ".", os.O_RDONLY | os.O_DIRECTORY))
    except OSError:
        return False
    finally:
        os.close(root)
    return True
