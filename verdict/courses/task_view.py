"""Tasks as the INGInious face shows them: finding courses and tasks by id, which tasks a user
sees, and the public view of their sub-problems.

* A task is *visible* once its window started (never when ``false``); past its end it stays
  visible but closed. Staff see every task.
* The public view is everything but the answers: no match ``answer``, no multiple-choice
  ``valid``, per-choice ``feedback``, ``success_message`` or ``error_message`` (those are feedback).
* Multiple-choice choices are shown in an order, and as a subset, that only the server can compute
  (:class:`ChoiceOrder`).
* A Jutge quiz task (:mod:`verdict.courses.jutge_quiz`) is shown with the student's own variables
  substituted: its scripts run in the sandbox with the student's seed
  (:meth:`ChoiceOrder.quiz_seed`), and ``FIG_DIR`` is replaced by the URL of the task's figures.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts.models import User
from verdict.courses.access import Access
from verdict.courses.jutge_quiz import QUIZ_PART_TYPES, SHUFFLED_KEY, public_part, shown_order, with_figures
from verdict.courses.models import Course, Task
from verdict.courses.subproblems import ID_RE
from verdict.courses.windows import window_of
from verdict.errors import Unavailable
from verdict.judge.quiz_variables import QuizScriptError, Variables, run_scripts, substitute_all
from verdict.judge.sandbox import SandboxConfig

# Keys of a sub-problem that only the grader may see.
PRIVATE_KEYS = {
    "match": ("answer",),
    "multiple_choice": ("success_message", "error_message"),
}


def get_course(session: Session, course_id: str) -> Course | None:
    if not ID_RE.match(course_id):
        return None
    return session.scalar(sa.select(Course).where(Course.slug == course_id))


def get_task(session: Session, course: Course, task_id: str) -> Task | None:
    if not ID_RE.match(task_id):
        return None
    return session.scalar(sa.select(Task).where(Task.course_id == course.id, Task.slug == task_id))


def task_visible(task: Task, access: Access, now: datetime | None = None) -> bool:
    return access.staff or window_of(task.accessibility).has_started(now or db.utcnow())


def visible_tasks(
    session: Session, course: Course, access: Access, now: datetime | None = None
) -> list[Task]:
    now = now or db.utcnow()
    tasks = session.scalars(
        sa.select(Task).where(Task.course_id == course.id).order_by(Task.position, Task.slug)
    )
    return [task for task in tasks if task_visible(task, access, now)]


def contact_url(task: Task, course: Course, user: User) -> str:
    """The task's contact URL with INGInious placeholders filled in."""
    url = task.contact_url or ""
    for key, value in (("{task_id}", task.slug), ("{course_id}", course.slug), ("{username}", user.username)):
        url = url.replace(key, value)
    return url


def shown_choices(problem: Mapping[str, Any], seed: str) -> list[int]:
    """Indices of the choices shown to one student, in the order shown (INGInious's rule).

    The choices are shuffled with a generator seeded by ``seed`` (user, task and problem, so a
    student always sees the same thing). With ``limit`` > 0: for a multiple-answer problem every
    valid choice and then invalid ones up to ``limit``; for a single-answer one, one valid choice
    and invalid ones up to ``limit``. Finally shuffled again, or in file order with ``unshuffle``.
    """
    choices = list(enumerate(problem.get("choices") or []))
    rand = random.Random(seed)
    rand.shuffle(choices)
    limit = int(problem.get("limit") or 0)
    if limit > 0:
        picked: list[tuple[int, Any]] = []
        valid = [c for c in choices if _valid(c[1])]
        invalid = [c for c in choices if not _valid(c[1])]
        picked += valid if problem.get("multiple") else valid[:1]
        room = max(limit - len(picked), 0)
        picked += invalid[:room]
        choices = picked
    if problem.get("unshuffle"):
        choices.sort(key=lambda c: c[0])
    else:
        rand.shuffle(choices)
    return [index for index, _ in choices]


def _valid(choice: Any) -> bool:
    return isinstance(choice, Mapping) and bool(choice.get("valid"))


