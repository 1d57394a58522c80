"""Languages through the real sandbox: every self-test, the compile cache and compile errors (the
JVM's memory, threads and stack: `test_jvm_languages`)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest

from verdict.judge import languages as languages_module
from verdict.judge.compiler import compile_source, self_test
from verdict.judge.errors import UnknownLanguage
from verdict.judge.languages import (
    Language,
    LanguageRegistry,
    all_languages,
    availability,
    get_language,
    language_for_file,
    languages,
)
from verdict.judge.sandbox import SandboxConfig


@pytest.mark.integration
@pytest.mark.parametrize(
    "language_id", sorted(i for i, language in all_languages().items() if not language.unavailable)
)
def test_self_test(language_id: str, sandbox_config: SandboxConfig) -> None:
    language = all_languages()[language_id]
    outcome = self_test(language, sandbox_config)
    if not outcome.available:
        pytest.skip(f"{language_id} toolchain missing: {outcome.detail}")
    assert outcome.passed, outcome.detail
    assert outcome.version


@pytest.mark.integration
def test_ids_no_toolchain_offers_say_why(sandbox_config: SandboxConfig) -> None:
    """Jutge's ids that Debian 12 and PyPI cannot give us are listed, never offered, with the reason."""
    offered_nowhere = [language for language in all_languages().values() if language.unavailable]
    assert {"FBC", "Julia", "Codon"} <= {language.id for language in offered_nowhere}
    for language in offered_nowhere:
        outcome = self_test(language, sandbox_config)
        assert not outcome.available and not outcome.passed
        assert outcome.detail == language.unavailable and availability(language) == (
            False,
            language.unavailable,
        )


@pytest.mark.integration
def test_missing_toolchain_is_unavailable_not_an_error(sandbox_config: SandboxConfig) -> None:
    ghost = dataclasses.replace(get_language("GCC"), id="GHOST", toolchain="/nonexistent/bin/gcc")
    available, why = availability(ghost)
    assert not available and "/nonexistent/bin/gcc" in why
    outcome = self_test(ghost, sandbox_config)
    assert not outcome.available and not outcome.passed


@pytest.mark.unit
def test_jutge_ids_and_aliases() -> None:
    for jutge_id in (
        "GCC",
        "G++",
        "G++11",
        "G++17",
        "G++20",
        "Python3",
        "JDK",
        "nodejs",
        "Rust",
        "Perl",
        "BEEF",
    ):
        assert get_language(jutge_id).id == jutge_id
    assert get_language("c++").id == "G++17"
    assert language_for_file("x.java").id == "JDK"
    assert language_for_file("x.cpp").id == "G++17"


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    """The registry forgotten before and after the test, as after a change of the host's toolchains."""
    languages.cache_clear()
    yield
    languages.cache_clear()


@pytest.mark.integration
def test_the_registry_is_built_once(fresh_registry: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the table probes the host (Java's home, ``rustc --print sysroot``): once a process."""
    builds: list[list[Language]] = []
    build = languages_module.build_languages

    def counting() -> list[Language]:
        builds.append(build())
        return builds[-1]

    monkeypatch.setattr(languages_module, "build_languages", counting)
    first = get_language("GCC")
    assert get_language("GCC") is first and get_language("c") is first
    assert language_for_file("x.c") is first and language_for_file("x.cpp").id == "G++17"
    assert all_languages()["GCC"] is first
    assert languages() is languages() and isinstance(languages(), LanguageRegistry)
    assert len(builds) == 1
    languages.cache_clear()
    assert get_language("GCC") is not first and len(builds) == 2  # built anew


@pytest.mark.unit
def test_the_registry_indexes_what_it_was_given() -> None:
    gcc = get_language("GCC")
    ghost = dataclasses.replace(gcc, id="Ghost", name="Ghost", extensions=(".c", ".ghost"))
    registry = LanguageRegistry([gcc, ghost])
    assert registry.get("GHOST") is ghost and registry.get("C") is gcc  # ids folded, aliases kept
    assert registry.for_file("a.c") is gcc and registry.for_file("B.GHOST") is ghost  # first claimant
    assert list(registry) == [gcc, ghost] and len(registry) == 2
    with pytest.raises(UnknownLanguage, match="known: GCC, Ghost"):
        registry.get("klingon")
    with pytest.raises(UnknownLanguage, match="Kattis language 'cobol'"):  # problemtools has it, we don't
        registry.get("cobol")


# -- compile cache and compile errors ---------------------------------------------------------
@pytest.mark.integration
def test_compile_cache(sandbox_config: SandboxConfig) -> None:
    language = get_language("G++17")
    source = f'#include <cstdio>\nint main(){{ std::puts("{time.time_ns()}"); }}\n'.encode()
    started = time.perf_counter()
    first = compile_source(language, source, sandbox_config)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = compile_source(language, source, sandbox_config)
    second_seconds = time.perf_counter() - started
    assert first.ok and not first.cached
    assert second.ok and second.cached
    assert second.artifacts == first.artifacts
    assert second_seconds < first_seconds / 5, (first_seconds, second_seconds)
    assert not compile_source(language, source, sandbox_config, use_cache=False).cached


@pytest.mark.integration
def test_compile_error_shows_the_line(sandbox_config: SandboxConfig) -> None:
    source = b"#include <stdio.h>\nint main(void){\n    int x = undefined_name;\n    return 0;\n}\n"
    compiled = compile_source(get_language("GCC"), source, sandbox_config)
    assert not compiled.ok and compiled.artifacts is None
    assert "main.c:3" in compiled.output
    assert "undefined_name" in compiled.output
    again = compile_source(get_language("GCC"), source, sandbox_config)
    assert again.cached and not again.ok and again.output == compiled.output


@pytest.mark.integration
def test_python_syntax_error_is_a_compile_error(sandbox_config: SandboxConfig) -> None:
    compiled = compile_source(get_language("Python3"), b"print('a'\nx = = 2\n", sandbox_config)
    assert not compiled.ok
    assert "SyntaxError" in compiled.output
