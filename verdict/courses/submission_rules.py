"""Submitting to an INGInious task: who may submit now, what the answers must look like, and the
waiting submission they become.

* :func:`check_can_submit`: the course and the task open, one waiting submission per user and
  task, submission limits ``{amount, period}`` (staff exempt from all but the waiting one). A group
  task (``Task.group_submission``) takes submissions from students in a group only, one waiting
  per group, and its limit counts the group's submissions (:mod:`verdict.courses.groups`);
* :func:`parse_input`: the answers checked against the sub-problems, as stored. Answers arrive
  decoded (text, or an :class:`Upload`): reading HTTP bodies is the face's job. As INGInious: an
  empty answer to a required code problem is refused, a text problem takes no file, and a file
  problem without ``allowed_exts`` takes INGInious's default extensions (:data:`DEFAULT_ALLOWED_EXTS`);
* :func:`create_task_submission`: both, then the waiting row. The unit of work around it (write
  lock, commit, waking a grader) is :func:`verdict.submissions.service.submit_to_task`.

A program part's language is the problem's ``language`` when it names a judge language;
otherwise the field ``<pid>/language`` chooses it (for a ``file`` part, the file extension may
decide).
"""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts.models import User
from verdict.courses.access import Access
from verdict.courses.groups import (
    GROUP_LIMIT,
    NO_GROUP,
    group_of,
    group_student_ids,
    record_group,
    visible_to,
)
from verdict.courses.inginious_run import is_run_script_task
from verdict.courses.jutge_quiz import QUIZ_PART_TYPES, AnswerError, parse_answer
from verdict.courses.models import CourseGroup, SubmissionStudent, Task
from verdict.courses.registration import accept_enrolment
from verdict.courses.subproblems import fixed_language, program_parts, program_pids
from verdict.courses.task_view import ChoiceOrder
from verdict.courses.windows import window_of
from verdict.errors import InvalidInput, PermissionDenied, Unavailable
from verdict.grading.service import NewSubmission, create_submission
from verdict.judge.errors import UnknownLanguage
from verdict.judge.languages import Language, get_language, language_for_file
from verdict.judge.packages.common import brief
from verdict.problems.models import Problem, ProblemVersion
from verdict.problems.store import parse_problem_ref
from verdict.submissions.models import Submission, SubmissionStatus

