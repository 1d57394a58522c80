"""The task service: INGInious tasks inside courses.

What a face needs to show and accept INGInious tasks, with no HTTP in it:

* **access** — who is staff of a course (owner, course admins and tutors, platform admins), who is
  registered, whether a course is visible and open to registration (:func:`course_access`);
* **accessibility windows** — INGInious ``accessible`` values ``true``, ``false``, ``"START"``,
  ``"/END"``, ``"START/END"``, ``"START/SOFT/END"`` (:func:`parse_window`);
* **submission rules** — task open, one waiting submission per user and task, submission limits
  ``{amount, period}`` (staff exempt) (:func:`check_can_submit`);
* **standing** — the evaluated submission (``best`` or ``last``), the task status
  ``succeeded``/``failed``/``notattempted``, the task grade, the course grade (the weighted mean of
  the task grades) (:func:`standings`, :func:`course_grade`);
* **the public view** of sub-problems: everything but the answers (:func:`public_problems`);
* **input** — a submitted form checked against the sub-problems (:func:`parse_input`) and turned
  into a waiting submission (:func:`create_task_submission`);
* **grading** is :mod:`verdict.courses.quiz`.

Decisions where INGInious leaves room (also in ``docs`` of the face):

* Naive dates in accessibility values are UTC. A date alone means midnight (INGInious does the
  same), so ``"/2024-06-01"`` closes when June 1st starts.
* A task is *visible* once its window started (never when ``false``); past its end it stays
  visible but closed. Staff see every task and may always submit.
* Program parts (``code``, ``code_single_line``, ``file``) are each judged as one program against
  the task's problem (``Task.problem_id``). The language is the problem's ``language`` when it
  names a judge language (``c``, ``cpp``, ``python``, ``java`` ...); otherwise the form field
  ``<pid>/language`` chooses it (for a ``file`` part, the file extension may decide).
* The course grade is the weighted mean of the grades of the tasks the user sees (a task not
  open yet does not count until it opens; ``accessible: false`` tasks never count).
* Every sub-problem weighs the same in the grade: grade = 100 × Σ part scores / parts, where a
  quiz part scores 0 or 1 and a program part its judge grade / 100 (for quiz-only tasks this is
  INGInious's 100 × correct / problems).
* ``success_message`` and ``error_message`` of multiple-choice problems are feedback: like
  ``valid`` and per-choice ``feedback`` they are not in the public view.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import hashlib
import hmac
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict import db
from verdict.accounts.models import Role, User
from verdict.accounts.passwords import verify_password
from verdict.courses.models import Course, CourseMember, Evaluate, MemberRole, Registration, Task
from verdict.errors import InvalidInput, PermissionDenied, Unavailable
from verdict.grading.service import NewSubmission, create_submission
from verdict.judge.errors import UnknownLanguage
from verdict.judge.languages import Language, get_language, language_for_file
from verdict.judge.packages.common import brief
from verdict.problems.models import Problem, ProblemVersion
from verdict.submissions.models import Submission, SubmissionStatus

ID_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")  # INGInious course, task and problem ids
QUIZ_TYPES = ("multiple_choice", "match")
PROGRAM_TYPES = ("code", "code_single_line", "file")
PROBLEM_TYPES = QUIZ_TYPES + PROGRAM_TYPES
PENDING = (SubmissionStatus.WAITING, SubmissionStatus.GRADING)
# Keys of a sub-problem that only the grader may see.
PRIVATE_KEYS = {
    "match": ("answer",),
    "multiple_choice": ("success_message", "error_message"),
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H", "%Y-%m-%d")
DISPLAY_FORMAT = "%Y-%m-%d %H:%M:%S"
RESULT_SEVERITY = ("error", "killed", "crash", "timeout", "overflow", "failed", "success")


# --------------------------------------------------------------------------- windows


@dataclass(frozen=True)
class Window:
    """An accessibility window. ``start``/``end`` None mean unbounded; ``soft_end`` is the
    deadline shown to students (submissions are accepted until ``end``)."""

    start: datetime | None = None
    end: datetime | None = None
    soft_end: datetime | None = None
    never: bool = False

    def has_started(self, now: datetime) -> bool:
        return not self.never and (self.start is None or now >= self.start)

    def is_open(self, now: datetime) -> bool:
        return self.has_started(now) and (self.end is None or now < self.end)

    @property
    def deadline(self) -> datetime | None:
        return self.soft_end or self.end

    def deadline_text(self) -> str:
        """The deadline as ``YYYY-MM-DD HH:MM:SS`` (UTC), or "" when there is none."""
        deadline = self.deadline
        return deadline.strftime(DISPLAY_FORMAT) if deadline and not self.never else ""


ALWAYS = Window()
NEVER = Window(never=True)


def parse_date(text: str) -> datetime:
    """``YYYY-MM-DD[ HH[:MM[:SS]]]`` (or ISO 8601) as an aware datetime; naive means UTC."""
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    else:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"invalid date {text!r}: use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def normalise_accessibility(value: Any) -> bool | str:
    """An INGInious ``accessible`` value as stored: True, False or a "START/SOFT/END" string.

    YAML turns unquoted dates into date/datetime objects: they become strings again. Raises
    ValueError for anything else (and for unparsable dates).
    """
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime | date):
        value = _date_text(value)
    if not isinstance(value, str):
        raise TypeError(f'invalid accessibility {value!r}: true, false or "START/SOFT/END" dates')
    text = value.strip()
    if text.lower() in ("true", "yes", "on", ""):
        return True
    if text.lower() in ("false", "no", "off"):
        return False
    parse_window(text)  # validates
    return text


def _date_text(value: date) -> str:
    if isinstance(value, datetime):
        return value.strftime(DISPLAY_FORMAT)
    return value.strftime("%Y-%m-%d")


def parse_window(value: Any) -> Window:
    """The window of an accessibility value; ValueError for a malformed one.

    ``"START"`` opens at START; ``"/END"`` closes at END; ``"START/END"``; ``"START/SOFT/END"``
    with SOFT the deadline shown. Empty parts are unbounded.
    """
    if value is None or value is True:
        return ALWAYS
    if value is False:
        return NEVER
    if isinstance(value, datetime | date):
        value = _date_text(value)
    if not isinstance(value, str):
        raise TypeError(f"invalid accessibility {value!r}")
    parts = value.split("/")
    if len(parts) > 3:
        raise ValueError(f"invalid accessibility {value!r}: at most START/SOFT/END")
    dates = [parse_date(part) if part.strip() else None for part in parts]
    start = dates[0]
    end = dates[-1] if len(dates) > 1 else None
    soft = dates[1] if len(dates) == 3 else None
    if start and end and end < start:
        raise ValueError(f"invalid accessibility {value!r}: ends before it starts")
    if soft and ((start and soft < start) or (end and soft > end)):
        raise ValueError(f"invalid accessibility {value!r}: the soft deadline is outside the window")
    return Window(start=start, end=end, soft_end=soft)


def window_of(value: Any) -> Window:
    """Like :func:`parse_window`, but a stored value that does not parse closes (fail closed)."""
    try:
        return parse_window(value)
    except (TypeError, ValueError):
        return NEVER


# --------------------------------------------------------------------------- access


@dataclass(frozen=True)
class Access:
    """What a user is to a course."""

    staff: bool  # owner, course admin or tutor, platform admin
    registered: bool  # staff, or a student member
    visible: bool  # the course may be shown to the user
    open: bool  # the course is accessible now (always true for staff)
    can_register: bool  # not registered, and registration is possible now


def is_staff(session: Session, course: Course, user: User) -> bool:
    if user.role == Role.ADMIN or course.owner_id == user.id:
        return True
    role = _member_role(session, course, user)
    return role in (MemberRole.ADMIN, MemberRole.TUTOR)


def _member_role(session: Session, course: Course, user: User) -> MemberRole | None:
    return session.scalar(
        sa.select(CourseMember.role).where(
            CourseMember.course_id == course.id, CourseMember.user_id == user.id
        )
    )


def registration_possible(course: Course) -> bool:
    return course.registration != Registration.CLOSED or course.official


def course_access(session: Session, course: Course, user: User, now: datetime | None = None) -> Access:
    now = now or db.utcnow()
    role = _member_role(session, course, user)
    staff = (
        user.role == Role.ADMIN or course.owner_id == user.id or role in (MemberRole.ADMIN, MemberRole.TUTOR)
    )
    registered = staff or role is not None
    accessible = window_of(course.accessible).is_open(now)
    can_register = not registered and accessible and registration_possible(course)
    return Access(
        staff=staff,
        registered=registered,
        visible=staff or (accessible and (registered or can_register)),
        open=staff or accessible,
        can_register=can_register,
    )


def courses_for(session: Session, user: User, now: datetime | None = None) -> list[tuple[Course, Access]]:
    """Courses the user may see, by slug: where registered or staff, and those open to registration."""
    now = now or db.utcnow()
    query = sa.select(Course).order_by(Course.slug)
    if user.role != Role.ADMIN:
        member_of = sa.select(CourseMember.course_id).where(CourseMember.user_id == user.id)
        query = query.where(
            sa.or_(
                Course.owner_id == user.id,
                Course.id.in_(member_of),
                Course.registration != Registration.CLOSED,
                Course.official.is_(True),
            )
        )
    found = []
    for course in session.scalars(query):
        access = course_access(session, course, user, now)
        if access.visible:
            found.append((course, access))
    return found


def register(
    session: Session, course: Course, user: User, password: str | None = None, now: datetime | None = None
) -> CourseMember | None:
    """Register ``user`` as a student of ``course`` (open registration, or with its password).

    Returns the membership (None for staff, who need none). Raises PermissionDenied.
    """
    access = course_access(session, course, user, now)
    if access.staff:
        return None
    existing = session.scalar(
        sa.select(CourseMember).where(
            CourseMember.course_id == course.id,
            sa.or_(CourseMember.user_id == user.id, CourseMember.email == user.email),
        )
    )
    if existing is not None and existing.user_id == user.id:
        existing.accepted_at = existing.accepted_at or now or db.utcnow()  # registering says yes
        session.flush()
        return existing
    if not access.can_register:
        raise PermissionDenied("registration to this course is closed")
    if course.registration == Registration.PASSWORD and not verify_password(
        course.registration_password_hash, password or ""
    ):
        raise PermissionDenied("wrong registration password")
    if existing is not None:  # invited by email before the account existed
        existing.user_id = user.id
        member = existing
    else:
        member = CourseMember(course_id=course.id, user_id=user.id, email=user.email, role=MemberRole.STUDENT)
        session.add(member)
    member.accepted_at = member.accepted_at or now or db.utcnow()
    session.flush()
    return member


def _accept_enrolment(session: Session, course_id: int, user: User, now: datetime | None) -> None:
    """Working in a course accepts the teacher's invitation to it (issue 10, M3)."""
    session.execute(
        sa.update(CourseMember)
        .where(
            CourseMember.course_id == course_id,
            CourseMember.user_id == user.id,
            CourseMember.accepted_at.is_(None),
        )
        .values(accepted_at=now or db.utcnow())
        .execution_options(synchronize_session=False)
    )


