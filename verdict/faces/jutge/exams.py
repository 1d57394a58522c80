"""``/services/exams``: exams for staff (the reference's "exams" addresses, plus Verdict's
per-student extensions). Students entering exams and results are other modules of the face.

An exam document (what PUT takes and GET gives back)::

    name: demo_exam1          # with the owner's username, the identifier (required)
    title: First Demo Exam1   # (required)
    place: School
    description: ...
    start: 2010-06-22 12:00   # expected start, YYYY-MM-DD HH:MM in the server's time zone
                              # (Settings.timezone, VERDICT_TIMEZONE; default UTC) (required)
    running_time: 120         # minutes, counted from the real start (actions/start) (required)
    course: demo              # a course of the user's (or owner:name of one they own) (required)
    protection: open          # open (no code), samecode (one code for all), random (one each)
    compilers: [GCC, BEEF]    # compiler ids; aliases (C, c++) are stored as the id they stand for
    contest: 1                # 0 or 1: ranked ICPC-style
    problems:                 # problems the user may use; caption, icon and weight optional
      - problem: P15243
        caption: P1
        icon: balloons/Pink
        weight: 2             # default 1
    students:                 # students of the course (invited or accepted)
      - email: student1@asdf.com
        invited: 1            # contest: shown, not ranked (default 0)

GET also gives ``slug`` (the exam as an INGInious course id) and ``started_at`` (null until
started); PUT ignores them, so a document read back can be sent again (to create a copy under
another name). PUT only creates: an exam that exists gets 409.

Codes (``GET .../passwords``, staff only): made when the exam is created, so students can enter
without staff fetching them; ``PUT .../passwords/actions/regenerate`` makes new ones. A
``samecode`` exam's document also carries its ``code``.

Per student (staff, Verdict extensions): ``GET .../students``, ``GET .../students/{email}``,
``PUT .../students/{email}/extra-time`` with the document ``minutes: N`` (sets, not adds),
``PUT .../students/{email}/actions/close`` (closes their exam now) and ``.../actions/reopen``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from starlette.responses import Response

from verdict.errors import InvalidInput
from verdict.exams import access, service
from verdict.exams.models import Exam, ExamStudent
from verdict.faces.jutge.common import Document, InputDocument, ServicesUser, scalar_text
from verdict.faces.jutge.errors import render
from verdict.judge.flags import FALSE_WORDS, TRUE_WORDS, read_flag
from verdict.web.deps import DbSession, Now, PlatformDep
from verdict.web.openapi import request_body

router = APIRouter(tags=["jutge: exams"])

T = TypeVar("T")

PUT_BODY = request_body(
    {"application/yaml": {"type": "object"}},
    description="An exam document in YAML (or JSON), e.g. `curl -T exam.yml .../services/exams`.",
)
MINUTES_BODY = request_body(
    {"application/yaml": {"type": "object", "properties": {"minutes": {"type": "integer", "minimum": 0}}}},
    description="`minutes: N`: the student's extra time becomes N minutes (0 takes it away).",
)


# --------------------------------------------------------------------------- reading documents


def read_exam(doc: Any) -> service.ExamSpec:
    document = Document(doc)
    raw_problems = document.items("problems")
    raw_students = document.items("students")
    spec = service.ExamSpec(
        name=document.text("name", required=True),
        title=document.text("title", required=True),
        place=document.text("place"),
        description=document.text("description"),
        start=document.text("start", required=True),
        running_time=whole_number(document, "running_time", required=True),
        course=document.text("course", required=True),
        protection=document.text("protection", default="open"),
        compilers=document.strings("compilers"),
        contest=document.flag("contest"),
    )
    spec.problems = [
        within(f"problems[{i}]", read_problem, item)
        for i, item in enumerate(raw_problems)
        if item is not None
    ]
    spec.students = [
        within(f"students[{i}]", read_student, item)
        for i, item in enumerate(raw_students)
        if item is not None
    ]
    service.check_exam_counts(spec)
    return spec


def within(where: str, read: Callable[[Any], T], item: Any) -> T:
    """Read an item of a list; its errors name it (``problems[3].weight: ...``)."""
    try:
        return read(item)
    except InvalidInput as error:
        if error.field:
            raise InvalidInput(f"{where}.{error.message}", field=f"{where}.{error.field}") from None
        raise InvalidInput(f"{where}: {error.message}", field=where) from None


def read_problem(item: Any) -> service.ProblemSpec:
    if isinstance(item, str | int):  # shorthand: a bare problem id
        return service.ProblemSpec(problem=scalar_text(item, "problem"))
    if not isinstance(item, dict):
        raise InvalidInput("must be a mapping (problem: P12345, caption: ...) or a problem id")
    document = Document(item)
    return service.ProblemSpec(
        problem=document.text("problem", required=True).strip(),
        caption=document.text("caption"),
        icon=document.text("icon"),
        weight=number(document, "weight", default=1.0),
    )


def read_student(item: Any) -> service.StudentSpec:
    if isinstance(item, str):  # shorthand: a bare email
        return service.StudentSpec(email=scalar_text(item, "email"))
    if not isinstance(item, dict):
        raise InvalidInput("must be a mapping (email: ..., invited: 0 or 1) or an email")
    document = Document(item)
    return service.StudentSpec(email=document.text("email", required=True), invited=document.flag("invited"))


def whole_number(document: Document, key: str, *, required: bool = False, default: int = 0) -> int:
    """A whole number (``120`` or ``"120"``)."""
    value = document.raw(key)
    if value is None:
        if required:
            raise InvalidInput(f"{key}: missing required field", field=key)
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.strip().isascii():
        return int(value.strip())
    raise InvalidInput(f"{key}: must be a whole number, not {shown(value)}", field=key)


def number(document: Document, key: str, *, default: float) -> float:
    """A number (``2``, ``1.5`` or as text)."""
    value = document.raw(key)
    if value is None:
        return default
    if isinstance(value, int | float) and not isinstance(value, bool):
        result = float(value)
    else:
        try:
            result = float(value) if isinstance(value, str) else float("nan")
        except ValueError:
            result = float("nan")
    if result != result or result in (float("inf"), float("-inf")):  # NaN or infinite
        raise InvalidInput(f"{key}: must be a number, not {shown(value)}", field=key)
    return result


def shown(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "a mapping"
    return repr(value)[:60]


# --------------------------------------------------------------------------- answers


def exam_document(spec: service.ExamSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "title": spec.title,
        "place": spec.place,
        "description": spec.description,
        "start": spec.start,
        "running_time": spec.running_time,
        "course": spec.course,
        "protection": spec.protection,
        "compilers": spec.compilers,
        "contest": int(spec.contest),
        "problems": [
            {"problem": p.problem, "caption": p.caption, "icon": p.icon, "weight": plain_number(p.weight)}
            for p in spec.problems
        ],
        "students": [{"email": s.email, "invited": int(s.invited)} for s in spec.students],
    }


def plain_number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def full_exam_document(platform: PlatformDep, session: DbSession, exam: Exam) -> dict[str, Any]:
    zone = platform.settings.zone
    answer = exam_document(service.exam_spec(session, exam, zone))
    answer["slug"] = exam.slug
    answer["started_at"] = when(exam.started_at, platform)
    return answer


def when(moment: datetime | None, platform: PlatformDep) -> str | None:
    """A time as people read it: in the server's time zone, to the second."""
    if moment is None:
        return None
    return moment.astimezone(platform.settings.zone).strftime("%Y-%m-%d %H:%M:%S")


