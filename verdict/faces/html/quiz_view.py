"""A Jutge quiz's questions on the task page: their Markdown rendered, the fields of each kind of
question, the form checked before it is submitted, and the student's answers shown as texts.

What the page gets is the public view (:func:`verdict.courses.task_view.public_problems`): the
student's variables substituted, the ordering and matching items in the student's shown order, no
correct answer. The form's fields are those the API takes (:mod:`verdict.courses.jutge_quiz`):

* fill_in: one field ``<pid>/<placeholder>`` per blank, shown where the placeholder is in the
  question's context (a text input, or a list when the blank has options), "Blank n" to a screen
  reader;
* ordering: for each position 1..n a list of the shown items; the key repeated with the chosen
  *shown* positions in order (no drag and drop: a keyboard and a phone need nothing else);
* matching: for each shown left item a list of the shown right items; the key repeated.

Texts are Markdown, as the Jutge toolkit shows them (rendered as statements are, raw HTML shown as
text, sanitised); ``FIG_DIR/<name>`` images point at the task's figures route.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verdict.judge.quiz_model import FIG_DIR
from verdict.problems.statements import render_source

# A blank's place in the context while it is rendered: private-use characters Markdown keeps as text.
BLANK_OPEN, BLANK_CLOSE = "\ue010", "\ue011"
BLANK = re.compile(f"{BLANK_OPEN}(\\d+){BLANK_CLOSE}")
ORDERED_KINDS = ("ordering", "matching")  # answered by a permutation of the shown positions


@dataclass(frozen=True)
class Blank:
    """One blank of a fill-in question as its field shows it."""

    number: int  # from 1, its accessible name ("Blank 1")
    key: str  # the placeholder, the field is ``<pid>/<key>``
    options: list[str]  # empty: a text input
    maxlength: int
    placeholder: str


@dataclass(frozen=True)
class Segment:
    """A piece of a fill-in context: safe HTML, or a blank (then ``html`` is empty)."""

    html: str
    blank: Blank | None = None


def markdown_html(text: str, figures: str, *, inline: bool = False) -> str:
    """A question's Markdown as safe HTML, its ``FIG_DIR`` images served from ``figures``; with
    ``inline``, a single paragraph loses its ``<p>`` (a choice, in its label)."""
    if not text.strip():
        return ""
    rendered = render_source(text, "markdown", "en", resolve_image=_figure_url(figures)).html.strip()
    if inline and rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


def _figure_url(figures: str) -> Any:
    def resolve(name: str) -> str | None:
        folder, _, file = name.partition("/")
        return f"{figures}/{file}" if folder == FIG_DIR and file and "/" not in file else None

    return resolve


def quiz_fields(problem: Mapping[str, Any], figures: str) -> dict[str, Any]:
    """What ``_quiz.html`` shows of a Jutge question (its public view), beside the part's header."""
    kind = problem.get("type")
    if kind == "fill_in":
        blanks = _blanks(problem)
        return {"segments": _segments(str(problem.get("context") or ""), blanks, figures), "blanks": blanks}
    if kind == "ordering":
        return {
            "label": str(problem.get("label") or ""),
            "items": [markdown_html(str(item), figures, inline=True) for item in problem.get("items") or []],
        }
    if kind == "matching":
        labels = [str(label) for label in problem.get("labels") or []] + ["", ""]
        return {
            "labels": labels[:2],
            "left": [markdown_html(str(item), figures, inline=True) for item in problem.get("left") or []],
            "right": [markdown_html(str(item), figures, inline=True) for item in problem.get("right") or []],
        }
    return {}


def _blanks(problem: Mapping[str, Any]) -> list[Blank]:
    items = problem.get("items") or {}
    return [
        Blank(
            number,
            str(key),
            [str(option) for option in item.get("options") or []],
            int(item.get("maxlength") or 100),
            str(item.get("placeholder") or ""),
        )
        for number, (key, item) in enumerate(items.items(), start=1)
        if isinstance(item, Mapping)
    ]


def _segments(context: str, blanks: list[Blank], figures: str) -> list[Segment]:
    """The context rendered with each blank's field where its placeholder first is; a blank whose
    placeholder is not in the context comes after it."""
    marked, placed = context, set()
    for index, blank in enumerate(blanks):
        if blank.key and blank.key in marked:
            marked = marked.replace(blank.key, f"{BLANK_OPEN}{index}{BLANK_CLOSE}", 1)
            placed.add(index)
    rendered = markdown_html(marked, figures)
    segments: list[Segment] = []
    for number, piece in enumerate(BLANK.split(rendered)):
        if number % 2 == 0:
            if piece:
                segments.append(Segment(piece))
        elif int(piece) < len(blanks):
            segments.append(Segment("", blanks[int(piece)]))
    segments += [Segment("", blank) for index, blank in enumerate(blanks) if index not in placed]
    return segments


def permutation_errors(problems: Mapping[str, Any], fields: Mapping[str, Sequence[object]]) -> list[str]:
    """The names (or ids) of the ordering and matching questions whose answer is not each shown
    position once (the page says so before the use case refuses it)."""
    wrong: list[str] = []
    for pid, problem in problems.items():
        if not isinstance(problem, Mapping) or problem.get("type") not in ORDERED_KINDS:
            continue
        count = len(problem.get("items" if problem.get("type") == "ordering" else "left") or [])
        given = [value.strip() if isinstance(value, str) else "" for value in fields.get(pid, ())]
        numbers = [int(value) for value in given if re.fullmatch(r"[0-9]{1,4}", value)]
        if len(numbers) != len(given) or sorted(numbers) != list(range(count)):
            wrong.append(str(problem.get("name") or pid))
    return wrong


def answer_text(problem: Mapping[str, Any], value: Any, blank: Callable[[int], str]) -> str | None:
    """A stored answer to a Jutge question as the student's own texts (``problem``: the public
    view the student was shown; ``blank``: the name of blank n as the form shows it), or None for
    a kind shown as stored."""
    kind = problem.get("type")
    if kind == "fill_in" and isinstance(value, Mapping):
        keys = list((problem.get("items") or {}).keys())
        return "; ".join(
            f"{blank(keys.index(key) + 1) if key in keys else key}: {text}" for key, text in value.items()
        )
    if kind == "ordering" and isinstance(value, list):
        return " → ".join(_shown(problem.get("items"), position) for position in value)
    if kind == "matching" and isinstance(value, list):
        left = problem.get("left") or []
        return "; ".join(
            f"{_shown(left, number)} → {_shown(problem.get('right'), position)}"
            for number, position in enumerate(value)
        )
    if kind == "multiple_choice":
        choices = problem.get("choices") or {}
        picked = value if isinstance(value, list) else [value]
        return "; ".join(_plain(choices[index]) if index in choices else str(index) for index in picked)
    return None


def _shown(items: Any, position: Any) -> str:
    items = list(items or [])
    return (
        _plain(items[position]) if isinstance(position, int) and 0 <= position < len(items) else str(position)
    )


def _plain(text: Any) -> str:
    """An item's Markdown as the text it shows (```42``` -> 42), for a line of answers."""
    return plain_text(markdown_html(str(text), "", inline=True)) or str(text)


def plain_text(rendered: str) -> str:
    """Rendered (safe) HTML as the text it shows, for a line of answers."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
