"""Compilation inside the sandbox, with a cache keyed by what determines the result.

The cache key hashes (source, language id, compile command, the compiler's mounts and environment,
toolchain version): a resubmission or a rejudge of the same code skips compiling. Compile errors
are cached too.

A compiler that keeps a cache of its own, which every compile in a fresh sandbox would build again
from nothing (Zig's compiler_rt), gets it filled from a seed (``Language.compile_seed``): the
cache that a compile of the language's self-test, our own fixed source, left in the sandbox. It is
built once per cache directory and toolchain (keyed as a compile is), under a lock, published by a
rename, and copied into each compile's box: the student's compile writes only its own copy.

Each compile stages its entry in a directory of its own, renamed into place at the end, so
concurrent compiles of one source never see each other's half-written files. The cache is
bounded (``SandboxConfig.compile_cache_bytes``): past the bound, the least recently used entries
(a hit touches its entry) are removed after each new entry is stored.
"""

from __future__ import annotations

import errno
import fcntl
import fnmatch
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from verdict.judge.java_source import JavaSourceError
from verdict.judge.languages import Language, availability, toolchain_version
from verdict.judge.sandbox import Limits, MiB, RunResult, Sandbox, SandboxConfig, Status
from verdict.judge.supervision import Supervision, watched

COMPILE_LIMITS = Limits(
    cpu_time=30,
    wall_time=60,
    memory_mb=1536,
    processes=64,
    output_bytes=64 * 1024,
    stderr_bytes=64 * 1024,
    file_size_bytes=64 * MiB,
    open_files=256,
)
MAX_ARTIFACT_BYTES = 64 * MiB
COMPILE_BOX_MB = 512
MAX_SEED_BYTES = 256 * MiB
STAGING_SUFFIX = ".tmp"
# An entry used this recently is never evicted: a grading may be copying it into a sandbox.
EVICTION_GRACE = 60.0

log = logging.getLogger(__name__)
_FAILED_SEEDS: set[Path] = set()


@dataclass
class Compiled:
    """A program ready to run: its language and a directory of artifacts (None on error)."""

    language: Language
    ok: bool
    artifacts: Path | None
    output: str  # compiler messages (shown to the student on a compile error)
    cached: bool = False
    seconds: float = 0.0
    status: str = "ok"  # the compile run's status (time limit, output limit, ...)
    main: str = ""  # what the run command names (a Java class), read from the source

    def run_argv(self, limits: Limits) -> list[str]:
        return self.language.run_argv(limits, self.main)

    @property
    def error(self) -> str:
        return "" if self.ok else self.output