def passwords_document(
    passwords: service.Passwords, session: DbSession, platform: PlatformDep
) -> dict[str, Any]:
    spec = service.exam_spec(session, passwords.exam, platform.settings.zone)
    answer: dict[str, Any] = {"name": spec.name, "title": spec.title, "course": spec.course}
    if passwords.shared is not None:
        answer["code"] = passwords.shared
    answer["passwords"] = passwords.by_email
    return answer


def student_document(student: ExamStudent, platform: PlatformDep) -> dict[str, Any]:
    return {
        "email": student.email,
        "invited": int(student.invited),
        "extra_minutes": student.extra_minutes,
        "closed_at": when(student.closed_at, platform),
        "entered_at": when(student.entered_at, platform),
    }


def read_force(value: str) -> bool:
    flag = read_flag(value or None, False, words=(*TRUE_WORDS, *FALSE_WORDS))
    if flag is None:
        raise InvalidInput(f"force: must be 0 or 1, not {value!r}", field="force")
    return flag


# --------------------------------------------------------------------------- routes


@router.get("/exams", summary="Exams of courses the user owns (own) and tutors (tutor)")
def list_exams(request: Request, user: ServicesUser, session: DbSession) -> Response:
    visible = service.visible_exams(session, user)
    return render(request, {key: dict(pairs) for key, pairs in visible.items()})


