"""Package loaders: every fixture package loads into the expected Problem, every broken one fails with
a PackageError naming the offending file, and the fixtures' own programs really behave as named
(checked on the host, without the sandbox: these programs are our own and trusted)."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from tests.support.paths import FIXTURE_PACKAGES, PROGRAMS, good_package
from tests.support.paths import GOOD_PACKAGES as GOOD
from verdict.judge.errors import PackageError
from verdict.judge.grader import Grader
from verdict.judge.packages import detect_format, load_package
from verdict.judge.packages.jutge import parse_ops
from verdict.judge.packages.kattis import NO_ANSWER, parse_validator_flags
from verdict.judge.problem import Problem, TestCase, TestKind, TestOps
from verdict.judge.sandbox import SandboxConfig


def load(name: str) -> Problem:
    """A good package by name: the demo's (aplusb, guess, pe_ic.pbm, scored.pbm) or a fixture's."""
    return load_package(good_package(name))


def names(problem: Problem) -> list[str]:
    return [t.name for t in problem.tests]


def expected_verdicts(problem: Problem) -> dict[str, str]:
    return {f"{s.path.parent.name}/{s.path.name}": s.expected for s in problem.submissions}


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# --- the fixture packages -----------------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize("package", GOOD, ids=[p.name for p in GOOD])
def test_every_fixture_loads_with_consistent_paths(package: Path) -> None:
    problem = load_package(package)
    assert problem.format == detect_format(package) == ("jutge" if package.suffix == ".pbm" else "kattis")
    assert problem.root.is_absolute() and problem.titles
    assert (problem.statements and problem.tests) or problem.quiz, "a quiz has questions instead"
    assert len(set(names(problem))) == len(problem.tests)
    for test in problem.tests:
        # A Jutge package may come without its .cor files: the import makes them (verdict.judge.preparation).
        made_at_import = test.answer_path == test.input_path.with_suffix(".cor")
        assert test.input_path.is_file()
        assert test.answer_path.is_file() or test.answer_path == NO_ANSWER or made_at_import
    kinds = [t.kind for t in problem.tests]
    assert kinds == sorted(kinds, key=lambda k: k != TestKind.SAMPLE), "samples come first"
    assert all(s.path.exists() for s in problem.submissions)
    assert {g.name for g in problem.groups} >= {t.group for t in problem.tests if t.group}


@pytest.mark.unit
@pytest.mark.parametrize("package", GOOD, ids=[p.name for p in GOOD])
def test_hidden_tests_are_secret(package: Path) -> None:
    problem = load_package(package)
    for test in problem.tests:
        hidden = (
            test.name.startswith("secret/")
            or test.name[0].isdigit()
            or test.name.startswith(("easy", "hard", "test-"))
        )
        assert (test.kind == TestKind.SECRET) == hidden, test.name
        assert test.visible == (test.kind in (TestKind.SAMPLE, TestKind.PUBLIC))


@pytest.mark.unit
def test_kattis_aplusb_2025_layout() -> None:
    problem = load("aplusb")
    assert (problem.problem_id, problem.type) == ("aplusb", "pass-fail")
    assert problem.titles == {"en": "A plus B", "ca": "A més B"}
    assert {lang: p.name for lang, p in problem.statements.items()} == {
        "en": "problem.en.md",
        "ca": "problem.ca.md",
    }
    assert names(problem) == ["sample/1", "sample/2", "secret/1", "secret/2", "secret/3", "secret/10"]
    assert [t.kind for t in problem.tests] == [TestKind.SAMPLE] * 2 + [TestKind.SECRET] * 4
    assert all(t.group == "" for t in problem.tests) and problem.groups == []
    assert (problem.time_limit, problem.memory_limit_mb) == (1.0, 256)
    assert (problem.time_multiplier, problem.time_safety_margin) == (2.0, 1.5)
    assert (problem.checker.kind, problem.checker.options, problem.checker.source) == (
        "kattis-default",
        {},
        None,
    )
    assert problem.interactor is None and problem.authors == ["Verdict Team"]
    assert not problem.continue_on_failure
    assert expected_verdicts(problem) == {
        "accepted/sum.c": "AC",
        "accepted/sum.cpp": "AC",
        "accepted/sum.py": "AC",
        "wrong_answer/diff.py": "WA",
        "time_limit_exceeded/loop.c": "TLE",
        "run_time_error/crash.py": "RE",
        "run_time_error/crash.c": "RE",
        "memory_limit_exceeded/hog.cpp": "MLE",
        "compile_error/broken.c": "CE",
    }


@pytest.mark.unit
def test_kattis_floatdiv_legacy_layout() -> None:
    problem = load("floatdiv")
    assert problem.titles == {"en": "Float Division"}
    assert problem.statements["en"].name == "problem.tex"  # problem.tex is English
    assert problem.checker.kind == "kattis-default"
    assert problem.checker.options == {"float_tolerance": 1e-6}
    assert problem.time_limit is None
    assert (problem.time_multiplier, problem.time_safety_margin) == (5.0, 2.0)  # legacy defaults
    assert problem.authors == ["Verdict Team", "Ada Lovelace"]
    assert expected_verdicts(problem) == {
        "accepted/div.c": "AC",
        "accepted/div.py": "AC",
        "accepted/more_digits.py": "AC",
        "wrong_answer/rounded.py": "WA",
    }


@pytest.mark.unit
def test_kattis_custom_validator() -> None:
    problem = load("customval")
    assert problem.checker.kind == "kattis-custom"
    assert problem.checker.source == problem.root / "output_validators" / "checker"
    assert (problem.checker.source / "checker.py").is_file()
    assert problem.type == "pass-fail" and problem.interactor is None
    assert expected_verdicts(problem) == {
        "accepted/largest.py": "AC",
        "accepted/smallest.py": "AC",
        "wrong_answer/one.py": "WA",
    }


@pytest.mark.unit
def test_kattis_interactive() -> None:
    problem = load("guess")
    assert problem.type == "interactive"
    assert problem.interactor == problem.checker.source == problem.root / "output_validators" / "interactor"
    assert problem.checker.kind == "kattis-custom"
    sample = problem.samples[0]
    assert sample.interaction_path is not None and sample.interaction_path.name == "1.interaction"
    assert all(t.interaction_path is None for t in problem.tests[1:])
    assert (problem.time_multiplier, problem.time_safety_margin) == (3.0, 2.0)
    assert problem.authors == ["Verdict Team"]
    assert expected_verdicts(problem) == {
        "accepted/binary.c": "AC",
        "accepted/binary.py": "AC",
        "wrong_answer/linear.py": "WA",
    }


@pytest.mark.unit
def test_kattis_scoring_groups() -> None:
    problem = load("groups")
    assert problem.type == "scoring"
    assert [(g.name, g.points, g.aggregation, g.on_reject) for g in problem.groups] == [
        ("secret/group1", 30.0, "min", "break"),
        ("secret/group2", 70.0, "min", "break"),
    ]
    groups = Counter(t.group for t in problem.tests)
    assert groups == {"": 2, "secret/group1": 3, "secret/group2": 4}
    assert names(problem)[2] == "secret/group1/1" and names(problem)[-1] == "secret/group2/4"
    partial = next(s for s in problem.submissions if s.expected == "SC")
    assert partial.path.name == "float_formula.py" and partial.score == 30.0


@pytest.mark.unit
def test_jutge_pe_ic() -> None:
    problem = load("pe_ic.pbm")
    assert (problem.format, problem.problem_id, problem.type) == ("jutge", "pe_ic", "pass-fail")
    assert problem.titles == {"ca": "Hola món", "en": "Hello world"}
    assert problem.authors == ["Verdict Team"]
    assert {lang: p.name for lang, p in problem.statements.items()} == {"en": "problem.en.tex"}
    assert names(problem) == ["sample-1", "sample-2", "1", "2", "10", "hint-1", "public-1"]
    kinds = {t.name: t.kind for t in problem.tests}
    assert kinds["sample-1"] == TestKind.SAMPLE and kinds["public-1"] == TestKind.PUBLIC
    assert kinds["hint-1"] == TestKind.HINT and kinds["10"] == TestKind.SECRET
    assert (problem.checker.kind, problem.checker.options, problem.checker.presentation_error) == (
        "std",
        {},
        True,
    )
    assert (problem.time_multiplier, problem.time_constant, problem.time_limit) == (3.0, 0.5, None)
    assert problem.golden_solution == problem.root / "solution.cc"
    assert [(s.path.name, s.expected) for s in problem.submissions] == [("solution.cc", "AC")]
    assert problem.continue_on_failure and problem.compilers == []


@pytest.mark.unit
def test_jutge_elastic() -> None:
    problem = load("elastic.pbm")
    assert problem.checker.kind == "elastic" and problem.checker.options == {"separator": "\n"}
    assert problem.golden_solution is not None and problem.golden_solution.name == "solution.py"
    assert problem.compilers == ["Python3", "G++17"]
    assert (problem.time_multiplier, problem.time_constant) == (2.0, 0.1)  # Jutge defaults


@pytest.mark.unit
def test_jutge_scores_and_ops() -> None:
    problem = load("scored.pbm")
    assert problem.type == "scoring"
    assert [(g.name, g.prefix, g.points) for g in problem.groups] == [
        ("easy", "easy", 40.0),
        ("hard", "hard", 60.0),
    ]
    assert {t.name: t.group for t in problem.tests} == {
        "sample-1": "",
        "easy-1": "easy",
        "easy-2": "easy",
        "hard-1": "hard",
        "hard-2": "hard",
    }
    limits = {t.name: (t.time_limit, t.memory_limit_mb, t.output_limit_mb) for t in problem.tests}
    assert limits["hard-2"] == (5.0, 512, 2)
    assert limits["hard-1"] == (None, None, None)


@pytest.mark.unit
def test_jutge_epsilon() -> None:
    problem = load("epsilon.pbm")
    assert problem.checker.kind == "epsilon"
    assert problem.checker.options == {"epsilon": 1e-4, "relative": True}


# --- broken packages ------------------------------------------------------------------------------


BAD = [
    ("missing_handler.pbm", "handler.yml", "missing handler.yml"),
    ("bad_yaml.pbm", "handler.yml", "line 4"),
    ("bad_checker.pbm", "handler.yml", "unknown value 'fuzzy'"),
    ("bad_scores.pbm", "scores.yml", "prefix 'medium'"),
    ("no_tests.pbm", "no_tests.pbm", "no tests"),
    ("bad_types.pbm", "handler.yml", "'epsilon' must be a number"),
    ("bad_type", "problem.yaml", "unknown value 'nonsense'"),
    ("kattis_no_ans", "data/secret/1.in", "1.ans"),
    ("kattis_bad_flags", "problem.yaml", "float_tolerance"),
    ("not_a_package", "problem.yaml", "missing problem.yaml"),
]


@pytest.mark.unit
@pytest.mark.parametrize(("package", "culprit", "message"), BAD, ids=[b[0] for b in BAD])
def test_broken_package_names_the_file(package: str, culprit: str, message: str) -> None:
    with pytest.raises(PackageError) as caught:
        load_package(FIXTURE_PACKAGES / "bad" / package)
    assert caught.value.path.endswith(f"{package}/{culprit}" if culprit != package else package)
    assert message in caught.value.message


@pytest.mark.unit
def test_missing_directory() -> None:
    with pytest.raises(PackageError, match="not a problem package directory"):
        load_package(FIXTURE_PACKAGES / "bad" / "does-not-exist")


# --- synthetic packages: formats and error paths ----------------------------------------------------

KATTIS_DATA = {
    "data/sample/1.in": "1\n",
    "data/sample/1.ans": "1\n",
    "data/secret/1.in": "2\n",
    "data/secret/1.ans": "2\n",
}


def kattis(tmp_path: Path, problem_yaml: str, extra: dict[str, str] | None = None) -> Path:
    return write(tmp_path / "prob", {"problem.yaml": problem_yaml, **KATTIS_DATA, **(extra or {})})


@pytest.mark.unit
def test_validator_flags_parse_into_options() -> None:
    flags = "case_sensitive space_change_sensitive float_relative_tolerance 1e-5 float_absolute_tolerance 0.5"
    assert parse_validator_flags(flags.split(), Path("problem.yaml")) == {
        "case_sensitive": True,
        "space_change_sensitive": True,
        "float_relative_tolerance": 1e-5,
        "float_absolute_tolerance": 0.5,
    }
    with pytest.raises(PackageError, match="unknown default validator flag 'fuzzy'"):
        parse_validator_flags(["fuzzy"], Path("problem.yaml"))
    with pytest.raises(PackageError, match="needs a number"):
        parse_validator_flags(["float_tolerance"], Path("problem.yaml"))


@pytest.mark.unit
def test_legacy_custom_interactive_validation(tmp_path: Path) -> None:
    root = kattis(
        tmp_path, "name: X\nvalidation: custom interactive\n", {"output_validators/io/io.py": "print()\n"}
    )
    problem = load_package(root)
    assert problem.type == "interactive" and problem.interactor == root.resolve() / "output_validators/io"


@pytest.mark.unit
def test_legacy_custom_score_and_missing_validator(tmp_path: Path) -> None:
    root = kattis(tmp_path, "name: X\ntype: scoring\nvalidation: custom score\n")
    with pytest.raises(PackageError, match="custom validation needs output_validators") as caught:
        load_package(root)
    assert caught.value.path.endswith("problem.yaml")
    write(root, {"output_validators/check.py": "print()\n"})
    problem = load_package(root)
    assert (
        problem.type == "scoring" and problem.checker.source == root.resolve() / "output_validators/check.py"
    )
    assert [(g.name, g.points) for g in problem.groups] == [("secret", 1.0)]  # legacy: 1 per accepted test


@pytest.mark.unit
def test_modern_output_validator_directory_and_args(tmp_path: Path) -> None:
    root = kattis(
        tmp_path,
        "problem_format_version: 2025-09\nname: X\n",
        {
            "output_validator/validator.py": "print()\n",
            "data/secret/test_group.yaml": "output_validator_args: [--exact, '3']\n",
        },
    )
    problem = load_package(root)
    assert (
        problem.checker.kind == "kattis-custom"
        and problem.checker.source == root.resolve() / "output_validator"
    )
    assert problem.checker.options == {"args": ["--exact", "3"]}


@pytest.mark.unit
def test_testdata_flags_and_on_reject_continue(tmp_path: Path) -> None:
    root = kattis(
        tmp_path,
        "name: X\nvalidator_flags: case_sensitive\n",
        {"data/testdata.yaml": "on_reject: continue\noutput_validator_flags: float_tolerance 0.1\n"},
    )
    problem = load_package(root)
    assert problem.checker.options == {"case_sensitive": True, "float_tolerance": 0.1}
    assert problem.continue_on_failure


@pytest.mark.unit
def test_name_string_timelimit_file_and_credits(tmp_path: Path) -> None:
    root = kattis(
        tmp_path,
        "problem_format_version: 2023-07-draft\nname: Solo\n"
        "credits: {authors: [{name: Ann, email: a@x}, Bob]}\nlimits: {memory: 512, output: 16}\n",
        {".timelimit": "2.5\n", "statement/problem.sv.tex": "x"},
    )
    problem = load_package(root)
    assert problem.titles == {"sv": "Solo"}  # the only statement's language
    assert (problem.time_limit, problem.memory_limit_mb, problem.output_limit_mb) == (2.5, 512, 16)
    assert problem.authors == ["Ann", "Bob"]


@pytest.mark.unit
def test_title_from_problemname_when_name_is_missing(tmp_path: Path) -> None:
    root = kattis(tmp_path, "", {"problem_statement/problem.de.tex": "\\problemname{Hallo}\n"})
    assert load_package(root).titles == {"de": "Hallo"}


@pytest.mark.unit
def test_scoring_groups_default_points_and_natural_order(tmp_path: Path) -> None:
    files = {f"data/secret/g{n}/{i}.in": "x\n" for n in (2, 10) for i in (1, 2, 11)}
    files |= {k.replace(".in", ".ans"): v for k, v in files.items()}
    files |= {
        "data/secret/g10/testdata.yaml": "grader_flags: min\naccept_score: 25\n",
        "data/secret/g2/sub/1.in": "x\n",
        "data/secret/g2/sub/1.ans": "x\n",
    }
    root = write(tmp_path / "p", {"problem.yaml": "type: scoring\n", **files})
    problem = load_package(root)
    assert [(g.name, g.points, g.aggregation) for g in problem.groups] == [
        ("secret/g2", 4.0, "sum"),
        ("secret/g10", 25.0, "min"),
    ]
    assert names(problem)[:4] == ["secret/g2/1", "secret/g2/2", "secret/g2/11", "secret/g2/sub/1"]
    assert {t.group for t in problem.tests} == {"secret/g2", "secret/g10"}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("problem_yaml", "extra", "culprit", "message"),
    [
        ("name: [1\n", {}, "problem.yaml", "invalid YAML at line"),
        ("- a\n- b\n", {}, "problem.yaml", "the top level must be a mapping"),
        ("limits: {memory: lots}\n", {}, "problem.yaml", "'limits.memory' must be a number"),
        ("limits: {memory: 1.5}\n", {}, "problem.yaml", "whole number"),
        ("limits: {time_limit: -1}\n", {}, "problem.yaml", "must be positive"),
        ("type: multi-pass\n", {}, "problem.yaml", "a multi-pass problem needs"),
        ("type: submit-answer\n", {}, "problem.yaml", "not supported"),
        ("type: pass-fail scoring\n", {}, "problem.yaml", "cannot be both"),
        ("validation: fancy\n", {}, "problem.yaml", "must start with 'default' or 'custom'"),
        ("validation: default interactive\n", {}, "problem.yaml", "takes no options"),
        ("problem_format_version: 1999\n", {}, "problem.yaml", "unknown value '1999'"),
        (
            "type: interactive\nproblem_format_version: 2023-07-draft\n",
            {},
            "problem.yaml",
            "interactive problem",
        ),
        ("name: {en: [x]}\n", {}, "problem.yaml", "'name.en' must be a string"),
        (
            "name: X\n",
            {"data/secret/testdata.yaml": "on_reject: maybe\n"},
            "data/secret/testdata.yaml",
            "on_reject",
        ),
        (
            "name: X\n",
            {"data/secret/testdata.yaml": "grading: custom\n"},
            "data/secret/testdata.yaml",
            "not supported",
        ),
        ("name: X\n", {"data/secret/testdata.yaml": "score: -3\n"}, "data/secret/testdata.yaml", "negative"),
        (
            "name: X\n",
            {
                "output_validators/a.py": "",
                "output_validators/b.py": "",
                "problem.yaml": "validation: custom\n",
            },
            "output_validators",
            "more than one",
        ),
        ("name: X\n", {".timelimit": "soon\n"}, ".timelimit", "must be a number"),
    ],
)
def test_kattis_errors(
    tmp_path: Path, problem_yaml: str, extra: dict[str, str], culprit: str, message: str
) -> None:
    root = write(tmp_path / "p", {"problem.yaml": problem_yaml, **KATTIS_DATA, **extra})
    with pytest.raises(PackageError) as caught:
        load_package(root)
    assert caught.value.path == str(root.resolve() / culprit)
    assert message in caught.value.message


@pytest.mark.unit
def test_kattis_no_tests_and_non_utf8(tmp_path: Path) -> None:
    root = write(tmp_path / "p", {"problem.yaml": "name: X\n"})
    with pytest.raises(PackageError, match="no test cases"):
        load_package(root)
    (root / "problem.yaml").write_bytes(b"name: \xff\n")
    with pytest.raises(PackageError, match="not valid UTF-8"):
        load_package(root)


@pytest.mark.unit
def test_kattis_unknown_submission_directory_is_uppercased(tmp_path: Path) -> None:
    root = kattis(
        tmp_path,
        "name: X\n",
        {
            "submissions/brute_force/a.py": "",
            "submissions/accepted/README.md": "",
            "submissions/accepted/multi/main.py": "",
        },
    )
    assert {(s.path.name, s.expected) for s in load_package(root).submissions} == {
        ("a.py", "BRUTE_FORCE"),
        ("multi", "AC"),
    }


JUTGE_BASE = {
    "handler.yml": "handler: std\n",
    "problem.en.yml": "title: T\nauthor: A\n",
    "solution.cc": "int main(){}\n",
    "sample-1.inp": "1\n",
    "sample-1.cor": "1\n",
    "b.inp": "2\n",
    "b.cor": "2\n",
}


def jutge(tmp_path: Path, **changes: str) -> Path:
    return write(tmp_path / "x.pbm", {**JUTGE_BASE, **changes})


@pytest.mark.unit
def test_jutge_checkers_with_options(tmp_path: Path) -> None:
    root = jutge(
        tmp_path,
        **{
            "handler.yml": "handler: std\nchecker: elastic2\nseparator1: ';'\n"
            "separator2: ','\nstarting: '{'\nending: '}'\npresentation_error: 0\n"
            "compilers: GCC\ntime_factor: [3, 10, 20]\ntime_constant: [0.2]\n"
        },
    )
    problem = load_package(root)
    assert problem.checker.options == {"separator1": ";", "separator2": ",", "starting": "{", "ending": "}"}
    assert not problem.checker.presentation_error
    assert (problem.compilers, problem.time_multiplier, problem.time_constant) == (["GCC"], 3.0, 0.2)
    # Every class has its own factor; a missing constant is the previous class's × 5, then × 2.
    classes = {name: (f.factor, round(f.constant, 6)) for name, f in problem.time_classes.items()}
    assert classes == {"fast": (3.0, 0.2), "medium": (10.0, 1.0), "slow": (20.0, 2.0)}
    write(
        root,
        {
            "handler.yml": "handler: std\nchecker: external\nexternal_program: judge.py\n",
            "judge.py": "print('AC')\n",
        },
    )
    checker = load_package(root).checker
    assert (checker.kind, checker.source) == ("external", root.resolve() / "judge.py")
    assert checker.options == {"external_program": "judge.py", "external_timeout": 5.0}
    write(root, {"handler.yml": "handler: std\nchecker: loosy\n"})
    assert load_package(root).checker.kind == "loosy"


@pytest.mark.unit
def test_jutge_kinds_order_and_golden(tmp_path: Path) -> None:
    root = jutge(
        tmp_path,
        **{
            "public-2.inp": "",
            "public-2.cor": "",
            "distilled1.inp": "",
            "distilled1.cor": "",
            "sample-10.inp": "",
            "sample-10.cor": "",
            "sample-2.inp": "",
            "sample-2.cor": "",
            "solution.py": "print()\n",
            "problem.ca.tex": "\\Problem{T}",
            "problem.ca.html": "<p>",
        },
    )
    problem = load_package(root)
    assert problem.problem_id == "x"
    assert names(problem) == ["sample-1", "sample-2", "sample-10", "b", "distilled1", "public-2"]
    assert [t.kind for t in problem.tests][3:] == [TestKind.SECRET, TestKind.HINT, TestKind.PUBLIC]
    assert problem.golden_solution == root.resolve() / "solution.cc"  # C++ is the default language
    assert [s.path.name for s in problem.submissions] == ["solution.cc", "solution.py"]
    assert problem.statements["ca"].suffix == ".tex"


@pytest.mark.unit
def test_jutge_title_from_statement_when_no_metadata(tmp_path: Path) -> None:
    root = jutge(tmp_path, **{"problem.es.tex": "\\Problem{Hola}\n"})
    (root / "problem.en.yml").unlink()
    assert load_package(root).titles == {"es": "Hola"}


@pytest.mark.unit
def test_ops_parsing() -> None:
    assert parse_ops("--maxtime=3 --maxfiles 10 --maxmem 64 128\n", Path("t.ops")) == {
        "maxtime": 3.0,
        "maxmem": 64.0,
    }
    for text, message in [
        ("--maxtime\n", "needs a value"),
        ("--maxmem lots", "must be a number"),
        ("maxtime 3", "expected an option"),
        ("--maxtime 0", "must be positive"),
        ("--maxtime '3", "cannot parse"),
    ]:
        with pytest.raises(PackageError, match=message):
            parse_ops(text, Path("t.ops"))


@pytest.mark.unit
def test_jutge_ops_per_compiler_override_the_tests_own(tmp_path: Path) -> None:
    """Jutge's driver reads <test>.ops, then <test>.<compiler>.ops for that compiler alone."""
    root = jutge(tmp_path, **{"b.ops": "--maxtime 2\n", "b.JDK.ops": "--maxtime 5 --maxmem 512\n"})
    [test] = [t for t in load_package(root).tests if t.name == "b"]
    assert test.compiler_ops == {"JDK": TestOps(5.0, 512, None)}
    assert test.for_compiler("JDK") == TestOps(5.0, 512, None)
    assert test.for_compiler("GCC") == TestOps(2.0, None, None)
    grader = Grader(load_package(root), SandboxConfig(cache_dir=tmp_path / "cache"))
    assert grader.limits_for(test, 1.0, "JDK").cpu_time == 5.0
    assert grader.limits_for(test, 1.0, "JDK").memory_mb == 512
    assert grader.limits_for(test, 1.0, "GCC").cpu_time == 2.0


