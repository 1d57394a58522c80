"""``/api/v0/courses/{courseid}/register`` and ``.../unregister``: a student joins or leaves a course.

INGInious's REST API v0 has no registration endpoint: its web frontend registers on the course's
register page (a POST form whose ``register_password`` field carries the course's password) and
unregisters on the course page (where ``allow_unregister`` is true). These endpoints are that
form, answered as the rest of the API is (negotiated JSON or YAML, ``{"error": ...}`` errors); the
rules and the unit of work are :func:`verdict.courses.registration.register_student` and
:func:`~verdict.courses.registration.unregister_student`.

Choices where INGInious (a web page, which redirects) says nothing an API client could use:

* Registering again, or as staff, is a success that changes nothing: 200, where a new membership
  is 201. Both answer ``{"status": "success", "is_registered": true}``.
* An unknown course is 404 ("Course not found"); a course closed to registration, or not
  accessible now, is 403 with a message saying which; outside the course's registration window
  (INGInious ``registration: "START/END"``) too, saying when registration opens or when it
  closed; a wrong or missing password is 403 ("Invalid registration password", INGInious's page
  says "Invalid password.") and nothing is
  written but the failed attempt. Guessing is slowed down as logins are: after five wrong
  passwords for one course, 429 with ``Retry-After`` (the wait doubles, up to five minutes).
* Unregistering when not registered is a success (200, ``"is_registered": false``); a course that
  does not allow it is 403, and so is staff (who are not students of the course).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from verdict.courses.registration import register_student, unregister_student
from verdict.courses.task_view import get_course
from verdict.errors import NotFound
from verdict.faces.inginious import exam_courses, schemas
from verdict.faces.inginious.forms import registration_password
from verdict.faces.inginious.negotiation import render
from verdict.web.deps import CurrentUser, DbSession, Now
from verdict.web.openapi import form_fields, request_body

router = APIRouter(prefix=schemas.PREFIX, tags=schemas.TAGS)

REGISTER_FIELDS = {
    "password": {
        "type": "string",
        "format": "password",
        "description": "The course's registration password, when it has one.",
    },
    "register_password": {
        "type": "string",
        "format": "password",
        "description": "The same, as INGInious's register page names it (`password` wins if both are sent).",
    },
    "courseid": {"type": "string", "description": "Optional: the course id of the address."},
}
REGISTER_BODY = request_body(
    {
        media_type: form_fields(REGISTER_FIELDS)
        for media_type in ("application/x-www-form-urlencoded", "multipart/form-data", "application/json")
    },
    description="Form fields or a JSON object; may be empty for a course without a password.",
)
REGISTER_BODY["requestBody"]["required"] = False


@router.post(
    "/courses/{courseid}/register",
    summary="Register to a course",
    description="The connected user becomes a student of the course, if its registration is open (with "
    "`password` when the course has one). 201 when registered now, 200 when already registered (or "
    "staff); 403 when registration is closed (or outside the course's registration window: the "
    "message says when it opens or closed), the course is not accessible now or the password is "
    "wrong; 404 for an unknown course; 429 (with `Retry-After`) after too many wrong passwords.",
    response_model=None,
    responses={
        **schemas.ok(schemas.RegistrationStatus),
        201: {
            "model": schemas.RegistrationStatus,
            "description": "Registered now.",
            "content": schemas.YAML_CONTENT,
        },
        **schemas.error_responses(400, 401, 403, 404, 429),
    },
    openapi_extra=REGISTER_BODY,
)
def post_register(
    request: Request,
    courseid: str,
    user: CurrentUser,
    session: DbSession,
    password: Annotated[str | None, Depends(registration_password)],
    now: Now,
) -> Response:
    if (exam := exam_courses.exam_course(session, courseid)) is not None:  # entering an exam
        created = exam_courses.register(session, exam, user, password, now)
        return render(request, {"status": "success", "is_registered": True}, 201 if created else 200)
    course = get_course(session, courseid)
    if course is None:
        raise NotFound("Course not found")
    outcome = register_student(session, course, user, password, now=now)
    return render(request, {"status": "success", "is_registered": True}, 201 if outcome.created else 200)


@router.post(
    "/courses/{courseid}/unregister",
    summary="Unregister from a course",
    description="The connected user stops being a student of the course, where the course allows it "
    "(`allow_unregister`). 200 (also when not registered); 403 when the course does not allow it, "
    "or for staff; 404 for an unknown course. Submissions are kept.",
    response_model=None,
    responses={**schemas.ok(schemas.RegistrationStatus), **schemas.error_responses(401, 403, 404)},
)
def post_unregister(request: Request, courseid: str, user: CurrentUser, session: DbSession) -> Response:
    if (exam := exam_courses.exam_course(session, courseid)) is not None:
        exam_courses.unregister(session, exam, user)
    course = get_course(session, courseid)
    if course is None:
        raise NotFound("Course not found")
    unregister_student(session, course, user)
    return render(request, {"status": "success", "is_registered": False})
