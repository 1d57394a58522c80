"""Jutge quiz packages (``handler: quiz``): ``quiz.yml`` and one YAML file per question.

The format is the one the Jutge toolkit lints and runs (``jtk quiz lint|run``, its
``docs/quiz-anatomy.md`` and ``lib/quiz.ts``):

* ``quiz.yml``: ``title``, ``author``, ``statement``, ``shuffle`` (question order, default false)
  and ``questions``: a list of ``{title, file, score}``, the scores adding up to 100.
* ``<file>.yml``: a question with a ``type`` (SingleChoice, MultipleChoice, FillIn, Ordering,
  Matching, OpenQuestion), its ``text`` and the keys of its type; every type takes
  ``partial_answer`` and ``hide_score`` (default false).
* ``<file>.py`` (optional): a variable script, run with a seed; its global variables are
  substituted for ``$name`` and ``${name}`` in the question's strings (see
  :mod:`verdict.judge.quiz_variables`, which runs it in the sandbox).
* Images are named ``FIG_DIR/<file>`` in Markdown; the files sit beside ``quiz.yml``.

``quiz.yml`` is looked for at the package root (a single-language quiz) or in a language
folder (``en/``, ``ca/`` ...: the toolkit's own layout), English first, else the first in name order.

Loading is pure: it parses and checks, and keeps each script's text on the model so that the
platform can run it without the package directory. Where the toolkit's lint (zod schemas) and
its documentation disagree, the documentation is followed (e.g. SingleChoice's ``shuffle`` defaults
to true).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from verdict.judge.errors import PackageError
from verdict.judge.packages.common import Fields, brief, load_mapping, read_text, type_name
from verdict.judge.quiz_model import (
    DEFAULT_MAXLENGTH,
    QUESTION_TYPES,
    Choice,
    FillInItem,
    Question,
    Quiz,
    QuizQuestion,
)

FIGURE_EXTENSIONS = (".png", ".svg", ".jpg", ".jpeg", ".gif")
MAX_QUESTIONS = 200
_FILE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_LANGUAGE_DIR_RE = re.compile(r"^[a-z]{2,3}$")


# --- loading --------------------------------------------------------------------------------------


def quiz_folder(root: Path) -> Path:
    """The directory holding quiz.yml: the root, else a language folder (``en`` first)."""
    if (root / "quiz.yml").is_file():
        return root
    folders = sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and _LANGUAGE_DIR_RE.match(p.name) and (p / "quiz.yml").is_file()
    )
    if not folders:
        raise PackageError(root / "quiz.yml", "missing quiz.yml (a quiz package needs one)")
    return next((p for p in folders if p.name == "en"), folders[0])


def load_quiz(root: Path) -> Quiz:
    """Parse and check quiz.yml and every question it lists; PackageError names what is wrong."""
    folder = quiz_folder(root)
    fields = load_mapping(folder / "quiz.yml")
    entries = _list(fields, "questions", required=True)
    if len(entries) > MAX_QUESTIONS:
        raise fields.error("questions", f"has {len(entries)} questions; at most {MAX_QUESTIONS} are allowed")
    questions = [_quiz_question(folder, fields, index, entry) for index, entry in enumerate(entries)]
    total = sum(q.score for q in questions)
    if abs(total - 100) > 1e-9:
        raise fields.error("questions", f"scores add up to {total:g}; they must add up to 100")
    files = [q.file for q in questions]
    if len(set(files)) != len(files):
        raise fields.error("questions", "lists a question file twice")
    return Quiz(
        title=fields.required_string("title"),
        statement=fields.string("statement", "") or "",
        author=fields.string("author", "") or "",
        shuffle=fields.boolean("shuffle", False),
        questions=questions,
        folder=folder.relative_to(root).as_posix() if folder != root else "",
        figures=sorted(
            p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FIGURE_EXTENSIONS
        ),
    )


def _figures(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FIGURE_EXTENSIONS)


def _quiz_question(folder: Path, quiz: Fields, index: int, entry: object) -> QuizQuestion:
    fields = Fields.of(quiz.path, entry, f"questions[{index}]")
    name = fields.required_string("file")
    if not _FILE_RE.match(name) or name.endswith((".yml", ".py")):
        raise fields.error("file", f"must be a question file name without .yml, got {brief(name)}")
    score = fields.number("score")
    if score is None or not 0 <= score <= 100:
        raise fields.error("score", "must be given as a number from 0 to 100")
    path = folder / f"{name}.yml"
    if not path.is_file():
        raise fields.error("file", f"names {brief(name)}, but {path.name} is not in the package")
    script = folder / f"{name}.py"
    return QuizQuestion(
        title=fields.string("title", name) or name,
        file=name,
        score=score,
        question=load_question(path),
        script=read_text(script) if script.is_file() else None,
    )


def load_question(path: Path) -> Question:
    """One question file, checked as the toolkit's lint checks it."""
    fields = load_mapping(path)
    kind = fields.required_string("type")
    if kind not in QUESTION_TYPES:
        raise fields.error(
            "type", f"has unknown value {brief(kind)}; expected one of {', '.join(QUESTION_TYPES)}"
        )
    common: dict[str, Any] = {
        "type": kind,
        "text": fields.required_string("text"),
        "partial_answer": fields.boolean("partial_answer", False),
        "hide_score": fields.boolean("hide_score", False),
        "shuffle": fields.boolean("shuffle", True),
    }
    if kind in ("SingleChoice", "MultipleChoice"):
        return Question(**common, choices=_choices(fields, single=kind == "SingleChoice"))
    if kind == "FillIn":
        return Question(**common, context=fields.string("context", "") or "", blanks=_blanks(fields))
    if kind == "Ordering":
        items = _strings(fields, "items")
        return Question(
            **common, label=fields.string("label", "") or "", items=_distinct(fields, "items", items)
        )
    if kind == "Matching":
        return _matching(fields, common)
    return Question(**common, placeholder=fields.string("placeholder", "") or "")


