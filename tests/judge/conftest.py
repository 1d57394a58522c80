"""Fixtures for the judge tests: everything runs through the real sandbox.

The whole directory is skipped (with the reason) on a machine where the sandbox cannot run:
not root, no bubblewrap, no gcc for the runner.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from verdict.judge.compiler import Compiled, compile_source
from verdict.judge.languages import availability, get_language
from verdict.judge.sandbox import SandboxConfig, check_available


@pytest.fixture(scope="session")
def sandbox_config(tmp_path_factory: pytest.TempPathFactory) -> SandboxConfig:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    return SandboxConfig(cache_dir=tmp_path_factory.mktemp("verdict-cache"))


CompileFn = Callable[..., Compiled]


@pytest.fixture(scope="session")
def compile_program(sandbox_config: SandboxConfig) -> CompileFn:
    """compile_program(source, lang="GCC") -> Compiled; asserts it compiled (pass ok=False to
    expect an error). Skips when the language's toolchain is missing."""

    def compile_(
        source: str | bytes, lang: str = "GCC", ok: bool | None = True, **kwargs: object
    ) -> Compiled:
        language = get_language(lang)
        available, why = availability(language)
        if not available:
            pytest.skip(f"{language.id} unavailable: {why}")
        data = source.encode() if isinstance(source, str) else source
        compiled = compile_source(language, data, sandbox_config, **kwargs)  # type: ignore[arg-type]
        if ok is not None:
            assert compiled.ok == ok, compiled.output
        return compiled

    return compile_


@pytest.fixture(scope="module")
def programs(request: pytest.FixtureRequest, compile_program: CompileFn) -> dict[str, Path]:
    """The test module's ``PROGRAMS`` (name -> C source) compiled once per module (in the sandbox,
    through the compile cache): name -> the executable."""
    built = {}
    for name, source in request.module.PROGRAMS.items():
        compiled = compile_program(source, "GCC")
        assert compiled.artifacts is not None
        built[name] = compiled.artifacts / "main"
    return built


@pytest.fixture
def host_tmp_files() -> Callable[[], set[Path]]:
    """Lists the host's /tmp (top level): hostile runs must not add anything there."""

    def snapshot() -> set[Path]:
        return set(Path("/tmp").iterdir())

    return snapshot
