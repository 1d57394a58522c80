"""Kattis packages as problemtools reads them, without running anything: the validator folders of
each layout, multi-pass settings, tests without answers, Kattis language ids, Kotlin main classes
and the multi-pass protocol's loop (with stand-ins for the runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import FIXTURE_PACKAGES
from verdict.judge.check_result import make_result
from verdict.judge.errors import CheckerError, PackageError, UnknownLanguage
from verdict.judge.grader import Grader
from verdict.judge.java_source import JavaSourceError
from verdict.judge.kotlin_source import KotlinSourceError, facade_class, kotlin_entry
from verdict.judge.languages import get_language, kattis_compilers, language_for_file
from verdict.judge.multipass import PassOutcome, run_passes
from verdict.judge.packages import load_package
from verdict.judge.packages.kattis import NO_ANSWER
from verdict.judge.sandbox import Limits, RunResult, SandboxConfig, Status
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.unit

KATTIS = FIXTURE_PACKAGES / "kattis"
DATA = {"data/sample/1.in": "1\n", "data/sample/1.ans": "1\n", "data/secret/1.in": "2\n"}


def package(tmp_path: Path, problem_yaml: str, files: dict[str, str]) -> Path:
    root = tmp_path / "prob"
    for name, text in {"problem.yaml": problem_yaml, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


# -- layouts -------------------------------------------------------------------------------------------
def test_hilo_is_a_2023_07_interactive_problem_with_its_validator_subfolder() -> None:
    problem = load_package(KATTIS / "hilo")
    validator = problem.root / "output_validator" / "hilo_validator"
    assert problem.type == "interactive" and problem.interactor == problem.checker.source == validator
    assert problem.checker.kind == "kattis-custom" and not problem.multi_pass
    assert problem.time_safety_margin == 4.0  # time_multipliers.time_limit_to_tle
    assert all(t.answer_path == NO_ANSWER for t in problem.tests)  # like problemtools' guess
    assert problem.samples[0].interaction_path is not None
    assert {s.path.name: s.expected for s in problem.submissions} == {
        "bisect.cc": "AC",
        "bisect.py": "AC",
        "crash_after_correct.cc": "RE",
        "spin.cc": "TLE",
        "linear.py": "WA",
        "reversed.cc": "WA",
    }


def test_hilo2025_is_the_2025_09_layout() -> None:
    problem = load_package(KATTIS / "hilo2025")
    assert problem.type == "interactive" and problem.time_limit == 1.0
    assert problem.checker.source == problem.root / "output_validator"  # the folder is the program
    assert problem.authors == ["Verdict Team"] and set(problem.statements) == {"en"}


def test_remember_is_multi_pass_with_its_passes() -> None:
    problem = load_package(KATTIS / "remember")
    assert problem.multi_pass and problem.validation_passes == 2 and problem.type == "pass-fail"
    assert problem.checker.source == problem.root / "output_validator"  # the folder is the program


@pytest.mark.parametrize(
    ("files", "program"),
    [
        ({"output_validator/validate.cc": "", "output_validator/validate.h": ""}, "output_validator"),
        ({"output_validator/v/validate.cc": "", "output_validator/v/validate.h": ""}, "output_validator/v"),
        ({"output_validator/build": "", "output_validator/run": ""}, "output_validator"),
        ({"output_validators/v/validate.cc": ""}, "output_validators/v"),
    ],
)
def test_the_validator_program_in_each_layout(tmp_path: Path, files: dict[str, str], program: str) -> None:
    root = package(tmp_path, "problem_format_version: 2023-07-draft\nname: X\n", {**DATA, **files})
    (root / "data/secret/1.ans").write_text("2\n")
    problem = load_package(root)
    assert problem.checker.kind == "kattis-custom"
    assert problem.checker.source == root.resolve() / program


def test_two_validator_subfolders_are_refused(tmp_path: Path) -> None:
    files = {"output_validator/a/a.py": "", "output_validator/b/b.py": "", "data/secret/1.ans": "2\n"}
    root = package(tmp_path, "problem_format_version: 2023-07\n", {**DATA, **files})
    with pytest.raises(PackageError, match=r"more than one output validator \(a, b\)"):
        load_package(root)


def test_multi_pass_limits(tmp_path: Path) -> None:
    files = {**DATA, "output_validator/validate.py": ""}
    header = "problem_format_version: 2023-07-draft\ntype: multi-pass\n"
    assert load_package(package(tmp_path / "a", header, files)).validation_passes == 2
    three = package(tmp_path / "b", header + "limits: {validation_passes: 3}\n", files)
    assert load_package(three).validation_passes == 3
    one = package(tmp_path / "c", header + "limits: {validation_passes: 1}\n", files)
    with pytest.raises(PackageError, match="validation_passes' must be a whole number of at least 2"):
        load_package(one)
    header = "problem_format_version: 2023-07\ntype: [multi-pass, interactive]\n"
    both = package(tmp_path / "d", header, files)
    problem = load_package(both)
    assert problem.multi_pass and problem.type == "interactive"


def test_answers_are_optional_only_for_interactive_and_multi_pass(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match=r"test input has no answer file 1\.ans"):
        load_package(package(tmp_path / "a", "name: X\n", DATA))
    interactive = package(
        tmp_path / "b", "name: X\nvalidation: custom interactive\n", {**DATA, "output_validators/i.py": ""}
    )
    secret = load_package(interactive).tests[-1]
    assert secret.name == "secret/1" and secret.answer_path == NO_ANSWER


# -- languages -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kattis_id", "ours"),
    [
        ("cpp", "G++17"),
        ("c", "GCC"),
        ("java", "JDK"),
        ("python3", "Python3"),
        ("kotlin", "Kotlin"),
        ("javascript", "nodejs"),
        ("rust", "Rust"),
        ("CPP", "G++17"),
        ("Python3", "Python3"),
    ],
)
def test_kattis_language_ids_are_compiler_ids(kattis_id: str, ours: str) -> None:
    assert get_language(kattis_id).id == ours


def test_kattis_languages_we_do_not_offer_say_so() -> None:
    with pytest.raises(UnknownLanguage, match=r"Kattis language 'cobol' .* is not offered here"):
        get_language("cobol")
    with pytest.raises(UnknownLanguage, match="unknown language 'klingon'"):
        get_language("klingon")
    assert kattis_compilers("cpp") == ("G++17", "G++", "G++11", "G++20")
    assert kattis_compilers("brainfork") == ("brainfork",)


@pytest.mark.parametrize(
    ("name", "ours"),
    [
        ("a.C", "G++17"),
        ("a.c", "GCC"),
        ("a.c++", "G++17"),
        ("a.cxx", "G++17"),
        ("a.py3", "Python3"),
        ("Hello.kt", "Kotlin"),
        ("Hello.java", "JDK"),
    ],
)
def test_problemtools_file_globs(name: str, ours: str) -> None:
    assert language_for_file(name).id == ours


def test_problem_yaml_languages_restrict_submissions(tmp_path: Path) -> None:
    root = package(tmp_path, "name: X\nlanguages: [cpp, python3]\n", {**DATA, "data/secret/1.ans": "2\n"})
    problem = load_package(root)
    assert problem.compilers == ["G++17", "G++", "G++11", "G++20", "Python3"]
    grader = Grader(problem, SandboxConfig(cache_dir=tmp_path / "cache"), time_limit=1)
    refused = grader.grade(b"print(1)\n", "nodejs")  # refused before anything is compiled
    assert refused.verdict == Verdict.CE and "not allowed here" in refused.message
    everything = package(tmp_path / "all", "name: X\nlanguages: all\n", {**DATA, "data/secret/1.ans": "2\n"})
    assert load_package(everything).compilers == []


# -- Kotlin --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "file_name", "expected"),
    [
        ("fun main() { println(1) }\n", "Hello.kt", ("Hello.kt", "HelloKt")),
        ("fun main() { println(1) }\n", "hello.kt", ("hello.kt", "HelloKt")),
        ("fun main() { println(1) }\n", None, ("Main.kt", "MainKt")),
        ("fun main() {}\n", "not a name.kt", ("Main.kt", "MainKt")),
        ('@file:JvmName("Solver")\nfun main() {}\n', "a.kt", ("a.kt", "Solver")),
        ("object App {\n  @JvmStatic fun main(args: Array<String>) {}\n}\n", "a.kt", ("a.kt", "App")),
        ('// package x\nval s = "package y"\nfun main() {}\n', "B.kt", ("B.kt", "BKt")),
    ],
)
def test_kotlin_main_class(source: str, file_name: str | None, expected: tuple[str, str]) -> None:
    entry = kotlin_entry(source.encode(), file_name)
    assert (entry.file_name, entry.main_class) == expected


def test_a_kotlin_package_is_a_compile_error() -> None:
    with pytest.raises(KotlinSourceError, match="package declarations are not supported") as caught:
        kotlin_entry(b"package org.example\n\nfun main() {}\n", "Main.kt")
    assert "'package org.example'" in str(caught.value)
    assert isinstance(caught.value, JavaSourceError)  # the compiler turns it into CE, as for Java
    assert facade_class("x") == "XKt"


def test_kotlin_language_runs_the_detected_class() -> None:
    kotlin = get_language("kotlin")
    assert kotlin.entry(b"fun main() {}\n", "Solve.kt") == ("Solve.kt", "SolveKt")
    argv = kotlin.run_argv(Limits(cpu_time=1, memory_mb=256), "SolveKt")
    assert argv[-3] == "-cp" and argv[-1] == "SolveKt"
    assert argv[-2].split(":")[0] == "main.jar"  # then Kotlin's runtime


# -- the multi-pass loop -------------------------------------------------------------------------------
def scripted(
    verdicts: list[Verdict], next_inputs: list[bytes | None]
) -> tuple[list[bytes | None], PassOutcome]:
    """Runs the loop over scripted passes; returns the inputs each pass got and the outcome."""
    seen: list[bytes | None] = []
    times = iter([0.3, 0.1, 0.2, 0.4])
    verdict_of = iter(verdicts)
    follow = iter(next_inputs)

    def one_pass(given: bytes | None) -> PassOutcome:
        seen.append(given)
        verdict = next(verdict_of)
        return PassOutcome(RunResult(Status.OK, cpu_time=next(times)), make_result(verdict), verdict)

    return seen, run_passes(one_pass, lambda: next(follow), 3)


def test_passes_run_until_no_next_pass() -> None:
    seen, outcome = scripted([Verdict.AC, Verdict.AC], [b"2 x\n", None])
    assert seen == [None, b"2 x\n"]
    assert (outcome.verdict, outcome.passes, outcome.run.cpu_time) == (Verdict.AC, 2, 0.3)


def test_a_rejected_pass_ends_the_test() -> None:
    seen, outcome = scripted([Verdict.AC, Verdict.WA], [b"again", None])
    assert (outcome.verdict, outcome.passes, len(seen)) == (Verdict.WA, 2, 2)


def test_next_pass_after_a_rejection_or_too_many_passes_are_judge_errors() -> None:
    _, rejected = scripted([Verdict.WA], [b"more"])
    assert rejected.verdict == Verdict.IE and rejected.check is not None
    assert "wrote nextpass.in but did not accept" in rejected.check.judge_message
    _, endless = scripted([Verdict.AC] * 3, [b"1", b"2", b"3"])
    assert endless.verdict == Verdict.IE and endless.check is not None
    assert "no verdict within 3 passes" in endless.check.judge_message


def test_an_oversized_next_pass_is_a_judge_error() -> None:
    def too_big() -> bytes | None:
        raise CheckerError("the validator's nextpass.in is larger than 64 MiB")

    outcome = run_passes(
        lambda given: PassOutcome(RunResult(Status.OK), make_result(Verdict.AC), Verdict.AC), too_big, 2
    )
    assert outcome.verdict == Verdict.IE and outcome.check is not None
    assert "pass 1: the validator's nextpass.in is larger" in outcome.check.judge_message
