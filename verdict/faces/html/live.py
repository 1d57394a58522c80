"""Submitting from a page and watching the submission live.

* :func:`submitted_form`: the multipart form of a task or problem page, read with the same caps
  as the INGInious face's submissions (``max_upload_bytes`` per part), its CSRF token checked
  before anything is done; the answers come out decoded (text, or an ``Upload``) for the same use
  cases as the APIs (:mod:`verdict.submissions.service`).
* :func:`event_stream`: ``text/event-stream`` for htmx's SSE extension. The grading engine
  publishes its progress to the submission row (the worker may be on another machine), so the
  stream polls the row (its own short database session, every
  :data:`~verdict.faces.html.submission_view.POLL_SECONDS`) and sends a ``state`` event with the
  result's HTML each time it changes: waiting, being graded (compiling, running test *i* of *N*),
  then the result, sent with a ``done`` event on which the page closes the connection (one write
  with the body's end: :class:`EventStream`). A stream lasts at most
  :data:`MAX_STREAM_SECONDS`; the browser then connects again. A ``: keep-alive`` comment goes out
  every :data:`KEEPALIVE_SECONDS` so that proxies do not cut a quiet connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import StreamingResponse
from starlette.types import Send

from verdict.accounts.models import User
from verdict.courses.grades import Standing, standings
from verdict.courses.models import Task
from verdict.courses.submission_rules import Answer, Upload
from verdict.errors import InvalidInput, TooLarge
from verdict.faces.html import statement_view, submission_view
from verdict.faces.html.pages import Page, PageContext
from verdict.platform import Platform
from verdict.settings import Settings
from verdict.submissions.models import Submission
from verdict.web.body_limits import BodyTooLarge, PartTooLarge, read_form
from verdict.web.deps import PlatformDep

FormText = Annotated[str, Form()]
MAX_FORM_FIELDS = 1000
FORM_OVERHEAD = 64 * 1024
MAX_STREAM_SECONDS = 600.0
KEEPALIVE_SECONDS = 15.0


def submission_cap(settings: Settings) -> int:
    """The most a page's submission form may carry: every upload, and the form around it."""
    return 2 * settings.max_upload_bytes + FORM_OVERHEAD


@dataclass(frozen=True)
class SubmittedForm:
    page: PageContext
    fields: dict[str, list[Answer]]  # the answers, without the CSRF token

    def text(self, name: str) -> str:
        values = self.fields.get(name) or []
        return values[0] if len(values) == 1 and isinstance(values[0], str) else ""


async def submitted_form(request: Request, page: Page, platform: PlatformDep) -> SubmittedForm:
    """The page's form, decoded, once its CSRF token is checked (403 otherwise)."""
    limit = platform.settings.max_upload_bytes
    try:
        form = await read_form(
            request, max_files=MAX_FORM_FIELDS, max_fields=MAX_FORM_FIELDS, max_part_size=limit
        )
    except PartTooLarge as error:
        raise TooLarge(f"{error.message} (the upload limit)") from None
    except BodyTooLarge:
        raise
    except Exception as error:  # starlette's MultiPartException and parser errors
        raise InvalidInput(f"malformed form data: {error}") from None
    fields: dict[str, list[Answer]] = {}
    token = ""
    try:
        for key, value in form.multi_items():
            if key == "csrf" and isinstance(value, str):
                token = value
                continue
            if isinstance(value, UploadFile):
                data = await value.read(limit + 1)
                if not value.filename and not data:
                    continue  # a file input left empty
                fields.setdefault(key, []).append(Upload(value.filename or "", data))
            elif _is_text(key) and _is_text(value):
                fields.setdefault(key, []).append(value)
            else:
                raise InvalidInput(f"{key[:60]!r}: not valid text")
    finally:
        await form.close()
    page.check_csrf(token)
    return SubmittedForm(page, fields)


def _is_text(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


Submitted = Annotated[SubmittedForm, Depends(submitted_form)]


# --------------------------------------------------------------------------- the result


def result_context(
    platform: Platform, session: Session, submission: Submission, task: Task | None, *, live: bool = False
) -> dict[str, Any]:
    """What ``_result.html`` shows of a submission (the student's own)."""
    done = submission_view.finished(submission)
    return {
        "s": submission,
        "state": submission_view.state(submission),
        "progress": submission_view.progress(submission),
        "finished": done,
        "tests": submission_view.visible_tests(session, platform.settings, submission) if done else [],
        # Rendered as the INGInious API renders it (RST to sanitised HTML).
        "feedback": statement_view.feedback(submission.feedback or "", platform.clock()) if done else "",
        "parts": {
            pid: statement_view.feedback(text, platform.clock())
            for pid, text in submission_view.parts_feedback(submission).items()
        }
        if done
        else {},
        # Sent live: the same HTML also updates, out of band, the history's row and the standing.
        "oob": live,
        "standing": _standing(session, submission, task) if live and done else None,
    }


def _standing(session: Session, submission: Submission, task: Task | None) -> Standing | None:
    user = session.get(User, submission.user_id)
    return standings(session, user, [task])[task.id] if task is not None and user is not None else None


def render_result(page: PageContext, context: dict[str, Any]) -> str:
    environment = page.pages.environments[page.lang]
    return environment.get_template("_result.html").render(**context)


def event_stream(
    page: PageContext, platform: Platform, submission_id: int, task_id: int | None
) -> StreamingResponse:
    """The live view of one submission (already checked to be the user's own)."""

    def snapshot() -> tuple[str, bool]:
        with platform.sessionmaker() as session:
            submission = session.get(Submission, submission_id)
            if submission is None:
                return "", True
            task = session.get(Task, task_id) if task_id is not None else None
            context = result_context(platform, session, submission, task, live=True)
            return render_result(page, context), bool(context["finished"])

    return page.respond(EventStream(_events(page.request, snapshot)))


class EventStream(StreamingResponse):
    """``text/event-stream`` whose last chunk (the result's ``state`` and ``done``) goes out with
    the end of the body, in one write. The page closes the connection on ``done`` (htmx's
    ``sse-close``): had the end of the body come in a later write, the browser could close first
    and count the request as aborted (a failed request in the browser tests, now and then)."""

    def __init__(self, events: AsyncIterator[str]) -> None:
        super().__init__(events, media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})
        self.events = events

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        async for event in self.events:
            last = event.endswith(DONE)
            await send({"type": "http.response.body", "body": event.encode(), "more_body": not last})
            if last:
                return
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _events(request: Request, snapshot: Callable[[], tuple[str, bool]]) -> AsyncIterator[str]:
    started = last_sent = time.monotonic()
    previous = None
    while time.monotonic() - started < MAX_STREAM_SECONDS:
        html, finished = await run_in_threadpool(snapshot)
        state = sse("state", html) if html != previous else ""
        if finished:  # the result and the end together: see EventStream
            yield state + DONE
            return
        if state:
            previous, last_sent = html, time.monotonic()
            yield state
        if time.monotonic() - last_sent > KEEPALIVE_SECONDS:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        if await request.is_disconnected():
            return
        await asyncio.sleep(submission_view.POLL_SECONDS)


def sse(event: str, data: str) -> str:
    """One server-sent event: every line of ``data`` on a ``data:`` line of its own."""
    lines = data.splitlines() or [""]
    return f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


DONE = sse("done", "")  # the stream's last event: the result was sent
