"""Compilation inside the sandbox, with a cache keyed by what determines the result.

The cache key hashes (source, language id, compile command, toolchain version): a resubmission
or a rejudge of the same code skips compiling. Compile errors are cached too.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from verdict.judge.languages import Language, toolchain_version
from verdict.judge.sandbox import Limits, MiB, RunResult, Sandbox, SandboxConfig, Status

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

    @property
    def error(self) -> str:
        return "" if self.ok else self.output


def cache_key(language: Language, source: bytes, extra_files: Mapping[str, bytes] | None = None) -> str:
    digest = hashlib.sha256()
    for name, data in sorted((extra_files or {}).items()):
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    for part in (
        language.id,
        json.dumps(language.compile),
        toolchain_version(language) or "",
        language.source_name,
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
) -> Compiled:
    """Compiles in a fresh sandbox; returns cached artifacts when the same code was compiled.

    extra_files (headers such as testlib.h, helper modules) are put beside the source and
    kept with the artifacts.
    """
    key = cache_key(language, source, extra_files)
    entry = config.cache_dir / "compiled" / key[:2] / key
    if use_cache and (entry / "result.json").exists():
        meta = json.loads((entry / "result.json").read_text())
        return Compiled(
            language,
            meta["ok"],
            entry / "files" if meta["ok"] else None,
            meta["output"],
            cached=True,
            status=meta.get("status", "ok"),
        )
    started = time.perf_counter()
    with Sandbox(config, language.mounts, box_mb=512) as box:
        box.put(language.source_name, source)
        for name, data in (extra_files or {}).items():
            box.put(name, data)
        result = _run_compiler(box, language, limits)
        ok = result.ok
        output = _compiler_output(result)
        staging = entry.with_name(f"{key}.{os.getpid()}.tmp")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "files").mkdir(parents=True)
        if ok:
            ok, output = _collect(box, language, staging / "files", output, list(extra_files or {}))
    (staging / "result.json").write_text(
        json.dumps({"ok": ok, "output": output, "status": result.status.value})
    )
    if entry.exists():
        shutil.rmtree(staging)
    else:
        os.replace(staging, entry)
    return Compiled(
        language,
        ok,
        entry / "files" if ok else None,
        output,
        seconds=time.perf_counter() - started,
        status=result.status.value,
    )


def _run_compiler(box: Sandbox, language: Language, limits: Limits) -> RunResult:
    if language.compile is None:
        return RunResult(Status.OK, exit_code=0)
    limits = replace(limits, processes=max(limits.processes, language.compile_processes))
    return box.run(list(language.compile), limits=limits, env=language.environment)


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


@contextmanager
def program_sandbox(compiled: Compiled, config: SandboxConfig, box_mb: int = 64) -> Iterator[Sandbox]:
    """A sandbox with the compiled program's files in /box, ready for many runs."""
    if not compiled.ok or compiled.artifacts is None:
        raise ValueError("cannot run a program that did not compile")
    with Sandbox(config, compiled.language.mounts, box_mb=box_mb) as box:
        box.put_tree(compiled.artifacts)
        yield box


def run_limits(language: Language, limits: Limits) -> Limits:
    """The run's limits, with the processes the language's runtime needs (JVM threads)."""
    if limits.processes >= language.processes:
        return limits
    return replace(limits, processes=language.processes)


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
        [*language.run_argv(limits), *args], stdin=stdin, limits=limits, env=language.environment
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
    from verdict.judge.languages import availability

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
