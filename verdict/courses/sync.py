"""Jutge courses seen as INGInious courses: the tasks of a course follow its lists.

One task per problem of the course's lists (slug = the problem reference, a single ``code``
sub-problem; for a Jutge quiz, one sub-problem per question: :mod:`verdict.courses.jutge_quiz`), in
list order, before any other task (:func:`sync_course_tasks`). Whatever changes a
list, a course's lists or a problem's titles calls one of these, in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.courses.jutge_quiz import made_from_quiz, quiz_problems
from verdict.courses.models import Course, CourseList, ListItem, ListItemKind, Task
from verdict.judge.quiz_model import quiz_from_data
from verdict.problems.models import Problem, ProblemVersion
from verdict.problems.store import PROBLEM_REF_RE, parse_problem_ref


def course_problem_refs(session: Session, course: Course) -> list[str]:
    """The problem references of the course's lists, in order, each once."""
    rows = session.execute(
        sa.select(ListItem.value)
        .join(CourseList, CourseList.list_id == ListItem.list_id)
        .where(CourseList.course_id == course.id, ListItem.kind == ListItemKind.PROBLEM)
        .order_by(CourseList.position, ListItem.position)
    ).scalars()
    return list(dict.fromkeys(rows))


def sync_course_tasks(session: Session, course: Course) -> None:
    """Make the course's tasks follow its lists: one task per problem of the lists (slug = the
    problem reference, a single ``code`` sub-problem), positioned in list order, before any other
    task. Tasks of problems no longer in the lists are hidden (``accessibility`` False), never
    deleted: their submissions stay."""
    refs = course_problem_refs(session, course)
    problems = (
        {
            problem.id: problem
            for problem in session.scalars(
                sa.select(Problem).where(Problem.id.in_({parse_problem_ref(ref)[0] for ref in refs}))
            )
        }
        if refs
        else {}
    )
    tasks = {task.slug: task for task in course.tasks}
    position = 0
    listed: set[str] = set()
    for ref in refs:
        base, language = parse_problem_ref(ref)
        problem = problems.get(base)
        if problem is None:  # removed since the list was written
            continue
        title = problem.title(language)
        parts = _list_task_problems(session, problem, title)
        task = tasks.get(ref)
        if task is None:
            task = Task(slug=ref, problem_id=base, name=title, problems=parts, accessibility=True)
            course.tasks.append(task)
        elif _is_list_task(task):
            task.name = title
            if set(task.problems) <= {"code"} or made_from_quiz(task.problems):
                task.problems = parts  # what sync made follows the problem; a teacher's edits stay
            if task.accessibility is False:
                task.accessibility = True
        task.position = position
        position += 1
        listed.add(ref)
    others = sorted((t for t in tasks.values() if t.slug not in listed), key=lambda t: (t.position, t.id))
    for task in others:
        task.position = position
        position += 1
        if _is_list_task(task):
            task.accessibility = False
    session.flush()


def _is_list_task(task: Task) -> bool:
    """A task made by :func:`sync_course_tasks` (its slug is the reference of its problem)."""
    return (
        task.problem_id is not None
        and bool(PROBLEM_REF_RE.match(task.slug))
        and parse_problem_ref(task.slug)[0] == task.problem_id
    )


def _quiz_of(session: Session, problem: Problem) -> dict[str, Any] | None:
    """The stored quiz of the problem's current version, if it is a Jutge quiz."""
    if problem.current_version_id is None:
        return None
    version = session.get(ProblemVersion, problem.current_version_id)
    quiz = (version.meta or {}).get("quiz") if version else None
    return quiz if isinstance(quiz, dict) else None


def _list_task_problems(session: Session, problem: Problem, title: str) -> dict[str, Any]:
    quiz = _quiz_of(session, problem)
    return quiz_problems(quiz_from_data(quiz)) if quiz is not None else _code_problem(title)


def _code_problem(title: str) -> dict[str, Any]:
    return {"code": {"type": "code", "name": title, "language": ""}}


def sync_courses_of_lists(session: Session, list_ids: Iterable[int]) -> None:
    ids = list(list_ids)
    if not ids:
        return
    courses = session.scalars(
        sa.select(Course).where(
            Course.id.in_(sa.select(CourseList.course_id).where(CourseList.list_id.in_(ids)))
        )
    ).all()
    for course in courses:
        session.refresh(course, ["course_lists", "tasks"])
        sync_course_tasks(session, course)


def sync_courses_of_problem(session: Session, problem_id: str) -> None:
    """After a problem changed (its titles): the tasks of the courses listing it."""
    list_ids = session.scalars(
        sa.select(ListItem.list_id)
        .where(
            ListItem.kind == ListItemKind.PROBLEM,
            sa.or_(ListItem.value == problem_id, ListItem.value.like(f"{problem_id}\\_%", escape="\\")),
        )
        .distinct()
    ).all()
    sync_courses_of_lists(session, list_ids)