@pytest.mark.unit
@pytest.mark.parametrize(
    ("changes", "culprit", "message"),
    [
        ({"handler.yml": "handler: game\n"}, "Runner", "a game package needs Runner/"),
        ({"handler.yml": "handler: circuits\n"}, "handler.yml", "cannot grade circuits problems"),
        ({"handler.yml": "handler: chess\n"}, "handler.yml", "unknown value 'chess'"),
        (
            {"handler.yml": "handler: std\nsolution: Cobol\n", "solution.py": ""},
            "handler.yml",
            "unknown language 'Cobol'",
        ),
        ({"handler.yml": "handler: std\nsolution: Java\n"}, "x.pbm", "solution.java"),
        (
            {"handler.yml": "handler: std\nchecker: external\n"},
            "handler.yml",
            "'external_program' is missing",
        ),
        (
            {"handler.yml": "handler: std\nchecker: external\nexternal_program: nope\n"},
            "handler.yml",
            "not in the package",
        ),
        ({"handler.yml": "handler: std\npresentation_error: maybe\n"}, "handler.yml", "must be a boolean"),
        ({"handler.yml": "handler: std\ncompilers: {a: 1}\n"}, "handler.yml", "compiler id"),
        ({"handler.yml": "handler: std\ntime_factor: []\n"}, "handler.yml", "empty list"),
        ({"problem.en.yml": "author: A\n"}, "problem.en.yml", "'title' is missing"),
        ({"scores.yml": "part: a\n"}, "scores.yml", "non-empty list"),
        ({"scores.yml": "- part: a\n  prefix: b\n"}, "scores.yml", "'[0].points'"),
        ({"scores.yml": "- [a]\n"}, "scores.yml", "'[0]' must be a mapping"),
        ({"b.ops": "--maxmem\n"}, "b.ops", "needs a value"),
    ],
)
def test_jutge_errors(tmp_path: Path, changes: dict[str, str], culprit: str, message: str) -> None:
    root = jutge(tmp_path, **changes)
    with pytest.raises(PackageError) as caught:
        load_package(root)
    expected = root.resolve() if culprit == "x.pbm" else root.resolve() / culprit
    assert caught.value.path == str(expected)
    assert message in caught.value.message


