"""The INGInious REST API v0 endpoints (``/api/v0/...``).

Every endpoint answers JSON, or YAML when the ``Accept`` header prefers it (see
:mod:`.negotiation`), errors included: ``{"error": "..."}`` with the status code. Authentication is
the session cookie set by ``POST /api/v0/authentication``, HTTP Basic or a bearer token
(:mod:`verdict.accounts.deps`); without any, the authenticated pages answer 401.

Errors are formatted by :class:`InginiousRoute` for these routes only, so that the face does not
change how other faces format theirs.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from datetime import datetime
from typing import Annotated, Any, TypeGuard

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.responses import Response

from verdict import db
from verdict.accounts import service as accounts
from verdict.accounts.errors import AuthError
from verdict.accounts.models import User
from verdict.accounts.sessions import set_session_cookie
from verdict.courses import tasks as task_service
from verdict.courses.models import Course, Task
from verdict.courses.tasks import Access, FormValue, Upload
from verdict.errors import InvalidInput, NotFound, PermissionDenied, ServiceError, TooLarge, Unavailable
from verdict.faces.inginious import schemas
from verdict.faces.inginious.negotiation import render
from verdict.faces.inginious.views import course_view, submission_view, task_view
from verdict.platform import Platform
from verdict.settings import Settings
from verdict.submissions.models import Submission
from verdict.web.body_limits import BodyTooLarge, PartTooLarge, read_form
from verdict.web.deps import CurrentUser, DbSession, PlatformDep, client_ip, current_user_optional
from verdict.web.errors import ErrorReport

log = logging.getLogger(__name__)

AUTH_METHOD_ID = "db"
MAX_FORM_FIELDS = 1000
FORM_OVERHEAD = 64 * 1024  # multipart headers and boundaries on top of the upload cap
MAX_ID = 2**63 - 1  # the largest id a database integer column holds


def render_error(request: Request, report: ErrorReport) -> Response:
    """Every error of the face: ``{"error": message}`` in the negotiated format."""
    message = f"invalid request: {report.message}" if report.validation else report.message
    return render(request, {"error": message}, report.status, headers=report.headers or None)


router = APIRouter(prefix="/api/v0", tags=["INGInious REST API v0"])


def _ok(model: Any) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "content": schemas.YAML_CONTENT}}


# --------------------------------------------------------------------------- authentication


@router.get(
    "/auth_methods",
    summary="List the authentication methods",
    description="The methods a client may log in with, and the inputs each takes.",
    response_model=None,
    responses=_ok(list[schemas.AuthMethod]),
)
def auth_methods(request: Request) -> Response:
    return render(
        request,
        [
            {
                "id": AUTH_METHOD_ID,
                "name": "Verdict account",
                "input": [
                    {"id": "login", "name": "Login", "type": "text"},
                    {"id": "password", "name": "Password", "type": "password"},
                ],
            }
        ],
    )


def _lenient_user(request: Request, session: DbSession, platform: PlatformDep) -> User | None:
    try:
        return current_user_optional(request, session, platform)
    except AuthError:  # bad credentials count as none here
        return None


@router.get(
    "/authentication",
    summary="Who is authenticated",
    description='`{"authenticated": false}` or `{"authenticated": true, "username": ...}`; always 200.',
    response_model=None,
    responses=_ok(schemas.AuthenticationStatus),
)
def get_authentication(request: Request, user: Annotated[User | None, Depends(_lenient_user)]) -> Response:
    if user is None:
        return render(request, {"authenticated": False})
    return render(request, {"authenticated": True, "username": user.username})


async def _login_fields(request: Request) -> dict[str, Any]:
    # The body was capped (Settings.max_login_bytes) by verdict.web.body_limits as it arrived.
    try:
        if "json" in request.headers.get("content-type", ""):
            data = json.loads(await request.body())
            return data if isinstance(data, dict) else {}
        form = await read_form(request, max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=4096)
        return {key: value for key, value in form.items() if isinstance(value, str)}
    except BodyTooLarge:
        raise
    except Exception:  # any malformed body is a failed login
        return {}


def is_text(value: Any) -> TypeGuard[str]:
    """A string the database and argon2 can take: UTF-8 encodable (no lone surrogate such as
    JSON's ``"\\ud800"``) and without NUL (which PostgreSQL refuses)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


LOGIN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media_type: {
                "schema": {
                    "type": "object",
                    "required": ["login", "password"],
                    "properties": {
                        "login": {"type": "string", "description": "Username or email."},
                        "password": {"type": "string", "format": "password"},
                    },
                }
            }
            for media_type in ("application/x-www-form-urlencoded", "multipart/form-data", "application/json")
        },
    }
}