@router.put(
    "/exams",
    summary="Create an exam (409 if it exists); its codes are made at once",
    openapi_extra=PUT_BODY,
)
def put_exam(
    request: Request, user: ServicesUser, doc: InputDocument, session: DbSession, platform: PlatformDep
) -> Response:
    spec = read_exam(doc)
    exam = service.create_exam(session, user, spec, platform.settings)
    return render(request, full_exam_document(platform, session, exam), 201)


@router.get("/exams/{ident}", summary="An exam document (owner:name), for the exam's staff")
def get_exam(
    request: Request, ident: str, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    exam = service.get_exam(session, user, ident)
    return render(request, full_exam_document(platform, session, exam))


@router.delete(
    "/exams/{ident}",
    summary="Delete an exam; refused (409) once it has submissions unless ?force=1 (they are kept)",
)
def delete_exam(
    request: Request, ident: str, user: ServicesUser, session: DbSession, force: str = ""
) -> Response:
    deleted = service.delete_exam(session, user, ident, force=read_force(force))
    return render(request, {"deleted": deleted})


@router.get("/exams/{ident}/passwords", summary="The exam's codes per student (owner and tutors)")
def get_passwords(
    request: Request, ident: str, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    passwords = service.exam_passwords(session, user, ident, platform.settings)
    return render(request, passwords_document(passwords, session, platform))


@router.put(
    "/exams/{ident}/passwords/actions/regenerate",
    summary="Make new codes for the exam (the old ones stop working); answers the passwords document",
)
def regenerate_passwords(
    request: Request, ident: str, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    passwords = service.regenerate_passwords(session, user, ident, platform.settings)
    return render(request, passwords_document(passwords, session, platform))


@router.put("/exams/{ident}/actions/start", summary="Start the exam now (once; owner and tutors)")
def start_exam(
    request: Request, ident: str, user: ServicesUser, session: DbSession, platform: PlatformDep, now: Now
) -> Response:
    exam = service.start_exam(session, user, ident, now)
    return render(
        request, {"started": access.exam_ident(session, exam), "started_at": when(exam.started_at, platform)}
    )


@router.get("/exams/{ident}/students", summary="Each student's state in the exam (staff; Verdict)")
def list_students(
    request: Request, ident: str, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    students = service.exam_students(session, user, ident)
    return render(request, [student_document(student, platform) for student in students])


@router.get("/exams/{ident}/students/{email}", summary="One student's state in the exam (staff; Verdict)")
def get_student(
    request: Request, ident: str, email: str, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    return render(request, student_document(service.get_student(session, user, ident, email), platform))


@router.put(
    "/exams/{ident}/students/{email}/extra-time",
    summary="Set a student's extra time: the document `minutes: N` (staff; Verdict)",
    openapi_extra=MINUTES_BODY,
)
def put_extra_time(
    request: Request,
    ident: str,
    email: str,
    user: ServicesUser,
    doc: InputDocument,
    session: DbSession,
    platform: PlatformDep,
) -> Response:
    minutes = whole_number(Document(doc), "minutes", required=True)
    student = service.set_extra_time(session, user, ident, email, minutes)
    return render(request, student_document(student, platform))


@router.put(
    "/exams/{ident}/students/{email}/actions/close",
    summary="Close the exam now for one student (staff; Verdict)",
)
def close_student(
    request: Request,
    ident: str,
    email: str,
    user: ServicesUser,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
) -> Response:
    student = service.close_student(session, user, ident, email, now)
    return render(request, student_document(student, platform))


@router.put(
    "/exams/{ident}/students/{email}/actions/reopen",
    summary="Reopen the exam for a student it was closed for early (staff; Verdict)",
)
def reopen_student(
    request: Request, ident: str, email: str, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    student = service.reopen_student(session, user, ident, email)
    return render(request, student_document(student, platform))
