"""``/api/v0/courses/{courseid}/tasks/{taskid}/submissions``: a user's submissions to a task, and
submitting (the body decoded by :mod:`.forms`, the unit of work in
:func:`verdict.submissions.service.submit_to_task`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from verdict import db
from verdict.courses.grades import user_submissions
from verdict.courses.groups import is_visible_to
from verdict.courses.open_answers import grade_open_answers
from verdict.courses.submission_rules import Answer, TaskAnswers
from verdict.errors import InvalidInput, NotFound
from verdict.faces.inginious import exam_courses, schemas
from verdict.faces.inginious.forms import submission_fields
from verdict.faces.inginious.lookup import (
    choice_order,
    parse_id,
    registered_course,
    submittable_task,
    visible_task,
)
from verdict.faces.inginious.negotiation import render
from verdict.faces.inginious.views import submission_view
from verdict.submissions.models import Submission
from verdict.submissions.service import submit_to_task, wake_for
from verdict.web.deps import CurrentUser, DbSession, PlatformDep
from verdict.web.openapi import request_body

router = APIRouter(prefix=schemas.PREFIX, tags=schemas.TAGS)


@router.get(
    "/courses/{courseid}/tasks/{taskid}/submissions",
    summary="List your submissions to a task",
    description="The connected user's submissions, newest first (for a group task, those made for "
    "the user's group too); `result`, `feedback` and `problems_feedback` only when done.",
    response_model=None,
    responses={**schemas.ok(list[schemas.SubmissionInfo]), **schemas.error_responses(401, 403, 404)},
)
def list_submissions(
    request: Request, courseid: str, taskid: str, user: CurrentUser, session: DbSession, platform: PlatformDep
) -> Response:
    if (exam := exam_courses.exam_course(session, courseid)) is not None:
        return render(
            request, exam_courses.submissions_document(session, exam, taskid, user, platform.clock())
        )
    now = db.utcnow()
    course, access = registered_course(session, courseid, user, now)
    task = visible_task(session, course, taskid, access, now)
    submissions = user_submissions(session, task, user)
    return render(request, [submission_view(s, task, now, access.staff) for s in submissions])


@router.get(
    "/courses/{courseid}/tasks/{taskid}/submissions/{submissionid}",
    summary="Get one of your submissions",
    description="A list with the one submission, or 404 (also for somebody else's submission; a "
    "group task's submission is each of its group's students').",
    response_model=None,
    responses={**schemas.ok(list[schemas.SubmissionInfo]), **schemas.error_responses(401, 403, 404)},
)
def get_submission(
    request: Request,
    courseid: str,
    taskid: str,
    submissionid: str,
    user: CurrentUser,
    session: DbSession,
    platform: PlatformDep,
) -> Response:
    if (exam := exam_courses.exam_course(session, courseid)) is not None:
        found = exam_courses.submission_document(session, exam, taskid, submissionid, user, platform.clock())
        return render(request, found)
    now = db.utcnow()
    course, access = registered_course(session, courseid, user, now)
    task = visible_task(session, course, taskid, access, now)
    number = parse_id(submissionid)
    submission = session.get(Submission, number) if number is not None else None
    if submission is None or submission.task_id != task.id or not is_visible_to(session, submission, user):
        raise NotFound("Submission not found")
    return render(request, [submission_view(submission, task, now, access.staff)])


SUBMISSION_BODY = request_body(
    {
        "multipart/form-data": {
            "type": "object",
            "description": "One field per sub-problem id (repeated for a multiple-answer choice; "
            "a file part for a file problem); `<pid>/language` chooses the language of a "
            "program part when the task does not fix it.",
            "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "string", "format": "binary"}]},
        },
        "application/x-www-form-urlencoded": {"type": "object", "additionalProperties": {"type": "string"}},
        "application/json": {
            "type": "object",
            "additionalProperties": {},
            "description": "Problem id -> answer (a list for several values; a file as "
            "{filename, value (base64)}).",
        },
    }
)


@router.post(
    "/courses/{courseid}/tasks/{taskid}/submissions",
    summary="Submit to a task",
    description="Creates a submission, graded asynchronously: poll its status. 400 when the input is "
    "missing or malformed, 403 when not allowed (not registered, task closed, submission limit reached, a "
    "submission still waiting), 404 for an unknown course or task, 500 when no grader is available.",
    response_model=None,
    responses={**schemas.ok(schemas.SubmissionCreated), **schemas.error_responses(400, 401, 403, 404, 500)},
    openapi_extra=SUBMISSION_BODY,
)
def post_submission(
    request: Request,
    courseid: str,
    taskid: str,
    user: CurrentUser,
    session: DbSession,
    platform: PlatformDep,
    fields: Annotated[dict[str, list[Answer]], Depends(submission_fields)],
) -> Response:
    if (exam := exam_courses.exam_course(session, courseid)) is not None:
        exam_id = exam_courses.submit(session, platform.queue, exam, taskid, user, fields, platform.clock())
        return render(request, {"submissionid": str(exam_id)})
    now = db.utcnow()
    course, access = registered_course(session, courseid, user, now)
    task = submittable_task(session, course, taskid, access, now)
    answers = TaskAnswers(
        task=task,
        user=user,
        fields=fields,
        access=access,
        max_upload_bytes=platform.settings.max_upload_bytes,
        order=choice_order(platform, user),
        now=now,
    )
    submission_id = submit_to_task(session, platform.queue, answers)
    return render(request, {"submissionid": str(submission_id)})


GRADES_BODY = request_body(
    {
        "application/x-www-form-urlencoded": {"type": "object", "additionalProperties": {"type": "string"}},
        "application/json": {
            "type": "object",
            "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "number"}]},
            "description": "Open question id -> its score from 0 to 100.",
        },
    }
)


@router.post(
    "/courses/{courseid}/tasks/{taskid}/submissions/{submissionid}/grades",
    summary="Grade the open answers of a submission (staff)",
    description="A Jutge quiz submission with open questions is pending until a teacher grades "
    "them: one field per open question id, its score from 0 to 100. The submission is graded "
    "again with these scores (poll it). 400 for an unknown question or a bad score, 403 when not "
    "staff of the course, 404 for an unknown course, task or submission.",
    response_model=None,
    responses={**schemas.ok(schemas.SubmissionCreated), **schemas.error_responses(400, 401, 403, 404)},
    openapi_extra=GRADES_BODY,
)
def post_open_grades(
    request: Request,
    courseid: str,
    taskid: str,
    submissionid: str,
    user: CurrentUser,
    session: DbSession,
    platform: PlatformDep,
    fields: Annotated[dict[str, list[Answer]], Depends(submission_fields)],
) -> Response:
    now = db.utcnow()
    course, access = registered_course(session, courseid, user, now)
    task = visible_task(session, course, taskid, access, now)
    number = parse_id(submissionid)
    if number is None:
        raise NotFound("Submission not found")
    scores = {pid: _text(pid, values) for pid, values in fields.items()}
    submission_id = grade_open_answers(session, task, number, scores, access)
    wake_for(platform.queue, submission_id)
    return render(request, {"submissionid": str(submission_id)})


def _text(pid: str, values: list[Answer]) -> str:
    if len(values) != 1 or not isinstance(values[0], str):
        raise InvalidInput(f"give one score for {pid!r}")
    return values[0]
