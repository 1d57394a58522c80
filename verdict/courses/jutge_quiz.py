"""Jutge quizzes as INGInious tasks: one sub-problem per question, graded in-process.

One quiz model (:mod:`verdict.judge.quiz_model`), two formats. A Jutge quiz problem in a course
list becomes a task whose sub-problems are its questions, keyed by question file (:func:`quiz_problems`):

* SingleChoice / MultipleChoice -> INGInious's own ``multiple_choice`` (``valid`` = ``correct``,
  per-choice ``feedback`` = ``hint``, ``unshuffle`` = not ``shuffle``), graded by the same code,
  which also knows ``partial_answer``;
* FillIn -> ``fill_in``, Ordering -> ``ordering``, Matching -> ``matching``, OpenQuestion -> ``open``.

Every quiz sub-problem carries its ``score`` (the weight of the question in the task's grade),
``partial_answer``, ``hide_score`` (the score then left out of the view) and, under the private key
``_script``, its variable script. Keys starting with ``_`` never reach a student
(:func:`verdict.courses.task_view.public_problems`). A quiz with ``shuffle: true`` marks its
sub-problems ``_shuffled``: each student sees the questions in an order of their own.

Variables: each student's seed is an HMAC of their id and the problem under the server's secret
(:meth:`~verdict.courses.task_view.ChoiceOrder.quiz_seed`); the scripts run in the sandbox each
time the task is shown and again when it is graded (one sandboxed run for all the scripts of the
quiz, about a tenth of a second), so the web process needs the sandbox for a quiz with scripts.

Answers (form fields) and what is stored:

* ``fill_in``: one field ``<pid>/<placeholder>`` per blank -> ``{placeholder: text}``;
* ``ordering``: the key repeated, the *shown* positions in the student's order -> a list of ints;
* ``matching``: the key repeated, one *shown* right position per *shown* left item -> a list of ints;
* ``open``: one text field -> the text.

The shown order of ordering and matching items is a permutation computed by the server from the
student's HMAC seed (:meth:`~verdict.courses.task_view.ChoiceOrder.seed`): the stored positions
are mapped back to items when grading, so the correct order never leaves the server.

Scoring follows the toolkit's ``lib/play-quiz.ts``: without ``partial_answer`` a question scores
only when wholly right; with it, the fraction of blanks / positions / pairs right. For a
MultipleChoice with ``partial_answer`` the toolkit adds ``1/#correct`` per correct choice picked and
never takes anything off, so picking every choice scores full marks; here each wrong choice picked
takes ``1/#correct`` off again (floored at 0). Free-text blanks are compared as the toolkit
documents per item (``trim``, ``ignorecase``, both default true), not with the first item's flags
as its player does.

An open question waits for a teacher: the task's grade is *pending* (no verdict, no grade) until a
staff member grades it (:func:`grade_open_answers`, behind ``POST
/api/v0/courses/{course}/tasks/{task}/submissions/{id}/grades``); the submission is then graded
again, with the teacher's scores, by the grading engine.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verdict.judge.quiz_model import FIG_DIR, Question, Quiz, QuizQuestion
from verdict.submissions.models import Submission, SubmissionStatus

QUIZ_PART_TYPES = ("fill_in", "ordering", "matching", "open")  # Jutge's; multiple_choice is shared
TEACHER_KEY = "_teacher"  # in a submission's input: pid -> the teacher's score 0-100 of an open answer
MAX_OPEN_ANSWER = 20_000
PENDING = "pending"  # a part's verdict while it waits for a teacher
QUIZ_KEY = "_quiz"  # on every sub-problem made from a Jutge quiz (sync may replace them)
SHUFFLED_KEY = "_shuffled"  # on every sub-problem of a quiz with ``shuffle: true`` (question order)


# --- the task's sub-problems ------------------------------------------------------------------------


def quiz_problems(quiz: Quiz) -> dict[str, dict[str, Any]]:
    """The task's sub-problems, one per question in quiz.yml order, keyed by question file."""
    problems = {item.file: _subproblem(item) for item in quiz.questions}
    if quiz.shuffle:
        for problem in problems.values():
            problem[SHUFFLED_KEY] = True
    return problems


def _subproblem(item: QuizQuestion) -> dict[str, Any]:
    question = item.question
    part: dict[str, Any] = {
        "name": item.title,
        "header": question.text,
        "score": item.score,
        "partial_answer": question.partial_answer,
        "hide_score": question.hide_score,
        **_typed(question),
        QUIZ_KEY: True,
    }
    if item.script is not None:
        part["_script"] = item.script
    return part