def unregister(session: Session, course: Course, user: User) -> None:
    if not course.allow_unregister:
        raise PermissionDenied("this course does not allow unregistering")
    session.execute(
        sa.delete(CourseMember).where(
            CourseMember.course_id == course.id,
            CourseMember.user_id == user.id,
            CourseMember.role == MemberRole.STUDENT,
        )
    )
    session.flush()


def get_course(session: Session, course_id: str) -> Course | None:
    if not ID_RE.match(course_id):
        return None
    return session.scalar(sa.select(Course).where(Course.slug == course_id))


def get_task(session: Session, course: Course, task_id: str) -> Task | None:
    if not ID_RE.match(task_id):
        return None
    return session.scalar(sa.select(Task).where(Task.course_id == course.id, Task.slug == task_id))


# --------------------------------------------------------------------------- tasks


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


def graded_tasks(tasks: Iterable[Task]) -> list[Task]:
    """The tasks counted in the course grade: all but those never accessible (``false``)."""
    return [task for task in tasks if not window_of(task.accessibility).never]


def contact_url(task: Task, course: Course, user: User) -> str:
    """The task's contact URL with INGInious placeholders filled in."""
    url = task.contact_url or ""
    for key, value in (("{task_id}", task.slug), ("{course_id}", course.slug), ("{username}", user.username)):
        url = url.replace(key, value)
    return url


