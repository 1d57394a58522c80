"""The exam pages, for students and for staff, over the exam use cases (:mod:`verdict.exams`).

* ``GET /exams``: the exams the user takes and those they are staff of.
* ``GET /exams/<owner>/<name>``: staff get the staff page, students the student page, anybody
  else 403. The student page asks for the exam password (none for an ``open`` exam), then shows
  the window (a countdown the server's remaining seconds start: ``static/exam.js`` only displays
  it, and polls ``.../window`` so the server decides when it ends), the problems with a form each
  while the window is open, and the student's exam submissions (polled while any waits).
* Staff: start, the printable passwords sheet (``.../passwords``; regenerate), per-student extra
  time, close early and reopen, the live ranking (``.../ranking``, polled; freeze, unfreeze, CSV)
  and the projector (``.../projector``: the students' ranking, no emails, large type).

Every refusal is the use case's domain error: a student's wrong code or refused submission is
shown on the page itself with its status; other errors are the face's error pages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import Response

from verdict import db
from verdict.accounts.models import User
from verdict.errors import InvalidInput, NotFound, PermissionDenied, ServiceError, TooLarge
from verdict.exams import access, ranking, service, student
from verdict.exams.models import Exam, ExamStudent, Protection
from verdict.exams.results import Results, View, exam_end, exam_results
from verdict.exams.window import ExamWindow
from verdict.faces.html.pages import FormPage, Page, PageContext, signed_in
from verdict.faces.jutge.common import check_clean_text
from verdict.faces.jutge.exam_results import CSV_MEDIA_TYPE, ranking_csv
from verdict.judge.languages import all_languages
from verdict.settings import Settings
from verdict.submissions.models import SubmissionStatus
from verdict.web.deps import DbSession, Now, PlatformDep

router = APIRouter(include_in_schema=False)

BASE = "/exams/{owner}/{name}"
WAITING = (SubmissionStatus.WAITING, SubmissionStatus.GRADING)
FORM_PATHS = (
    f"{BASE}/enter",
    f"{BASE}/start",
    f"{BASE}/passwords/regenerate",
    f"{BASE}/students/extra",
    f"{BASE}/students/close",
    f"{BASE}/students/reopen",
    f"{BASE}/freeze",
    f"{BASE}/unfreeze",
)
SUBMIT_PATH = f"{BASE}/submit"
MULTIPART_SLACK = 64 * 1024  # boundaries, part headers and the other fields around the program


def submit_cap(settings: Settings) -> int:
    """A submission form: one program of at most ``max_upload_bytes``, and its framing."""
    return settings.max_upload_bytes + MULTIPART_SLACK


def url_of(exam_owner: str, exam_name: str) -> str:
    return f"/exams/{exam_owner}/{exam_name}"


@dataclass(frozen=True)
class Found:
    """The exam of a request and the user's relation to it."""

    exam: Exam
    ident: str
    url: str
    staff: bool
    student: ExamStudent | None


def find(session: Session, page: PageContext, owner: str, name: str) -> Found:
    """The exam for its staff or students; 404 unknown, 403 for anybody else."""
    user = signed_in(page)
    try:
        exam = access.find_exam(session, owner, name)
    except NotFound:
        raise NotFound(page._("Exam not found.")) from None
    staff = access.is_exam_staff(session, exam, user)
    mine = None if staff else access.student_of(session, exam, user)
    if not staff and mine is None:
        raise PermissionDenied(page._("You are not a student of this exam."))
    return Found(exam, f"{owner}:{name}", url_of(owner, name), staff, mine)


def staff_only(session: Session, page: PageContext, owner: str, name: str) -> Found:
    found = find(session, page, owner, name)
    if not found.staff:
        raise PermissionDenied(page._("This page is for the exam's staff."))
    return found


def _write(session: Session) -> None:
    if session.in_transaction():
        session.commit()
    db.begin_write(session)


# --------------------------------------------------------------------------- listing