# --- the fixture programs behave as named (host runs of our own programs) --------------------------


def run(command: list[str], test: TestCase, timeout: float = 20) -> bytes:
    with test.input_path.open("rb") as stdin:
        return subprocess.run(command, stdin=stdin, capture_output=True, timeout=timeout, check=True).stdout


def python(path: Path) -> list[str]:
    return [sys.executable, str(path)]


def tokens(data: bytes) -> list[str]:
    return data.decode().split()


def floats_close(output: bytes, answer: bytes, absolute: float, relative: float) -> bool:
    got, want = tokens(output), tokens(answer)
    return len(got) == len(want) and all(
        math.isclose(float(g), float(w), rel_tol=relative, abs_tol=absolute)
        for g, w in zip(got, want, strict=True)
    )


def kattis_ok(problem: Problem, test: TestCase, output: bytes) -> bool:
    """The fixtures' judging rules: custom validator, float tolerance or token equality."""
    if problem.checker.kind == "kattis-custom":
        assert problem.checker.source is not None
        return validate(problem.checker.source, test, output) == 42
    tolerance = float(problem.checker.options.get("float_tolerance", 0))  # type: ignore[arg-type]
    if tolerance:
        return floats_close(output, test.answer_path.read_bytes(), tolerance, tolerance)
    return tokens(output) == tokens(test.answer_path.read_bytes())