@router.post(
    "/authentication",
    summary="Log in",
    description='Takes `login` and `password` (form fields, or JSON). 200 `{"status": "success"}` with a '
    'session cookie, or 403 `{"status": "error"}` (wrong credentials, or too many failed attempts).',
    response_model=None,
    responses={
        **_ok(schemas.LoginStatus),
        403: {"model": schemas.LoginStatus, "description": "Login failed."},
    },
    openapi_extra=LOGIN_BODY,
)
def post_authentication(
    request: Request,
    session: DbSession,
    platform: PlatformDep,
    fields: Annotated[dict[str, Any], Depends(_login_fields)],
) -> Response:
    login, password = fields.get("login"), fields.get("password")
    if not is_text(login) or not is_text(password) or not login.strip():
        return render(request, {"status": "error"}, 403)
    try:
        user = accounts.authenticate(session, login.strip(), password, ip=client_ip(request))
    except AuthError:  # wrong credentials or rate limited
        return render(request, {"status": "error"}, 403)
    response = render(request, {"status": "success"})
    set_session_cookie(response, platform.settings, user, secure=request.url.scheme == "https")
    return response


# --------------------------------------------------------------------------- courses


@router.get(
    "/courses",
    summary="List the courses",
    description="Courses the user is registered to (or staff of) and those open to registration, keyed by "
    "course id; `tasks` and `grade` only where registered.",
    response_model=None,
    responses={**_ok(dict[str, schemas.CourseInfo]), **schemas.error_responses(401)},
)
def list_courses(request: Request, user: CurrentUser, session: DbSession) -> Response:
    now = db.utcnow()
    courses = task_service.courses_for(session, user, now)
    return render(
        request, {course.slug: course_view(session, course, access, user, now) for course, access in courses}
    )


@router.get(
    "/courses/{courseid}",
    summary="Get one course",
    description="A dict with the one course, or 404.",
    response_model=None,
    responses={**_ok(dict[str, schemas.CourseInfo]), **schemas.error_responses(401, 404)},
)
def get_course(request: Request, courseid: str, user: CurrentUser, session: DbSession) -> Response:
    now = db.utcnow()
    course = task_service.get_course(session, courseid)
    if course is None:
        raise NotFound("Course not found")
    access = task_service.course_access(session, course, user, now)
    if not access.visible:
        raise NotFound("Course not found")
    return render(request, {course.slug: course_view(session, course, access, user, now)})


def _registered_course(session: Session, courseid: str, user: User, now: datetime) -> tuple[Course, Access]:
    """The course, if the user may work in it: 404 unknown, 403 not registered or closed."""
    course = task_service.get_course(session, courseid)
    if course is None:
        raise NotFound("Course not found")
    access = task_service.course_access(session, course, user, now)
    if not access.registered:
        raise PermissionDenied("You are not registered to this course")
    if not access.open:
        raise PermissionDenied("This course is not accessible now")
    return course, access


def _visible_task(session: Session, course: Course, taskid: str, access: Access, now: datetime) -> Task:
    task = task_service.get_task(session, course, taskid)
    if task is None or not task_service.task_visible(task, access, now):
        raise NotFound("Task not found")
    return task


# --------------------------------------------------------------------------- tasks