PENDING = (SubmissionStatus.WAITING, SubmissionStatus.GRADING)
# INGInious's allowed_file_extensions, for a file problem that names none (its frontend default).
DEFAULT_ALLOWED_EXTS = (".c", ".cpp", ".java", ".oz", ".zip", ".tar.gz", ".tar.bz2", ".txt")
NOT_ALLOWED = "You are not allowed to submit for this task"  # INGInious's 403 message, as it words it


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name as the client gave it, and its bytes."""

    filename: str
    data: bytes


Answer = str | Upload  # one submitted value
Answers = Mapping[str, Sequence[Answer]]  # form key -> its values (a multiple-answer choice repeats its key)


def parse_input(
    task: Task,
    fields: Answers,
    *,
    max_upload_bytes: int,
    allowed_languages: Sequence[str] = (),
    order: ChoiceOrder | None = None,
) -> dict[str, Any]:
    """Check a submitted form against the task's sub-problems; the input to store.

    With ``order``, a choice is answered by the number :func:`public_problems` shows, only among
    the choices shown, and stored as its original index; without it, by its original index.

    ``fields`` maps each form key to its values (a multiple-answer choice repeats its key). Stored
    values: choice indices as ints (a list for multiple answers), text as str, files as
    ``{"filename", "value"}`` with the content base64-encoded, and ``<pid>/language`` as the judge
    compiler id of each program part. Raises InvalidInput naming the problem.
    """
    stored: dict[str, Any] = {}
    for pid, problem in (task.problems or {}).items():
        if not isinstance(problem, Mapping):
            continue
        kind = problem.get("type")
        values = list(fields.get(pid, ()))
        if kind == "multiple_choice":
            everything = {i: i for i in range(len(problem.get("choices") or []))}
            numbered = order.numbered(task, pid, problem) if order else everything
            stored[pid] = _choice_input(pid, numbered, bool(problem.get("multiple")), values)
        elif kind == "match":
            stored[pid] = _text_input(pid, values, required=True)
        elif kind in QUIZ_PART_TYPES:  # a Jutge quiz question
            try:
                stored[pid] = parse_answer(pid, problem, fields)
            except AnswerError as error:
                raise InvalidInput(str(error)) from None
        elif kind in ("code", "code_single_line"):
            text = _text_input(pid, values, required=not problem.get("optional"))
            if not text and not problem.get("optional"):
                # INGInious refuses an empty answer to a required code box (400): no submission used.
                raise InvalidInput(f"problem {pid!r}: the answer is empty, and it is required")
            if kind == "code_single_line" and ("\n" in text.strip("\r\n")):
                raise InvalidInput(f"problem {pid!r} takes a single line")
            stored[pid] = text
            stored[f"{pid}/language"] = _language_input(
                pid, problem, fields, None, allowed_languages, required=_needs_language(task, text)
            )
        elif kind == "file":
            upload = _file_input(pid, problem, values, max_upload_bytes)
            stored[pid] = (
                {"filename": upload.filename, "value": base64.b64encode(upload.data).decode("ascii")}
                if upload
                else {"filename": "", "value": ""}
            )
            stored[f"{pid}/language"] = _language_input(
                pid,
                problem,
                fields,
                upload,
                allowed_languages,
                required=upload is not None and not is_run_script_task(task),
            )
        else:
            raise InvalidInput(f"problem {pid!r} has type {kind!r}, which cannot be answered here")
    return stored


def _needs_language(task: Task, text: str) -> bool:
    """The judge needs the language of a code answer; a run script knows its own (none asked)."""
    return bool(text.strip()) and not is_run_script_task(task)


def _single(pid: str, values: list[Answer]) -> Answer | None:
    if not values:
        return None
    if len(values) > 1:
        raise InvalidInput(f"problem {pid!r} takes one value, got {len(values)}")
    return values[0]


def _text_input(pid: str, values: list[Answer], *, required: bool) -> str:
    value = _single(pid, values)
    if value is None:
        if required:
            raise InvalidInput(f"missing input for problem {pid!r}")
        return ""
    if isinstance(value, Upload):  # INGInious reads text answers from the form's fields only
        raise InvalidInput(f"problem {pid!r} takes text, not a file upload")
    return value


def _choice_input(
    pid: str, numbered: Mapping[int, int], multiple: bool, values: list[Answer]
) -> int | list[int]:
    """The original indices of the chosen numbers (``numbered``: shown number -> original index)."""

    def index(value: Answer) -> int:
        text = value if isinstance(value, str) else ""
        if not re.fullmatch(r"\s*[0-9]{1,6}\s*", text) or int(text) not in numbered:
            raise InvalidInput(f"problem {pid!r}: {brief(text)} is not a choice index shown")
        return numbered[int(text)]

    if multiple:
        indices = [index(value) for value in values]
        if len(set(indices)) != len(indices):
            raise InvalidInput(f"problem {pid!r}: a choice is given twice")
        return indices
    value = _single(pid, values)
    if value is None:
        raise InvalidInput(f"missing input for problem {pid!r}")
    return index(value)


def _file_input(
    pid: str, problem: Mapping[str, Any], values: list[Answer], max_upload_bytes: int
) -> Upload | None:
    value = _single(pid, values)
    if value is None or (isinstance(value, str) and not value):
        if problem.get("optional"):
            return None
        raise InvalidInput(f"missing file for problem {pid!r}")
    if isinstance(value, str):
        raise InvalidInput(f"problem {pid!r} takes a file upload (multipart/form-data)")
    name = value.filename.replace("\\", "/").rsplit("/", 1)[-1]
    allowed = [str(ext).lower() for ext in problem.get("allowed_exts") or DEFAULT_ALLOWED_EXTS]
    if not any(name.lower().endswith(ext) for ext in allowed):
        raise InvalidInput(
            f"problem {pid!r}: {name!r} has none of the allowed extensions {', '.join(allowed)}"
        )
    limit = min(int(problem.get("max_size") or max_upload_bytes), max_upload_bytes)
    if len(value.data) > limit:
        raise InvalidInput(f"problem {pid!r}: the file is larger than {limit} bytes")
    return Upload(name, value.data)


def _language_input(
    pid: str,
    problem: Mapping[str, Any],
    fields: Answers,
    upload: Upload | None,
    allowed: Sequence[str],
    *,
    required: bool,
) -> str:
    fixed = fixed_language(problem)
    chosen = _single(f"{pid}/language", list(fields.get(f"{pid}/language", ())))
    language: Language | None = None
    if isinstance(chosen, str) and chosen.strip():
        try:
            language = get_language(chosen.strip())
        except UnknownLanguage:
            raise InvalidInput(f"problem {pid!r}: unknown language {chosen!r}") from None
        if fixed is not None and language.id != fixed.id:
            raise InvalidInput(f"problem {pid!r} is to be answered in {fixed.id}, not {language.id}")
    language = language or fixed
    if language is None and upload is not None:
        with contextlib.suppress(UnknownLanguage):
            language = language_for_file(upload.filename)
    if language is None and not required:
        return ""
    if language is None:
        raise InvalidInput(f"problem {pid!r}: choose the language with the field {pid + '/language'!r}")
    if allowed and language.id not in allowed:
        raise InvalidInput(f"problem {pid!r}: {language.id} is not accepted here (use {', '.join(allowed)})")
    return language.id


def check_can_submit(
    session: Session, task: Task, user: User, access: Access, now: datetime | None = None
) -> list[int] | None:
    """Raises PermissionDenied unless ``user`` may submit to ``task`` now. Call it in the unit of work
    that creates the submission (after :func:`verdict.db.begin_write`), so that two requests
    cannot both pass. Returns the students of the user's group for a group task (None otherwise,
    and for staff, who submit alone)."""
    now = now or db.utcnow()
    if not access.registered:
        raise PermissionDenied("you are not registered to this course")
    if not access.staff:
        if not access.open:
            raise PermissionDenied("this course is not accessible now")
        window = window_of(task.accessibility)
        if window.never:  # closed (by task.yaml or the course's dispenser)
            raise PermissionDenied(NOT_ALLOWED)
        if not window.has_started(now):
            raise PermissionDenied("this task is not open yet")
        if not window.is_open(now):
            raise PermissionDenied("this task is closed: its deadline has passed")
    group = _group_students(session, task, user, access)
    pending = session.scalar(
        sa.select(sa.func.count())
        .select_from(Submission)
        .where(Submission.task_id == task.id, _submissions_of(user, group), Submission.status.in_(PENDING))
    )
    if pending:
        whose = "of your group" if group is not None else "of yours"
        raise PermissionDenied(f"a submission {whose} to this task is still waiting to be graded")
    if access.staff:
        return group
    amount, period = submission_limit(task)
    if amount < 0:
        return group
    query = (
        sa.select(sa.func.count())
        .select_from(Submission)
        .where(
            Submission.task_id == task.id,
            _submissions_of(user, group),
            Submission.status != SubmissionStatus.ERROR,
        )
    )
    if period > 0:
        query = query.where(Submission.created_at > now - timedelta(hours=period))
    used = session.scalar(query) or 0
    if used >= amount:
        within = f" in {period:g} hour(s)" if period > 0 else ""
        if group is not None:
            raise PermissionDenied(f"{GROUP_LIMIT}: {amount} submission(s){within}")
        raise PermissionDenied(f"submission limit reached: {amount} submission(s){within}")
    return group


def _group_students(session: Session, task: Task, user: User, access: Access) -> list[int] | None:
    """For a group task, the students of the user's group (locked on PostgreSQL, so that two of
    them cannot both pass the checks); PermissionDenied for a student in no group."""
    if not task.group_submission or access.staff:
        return None
    group = group_of(session, task.course_id, user)
    if group is None:
        raise PermissionDenied(NO_GROUP)
    session.execute(sa.select(CourseGroup.id).where(CourseGroup.id == group.id).with_for_update())
    return group_student_ids(session, group)


def _submissions_of(user: User, group: list[int] | None) -> sa.ColumnElement[bool]:
    """The user's submissions, or for a group task those made by or for any student of the group."""
    if group is None:
        return visible_to(user.id)
    return sa.or_(
        Submission.user_id.in_(group),
        Submission.id.in_(
            sa.select(SubmissionStudent.submission_id).where(SubmissionStudent.user_id.in_(group))
        ),
    )