def validate(validator_dir: Path, test: TestCase, output: bytes) -> int:
    """Run a Kattis output validator (argv: input answer feedback_dir, team output on stdin)."""
    program = next(validator_dir.glob("*.py"))
    with tempfile.TemporaryDirectory() as feedback:
        done = subprocess.run(
            [*python(program), str(test.input_path), str(test.answer_path), feedback],
            input=output,
            capture_output=True,
            timeout=20,
            check=False,
        )
        assert (Path(feedback) / "judgemessage.txt").is_file()
    return done.returncode


PYTHON_KATTIS = [
    (problem, s.path, s.expected)
    for package in ("aplusb", "floatdiv", "customval", "groups")
    for problem in [load(package)]
    for s in problem.submissions
    if s.path.suffix == ".py"
]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("problem", "source", "expected"),
    PYTHON_KATTIS,
    ids=[f"{p.problem_id}/{s.name}" for p, s, _ in PYTHON_KATTIS],
)
def test_kattis_python_submissions_behave_as_named(problem: Problem, source: Path, expected: str) -> None:
    outcomes: dict[str, bool] = {}
    for test in problem.tests:
        try:
            outcomes[test.name] = kattis_ok(problem, test, run(python(source), test))
        except subprocess.CalledProcessError:
            outcomes[test.name] = False
            assert expected == "RE"
    if expected == "AC":
        assert all(outcomes.values()), outcomes
    elif expected == "SC":
        by_group = {
            g.name: all(ok for n, ok in outcomes.items() if n.startswith(g.name + "/"))
            for g in problem.groups
        }
        assert by_group == {"secret/group1": True, "secret/group2": False}
    else:
        assert not all(outcomes.values()), outcomes