# --------------------------------------------------------------------------- standing


@dataclass(frozen=True)
class Standing:
    status: str  # "succeeded" | "failed" | "notattempted"
    grade: float
    submission: Submission | None  # the evaluated one


NOT_ATTEMPTED = Standing("notattempted", 0.0, None)


def evaluated_submission(task: Task, submissions: Sequence[Submission]) -> Submission | None:
    """The submission that counts: ``best`` grade (ties: the newest) or the ``last`` graded one.

    Only graded submissions (``done``) count."""
    done = [s for s in submissions if s.status == SubmissionStatus.DONE]
    if not done:
        return None
    if task.evaluate == Evaluate.LAST:
        return max(done, key=lambda s: (s.created_at, s.id))
    return max(done, key=lambda s: (s.grade or 0.0, s.created_at, s.id))


def standing(task: Task, submissions: Sequence[Submission]) -> Standing:
    tried = [s for s in submissions if s.status in (SubmissionStatus.DONE, SubmissionStatus.ERROR)]
    if not tried:
        return NOT_ATTEMPTED
    chosen = evaluated_submission(task, submissions)
    if chosen is None:
        return Standing("failed", 0.0, None)
    succeeded = chosen.result == "success"
    return Standing("succeeded" if succeeded else "failed", float(chosen.grade or 0.0), chosen)