def submission_limit(task: Task) -> tuple[int, float]:
    """(amount, period in hours); amount -1 is unlimited, period -1 is the whole course."""
    limit = task.submission_limit or {}
    try:
        amount = int(limit.get("amount", -1))
        period = float(limit.get("period", -1))
    except (TypeError, ValueError):
        return -1, -1.0
    return amount, period


class JudgeTarget(NamedTuple):
    """The judge problem a task's program parts are graded against."""

    problem_id: str | None
    version_id: int | None  # its current version; None when it has none (or is gone)
    compilers: list[str]  # the compilers it accepts; empty: any


NO_JUDGE = JudgeTarget(None, None, [])


def judge_version(session: Session, task: Task) -> JudgeTarget:
    """The task's judge problem, its current version and the compilers it allows."""
    if task.problem_id is None:
        return NO_JUDGE
    problem = session.get(Problem, task.problem_id)
    if problem is None or problem.current_version_id is None:
        return JudgeTarget(task.problem_id, None, [])
    version = session.get(ProblemVersion, problem.current_version_id)
    compilers = list((version.meta or {}).get("compilers") or []) if version else []
    return JudgeTarget(problem.id, problem.current_version_id, compilers)


@dataclass(frozen=True)
class TaskAnswers:
    """A student's answers to a task, as a face decoded them: what a task submission is made of.
    ``access`` is the student's access to the task's course, read by the face."""

    task: Task
    user: User
    fields: Answers
    access: Access
    max_upload_bytes: int
    order: ChoiceOrder | None = None
    now: datetime | None = None