@dataclass(frozen=True)
class ChoiceOrder:
    """Which choices one student sees, and in what order, keyed with the server's secret.

    INGInious seeds the shuffle with ``username#task#pid``, which anyone can recompute: with a
    ``limit``, the one valid choice always shown could be read off the task view (issue 10, M2).
    Here the seed is an HMAC under the server's secret. A subset (``limit`` > 0) is renumbered
    0..k-1, so its original indices are not shown either; without a limit every choice is shown
    anyway and keeps INGInious's numbering, the original index.
    """

    secret: str
    username: str
    user_id: int | None = None  # the seed of a Jutge quiz's variables (with the problem)
    sandbox: SandboxConfig | None = None  # where a Jutge quiz's variable scripts run

    def quiz_seed(self, task: Task) -> int:
        """The seed of the student's variables in the task's quiz: an HMAC under the server's
        secret of the student's id and the problem (the same problem in two courses gives a
        student the same numbers; other students cannot compute it). 31 bits, as the toolkit's
        seeds are plain integers. Changing the secret key changes every student's numbers."""
        message = f"quiz#{task.problem_id or task.slug}#{self.user_id}".encode()
        digest = hmac.new(self.secret.encode(), message, hashlib.sha256).digest()
        return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF

    def variables(self, task: Task) -> dict[str, Variables]:
        """pid -> the student's variables, for every sub-problem with a variable script."""
        scripts = {
            pid: str(problem["_script"])
            for pid, problem in (task.problems or {}).items()
            if isinstance(problem, Mapping) and problem.get("_script")
        }
        if not scripts:
            return {}
        if self.sandbox is None or self.user_id is None:
            raise QuizScriptError("this quiz has variable scripts, and no sandbox is configured to run them")
        return run_scripts(scripts, self.quiz_seed(task), self.sandbox)

    def personal(self, task: Task, figures_url: str = "") -> dict[str, Any]:
        """The task's sub-problems with the student's variables substituted (answers included:
        for the grader, and for :func:`public_problems` to strip)."""
        variables = self.variables(task)
        problems: dict[str, Any] = {}
        for pid, problem in (task.problems or {}).items():
            if isinstance(problem, Mapping) and pid in variables:
                problem = {
                    key: value if str(key).startswith("_") else substitute_all(value, variables[pid])
                    for key, value in problem.items()
                }
            problems[pid] = with_figures(problem, figures_url) if figures_url else problem
        return problems

    def seed(self, task: Task, pid: str) -> str:
        message = f"{self.username}#{task.slug}#{pid}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    def shown(self, task: Task, pid: str, problem: Mapping[str, Any]) -> list[int]:
        """The original indices of the choices shown, in the order shown."""
        return shown_choices(problem, self.seed(task, pid))

    def numbered(self, task: Task, pid: str, problem: Mapping[str, Any]) -> dict[int, int]:
        """Number shown to the student -> original index, for the choices shown, in order."""
        shown = self.shown(task, pid, problem)
        if _renumbered(problem):
            return dict(enumerate(shown))
        return {index: index for index in shown}


def _renumbered(problem: Mapping[str, Any]) -> bool:
    limit = problem.get("limit")
    return isinstance(limit, int) and limit > 0


def public_problems(task: Task, order: ChoiceOrder, figures_url: str = "") -> dict[str, dict[str, Any]]:
    """The sub-problems as a student may see them: no match ``answer``, no multiple-choice
    ``valid``, per-choice ``feedback`` or success/error messages; choices as position → text
    (the shown subset, in the shown order, numbered from 0: see :class:`ChoiceOrder`). Jutge quiz
    parts: the student's variables substituted, no correct answers (:func:`public_part`)."""
    shown: dict[str, dict[str, Any]] = {}
    try:
        personal = order.personal(task, figures_url)
    except QuizScriptError as error:
        raise Unavailable(f"this quiz cannot be shown: {error}") from None
    for pid, problem in personal.items():
        if not isinstance(problem, Mapping):
            continue
        kind = problem.get("type")
        if kind in QUIZ_PART_TYPES:
            shown[pid] = public_part(problem, order.seed(task, pid))
            continue
        view = {
            key: copy.deepcopy(value)
            for key, value in problem.items()
            if key not in PRIVATE_KEYS.get(str(kind), ()) and not str(key).startswith("_")
        }
        if kind == "multiple_choice":
            choices = problem.get("choices") or []
            view["choices"] = {
                number: str(choices[index].get("text", "")) if isinstance(choices[index], Mapping) else ""
                for number, index in order.numbered(task, pid, problem).items()
            }
        if problem.get("hide_score"):  # a Jutge question whose score is not shown
            view.pop("score", None)
        shown[pid] = view
    return question_order(task, order, shown)


def question_order(
    task: Task, order: ChoiceOrder, shown: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """A Jutge quiz with ``shuffle: true`` shows its questions in an order of the student's own."""
    problems = task.problems or {}
    if not shown or not all(isinstance(p, Mapping) and p.get(SHUFFLED_KEY) for p in problems.values()):
        return shown
    pids = list(shown)
    return {pids[i]: shown[pids[i]] for i in shown_order(len(pids), order.seed(task, "#questions"), True)}


def problem_feedback_html(value: Any) -> str:
    """The HTML of a stored per-problem feedback: ``[result, html]`` (INGInious's own form) or a string."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return str(value[1])
    return "" if value is None else str(value)