def standings(session: Session, user: User, tasks: Sequence[Task]) -> dict[int, Standing]:
    """The user's standing in each task (one query)."""
    if not tasks:
        return {}
    by_task: dict[int, list[Submission]] = {task.id: [] for task in tasks}
    for submission in session.scalars(
        sa.select(Submission).where(Submission.user_id == user.id, Submission.task_id.in_(list(by_task)))
    ):
        by_task[submission.task_id].append(submission)  # type: ignore[index]
    return {task.id: standing(task, by_task[task.id]) for task in tasks}


def course_grade(tasks: Sequence[Task], standings_by_task: Mapping[int, Standing]) -> float:
    """The weighted mean of the grades of ``tasks`` (give the tasks the user sees; tasks never
    accessible are left out even for staff); 0 when no task has weight."""
    counted = [
        (task.weight, standings_by_task.get(task.id, NOT_ATTEMPTED).grade) for task in graded_tasks(tasks)
    ]
    total = sum(weight for weight, _ in counted if weight > 0)
    if total <= 0:
        return 0.0
    return round(sum(weight * grade for weight, grade in counted if weight > 0) / total, 2)


def user_submissions(session: Session, task: Task, user: User) -> list[Submission]:
    """The user's submissions to the task, newest first."""
    return list(
        session.scalars(
            sa.select(Submission)
            .where(Submission.task_id == task.id, Submission.user_id == user.id)
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )


# --------------------------------------------------------------------------- public view


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


def public_problems(task: Task, order: ChoiceOrder) -> dict[str, dict[str, Any]]:
    """The sub-problems as a student may see them: no match ``answer``, no multiple-choice
    ``valid``, per-choice ``feedback`` or success/error messages; choices as position → text
    (the shown subset, in the shown order, numbered from 0: see :class:`ChoiceOrder`)."""
    shown: dict[str, dict[str, Any]] = {}
    for pid, problem in (task.problems or {}).items():
        if not isinstance(problem, Mapping):
            continue
        kind = problem.get("type")
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
        shown[pid] = view
    return shown


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


FormValue = str | Upload


@dataclass(frozen=True)
class ProgramPart:
    pid: str
    language: str  # judge compiler id
    source: str


def program_pids(task: Task) -> list[str]:
    return [
        pid
        for pid, p in (task.problems or {}).items()
        if isinstance(p, Mapping) and p.get("type") in PROGRAM_TYPES
    ]


def fixed_language(problem: Mapping[str, Any]) -> Language | None:
    """The judge language a program problem is set in, if its ``language`` names one."""
    name = str(problem.get("language") or "").strip()
    if not name:
        return None
    try:
        return get_language(name)
    except UnknownLanguage:
        return None


def parse_input(
    task: Task,
    fields: Mapping[str, Sequence[FormValue]],
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
        elif kind in ("code", "code_single_line"):
            text = _text_input(pid, values, required=not problem.get("optional"))
            if kind == "code_single_line" and ("\n" in text.strip("\r\n")):
                raise InvalidInput(f"problem {pid!r} takes a single line")
            stored[pid] = text
            stored[f"{pid}/language"] = _language_input(
                pid, problem, fields, None, allowed_languages, required=bool(text.strip())
            )
        elif kind == "file":
            upload = _file_input(pid, problem, values, max_upload_bytes)
            stored[pid] = (
                {"filename": upload.filename, "value": base64.b64encode(upload.data).decode("ascii")}
                if upload
                else {"filename": "", "value": ""}
            )
            stored[f"{pid}/language"] = _language_input(
                pid, problem, fields, upload, allowed_languages, required=upload is not None
            )
        else:
            raise InvalidInput(f"problem {pid!r} has type {kind!r}, which cannot be answered here")
    return stored


def _single(pid: str, values: list[FormValue]) -> FormValue | None:
    if not values:
        return None
    if len(values) > 1:
        raise InvalidInput(f"problem {pid!r} takes one value, got {len(values)}")
    return values[0]


def _text_input(pid: str, values: list[FormValue], *, required: bool) -> str:
    value = _single(pid, values)
    if value is None:
        if required:
            raise InvalidInput(f"missing input for problem {pid!r}")
        return ""
    if isinstance(value, Upload):
        try:
            return value.data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"problem {pid!r}: the text is not UTF-8") from None
    return value


def _choice_input(
    pid: str, numbered: Mapping[int, int], multiple: bool, values: list[FormValue]
) -> int | list[int]:
    """The original indices of the chosen numbers (``numbered``: shown number -> original index)."""

    def index(value: FormValue) -> int:
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
    pid: str, problem: Mapping[str, Any], values: list[FormValue], max_upload_bytes: int
) -> Upload | None:
    value = _single(pid, values)
    if value is None or (isinstance(value, str) and not value):
        if problem.get("optional"):
            return None
        raise InvalidInput(f"missing file for problem {pid!r}")
    if isinstance(value, str):
        raise InvalidInput(f"problem {pid!r} takes a file upload (multipart/form-data)")
    name = value.filename.replace("\\", "/").rsplit("/", 1)[-1]
    allowed = [str(ext).lower() for ext in problem.get("allowed_exts") or []]
    if allowed and not any(name.lower().endswith(ext) for ext in allowed):
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
    fields: Mapping[str, Sequence[FormValue]],
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