def create_task_submission(session: Session, answers: TaskAnswers) -> Submission:
    """Check and add a waiting submission (flushed, not committed): the unit of work of
    :func:`verdict.submissions.service.submit_to_task`, which takes the write lock first
    (:func:`verdict.db.begin_write`), commits, *then* wakes the queue.

    Raises PermissionDenied (403), InvalidInput (400) or Unavailable (500) — in that order of checks.
    """
    task, user, now = answers.task, answers.user, answers.now
    # Serialise one user's submissions on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
    session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    group = check_can_submit(session, task, user, answers.access, now)
    programs = program_pids(task)
    problem_id, version_id, compilers = judge_version(session, task) if programs else NO_JUDGE
    stored = parse_input(
        task,
        answers.fields,
        max_upload_bytes=answers.max_upload_bytes,
        allowed_languages=compilers,
        order=answers.order,
    )
    if programs and version_id is None and not is_run_script_task(task):
        raise Unavailable(
            f"no grader available: task {task.slug!r} has no test cases for its program part(s) "
            f"{', '.join(programs)}"
        )
    parts = program_parts(task, stored)
    first = parts[0] if parts else None
    accept_enrolment(session, task.course_id, user, now)
    submission = create_submission(
        session,
        NewSubmission(
            user_id=user.id,
            problem_id=problem_id,
            problem_version_id=version_id,  # read by judge_version: not read again
            language=first.language if first else None,
            source=first.source if first and len(parts) == 1 else None,
            task_id=task.id,
            course_id=task.course_id,
            input=stored,
            # A Jutge list's task is named after the problem reference: P12345_en is the en variant.
            variant=parse_problem_ref(task.slug)[1] if problem_id is not None else None,
        ),
    )
    if group is not None:
        record_group(session, submission, group)
    return submission
