"""Zig's compile seed in the real sandbox: each Zig compile starts from a copy of the global cache
that a compile of our own self-test left (`Language.compile_seed`), so that it does not build
compiler_rt again, while the seed itself stays out of the students' reach.

A fresh cache directory per test: the seed is built in the test, not found from an earlier one.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.languages import offered
from verdict.judge.compiler import COMPILE_LIMITS, compile_limits, compile_seed, compile_source
from verdict.judge.languages import Language
from verdict.judge.sandbox import RunResult, Sandbox, SandboxConfig, check_available

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "languages" / "Zig"
COMPILER_RT = "libcompiler_rt.a"


@pytest.fixture
def config(tmp_path: Path) -> SandboxConfig:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    return SandboxConfig(cache_dir=tmp_path / "cache")


def compile_in_box(
    language: Language, config: SandboxConfig, source: bytes, seed: Path | None
) -> tuple[RunResult, set[str]]:
    """Compiles as the judge does (a fresh sandbox, the seed planted when given); returns the
    compiler's run and the files of Zig's global cache at the end."""
    cache = language.compile_seed or ""
    with Sandbox(config, language.mounts, box_mb=512) as box:
        if seed is not None:
            box.put_tree(seed, cache)
        box.put(language.source_name, source)
        result = box.run(
            language.compile_argv(language.source_name),
            limits=compile_limits(language, COMPILE_LIMITS),
            env=language.environment,
        )
        assert result.ok, result.stderr[-2000:]
        assert "main" in box.list_files()
        return result, set(box.files.list_tree(cache))


def tree(path: Path) -> dict[str, str]:
    return {
        str(file.relative_to(path)): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in path.rglob("*")
        if file.is_file()
    }


def test_a_seeded_compile_does_not_build_compiler_rt_again(config: SandboxConfig) -> None:
    zig = offered("Zig")
    source = (CORPUS / "AC.zig").read_bytes()
    cold, cold_files = compile_in_box(zig, config, source, seed=None)
    assert any(name.endswith(COMPILER_RT) for name in cold_files)
    seed = compile_seed(zig, config)
    assert seed is not None and any(name.endswith(COMPILER_RT) for name in tree(seed))
    warm, warm_files = compile_in_box(zig, config, source, seed)
    written = warm_files - set(tree(seed))
    assert not any(name.endswith(COMPILER_RT) for name in written), sorted(written)
    # compiler_rt is about 3 s of CPU of a cold compile's 7-8 (the rest is LLVM on the program and
    # the part of std it uses, which no cache keeps); CPU time, not wall: the machine is shared.
    assert warm.cpu_time < 0.8 * cold.cpu_time, (warm.cpu_time, cold.cpu_time)


# The seed's mechanics, shown with a compiler that is a shell line: it keeps a cache the way Zig
# does (built when missing, a build's stamp in it) and changes the cache on every compile, as a
# student's compile might, so that a change reaching the host's seed would show.
SEEDED_SHELL = (
    "/bin/sh",
    "-c",
    "mkdir -p .cache/rt && { [ -f .cache/rt/lib ] || date +%s%N > .cache/rt/lib; }"
    " && echo touched >> .cache/rt/log && cp main.c main",
)


def seeded_language(config: SandboxConfig) -> Language:
    gcc = offered("GCC")
    return replace(gcc, id="Seeded", compile=SEEDED_SHELL, compile_seed=".cache/rt")


def test_concurrent_compiles_build_one_seed_that_students_cannot_change(config: SandboxConfig) -> None:
    language = seeded_language(config)
    seeds: list[Path | None] = []
    workers = [
        threading.Thread(target=lambda: seeds.append(compile_seed(language, config))) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert seeds[0] is not None and seeds == [seeds[0]] * 4
    # Built once under the lock, in a staging directory renamed into place: nothing else is left.
    assert sorted(path.name for path in seeds[0].parent.iterdir()) == [".lock", seeds[0].name]
    before = tree(seeds[0])
    assert set(before) == {"lib", "log"}
    # A student's compile writes into its own copy: the seed is as it was.
    compiled = compile_source(language, b"int main(void) { return 0; }\n", config, use_cache=False)
    assert compiled.ok, compiled.output
    assert tree(seeds[0]) == before


def test_another_toolchain_gets_its_own_seed(config: SandboxConfig) -> None:
    """The seed is keyed as a compile is (toolchain version, flags, mounts, environment): another
    key builds a new seed, and the old one is removed."""
    language = seeded_language(config)
    first = compile_seed(language, config)
    other = replace(language, env=(*language.env, ("SEED_FLAVOUR", "other")))
    second = compile_seed(other, config)
    assert first is not None and second is not None and first != second
    assert not first.exists() and second.is_dir()