def cache_key(
    language: Language,
    source: bytes,
    extra_files: Mapping[str, bytes] | None = None,
    entry: tuple[str, str] | None = None,
) -> str:
    digest = hashlib.sha256()
    for name, data in sorted((extra_files or {}).items()):
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    for part in (
        language.id,
        json.dumps(language.compile),
        # What the compiler sees besides the source: its mounts and environment.
        json.dumps([[m.source, m.target] for m in language.mounts]),
        json.dumps(language.env),
        toolchain_version(language) or "",
        *(entry or (language.source_name, "")),
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(source)
    return digest.hexdigest()


def compile_source(
    language: Language,
    source: bytes,
    config: SandboxConfig,
    limits: Limits = COMPILE_LIMITS,
    use_cache: bool = True,
    extra_files: Mapping[str, bytes] | None = None,
    supervision: Supervision | None = None,
    file_name: str | None = None,
) -> Compiled:
    """Compiles in a fresh sandbox; returns cached artifacts when the same code was compiled.

    extra_files (headers such as testlib.h, helper modules) are put beside the source and
    kept with the artifacts. Under a supervision, the compile is a phase of its own (its wall
    limit) and its sandbox is aborted if the grading is abandoned. file_name is the name the
    submission came with, if any: a Java source keeps it (see `verdict.judge.java_source`).
    """
    try:
        names = language.entry(source, file_name)
    except JavaSourceError as error:
        return Compiled(language, False, None, str(error), status="refused")
    source_name, main = names
    key = cache_key(language, source, extra_files, names)
    cache = config.cache_dir / "compiled"
    entry = cache / key[:2] / key
    if use_cache and (hit := _cached(language, entry)) is not None:
        return hit
    seed = compile_seed(language, config, supervision)
    started = time.perf_counter()
    if supervision is not None:
        supervision.allow(limits.wall)
    entry.parent.mkdir(parents=True, exist_ok=True)
    # Unique per compile, beside the entry (same file system, so the rename is atomic): two
    # threads compiling the same source must not share a staging directory (audit M5).
    staging = Path(tempfile.mkdtemp(prefix=f"{key}.", suffix=STAGING_SUFFIX, dir=entry.parent))
    try:
        with Sandbox(config, language.mounts, box_mb=COMPILE_BOX_MB) as box, watched(supervision, box):
            if seed is not None:
                _plant_seed(box, language, seed)
            box.put(source_name, source)
            for name, data in (extra_files or {}).items():
                box.put(name, data)
            result = _run_compiler(box, language, limits, source_name)
            ok, output = result.ok, _compiler_output(result)
            (staging / "files").mkdir()
            if ok:
                ok, output = _collect(box, language, staging / "files", output, list(extra_files or {}))
        (staging / "result.json").write_text(
            json.dumps({"ok": ok, "output": output, "status": result.status.value, "main": main})
        )
        _publish(staging, entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    evict_compiled(cache, config.compile_cache_bytes, keep=entry)
    return Compiled(
        language,
        ok,
        entry / "files" if ok else None,
        output,
        seconds=time.perf_counter() - started,
        status=result.status.value,
        main=main,
    )


def compile_seed(
    language: Language, config: SandboxConfig, supervision: Supervision | None = None
) -> Path | None:
    """The seed of the language's compiler cache on this cache directory, built now if it is not
    there yet (other processes wait for it on a lock); None when the language has none or it
    could not be built (the compile then starts from an empty cache, as without a seed)."""
    if language.compile_seed is None:
        return None
    seeds = config.cache_dir / "seeds" / re.sub(r"[^A-Za-z0-9_.+-]", "_", language.id)
    # Keyed as a compile of the self-test is: a new toolchain version, flag or mount is a new seed.
    seed = seeds / cache_key(language, language.selftest_source.encode())
    if seed.is_dir():
        return seed
    if seed in _FAILED_SEEDS:  # tried once by this process: not one more cold compile per compile
        return None
    seeds.mkdir(parents=True, exist_ok=True)
    with open(seeds / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not seed.is_dir():
            _build_seed(language, config, seed, supervision)
    if not seed.is_dir():
        _FAILED_SEEDS.add(seed)
        return None
    return seed


def _build_seed(
    language: Language, config: SandboxConfig, seed: Path, supervision: Supervision | None
) -> None:
    """Compiles the self-test in the sandbox and keeps the cache it wrote; seeds of other
    toolchain versions are removed."""
    staging = Path(tempfile.mkdtemp(prefix=f"{seed.name}.", suffix=STAGING_SUFFIX, dir=seed.parent))
    try:
        limits = compile_limits(language, COMPILE_LIMITS)
        if supervision is not None:
            supervision.allow(limits.wall)
        with Sandbox(config, language.mounts, box_mb=COMPILE_BOX_MB) as box, watched(supervision, box):
            box.put(language.source_name, language.selftest_source.encode())
            result = _run_compiler(box, language, COMPILE_LIMITS, language.source_name)
            if not result.ok:
                log.warning("no %s compile seed: %s", language.id, _compiler_output(result)[:500])
                return
            problem = _take_tree(box, language.compile_seed or "", staging)
            if problem:
                log.warning("no %s compile seed: %s", language.id, problem)
                return
        os.rename(staging, seed)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for other in seed.parent.iterdir():
        if other != seed and not other.name.startswith("."):
            _remove_entry(other)


def _take_tree(box: Sandbox, name: str, target: Path) -> str:
    """Copies the box's directory to the host; why not, when it cannot be a seed ("" when done)."""
    if not box.exists(name):
        return f"the compiler left no /box/{name}"
    total = 0
    for relative in box.files.list_tree(name):
        data = box.get(f"{name}/{relative}", MAX_SEED_BYTES + 1)
        total += len(data)
        if total > MAX_SEED_BYTES:
            return f"/box/{name} holds more than {MAX_SEED_BYTES} bytes"
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return ""


def _plant_seed(box: Sandbox, language: Language, seed: Path) -> None:
    """The seed copied into the box where the compiler keeps its cache. If the seed went away
    meanwhile (a newer toolchain's replaced it), the compile starts from an empty cache."""
    target = language.compile_seed or ""
    try:
        box.put_tree(seed, target)
    except FileNotFoundError:
        box.remove(target)


def _cached(language: Language, entry: Path) -> Compiled | None:
    """The cached compile of this key, touched as just used; None when absent (or evicted
    while we looked: then it is compiled again)."""
    try:
        meta = json.loads((entry / "result.json").read_text())
        os.utime(entry)  # the least recently used entries are evicted first
    except (OSError, ValueError):
        return None
    return Compiled(
        language,
        meta["ok"],
        entry / "files" if meta["ok"] else None,
        meta["output"],
        cached=True,
        status=meta.get("status", "ok"),
        main=meta.get("main", ""),
    )


def _publish(staging: Path, entry: Path) -> None:
    """Renames the staging directory into place; a concurrent compile of the same key that got
    there first wins (its result is the same), and ours is dropped by the caller."""
    try:
        os.rename(staging, entry)
    except OSError as error:
        if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise


def _entry_size(entry: Path) -> int:
    return sum(path.stat().st_size for path in entry.rglob("*") if path.is_file())


def evict_compiled(
    cache: Path, max_bytes: int, keep: Path | None = None, grace: float = EVICTION_GRACE
) -> list[Path]:
    """Removes the least recently used cache entries until the cache holds at most max_bytes
    (the entry just made is kept, whatever its size). Entries used in the last `grace`
    seconds are kept too: a grading may be copying their files into its sandbox right now.
    Returns the entries removed."""
    entries: list[tuple[float, int, Path]] = []
    for entry in cache.glob("??/*"):
        if "." in entry.name:  # a staging or an evicting directory
            continue
        try:
            entries.append((entry.stat().st_mtime, _entry_size(entry), entry))
        except OSError:  # evicted by another process meanwhile
            continue
    total = sum(size for _, size, _ in entries)
    removed = []
    now = time.time()
    for used, size, entry in sorted(entries, key=lambda item: item[0]):
        if total <= max_bytes:
            break
        if entry == keep or now - used < grace:
            continue
        _remove_entry(entry)
        total -= size
        removed.append(entry)
    return removed


def _remove_entry(entry: Path) -> None:
    """Renamed away first, so a reader sees the whole entry or none of it."""
    doomed = entry.with_name(f"{entry.name}.{os.getpid()}.{threading.get_ident()}.evicting")
    try:
        os.rename(entry, doomed)
    except OSError:  # already gone
        return
    shutil.rmtree(doomed, ignore_errors=True)


def _run_compiler(box: Sandbox, language: Language, limits: Limits, source_name: str) -> RunResult:
    if language.compile is None:
        return RunResult(Status.OK, exit_code=0)
    return box.run(
        language.compile_argv(source_name), limits=compile_limits(language, limits), env=language.environment
    )


def compile_limits(language: Language, limits: Limits) -> Limits:
    """The compile's limits, raised where the language's compiler needs more (JVM threads,
    Kotlin's and Crystal's slow compilers)."""
    cpu = max(limits.cpu_time, language.compile_cpu_seconds or 0)
    return replace(
        limits,
        processes=max(limits.processes, language.compile_processes),
        cpu_time=cpu,
        wall_time=max(limits.wall, 2 * cpu),
        memory_mb=max(limits.memory_mb, language.compile_memory_mb or 0),
    )


def _compiler_output(result: RunResult) -> str:
    text = (result.stderr + result.stdout).decode(errors="replace").strip()
    if result.ok:
        return text
    reasons = {
        Status.TIME_LIMIT: "compilation took too long",
        Status.WALL_LIMIT: "compilation took too long",
        Status.MEMORY_LIMIT: "the compiler ran out of memory",
        Status.OUTPUT_LIMIT: "the compiler wrote too much",
    }
    reason = reasons.get(result.status)
    if reason or (result.status == Status.RUNTIME_ERROR and result.signal):
        text = f"{text}\n{reason or result.message}".strip()
    if result.signal == 25 or "File size limit exceeded" in text:  # SIGXFSZ (gcc reports it for as, ld)
        text = f"{text}\nthe compiler wrote a file that is too large".strip()
    return text or result.message


def _collect(
    box: Sandbox, language: Language, target: Path, output: str, extra: Sequence[str] = ()
) -> tuple[bool, str]:
    names = box.list_files()
    total = 0
    found = False
    for pattern in [*language.artifacts, *extra]:
        for name in fnmatch.filter(names, pattern):
            data = box.get(name, MAX_ARTIFACT_BYTES + 1)
            total += len(data)
            if total > MAX_ARTIFACT_BYTES:
                return False, f"{output}\ncompiled program too large".strip()
            path = target / name
            path.write_bytes(data)
            os.chmod(path, 0o755)
            found = found or pattern in language.artifacts
    if not found:
        return False, f"{output}\nthe compiler produced no program".strip()
    return True, output


def still_cached(compiled: Compiled) -> bool:
    """Whether a Compiled kept in memory (a problem's checker) still has its files, touching
    its cache entry as used; False once it was evicted (then compile it again)."""
    if compiled.artifacts is None:
        return False
    try:
        os.utime(compiled.artifacts.parent)
    except OSError:
        return False
    return compiled.artifacts.is_dir()


@contextmanager
def program_sandbox(
    compiled: Compiled, config: SandboxConfig, box_mb: int = 64, supervision: Supervision | None = None
) -> Iterator[Sandbox]:
    """A sandbox with the compiled program's files in /box, ready for many runs."""
    if not compiled.ok or compiled.artifacts is None:
        raise ValueError("cannot run a program that did not compile")
    with Sandbox(config, compiled.language.mounts, box_mb=box_mb) as box, watched(supervision, box):
        box.put_tree(compiled.artifacts)
        yield box


def run_limits(language: Language, limits: Limits) -> Limits:
    """The run's limits, with the processes (JVM threads) and open files (R) the language's
    runtime needs."""
    if limits.processes >= language.processes and limits.open_files >= language.open_files:
        return limits
    return replace(
        limits,
        processes=max(limits.processes, language.processes),
        open_files=max(limits.open_files, language.open_files),
    )


def run_program(
    box: Sandbox,
    compiled: Compiled,
    limits: Limits,
    stdin: bytes | Path | None = None,
    args: Sequence[str] = (),
) -> RunResult:
    """Runs the program once in its sandbox, telling memory exhaustion from other crashes."""
    language = compiled.language
    limits = run_limits(language, limits)
    result = box.run(
        [*compiled.run_argv(limits), *args], stdin=stdin, limits=limits, env=language.environment
    )
    if result.status == Status.RUNTIME_ERROR and any(
        pattern.encode() in result.stderr for pattern in language.memory_errors
    ):
        result.status = Status.MEMORY_LIMIT
        result.message = f"out of memory ({limits.memory_mb} MB)"
    return result


@dataclass
class SelfTest:
    language: Language
    available: bool
    passed: bool
    version: str
    detail: str  # why not, when it did not pass


def self_test(language: Language, config: SandboxConfig) -> SelfTest:
    """Compiles and runs the language's own test program in the sandbox."""
    available, version = availability(language)
    if not available:
        return SelfTest(language, False, False, "", version)
    compiled = compile_source(language, language.selftest_source.encode(), config)
    if not compiled.ok:
        return SelfTest(language, True, False, version, f"compile error: {compiled.output[:500]}")
    with program_sandbox(compiled, config) as box:
        result = run_program(
            box, compiled, Limits(cpu_time=10, memory_mb=512), stdin=language.selftest_input.encode()
        )
    got = result.stdout.decode(errors="replace").strip()
    if result.ok and got == language.selftest_output:
        return SelfTest(language, True, True, version, "")
    detail = f"{result.status.value} {result.message}: got {got[:80]!r}, {result.stderr[:300]!r}"
    return SelfTest(language, True, False, version, detail)