def _typed(question: Question) -> dict[str, Any]:
    if question.type in ("SingleChoice", "MultipleChoice"):
        return {
            "type": "multiple_choice",
            "multiple": question.type == "MultipleChoice",
            "unshuffle": not question.shuffle,
            "choices": [{"text": c.text, "valid": c.correct, "feedback": c.hint} for c in question.choices],
        }
    if question.type == "FillIn":
        return {
            "type": "fill_in",
            "context": question.context,
            "items": {
                key: {
                    "correct": item.correct,
                    "options": list(item.options),
                    "maxlength": item.maxlength,
                    "placeholder": item.placeholder,
                    "ignorecase": item.ignorecase,
                    "trim": item.trim,
                }
                for key, item in question.blanks.items()
            },
        }
    if question.type == "Ordering":
        return {
            "type": "ordering",
            "label": question.label,
            "items": list(question.items),
            "shuffle": question.shuffle,
        }
    if question.type == "Matching":
        return {
            "type": "matching",
            "labels": list(question.labels),
            "left": list(question.left),
            "right": list(question.right),
            "shuffle": question.shuffle,
        }
    return {"type": "open", "placeholder": question.placeholder}


def made_from_quiz(problems: Mapping[str, Any]) -> bool:
    """Whether a task's sub-problems are a Jutge quiz's questions (:func:`quiz_problems`)."""
    return bool(problems) and all(isinstance(p, Mapping) and p.get(QUIZ_KEY) for p in problems.values())


def with_figures(value: Any, url: str) -> Any:
    """``FIG_DIR`` in every string of ``value`` replaced by ``url`` (where the images are served)."""
    if isinstance(value, str):
        return value.replace(FIG_DIR, url)
    if isinstance(value, list):
        return [with_figures(item, url) for item in value]
    if isinstance(value, dict):
        return {key: with_figures(item, url) for key, item in value.items()}
    return value


# --- what a student sees --------------------------------------------------------------------------


def shown_order(count: int, seed: str, shuffle: bool) -> list[int]:
    """The original indices of ``count`` items in the order one student is shown them."""
    order = list(range(count))
    if shuffle:
        random.Random(seed).shuffle(order)
    return order


def public_part(problem: Mapping[str, Any], seed: str) -> dict[str, Any]:
    """A Jutge quiz sub-problem as a student sees it (after variables were substituted): no correct
    blank, ordering items and matching columns in the student's shown order."""
    kind = problem.get("type")
    view = {key: value for key, value in problem.items() if not str(key).startswith("_")}
    if problem.get("hide_score"):
        view.pop("score", None)
    if kind == "fill_in":
        view["items"] = {
            key: {name: value for name, value in item.items() if name != "correct"}
            for key, item in (problem.get("items") or {}).items()
        }
    elif kind == "ordering":
        items = list(problem.get("items") or [])
        view["items"] = [items[i] for i in shown_order(len(items), seed, bool(problem.get("shuffle", True)))]
    elif kind == "matching":
        left, right = _columns(problem, seed)
        view["left"] = [problem["left"][i] for i in left]
        view["right"] = [problem["right"][i] for i in right]
    return view


def _columns(problem: Mapping[str, Any], seed: str) -> tuple[list[int], list[int]]:
    count = len(problem.get("left") or [])
    shuffle = bool(problem.get("shuffle", True))
    return shown_order(count, f"{seed}/left", shuffle), shown_order(count, f"{seed}/right", shuffle)


# --- answers ----------------------------------------------------------------------------------------


class AnswerError(ValueError):
    """An answer that does not fit its question (the caller turns it into InvalidInput)."""


def parse_answer(pid: str, problem: Mapping[str, Any], fields: Mapping[str, Sequence[object]]) -> Any:
    """A Jutge quiz sub-problem's answer from the submitted fields, as stored."""
    kind = problem.get("type")
    if kind == "fill_in":
        return {key: _blank(pid, key, item, fields) for key, item in (problem.get("items") or {}).items()}
    if kind == "ordering":
        return _positions(pid, list(fields.get(pid, ())), len(problem.get("items") or []))
    if kind == "matching":
        return _positions(pid, list(fields.get(pid, ())), len(problem.get("left") or []))
    text = _one_text(pid, list(fields.get(pid, ())))
    if len(text) > MAX_OPEN_ANSWER:
        raise AnswerError(f"problem {pid!r}: the answer is longer than {MAX_OPEN_ANSWER} characters")
    return text


def _one_text(name: str, values: list[object]) -> str:
    if len(values) > 1:
        raise AnswerError(f"problem {name!r} takes one value, got {len(values)}")
    if values and not isinstance(values[0], str):
        raise AnswerError(f"problem {name!r} takes text")
    return str(values[0]) if values else ""