def _list(fields: Fields, key: str, *, required: bool = False) -> list[object]:
    value = fields.raw(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise fields.error(key, f"must be a non-empty list, got {type_name(value)}")
    return value


def _strings(fields: Fields, key: str) -> list[str]:
    """A non-empty list of scalars, read as strings (YAML reads `- 0` as an int)."""
    values = _list(fields, key, required=True)
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
        raise fields.error(key, "must be a list of strings")
    return [str(v) for v in values]


def _distinct(fields: Fields, key: str, values: list[str]) -> list[str]:
    if len(set(values)) != len(values):
        raise fields.error(key, "has the same text twice: the answers could not be told apart")
    return values


def _choices(fields: Fields, *, single: bool) -> list[Choice]:
    choices = []
    for index, entry in enumerate(_list(fields, "choices", required=True)):
        choice = Fields.of(fields.path, entry, f"choices[{index}]")
        choices.append(
            Choice(
                text=choice.required_string("text"),
                correct=choice.boolean("correct", False),
                hint=choice.string("hint", "") or "",
            )
        )
    _distinct(fields, "choices", [c.text for c in choices])
    correct = sum(c.correct for c in choices)
    if single and correct != 1:
        raise fields.error("choices", f"must have exactly one choice with 'correct: true', has {correct}")
    return choices


def _blanks(fields: Fields) -> dict[str, FillInItem]:
    items = fields.mapping("items")
    if not items.data:
        raise fields.error("items", "must map each placeholder of the context to its answer")
    context = fields.string("context", "") or ""
    blanks = {}
    for key in items.data:
        item = items.mapping(key)
        correct = item.required_string("correct")
        options = _strings(item, "options") if item.has("options") else []
        if options and correct not in options:
            raise item.error("correct", f"is {brief(correct)}, which is not one of its options")
        if key not in context:
            raise items.error(key, "does not appear in the context")
        maxlength = item.positive("maxlength", DEFAULT_MAXLENGTH) or DEFAULT_MAXLENGTH
        blanks[key] = FillInItem(
            correct=correct,
            options=options,
            maxlength=int(maxlength),
            placeholder=item.string("placeholder", "") or "",
            ignorecase=item.boolean("ignorecase", True),
            trim=item.boolean("trim", True),
        )
    return blanks


def _matching(fields: Fields, common: dict[str, Any]) -> Question:
    left = _distinct(fields, "left", _strings(fields, "left"))
    right = _distinct(fields, "right", _strings(fields, "right"))
    if len(left) != len(right):
        raise fields.error("right", f"has {len(right)} items, 'left' {len(left)}: they must match one to one")
    labels = _strings(fields, "labels") if fields.has("labels") else []
    if labels and len(labels) != 2:
        raise fields.error("labels", "must be two strings: the left and right columns' labels")
    return Question(**common, labels=labels, left=left, right=right)
