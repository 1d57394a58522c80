"""The quiz model: a Jutge quiz (``handler: quiz``) as loaded from its package, with JSON-able
data for storing it with a problem version. Parsing is :mod:`verdict.judge.packages.jutge_quiz`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

QUESTION_TYPES = ("SingleChoice", "MultipleChoice", "FillIn", "Ordering", "Matching", "OpenQuestion")
FIG_DIR = "FIG_DIR"  # written in a question's Markdown where its images' URL goes
DEFAULT_MAXLENGTH = 100


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool = False
    hint: str = ""


@dataclass(frozen=True)
class FillInItem:
    correct: str
    options: list[str] = field(default_factory=list)  # empty: a free-text blank
    maxlength: int = DEFAULT_MAXLENGTH
    placeholder: str = ""
    ignorecase: bool = True
    trim: bool = True


@dataclass(frozen=True)
class Question:
    """One question file. Only the fields of its ``type`` are meaningful."""

    type: str
    text: str
    partial_answer: bool = False
    hide_score: bool = False
    shuffle: bool = True
    choices: list[Choice] = field(default_factory=list)  # SingleChoice, MultipleChoice
    context: str = ""  # FillIn: the text with the placeholders
    blanks: dict[str, FillInItem] = field(default_factory=dict)  # FillIn `items`
    label: str = ""  # Ordering
    items: list[str] = field(default_factory=list)  # Ordering, in the correct order
    labels: list[str] = field(default_factory=list)  # Matching: the two columns' labels
    left: list[str] = field(default_factory=list)  # Matching: left[i] matches right[i]
    right: list[str] = field(default_factory=list)
    placeholder: str = ""  # OpenQuestion


@dataclass(frozen=True)
class QuizQuestion:
    """An entry of quiz.yml with its question and its variable script's text (if any)."""

    title: str
    file: str
    score: float
    question: Question
    script: str | None = None


@dataclass(frozen=True)
class Quiz:
    title: str
    statement: str
    questions: list[QuizQuestion]
    author: str = ""
    shuffle: bool = False
    folder: str = ""  # where quiz.yml is, relative to the package root ("" or "en" ...)
    figures: list[str] = field(default_factory=list)  # image files beside quiz.yml

    def to_data(self) -> dict[str, Any]:
        """The quiz as JSON-able data (stored with a problem version)."""
        return asdict(self)


def quiz_from_data(data: Any) -> Quiz:
    """The inverse of :meth:`Quiz.to_data`."""
    questions = [
        QuizQuestion(
            title=q["title"],
            file=q["file"],
            score=float(q["score"]),
            script=q.get("script"),
            question=_question_from_data(q["question"]),
        )
        for q in data["questions"]
    ]
    return Quiz(
        title=data["title"],
        statement=data["statement"],
        questions=questions,
        author=data.get("author", ""),
        shuffle=bool(data.get("shuffle", False)),
        folder=data.get("folder", ""),
        figures=list(data.get("figures", [])),
    )


def _question_from_data(data: dict[str, Any]) -> Question:
    values = dict(data)
    values["choices"] = [Choice(**c) for c in values.get("choices", [])]
    values["blanks"] = {k: FillInItem(**v) for k, v in values.get("blanks", {}).items()}
    return Question(**values)