@router.get("/exams")
def exams_page(page: Page, session: DbSession) -> Response:
    user = signed_in(page)
    taking: list[tuple[Exam, str]] = []
    staffing: list[tuple[Exam, str]] = []
    for exam in student.exams_for(session, user):
        ident = access.exam_ident(session, exam)
        entry = (exam, url_of(*ident.split(":", 1)))
        (staffing if access.is_exam_staff(session, exam, user) else taking).append(entry)
    return page.render("exams/list.html", taking=taking, staffing=staffing)


# --------------------------------------------------------------------------- students


def remaining_seconds(window: ExamWindow, now: datetime) -> int:
    if not window.open or window.ends_at is None:
        return 0
    return max(0, int((window.ends_at - now).total_seconds()))


def compilers_of(exam: Exam) -> list[str]:
    """The exam's compilers, or every compiler this server has when it names none."""
    if exam.compilers:
        return [str(c) for c in exam.compilers]
    return sorted(
        lang.id
        for lang in all_languages().values()
        if lang.unavailable is None and os.path.exists(lang.toolchain)
    )


def student_page(
    page: PageContext,
    session: Session,
    found: Found,
    now: datetime,
    *,
    error: str | None = None,
    failed_problem: str | None = None,
    status: int = 200,
) -> Response:
    user = signed_in(page)
    exam, mine = found.exam, found.student
    assert mine is not None
    if not student.has_entered(exam, mine):
        return page.render("exams/enter.html", exam=exam, url=found.url, error=error, status=status)
    view = student.entered_view(session, exam, mine, now)
    if failed_problem not in {ref for p in view.problems for ref in (p.problem_id, p.caption)}:
        failed_problem = None  # the message goes above the problems
    return page.render(
        "exams/student.html",
        status=status,
        exam=exam,
        url=found.url,
        view=view,
        window=view.window,
        remaining=remaining_seconds(view.window, now),
        compilers=compilers_of(exam) if view.window.open else [],
        submissions=student.exam_submissions_of(session, exam, user),
        captions={p.problem_id: p.caption or p.problem_id for p in view.problems},
        waiting=WAITING,
        error=error,
        failed_problem=failed_problem,
    )


@router.get(BASE)
def exam_page(page: Page, session: DbSession, now: Now, owner: str, name: str) -> Response:
    found = find(session, page, owner, name)
    if found.staff:
        return staff_page(page, session, found, now)
    return student_page(page, session, found, now)


@router.post(f"{BASE}/enter")
def enter(
    page: FormPage,
    session: DbSession,
    now: Now,
    owner: str,
    name: str,
    password: Annotated[str, Form()] = "",
) -> Response:
    found = find(session, page, owner, name)
    if found.staff:
        return page.redirect(found.url)
    try:
        student.enter_exam(session, found.exam, signed_in(page), password.strip(), now=now)
    except ServiceError as error:
        session.rollback()
        message = page._("Wrong exam password.") if error.args[0] == student.WRONG_PASSWORD else str(error)
        response = student_page(page, session, found, now, error=message, status=error.status)
        response.headers.update(error.headers)
        return response
    return page.redirect(found.url)


@router.get(f"{BASE}/window")
def window_fragment(page: Page, session: DbSession, now: Now, owner: str, name: str) -> Response:
    """The countdown as the server sees it now (polled by the student page)."""
    found = find(session, page, owner, name)
    if found.student is None:
        raise PermissionDenied(page._("This page is for the exam's students."))
    window = student.window_for(found.exam, found.student, now)
    return page.render(
        "exams/window.html", url=found.url, window=window, remaining=remaining_seconds(window, now)
    )


@router.get(f"{BASE}/submissions")
def submissions_fragment(page: Page, session: DbSession, owner: str, name: str) -> Response:
    """The student's own exam submissions (polled while one waits)."""
    found = find(session, page, owner, name)
    user = signed_in(page)
    problems = student.exam_problems(session, found.exam)
    return page.render(
        "exams/submissions.html",
        url=found.url,
        submissions=student.own_submissions(session, found.exam, user),
        captions={p.problem_id: p.caption or p.problem_id for p in problems},
        waiting=WAITING,
    )