@router.get(
    "/courses/{courseid}/tasks",
    summary="List the tasks of a course",
    description="Tasks keyed by task id, with the user's status and grade; problems without their answers. "
    "403 when not registered to the course.",
    response_model=None,
    responses={**_ok(dict[str, schemas.TaskInfo]), **schemas.error_responses(401, 403, 404)},
)
def list_tasks(
    request: Request, courseid: str, user: CurrentUser, session: DbSession, platform: PlatformDep
) -> Response:
    now = db.utcnow()
    order = _choice_order(platform, user)
    course, access = _registered_course(session, courseid, user, now)
    tasks = task_service.visible_tasks(session, course, access, now)
    standing = task_service.standings(session, user, tasks)
    return render(
        request, {task.slug: task_view(task, course, user, standing[task.id], order) for task in tasks}
    )


@router.get(
    "/courses/{courseid}/tasks/{taskid}",
    summary="Get one task",
    description="A dict with the one task, or 404.",
    response_model=None,
    responses={**_ok(dict[str, schemas.TaskInfo]), **schemas.error_responses(401, 403, 404)},
)
def get_task(
    request: Request, courseid: str, taskid: str, user: CurrentUser, session: DbSession, platform: PlatformDep
) -> Response:
    now = db.utcnow()
    order = _choice_order(platform, user)
    course, access = _registered_course(session, courseid, user, now)
    task = _visible_task(session, course, taskid, access, now)
    standing = task_service.standings(session, user, [task])[task.id]
    return render(request, {task.slug: task_view(task, course, user, standing, order)})


def _choice_order(platform: Platform, user: User) -> task_service.ChoiceOrder:
    return task_service.ChoiceOrder(platform.settings.secret_key, user.username)


# --------------------------------------------------------------------------- submissions


@router.get(
    "/courses/{courseid}/tasks/{taskid}/submissions",
    summary="List your submissions to a task",
    description="The connected user's submissions, newest first; `result`, `feedback` and "
    "`problems_feedback` only when done.",
    response_model=None,
    responses={**_ok(list[schemas.SubmissionInfo]), **schemas.error_responses(401, 403, 404)},
)
def list_submissions(
    request: Request, courseid: str, taskid: str, user: CurrentUser, session: DbSession
) -> Response:
    now = db.utcnow()
    course, access = _registered_course(session, courseid, user, now)
    task = _visible_task(session, course, taskid, access, now)
    return render(request, [submission_view(s) for s in task_service.user_submissions(session, task, user)])


@router.get(
    "/courses/{courseid}/tasks/{taskid}/submissions/{submissionid}",
    summary="Get one of your submissions",
    description="A list with the one submission, or 404 (also for somebody else's submission).",
    response_model=None,
    responses={**_ok(list[schemas.SubmissionInfo]), **schemas.error_responses(401, 403, 404)},
)
def get_submission(
    request: Request, courseid: str, taskid: str, submissionid: str, user: CurrentUser, session: DbSession
) -> Response:
    now = db.utcnow()
    course, access = _registered_course(session, courseid, user, now)
    task = _visible_task(session, course, taskid, access, now)
    number = parse_id(submissionid)
    submission = session.get(Submission, number) if number is not None else None
    if submission is None or submission.task_id != task.id or submission.user_id != user.id:
        raise NotFound("Submission not found")
    return render(request, [submission_view(submission)])


def parse_id(text: str) -> int | None:
    """A database id written in ASCII digits, or None (``"²".isdigit()`` is True, and ids of
    2**63 and more overflow the column)."""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def _form_limit(platform: Platform) -> int:
    return platform.settings.max_upload_bytes


def submission_body_cap(settings: Settings) -> int:
    """The most a submission body may carry: base64 inflates JSON files by 4/3."""
    return 2 * settings.max_upload_bytes + FORM_OVERHEAD


async def _submission_fields(
    request: Request, user: CurrentUser, platform: PlatformDep
) -> dict[str, list[FormValue]]:
    """The submitted fields: form fields (a key repeated for several values, files as multipart
    parts), or a JSON object (lists for several values, files as {filename, value (base64)})."""
    del user  # declared so that authentication is checked before the body is read
    # The whole body was capped (submission_body_cap) by verdict.web.body_limits as it arrived.
    if "json" in request.headers.get("content-type", ""):
        return _json_fields(await request.body())
    return await _form_fields(request, _form_limit(platform))