def program_parts(task: Task, stored: Mapping[str, Any]) -> list[ProgramPart]:
    """The program parts of a stored input, with their source text."""
    parts = []
    for pid in program_pids(task):
        value = stored.get(pid)
        if isinstance(value, Mapping):  # a file
            try:
                source = base64.b64decode(str(value.get("value", "")), validate=True).decode(
                    "utf-8", "replace"
                )
            except binascii.Error:
                source = ""
        else:
            source = str(value or "")
        parts.append(ProgramPart(pid, str(stored.get(f"{pid}/language") or ""), source))
    return parts


# --------------------------------------------------------------------------- submitting


def check_can_submit(
    session: Session, task: Task, user: User, access: Access, now: datetime | None = None
) -> None:
    """Raises PermissionDenied unless ``user`` may submit to ``task`` now. Call it in the unit of work
    that creates the submission (after :func:`verdict.db.begin_write`), so that two requests
    cannot both pass."""
    now = now or db.utcnow()
    if not access.registered:
        raise PermissionDenied("you are not registered to this course")
    if not access.staff:
        if not access.open:
            raise PermissionDenied("this course is not accessible now")
        window = window_of(task.accessibility)
        if not window.has_started(now):
            raise PermissionDenied("this task is not open yet")
        if not window.is_open(now):
            raise PermissionDenied("this task is closed: its deadline has passed")
    pending = session.scalar(
        sa.select(sa.func.count())
        .select_from(Submission)
        .where(Submission.task_id == task.id, Submission.user_id == user.id, Submission.status.in_(PENDING))
    )
    if pending:
        raise PermissionDenied("a submission of yours to this task is still waiting to be graded")
    if access.staff:
        return
    amount, period = submission_limit(task)
    if amount < 0:
        return
    query = (
        sa.select(sa.func.count())
        .select_from(Submission)
        .where(
            Submission.task_id == task.id,
            Submission.user_id == user.id,
            Submission.status != SubmissionStatus.ERROR,
        )
    )
    if period > 0:
        query = query.where(Submission.created_at > now - timedelta(hours=period))
    used = session.scalar(query) or 0
    if used >= amount:
        within = f" in {period:g} hour(s)" if period > 0 else ""
        raise PermissionDenied(f"submission limit reached: {amount} submission(s){within}")


