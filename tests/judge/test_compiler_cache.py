"""The compile cache under concurrency and its size bound (audit M5, L2), in the real sandbox.

The audit sent 20 identical submissions at once: they shared `<key>.<pid>.tmp`, and 3 of them
ended IE (`No such file or directory …/compiled/…`)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from verdict.judge.compiler import Compiled, compile_source, evict_compiled, program_sandbox, run_program
from verdict.judge.languages import availability, get_language
from verdict.judge.sandbox import Limits, SandboxConfig

pytestmark = pytest.mark.integration

PROGRAM = '#include <stdio.h>\nint main(void) { int a, b; scanf("%d %d", &a, &b); printf("%d\\n", a + b); }\n'
CONCURRENT = 20


@pytest.fixture
def private_cache(sandbox_config: SandboxConfig, tmp_path: Path) -> SandboxConfig:
    """An empty cache of its own, so that every compile here is a miss."""
    gcc = get_language("GCC")
    available, why = availability(gcc)
    if not available:
        pytest.skip(f"GCC unavailable: {why}")
    return SandboxConfig(cache_dir=tmp_path / "cache", slots=sandbox_config.slots)


def test_twenty_identical_concurrent_compiles_all_succeed(private_cache: SandboxConfig) -> None:
    gcc = get_language("GCC")
    start = threading.Barrier(CONCURRENT)
    results: list[Compiled | BaseException] = []
    lock = threading.Lock()

    def submit() -> None:
        start.wait()  # every compile checks the (empty) cache before any has finished
        try:
            compiled: Compiled | BaseException = compile_source(gcc, PROGRAM.encode(), private_cache)
        except BaseException as error:  # recorded, asserted below
            compiled = error
        with lock:
            results.append(compiled)

    threads = [threading.Thread(target=submit) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    errors = [r for r in results if not isinstance(r, Compiled) or not r.ok]
    assert len(results) == CONCURRENT and not errors, errors
    compiled = [r for r in results if isinstance(r, Compiled)]
    assert sum(1 for c in compiled if not c.cached) >= 2  # the race was really run
    for each in compiled[:3]:  # each result's files are there and run
        with program_sandbox(each, private_cache) as box:
            assert run_program(box, each, Limits(cpu_time=2), stdin=b"2 3").stdout == b"5\n"
    leftovers = [p.name for p in (private_cache.cache_dir / "compiled").glob("*/*") if "." in p.name]
    assert leftovers == []  # no staging directory left behind


def _compile_returning(config: SandboxConfig, code: int) -> Path:
    compiled = compile_source(get_language("GCC"), f"int main(void) {{ return {code}; }}\n".encode(), config)
    assert compiled.ok and compiled.artifacts is not None, compiled.output
    return compiled.artifacts.parent


def _size(entry: Path) -> int:
    return sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())


def test_cache_over_its_bound_evicts_the_least_recently_used(private_cache: SandboxConfig) -> None:
    first, second, third = (_compile_returning(private_cache, code) for code in (1, 2, 3))
    now = time.time()
    for age, entry in ((3000, first), (2000, second), (1000, third)):
        os.utime(entry, (now - age, now - age))
    assert compile_source(get_language("GCC"), b"int main(void) { return 1; }\n", private_cache).cached
    # `first` was just used (a hit touches it): `second` is now the least recently used.
    entry_size = max(_size(e) for e in (first, second, third))
    bounded = SandboxConfig(
        cache_dir=private_cache.cache_dir,
        slots=private_cache.slots,
        compile_cache_bytes=3 * entry_size + entry_size // 2,  # room for three of the four
    )
    fourth = _compile_returning(bounded, 4)
    assert [e.exists() for e in (first, second, third, fourth)] == [True, False, True, True]
    # Evicted means compiled again, correctly, on the next submission of that source.
    again = compile_source(get_language("GCC"), b"int main(void) { return 2; }\n", bounded)
    assert again.ok and not again.cached


def test_eviction_spares_entries_in_use(private_cache: SandboxConfig) -> None:
    """An entry touched within the grace period may be being copied into a sandbox: kept."""
    entry = _compile_returning(private_cache, 5)
    assert evict_compiled(private_cache.cache_dir / "compiled", max_bytes=0) == []
    assert entry.exists()
    assert evict_compiled(private_cache.cache_dir / "compiled", max_bytes=0, grace=0) == [entry]
    assert not entry.exists()