def _json_fields(body: bytes) -> dict[str, list[FormValue]]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # ints over 4,300 digits are a ValueError too
        raise InvalidInput("malformed JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("the JSON body must be an object: problem id -> answer")
    fields: dict[str, list[FormValue]] = {}
    for key, value in data.items():
        _check_text(key, key)
        fields[key] = [_json_value(key, item) for item in (value if isinstance(value, list) else [value])]
    return fields


async def _form_fields(request: Request, limit: int) -> dict[str, list[FormValue]]:
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
    fields: dict[str, list[FormValue]] = {}
    try:
        for key, value in form.multi_items():
            _check_text(key, key)
            if isinstance(value, UploadFile):
                data_bytes = await value.read(limit + 1)
                fields.setdefault(key, []).append(Upload(value.filename or "", data_bytes))
            else:
                _check_text(key, value)
                fields.setdefault(key, []).append(value)
    finally:
        await form.close()
    return fields


def _check_text(key: str, value: str) -> None:
    if not is_text(value):
        raise InvalidInput(f"{key[:60]!r}: not valid text (NUL or a lone surrogate)")


def _json_value(key: str, value: Any) -> FormValue:
    if isinstance(value, dict) and set(value) >= {"filename", "value"}:
        filename = str(value["filename"])
        _check_text(key, filename)
        try:
            return Upload(filename, base64.b64decode(str(value["value"]), validate=True))
        except (binascii.Error, ValueError):  # ValueError: non-ASCII characters in the value
            raise InvalidInput(f"{key}: the file value is not base64") from None
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise InvalidInput(f"{key}: expected a string, a number or a file")
    text = str(value)
    _check_text(key, text)
    return text


SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "description": "One field per sub-problem id (repeated for a multiple-answer choice; "
                    "a file part for a file problem); `<pid>/language` chooses the language of a "
                    "program part when the task does not fix it.",
                    "additionalProperties": {
                        "oneOf": [{"type": "string"}, {"type": "string", "format": "binary"}]
                    },
                }
            },
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "additionalProperties": {"type": "string"}}
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "Problem id -> answer (a list for several values; a file as "
                    "{filename, value (base64)}).",
                }
            },
        },
    }
}


@router.post(
    "/courses/{courseid}/tasks/{taskid}/submissions",
    summary="Submit to a task",
    description="Creates a submission, graded asynchronously: poll its status. 400 when the input is "
    "missing or malformed, 403 when not allowed (not registered, task closed, submission limit reached, a "
    "submission still waiting), 404 for an unknown course or task, 500 when no grader is available.",
    response_model=None,
    responses={**_ok(schemas.SubmissionCreated), **schemas.error_responses(400, 401, 403, 404, 500)},
    openapi_extra=SUBMISSION_BODY,
)
def post_submission(
    request: Request,
    courseid: str,
    taskid: str,
    user: CurrentUser,
    session: DbSession,
    platform: PlatformDep,
    fields: Annotated[dict[str, list[FormValue]], Depends(_submission_fields)],
) -> Response:
    now = db.utcnow()
    course, access = _registered_course(session, courseid, user, now)
    task = _visible_task(session, course, taskid, access, now)
    session.commit()  # end the reads: the unit of work below takes the write lock first
    db.begin_write(session)
    try:
        submission = task_service.create_task_submission(
            session,
            task,
            user,
            fields,
            access,
            max_upload_bytes=_form_limit(platform),
            order=_choice_order(platform, user),
            now=now,
        )
        session.commit()
    except ServiceError:
        session.rollback()
        raise
    # Only now, with the submission committed, may a grader be woken.
    try:
        platform.queue.wake()
    except Exception as error:  # a broker that is down
        log.exception("could not wake a grader for submission %s", submission.id)
        raise Unavailable(
            f"no grader available ({error}); submission {submission.id} is kept waiting and "
            "will be graded when a grader is back",
        ) from None
    return render(request, {"submissionid": str(submission.id)})