def submission_limit(task: Task) -> tuple[int, float]:
    """(amount, period in hours); amount -1 is unlimited, period -1 is the whole course."""
    limit = task.submission_limit or {}
    try:
        amount = int(limit.get("amount", -1))
        period = float(limit.get("period", -1))
    except (TypeError, ValueError):
        return -1, -1.0
    return amount, period


def judge_version(session: Session, task: Task) -> tuple[str | None, int | None, list[str]]:
    """(problem id, current version id, allowed compilers) of the task's judge problem."""
    if task.problem_id is None:
        return None, None, []
    problem = session.get(Problem, task.problem_id)
    if problem is None or problem.current_version_id is None:
        return task.problem_id, None, []
    version = session.get(ProblemVersion, problem.current_version_id)
    compilers = list((version.meta or {}).get("compilers") or []) if version else []
    return problem.id, problem.current_version_id, compilers


def create_task_submission(
    session: Session,
    task: Task,
    user: User,
    fields: Mapping[str, Sequence[FormValue]],
    access: Access,
    *,
    max_upload_bytes: int,
    order: ChoiceOrder | None = None,
    now: datetime | None = None,
) -> Submission:
    """Check and add a waiting submission (flushed, not committed; the caller commits, *then*
    wakes the queue). Start the unit of work with :func:`verdict.db.begin_write`.

    Raises PermissionDenied (403), InvalidInput (400) or Unavailable (500) — in that order of checks.
    """
    # Serialise one user's submissions on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).
    session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    check_can_submit(session, task, user, access, now)
    programs = program_pids(task)
    problem_id, version_id, compilers = judge_version(session, task) if programs else (None, None, [])
    stored = parse_input(
        task, fields, max_upload_bytes=max_upload_bytes, allowed_languages=compilers, order=order
    )
    if programs and version_id is None:
        raise Unavailable(
            f"no grader available: task {task.slug!r} has no test cases for its program part(s) "
            f"{', '.join(programs)}"
        )
    parts = program_parts(task, stored)
    first = parts[0] if parts else None
    _accept_enrolment(session, task.course_id, user, now)
    return create_submission(
        session,
        NewSubmission(
            user_id=user.id,
            problem_id=problem_id,
            language=first.language if first else None,
            source=first.source if first and len(parts) == 1 else None,
            task_id=task.id,
            course_id=task.course_id,
            input=stored,
        ),
    )


def problem_feedback_html(value: Any) -> str:
    """The HTML of a stored per-problem feedback: ``[result, html]`` (INGInious's own form) or a string."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return str(value[1])
    return "" if value is None else str(value)