def interact(problem: Problem, command: list[str], test: TestCase, feedback: Path) -> int:
    """Run the guess interactor against a submission, each one's stdout feeding the other's stdin."""
    assert problem.interactor is not None
    interactor = next(problem.interactor.glob("*.py"))
    submission = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert submission.stdin is not None and submission.stdout is not None
    validator = subprocess.Popen(
        [*python(interactor), str(test.input_path), str(test.answer_path), str(feedback)],
        stdin=submission.stdout,
        stdout=submission.stdin,
    )
    submission.stdin.close()
    submission.stdout.close()
    try:
        return validator.wait(timeout=20)
    finally:
        submission.wait(timeout=20)


@pytest.mark.integration
@pytest.mark.parametrize("name", ["binary.py", "binary.c", "linear.py"])
def test_guess_submissions_behave_as_named(name: str, tmp_path: Path) -> None:
    problem = load("guess")
    source = next(s for s in problem.submissions if s.path.name == name)
    command = python(source.path) if name.endswith(".py") else [str(compile_c(source.path, tmp_path, "gcc"))]
    codes = [interact(problem, command, test, tmp_path) for test in problem.tests]
    if source.expected == "AC":
        assert codes == [42] * len(codes)
    else:
        assert 43 in codes and set(codes) <= {42, 43}


