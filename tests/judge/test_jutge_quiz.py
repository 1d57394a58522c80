"""Jutge quiz packages parsed: the fixture quiz (all six question types, as the toolkit writes
them), each type's keys and defaults, the errors a broken quiz gets, and variable substitution."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.paths import FIXTURE_PACKAGES
from verdict.judge.errors import PackageError
from verdict.judge.packages import load_package
from verdict.judge.packages.jutge_quiz import load_quiz
from verdict.judge.quiz_model import FillInItem, quiz_from_data
from verdict.judge.quiz_variables import substitute, substitute_all, unknown_names

pytestmark = pytest.mark.unit

QUIZ = FIXTURE_PACKAGES / "jutge" / "quiz.pbm"


@pytest.fixture
def quiz_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(QUIZ, tmp_path / "quiz.pbm"))


def test_the_fixture_quiz_loads_as_a_jutge_problem_without_tests() -> None:
    problem = load_package(QUIZ)
    assert (problem.format, problem.titles) == ("jutge", {"en": "Verdict quiz"})
    assert problem.tests == [] and problem.submissions == [] and problem.golden_solution is None
    quiz = problem.quiz
    assert quiz is not None
    assert [(q.file, q.question.type, q.score) for q in quiz.questions] == [
        ("single-choice", "SingleChoice", 20),
        ("multiple-choice", "MultipleChoice", 20),
        ("fill-in", "FillIn", 20),
        ("ordering", "Ordering", 10),
        ("matchings", "Matching", 20),
        ("open-ended", "OpenQuestion", 10),
    ]
    assert [q.file for q in quiz.questions if q.script] == [
        "single-choice",
        "multiple-choice",
        "fill-in",
        "open-ended",
    ]
    assert (quiz.title, quiz.author, quiz.shuffle, quiz.figures) == (
        "Verdict quiz",
        "Verdict tests",
        False,
        ["plus.svg"],
    )


def test_each_question_type_keeps_its_keys() -> None:
    quiz = load_quiz(QUIZ)
    single, multiple, fill_in, ordering, matching, open_question = (q.question for q in quiz.questions)
    assert [(c.text, c.correct, c.hint) for c in single.choices][:2] == [
        ("`$s1`", True, "You did well"),
        ("`$s2`", False, "One less than the sum"),
    ]
    assert single.shuffle and not single.partial_answer  # the documented defaults
    assert multiple.partial_answer and [c.correct for c in multiple.choices] == [True, False, True]
    assert fill_in.blanks["XXXX"] == FillInItem(correct="0", maxlength=5)  # YAML's 0 read as text
    assert fill_in.blanks["YYYY"].options == ["+", "-", "*", "/"]
    assert fill_in.blanks["ZZZZ"] == FillInItem(correct="$s", maxlength=20, placeholder="?")
    assert "XXXX" in fill_in.context
    assert (ordering.label, ordering.items[:2]) == ("Programming language", ["Fortran", "C"])
    assert matching.labels == ["Countries", "Capitals"]
    assert (matching.left[0], matching.right[0]) == ("France", "Paris")
    assert open_question.placeholder.startswith("My lucky number is **$lucky**")


def test_the_quiz_round_trips_through_its_stored_data() -> None:
    quiz = load_quiz(QUIZ)
    assert quiz_from_data(quiz.to_data()) == quiz


def test_quiz_yml_in_a_language_folder_as_the_toolkit_lays_it_out(quiz_copy: Path, tmp_path: Path) -> None:
    root = tmp_path / "multi.pbm"
    for language in ("ca", "en"):
        shutil.copytree(quiz_copy, root / language)
    (root / "ca" / "quiz.yml").write_text(
        (root / "ca" / "quiz.yml").read_text().replace("Verdict quiz", "Qüestionari")
    )
    quiz = load_quiz(root)
    assert (quiz.folder, quiz.title) == ("en", "Verdict quiz")  # English first
    shutil.rmtree(root / "en")
    assert (load_quiz(root).folder, load_quiz(root).title) == ("ca", "Qüestionari")


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("quiz.yml", "score: 10\n", "score: 15\n", "scores add up to 110; they must add up to 100"),
        ("quiz.yml", "file: ordering", "file: missing", "missing.yml is not in the package"),
        (
            "single-choice.yml",
            '        hint: "One less than the sum"',
            "        correct: true",
            "exactly one choice with 'correct: true', has 2",
        ),
        ("single-choice.yml", "type: SingleChoice", "type: OneChoice", "unknown value 'OneChoice'"),
        ("fill-in.yml", 'correct: "+"', 'correct: "%"', "'%', which is not one of its options"),
        ("matchings.yml", "    - Andorra la Vella\n", "", "has 4 items, 'left' 5"),
        ("ordering.yml", "    - Julia\n", "    - Julia\n    - C\n", "'items' has the same text twice"),
        (
            "fill-in.yml",
            "    `sum([$a, $b])` returns ZZZZ.\n",
            "",
            "'items.ZZZZ' does not appear in the context",
        ),
    ],
)
def test_a_broken_quiz_is_refused_naming_file_and_key(
    quiz_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    rewrite(quiz_copy / file, old, new)
    with pytest.raises(PackageError) as error:
        load_package(quiz_copy)
    assert message in str(error.value) and file.split(".")[0] in str(error.value)


def test_a_handler_other_than_std_and_quiz_is_still_refused(quiz_copy: Path) -> None:
    (quiz_copy / "handler.yml").write_text("handler: circuits\n")
    with pytest.raises(PackageError, match="cannot grade circuits problems"):
        load_package(quiz_copy)


def test_variables_substitute_as_the_toolkit_does() -> None:
    values = {"a": 3, "b": 4.0, "ok": True, "name": "Ada", "xs": [1, 2]}
    assert substitute("$a + ${b} = ${a}${b}; $ok $name $xs $missing ${}", values) == (
        "3 + 4 = 34; true Ada [1, 2] $missing ${}"
    )
    assert substitute_all({"t": ["$a", {"u": "$name"}], "n": 5}, values) == {"t": ["3", {"u": "Ada"}], "n": 5}


def test_names_a_script_does_not_define_are_reported() -> None:
    question = load_quiz(QUIZ).questions[0].question
    assert unknown_names(question, {"a": 1, "b": 2, "s1": 3, "s2": 4, "s3": 5, "s4": 6}) == {"s5"}
