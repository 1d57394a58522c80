"""Jutge quiz questions as task sub-problems: what a student is shown (no answers), the answers
parsed, every type graded (whole and partial), the scores weighing the task's grade, and an open
answer keeping the grade pending."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.support.paths import FIXTURE_PACKAGES
from verdict.courses.jutge_quiz import (
    AnswerError,
    grade_part,
    parse_answer,
    public_part,
    quiz_problems,
    shown_order,
)
from verdict.courses.models import Task
from verdict.courses.quiz import PartResult, combine, grade_jutge_part, grade_multiple_choice
from verdict.courses.task_view import ChoiceOrder, public_problems
from verdict.judge.packages.jutge_quiz import load_quiz
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.unit

PROBLEMS = quiz_problems(load_quiz(FIXTURE_PACKAGES / "jutge" / "quiz.pbm"))
SEED = "a student's seed"


def test_questions_become_sub_problems_keyed_by_file() -> None:
    assert {pid: p["type"] for pid, p in PROBLEMS.items()} == {
        "single-choice": "multiple_choice",
        "multiple-choice": "multiple_choice",
        "fill-in": "fill_in",
        "ordering": "ordering",
        "matchings": "matching",
        "open-ended": "open",
    }
    single = PROBLEMS["single-choice"]
    assert (single["multiple"], single["unshuffle"], single["score"]) == (False, False, 20)
    assert single["choices"][0] == {"text": "`$s1`", "valid": True, "feedback": "You did well"}
    assert "_script" in single and "_script" not in PROBLEMS["ordering"]


def test_a_student_sees_no_answer() -> None:
    fill_in = public_part(PROBLEMS["fill-in"], SEED)
    assert all("correct" not in item for item in fill_in["items"].values())
    assert fill_in["items"]["YYYY"]["options"] == ["+", "-", "*", "/"]
    assert "_script" not in fill_in
    ordering = public_part(PROBLEMS["ordering"], SEED)
    assert sorted(ordering["items"]) == sorted(PROBLEMS["ordering"]["items"])
    matching = public_part(PROBLEMS["matchings"], SEED)
    pairs = set(zip(PROBLEMS["matchings"]["left"], PROBLEMS["matchings"]["right"], strict=True))
    assert len(set(zip(matching["left"], matching["right"], strict=True)) & pairs) < 5  # shuffled apart


def test_shown_orders_are_stable_per_seed_and_differ_between_seeds() -> None:
    assert shown_order(6, SEED, True) == shown_order(6, SEED, True)
    assert len({tuple(shown_order(6, f"seed {n}", True)) for n in range(20)}) > 1
    assert shown_order(6, SEED, False) == list(range(6))


def answer_ordering(seed: str) -> list[int]:
    """The shown positions in the correct order."""
    shown = shown_order(6, seed, True)
    return [shown.index(original) for original in range(6)]


def answer_matching(seed: str) -> list[int]:
    left, right = shown_order(5, f"{seed}/left", True), shown_order(5, f"{seed}/right", True)
    return [right.index(original) for original in left]


def test_ordering_and_matching_are_graded_from_the_shown_positions() -> None:
    assert grade_part(PROBLEMS["ordering"], answer_ordering(SEED), SEED).correct
    assert not grade_part(PROBLEMS["ordering"], answer_ordering("another seed"), SEED).correct
    matching = grade_part(PROBLEMS["matchings"], answer_matching(SEED), SEED)
    assert (matching.correct, matching.score) == (True, 1.0)
    swapped = answer_matching(SEED)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    partial = grade_part(PROBLEMS["matchings"], swapped, SEED)  # partial_answer: true
    assert (partial.correct, partial.score, partial.messages) == (False, 0.6, ["3 of 5 right"])


def test_ordering_without_partial_answer_scores_nothing_unless_wholly_right() -> None:
    wrong = answer_ordering(SEED)
    wrong[0], wrong[1] = wrong[1], wrong[0]
    graded = grade_part(PROBLEMS["ordering"], wrong, SEED)
    assert (graded.score, graded.messages) == (0.0, ["Wrong answer"])


def test_fill_in_trims_and_ignores_case_per_item() -> None:
    problem: dict[str, Any] = {**PROBLEMS["fill-in"]}
    problem["items"] = {**problem["items"], "ZZZZ": {**problem["items"]["ZZZZ"], "correct": "Ok"}}
    assert grade_part(problem, {"XXXX": " 0 ", "YYYY": "+", "ZZZZ": "oK"}, SEED).correct
    strict = {
        **problem,
        "items": {**problem["items"], "ZZZZ": {**problem["items"]["ZZZZ"], "ignorecase": False}},
    }
    graded = grade_part(strict, {"XXXX": "0", "YYYY": "+", "ZZZZ": "oK"}, SEED)
    assert graded.score == pytest.approx(2 / 3)


def test_multiple_choice_partial_answer_takes_wrong_picks_off() -> None:
    problem = PROBLEMS["multiple-choice"]  # choices 0 and 2 are correct, partial_answer: true
    assert grade_multiple_choice(problem, [0, 2]).score == 1.0
    assert grade_multiple_choice(problem, [0]).score == 0.5
    assert grade_multiple_choice(problem, [0, 1]).score == 0.0
    assert grade_multiple_choice(problem, [0, 1, 2]).score == 0.5  # the toolkit would give 1
    whole = {**problem, "partial_answer": False}
    assert grade_multiple_choice(whole, [0]).score == 0.0


def test_the_hints_of_the_chosen_choices_are_the_feedback() -> None:
    graded = grade_multiple_choice(PROBLEMS["single-choice"], 1)
    assert graded.verdict == Verdict.WA and "One less than the sum" in graded.feedback
    assert "You did well" not in graded.feedback


@pytest.mark.parametrize(
    ("pid", "fields", "message"),
    [
        ("ordering", {"ordering": ["0", "1", "2"]}, "each of the 6 positions shown exactly once"),
        ("ordering", {"ordering": ["0", "0", "1", "2", "3", "4"]}, "exactly once"),
        ("matchings", {"matchings": ["a"]}, "every value must be a position shown"),
        ("fill-in", {"fill-in/XXXX": ["123456"]}, "longer than 5 characters"),
        ("fill-in", {"fill-in/YYYY": ["+", "-"]}, "takes one value, got 2"),
        ("open-ended", {"open-ended": ["x" * 20_001]}, "longer than 20000 characters"),
    ],
)
def test_malformed_answers_are_refused(pid: str, fields: dict[str, list[object]], message: str) -> None:
    with pytest.raises(AnswerError, match=message):
        parse_answer(pid, PROBLEMS[pid], fields)


def test_answers_are_stored_as_given() -> None:
    assert parse_answer("fill-in", PROBLEMS["fill-in"], {"fill-in/XXXX": ["0"], "fill-in/ZZZZ": ["7"]}) == {
        "XXXX": "0",
        "YYYY": "",
        "ZZZZ": "7",
    }
    assert parse_answer("ordering", PROBLEMS["ordering"], {"ordering": ["5", "4", "3", "2", "1", "0"]}) == [
        5,
        4,
        3,
        2,
        1,
        0,
    ]
    assert parse_answer("open-ended", PROBLEMS["open-ended"], {}) == ""


def test_scores_weigh_the_grade_and_an_open_answer_keeps_it_pending() -> None:
    right = PartResult(Verdict.AC, 1.0, "", weight=90)
    wrong = PartResult(Verdict.WA, 0.0, "", weight=10)
    outcome = combine({"a": right, "b": wrong})
    assert (outcome.verdict, outcome.grade) == (Verdict.SC, 90.0)
    waiting = grade_jutge_part(PROBLEMS["open-ended"], "I like quizzes", SEED, None)
    waiting.weight = 10
    pending = combine({"a": right, "open-ended": waiting})
    assert (pending.verdict, pending.grade, pending.score) == (None, None, None)
    assert pending.problems_feedback is not None and pending.problems_feedback["open-ended"][0] == "pending"
    assert "wait for a teacher" in pending.feedback
    graded = grade_jutge_part(PROBLEMS["open-ended"], "I like quizzes", SEED, 50)
    graded.weight = 10
    done = combine({"a": right, "open-ended": graded})
    assert (done.verdict, done.grade) == (Verdict.SC, 95.0)


def test_a_shuffled_quiz_shows_each_student_the_questions_in_an_order_of_their_own() -> None:
    quiz = load_quiz(FIXTURE_PACKAGES / "jutge" / "quiz.pbm")
    problems = quiz_problems(replace(quiz, shuffle=True))
    for problem in problems.values():
        problem.pop("_script", None)  # no sandbox here: the questions without their variables
    problems["ordering"]["hide_score"] = True
    task = Task(slug="P12345", problem_id="P12345", problems=problems)
    orders = {tuple(public_problems(task, ChoiceOrder("secret", f"student{n}"))) for n in range(10)}
    assert len(orders) > 1 and all(sorted(order) == sorted(problems) for order in orders)
    alice = ChoiceOrder("secret", "alice")
    assert list(public_problems(task, alice)) == list(public_problems(task, alice))
    shown = public_problems(task, alice)
    assert "score" not in shown["ordering"] and shown["matchings"]["score"] == 20
    assert "_shuffled" not in shown["ordering"]
    task.problems = {pid: {**p, "_script": None} for pid, p in PROBLEMS.items()}  # shuffle: false
    assert list(public_problems(task, alice)) == list(PROBLEMS)