@pytest.mark.unit
def test_guess_interaction_sample_is_what_binary_search_does() -> None:
    problem = load("guess")
    sample = problem.samples[0]
    assert sample.interaction_path is not None
    lines = sample.interaction_path.read_text().splitlines()
    guesses = [int(line[1:]) for line in lines if line.startswith(">")]
    secret = int(sample.input_path.read_text())
    low, high, expected = 1, 1000, []
    while True:
        expected.append((low + high) // 2)
        if expected[-1] == secret:
            break
        low, high = (low, expected[-1] - 1) if secret < expected[-1] else (expected[-1] + 1, high)
    assert guesses == expected and len(guesses) <= 10 and lines[-1] == "<correct"


def compile_c(source: Path, out_dir: Path, compiler: str) -> Path:
    if shutil.which(compiler) is None:
        pytest.skip(f"{compiler} not installed")
    binary = out_dir / f"{source.stem}-{source.suffix[1:]}"
    subprocess.run(
        [compiler, "-O2", "-o", str(binary), str(source)], check=True, capture_output=True, timeout=120
    )
    return binary


COMPILED_ACCEPTED = [
    ("aplusb", "sum.c"),
    ("aplusb", "sum.cpp"),
    ("floatdiv", "div.c"),
    ("groups", "formula.cpp"),
]


@pytest.mark.integration
@pytest.mark.parametrize(("package", "name"), COMPILED_ACCEPTED, ids=[n for _, n in COMPILED_ACCEPTED])
def test_compiled_accepted_submissions_pass(package: str, name: str, tmp_path: Path) -> None:
    problem = load(package)
    source = next(s.path for s in problem.submissions if s.path.name == name)
    binary = compile_c(source, tmp_path, "gcc" if name.endswith(".c") else "g++")
    assert all(kattis_ok(problem, test, run([str(binary)], test)) for test in problem.tests)


def limited(command: list[str], memory_mb: int) -> list[str]:
    """Prefix command with a tiny exec wrapper setting RLIMIT_AS (no preexec_fn: not thread-safe)."""
    code = (
        "import os, resource, sys; limit = int(sys.argv[1]) << 20; "
        "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); os.execv(sys.argv[2], sys.argv[2:])"
    )
    return [sys.executable, "-c", code, str(memory_mb), *command]


@pytest.mark.integration
def test_compiled_failing_submissions_fail_as_named(tmp_path: Path) -> None:
    problem = load("aplusb")
    sources = {s.path.name: s.path for s in problem.submissions}
    test = problem.tests[0]
    if shutil.which("gcc") is None or shutil.which("g++") is None:
        pytest.skip("gcc/g++ not installed")
    broken = subprocess.run(
        ["gcc", "-o", str(tmp_path / "broken"), str(sources["broken.c"])], capture_output=True, check=False
    )
    assert broken.returncode != 0
    crash = subprocess.run(
        [str(compile_c(sources["crash.c"], tmp_path, "gcc"))],
        stdin=test.input_path.open("rb"),
        capture_output=True,
        timeout=20,
        check=False,
    )
    assert crash.returncode < 0  # killed by a signal (SIGSEGV)
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(
            [str(compile_c(sources["loop.c"], tmp_path, "gcc"))],
            stdin=test.input_path.open("rb"),
            capture_output=True,
            timeout=0.5,
            check=False,
        )
    hog_binary = compile_c(sources["hog.cpp"], tmp_path, "g++")
    hog = subprocess.run(
        limited([str(hog_binary)], problem.memory_limit_mb),
        stdin=test.input_path.open("rb"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert hog.returncode != 0 and hog.stdout == b""


JUTGE_GOLDEN = ["pe_ic.pbm", "scored.pbm", "epsilon.pbm", "elastic.pbm"]


@pytest.mark.integration
@pytest.mark.parametrize("package", JUTGE_GOLDEN)
def test_jutge_golden_solutions_reproduce_the_cor_files(package: str, tmp_path: Path) -> None:
    problem = load(package)
    golden = problem.golden_solution
    assert golden is not None
    command = python(golden) if golden.suffix == ".py" else [str(compile_c(golden, tmp_path, "g++"))]
    for test in problem.tests:
        assert run(command, test) == test.answer_path.read_bytes(), test.name


def normalized(data: bytes) -> list[str]:
    return data.decode("latin-1").upper().split()


def illegal(data: bytes) -> bool:
    return any(not (32 <= b <= 126 or b in b"\n\r\t") for b in data)


def jutge_outputs(package: str, program: str) -> list[tuple[bytes, bytes]]:
    problem = load(package)
    return [
        (run(python(PROGRAMS / package.removesuffix(".pbm") / program), t), t.answer_path.read_bytes())
        for t in problem.tests
    ]


@pytest.mark.integration
def test_jutge_programs_pe_ic() -> None:
    assert all(out == cor for out, cor in jutge_outputs("pe_ic.pbm", "ac.py"))
    assert all(
        out != cor and normalized(out) == normalized(cor) and not illegal(out)
        for out, cor in jutge_outputs("pe_ic.pbm", "pe.py")
    )
    assert all(illegal(out) for out, _ in jutge_outputs("pe_ic.pbm", "ic.py"))
    assert all(
        normalized(out) != normalized(cor) and not illegal(out)
        for out, cor in jutge_outputs("pe_ic.pbm", "wa.py")
    )


@pytest.mark.integration
def test_jutge_programs_elastic_scored_epsilon() -> None:
    reversed_ = jutge_outputs("elastic.pbm", "ac_reversed.py")
    assert all(Counter(out.split(b"\n")) == Counter(cor.split(b"\n")) for out, cor in reversed_)
    assert any(out != cor for out, cor in reversed_)
    assert all(
        Counter(out.split(b"\n")) != Counter(cor.split(b"\n"))
        for out, cor in jutge_outputs("elastic.pbm", "wa_missing.py")
    )
    problem = load("scored.pbm")
    partial = dict(
        zip([t.name for t in problem.tests], jutge_outputs("scored.pbm", "partial.py"), strict=True)
    )
    assert {name: out == cor for name, (out, cor) in partial.items()} == {
        "sample-1": True,
        "easy-1": True,
        "easy-2": True,
        "hard-1": False,
        "hard-2": False,
    }
    assert all(out == cor for out, cor in jutge_outputs("scored.pbm", "ac.py"))
    assert all(floats_close(out, cor, 0, 1e-4) for out, cor in jutge_outputs("epsilon.pbm", "ac_short.py"))
    assert not all(
        floats_close(out, cor, 0, 1e-4) for out, cor in jutge_outputs("epsilon.pbm", "wa_rounded.py")
    )