def _blank(pid: str, key: str, item: Mapping[str, Any], fields: Mapping[str, Sequence[object]]) -> str:
    name = f"{pid}/{key}"
    text = _one_text(name, list(fields.get(name, ())))
    if len(text) > int(item.get("maxlength") or 100):
        raise AnswerError(f"problem {name!r}: the answer is longer than {item.get('maxlength')} characters")
    return text


def _positions(pid: str, values: list[object], count: int) -> list[int]:
    """Every shown position 0..count-1 once (an ordering, or a right item per left one)."""
    if not all(isinstance(v, str) and re.fullmatch(r"\s*[0-9]{1,4}\s*", v) for v in values):
        raise AnswerError(f"problem {pid!r}: every value must be a position shown")
    positions = [int(str(v)) for v in values]
    if sorted(positions) != list(range(count)):
        raise AnswerError(f"problem {pid!r}: give each of the {count} positions shown exactly once")
    return positions


# --- grading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartGrade:
    """A quiz part graded: score 0-1, whether it is wholly right, what the student is told;
    ``pending`` while an open answer waits for a teacher."""

    score: float
    correct: bool
    messages: list[str]
    pending: bool = False


def grade_part(problem: Mapping[str, Any], answer: Any, seed: str, teacher: Any = None) -> PartGrade:
    """A Jutge quiz sub-problem (its variables substituted) graded against the stored answer."""
    kind = problem.get("type")
    partial = bool(problem.get("partial_answer"))
    if kind == "open":
        return _open(teacher)
    if kind == "fill_in":
        right, total = _fill_in(problem, answer)
    elif kind == "ordering":
        right, total = _ordering(problem, answer, seed)
    else:
        right, total = _matching(problem, answer, seed)
    wholly = total > 0 and right == total
    score = 1.0 if wholly else (right / total if partial and total else 0.0)
    message = "Correct answer" if wholly else f"{right} of {total} right" if partial else "Wrong answer"
    return PartGrade(score, wholly, [message])


def _open(teacher: Any) -> PartGrade:
    if isinstance(teacher, int | float) and not isinstance(teacher, bool):
        score = max(0.0, min(float(teacher), 100.0)) / 100.0
        return PartGrade(score, score == 1.0, [f"Graded by a teacher: {score * 100:g}/100"])
    return PartGrade(0.0, False, ["This answer waits for a teacher's grade."], pending=True)


def _same(given: str, correct: str, item: Mapping[str, Any]) -> bool:
    if item.get("trim", True):
        given, correct = given.strip(), correct.strip()
    if item.get("ignorecase", True):
        given, correct = given.casefold(), correct.casefold()
    return given == correct


def _fill_in(problem: Mapping[str, Any], answer: Any) -> tuple[int, int]:
    items = problem.get("items") or {}
    given = answer if isinstance(answer, Mapping) else {}
    right = sum(
        _same(str(given.get(key, "")), str(item.get("correct", "")), item) for key, item in items.items()
    )
    return right, len(items)


def _ordering(problem: Mapping[str, Any], answer: Any, seed: str) -> tuple[int, int]:
    items = list(problem.get("items") or [])
    shown = shown_order(len(items), seed, bool(problem.get("shuffle", True)))
    positions = answer if isinstance(answer, list) and sorted(answer) == list(range(len(items))) else []
    chosen = [shown[p] for p in positions]
    return sum(1 for place, index in enumerate(chosen) if index == place), len(items)


def _matching(problem: Mapping[str, Any], answer: Any, seed: str) -> tuple[int, int]:
    """Left item ``left[i]`` matches ``right[i]``: a pair is right when both have one index."""
    count = len(problem.get("left") or [])
    left, right = _columns(problem, seed)
    positions = answer if isinstance(answer, list) and len(answer) == count else []
    pairs = [(left[i], right[p]) for i, p in enumerate(positions) if isinstance(p, int) and 0 <= p < count]
    return sum(1 for a, b in pairs if a == b), count


def multiple_choice_partial(choices: Sequence[Mapping[str, Any]], chosen: Sequence[int]) -> float:
    """A MultipleChoice's partial score: +1/#correct per correct choice picked, -1/#correct per
    wrong one, floored at 0 (see the module's docstring)."""
    correct = {i for i, c in enumerate(choices) if c.get("valid")}
    if not correct:
        return 1.0 if not chosen else 0.0
    picked = set(chosen)
    return max(0.0, (len(picked & correct) - len(picked - correct)) / len(correct))


def is_pending(submission: Submission) -> bool:
    """Graded, but with open answers waiting for a teacher."""
    return submission.status == SubmissionStatus.DONE and any(
        isinstance(value, list | tuple) and len(value) == 2 and value[0] == PENDING
        for value in (submission.problems_feedback or {}).values()
    )
