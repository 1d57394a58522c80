"""``/services/exams/owner:name/...`` for students: exam mode (the use cases are
:mod:`verdict.exams.student`; the window is :mod:`verdict.exams.window`).

* ``POST .../enter``: the body a document ``password: CODE`` (YAML or JSON; empty for an ``open``
  exam) or a form field ``password``. Answers the student's view::

      exam: Instructor:final          # owner:name
      title: Final exam
      state: running                  # not_started | running | ended | closed
      reason: "the exam is running: it ends at 2026-06-22 14:00:00 UTC"
      started_at: 2026-06-22 12:00:00 # the real start (UTC), null before actions/start
      ends_at: 2026-06-22 14:00:00    # this student's end (extra time included), null before
      problems:                       # empty before the start
      - {problem: P15243, caption: P1, icon: balloons/Pink, weight: 2.0, title: Hello}

* ``GET .../problems``: the same view, for a student who entered (403 before the start).
* ``POST .../submissions``: a form with ``problem`` (id or caption), ``compiler`` and the program
  as an uploaded ``file`` or as ``source`` text; 201 ``{submission: 123, problem: P15243}``.
  Outside the window 403 with the reason; a problem not in the exam or a compiler it does not
  allow 400 naming the field.
* ``GET .../submissions``: the student's own exam submissions, oldest first, with status and
  verdict.

Times are UTC and the server's: a client's clock counts for nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from verdict.courses.names import parse_ident
from verdict.errors import InvalidInput, TooLarge
from verdict.exams import access, student
from verdict.exams.models import Exam
from verdict.faces.jutge.common import (
    MULTIPART_SLACK,
    Document,
    ServicesUser,
    check_clean_text,
    document_cap,
    read_body,
    read_form,
)
from verdict.faces.jutge.errors import render
from verdict.faces.jutge.yaml_io import load_document
from verdict.settings import Settings
from verdict.submissions.models import Submission
from verdict.web.deps import DbSession, Now, PlatformDep
from verdict.web.openapi import form_fields, request_body

router = APIRouter(tags=["jutge: exam mode"])

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

ENTER_BODY = request_body(
    {
        "application/yaml": {"type": "object", "properties": {"password": {"type": "string"}}},
        **{
            media_type: form_fields({"password": {"type": "string", "format": "password"}})
            for media_type in FORM_TYPES
        },
    },
    description="The exam password: `password: CODE` (nothing for an open exam).",
)
ENTER_BODY["requestBody"]["required"] = False
SUBMIT_BODY = request_body(
    {
        "multipart/form-data": form_fields(
            {
                "problem": {"type": "string", "description": "A problem id (P12345) or its caption (P1)."},
                "compiler": {"type": "string", "description": "A compiler id (G++17, Python3 ...)."},
                "file": {"type": "string", "format": "binary"},
                "source": {"type": "string", "description": "The program as text, instead of `file`."},
            },
            ["problem", "compiler"],
        )
    }
)


def source_cap(settings: Settings) -> int:
    """A submission form: one program, at most ``max_upload_bytes``, and its framing."""
    return settings.max_upload_bytes + MULTIPART_SLACK


def _exam(session: DbSession, ref: str) -> Exam:
    owner, name = parse_ident(ref)
    return access.find_exam(session, owner, name)


def _time(moment: datetime | None) -> str | None:
    return moment.strftime(TIME_FORMAT) if moment else None


def view_document(view: student.StudentExam) -> dict[str, Any]:
    window = view.window
    return {
        "exam": view.ident,
        "title": view.exam.title,
        "state": str(window.state),
        "reason": window.reason,
        "started_at": _time(window.started_at),
        "ends_at": _time(window.ends_at),
        "problems": [
            {
                "problem": item.problem_id,
                "caption": item.caption,
                "icon": item.icon,
                "weight": item.weight,
                "title": item.title,
            }
            for item in view.problems
        ],
    }


def submission_document(submission: Submission) -> dict[str, Any]:
    return {
        "submission": submission.id,
        "problem": submission.problem_id,
        "compiler": submission.language,
        "submitted_at": _time(submission.created_at),
        "status": str(submission.status),
        "verdict": str(submission.verdict) if submission.verdict else None,
        "score": submission.score,
    }


# --------------------------------------------------------------------------- enter


async def _password(request: Request, settings: Settings) -> str | None:
    """``password`` from a form, or from a YAML/JSON document; None when the body is empty."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() in FORM_TYPES:
        form = await read_form(request, document_cap(settings))
        try:
            value = form.get("password")
        finally:
            await form.close()
        if value is not None and not isinstance(value, str):
            raise InvalidInput("password: expected text, not a file", field="password")
        return value
    data = await read_body(request, document_cap(settings))
    if not data.strip():
        return None
    document = Document(load_document(data))
    return document.text("password") if document.has("password") else None


@router.post("/exams/{ref}/enter", summary="Enter an exam with its password", openapi_extra=ENTER_BODY)
async def enter(
    request: Request, ref: str, user: ServicesUser, session: DbSession, platform: PlatformDep, now: Now
) -> Response:
    password = await _password(request, platform.settings)

    def work() -> dict[str, Any]:
        exam = _exam(session, ref)
        entered = student.enter_exam(session, exam, user, password, now=now)
        return view_document(student.entered_view(session, exam, entered, now))

    return render(request, await run_in_threadpool(work))


@router.get("/exams/{ref}/problems", summary="The problems of an exam one entered")
def problems(request: Request, ref: str, user: ServicesUser, session: DbSession, now: Now) -> Response:
    exam = _exam(session, ref)
    return render(request, view_document(student.student_view(session, exam, user, now)))


# --------------------------------------------------------------------------- submissions


async def _answer(request: Request, settings: Settings) -> student.ExamAnswer:
    form = await read_form(request, settings.max_upload_bytes)
    try:
        problem = _text_field(form, "problem")
        compiler = _text_field(form, "compiler")
        source = await _source(form, settings.max_upload_bytes)
    finally:
        await form.close()
    return student.ExamAnswer(problem=problem, compiler=compiler, source=source)


def _text_field(form: FormData, name: str) -> str:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name}: missing form field", field=name)
    check_clean_text(value, name)
    return value.strip()


async def _source(form: FormData, limit: int) -> str:
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(f"file: larger than the {limit} bytes allowed")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("file: the program is not UTF-8 text", field="file") from None
        check_clean_text(text, "file")
        return text
    source = form.get("source")
    if isinstance(source, str) and source.strip():
        check_clean_text(source, "source")
        return source
    raise InvalidInput("file: send the program as a file (-F file=@prog.cc) or as source text", field="file")


@router.post("/exams/{ref}/submissions", summary="Submit to a problem of an exam", openapi_extra=SUBMIT_BODY)
async def submit(
    request: Request, ref: str, user: ServicesUser, session: DbSession, platform: PlatformDep, now: Now
) -> Response:
    answer = await _answer(request, platform.settings)

    def work() -> dict[str, Any]:
        exam = _exam(session, ref)
        submission_id = student.submit_to_exam(session, platform.queue, exam, user, answer, now=now)
        submission = session.get(Submission, submission_id)
        return {"submission": submission_id, "problem": submission.problem_id if submission else None}

    return render(request, await run_in_threadpool(work), 201)


@router.get("/exams/{ref}/submissions", summary="Your submissions to an exam")
def submissions(request: Request, ref: str, user: ServicesUser, session: DbSession) -> Response:
    exam = _exam(session, ref)
    return render(request, [submission_document(s) for s in student.own_submissions(session, exam, user)])