def read_source(settings: Settings, source: str, upload: UploadFile | None) -> str:
    """The program: the uploaded file if one was chosen, else the text area."""
    if upload is not None and upload.filename:
        data = upload.file.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise TooLarge(f"file: larger than the {settings.max_upload_bytes} bytes allowed")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("file: the program is not UTF-8 text", field="file") from None
        check_clean_text(text, "file")
        return text
    check_clean_text(source, "source")
    return source


@router.post(SUBMIT_PATH)
def submit(
    page: FormPage,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
    owner: str,
    name: str,
    problem: Annotated[str, Form()] = "",
    compiler: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    found = find(session, page, owner, name)
    user = signed_in(page)
    try:
        program = read_source(platform.settings, source, file)
        answer = student.ExamAnswer(problem=problem, compiler=compiler, source=program)
        student.submit_to_exam(session, platform.queue, found.exam, user, answer, now=now)
    except ServiceError as error:
        session.rollback()
        if found.student is None:
            raise
        return student_page(
            page, session, found, now, error=str(error), failed_problem=problem, status=error.status
        )
    return page.redirect(found.url + "#submissions")


# --------------------------------------------------------------------------- staff


@dataclass(frozen=True)
class StudentRow:
    student: ExamStudent
    username: str
    window: ExamWindow


def student_rows(session: Session, exam: Exam, now: datetime) -> list[StudentRow]:
    """The exam's students by email, with their account's username and their window now."""
    ids = [s.user_id for s in exam.students if s.user_id is not None]
    rows = session.execute(sa.select(User.id, User.username).where(User.id.in_(ids)))
    users = {user_id: username for user_id, username in rows}
    return [
        StudentRow(s, users.get(s.user_id or 0, ""), student.window_for(exam, s, now))
        for s in sorted(exam.students, key=lambda s: s.email)
    ]


def staff_page(page: PageContext, session: Session, found: Found, now: datetime) -> Response:
    exam = found.exam
    results = exam_results(session, exam, view=View.STAFF, now=now)
    return page.render(
        "exams/staff.html",
        exam=exam,
        url=found.url,
        ident=found.ident,
        rows=student_rows(session, exam, now),
        results=results,
        ends_at=exam_end(exam) if exam.started_at else None,
        open_exam=exam.protection == Protection.OPEN,
    )


@router.post(f"{BASE}/start")
def start(page: FormPage, session: DbSession, now: Now, owner: str, name: str) -> Response:
    found = staff_only(session, page, owner, name)
    service.start_exam(session, signed_in(page), found.ident, now)
    return page.redirect(found.url)


@router.get(f"{BASE}/passwords")
def passwords(page: Page, session: DbSession, platform: PlatformDep, owner: str, name: str) -> Response:
    found = staff_only(session, page, owner, name)
    codes = service.exam_passwords(session, signed_in(page), found.ident, platform.settings)
    return render_passwords(page, session, found, codes)


def render_passwords(page: PageContext, session: Session, found: Found, codes: service.Passwords) -> Response:
    names = {row.student.email: row.username for row in student_rows(session, found.exam, found.exam.start)}
    return page.render(
        "exams/passwords.html",
        exam=found.exam,
        url=found.url,
        codes=sorted(codes.by_email.items()),
        names=names,
        open_exam=found.exam.protection == Protection.OPEN,
    )


@router.post(f"{BASE}/passwords/regenerate")
def regenerate(page: FormPage, session: DbSession, platform: PlatformDep, owner: str, name: str) -> Response:
    found = staff_only(session, page, owner, name)
    service.regenerate_passwords(session, signed_in(page), found.ident, platform.settings)
    return page.redirect(found.url + "/passwords")


def _minutes(text: str) -> int:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise InvalidInput(f"minutes: {text[:20]!r} is not a whole number of minutes", field="minutes")
    return int(text)


@router.post(f"{BASE}/students/extra")
def extra_time(
    page: FormPage,
    session: DbSession,
    owner: str,
    name: str,
    email: Annotated[str, Form()] = "",
    minutes: Annotated[str, Form()] = "",
) -> Response:
    found = staff_only(session, page, owner, name)
    service.set_extra_time(session, signed_in(page), found.ident, email, _minutes(minutes))
    return page.redirect(found.url + "#students")


@router.post(f"{BASE}/students/close")
def close(
    page: FormPage, session: DbSession, now: Now, owner: str, name: str, email: Annotated[str, Form()] = ""
) -> Response:
    found = staff_only(session, page, owner, name)
    service.close_student(session, signed_in(page), found.ident, email, now)
    return page.redirect(found.url + "#students")


@router.post(f"{BASE}/students/reopen")
def reopen(
    page: FormPage, session: DbSession, owner: str, name: str, email: Annotated[str, Form()] = ""
) -> Response:
    found = staff_only(session, page, owner, name)
    service.reopen_student(session, signed_in(page), found.ident, email)
    return page.redirect(found.url + "#students")


@router.get(f"{BASE}/ranking")
def ranking_fragment(page: Page, session: DbSession, now: Now, owner: str, name: str) -> Response:
    """The live ranking for staff (polled by the staff page)."""
    found = staff_only(session, page, owner, name)
    results = exam_results(session, found.exam, view=View.STAFF, now=now)
    return page.render("exams/ranking.html", url=found.url, results=results, staff=True, poll=True)


@router.get(f"{BASE}/ranking.csv")
def ranking_export(page: Page, session: DbSession, now: Now, owner: str, name: str) -> Response:
    found = staff_only(session, page, owner, name)
    results = exam_results(session, found.exam, view=View.STAFF, now=now)
    filename = found.ident.replace(":", "_") + "_ranking.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return page.respond(Response(ranking_csv(results), 200, headers, media_type=CSV_MEDIA_TYPE))


@router.post(f"{BASE}/freeze")
def freeze(
    page: FormPage, session: DbSession, owner: str, name: str, minutes: Annotated[str, Form()] = ""
) -> Response:
    _write(session)
    found = staff_only(session, page, owner, name)
    ranking.freeze(session, found.exam, signed_in(page), _minutes(minutes))
    session.commit()
    return page.redirect(found.url + "#ranking")


@router.post(f"{BASE}/unfreeze")
def unfreeze(page: FormPage, session: DbSession, now: Now, owner: str, name: str) -> Response:
    _write(session)
    found = staff_only(session, page, owner, name)
    ranking.unfreeze(session, found.exam, signed_in(page), now)
    session.commit()
    return page.redirect(found.url + "#ranking")


def projector_results(session: Session, exam: Exam, now: datetime) -> Results:
    """The ranking as students see it (the freeze applies); marks stay private outside contests."""
    results = exam_results(session, exam, view=View.STUDENTS, now=now)
    if not exam.contest:
        results.rows = []
    return results


@router.get(f"{BASE}/projector")
def projector(page: Page, session: DbSession, now: Now, owner: str, name: str) -> Response:
    found = staff_only(session, page, owner, name)
    return render_projector(page, session, found, now, "exams/projector.html")


@router.get(f"{BASE}/projector/board")
def projector_board(page: Page, session: DbSession, now: Now, owner: str, name: str) -> Response:
    found = staff_only(session, page, owner, name)
    return render_projector(page, session, found, now, "exams/board.html")


def render_projector(
    page: PageContext, session: Session, found: Found, now: datetime, template: str
) -> Response:
    exam = found.exam
    end = exam_end(exam) if exam.started_at else None
    remaining = max(0, int((end - now).total_seconds())) if end else 0
    return page.render(
        template,
        exam=exam,
        url=found.url,
        results=projector_results(session, exam, now),
        remaining=remaining,
        started=exam.started_at is not None,
        staff=False,
        poll=False,
    )
