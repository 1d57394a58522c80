"""``/api/v0/courses`` and ``/api/v0/courses/{courseid}/tasks``: the courses a user sees, and their
tasks with the user's standing."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from verdict import db
from verdict.courses.access import courses_for
from verdict.courses.grades import standings
from verdict.courses.quiz_figures import quiz_figure
from verdict.courses.task_view import visible_tasks
from verdict.errors import NotFound
from verdict.faces.inginious import exam_courses, schemas
from verdict.faces.inginious.lookup import choice_order, registered_course, visible_course, visible_task
from verdict.faces.inginious.negotiation import render
from verdict.faces.inginious.views import course_view, task_view
from verdict.web.deps import CurrentUser, DbSession, PlatformDep

router = APIRouter(prefix=schemas.PREFIX, tags=schemas.TAGS)


@router.get(
    "/courses",
    summary="List the courses",
    description="Courses the user is registered to (or staff of) and those open to registration, keyed by "
    "course id; `tasks` and `grade` only where registered.",
    response_model=None,
    responses={**schemas.ok(dict[str, schemas.CourseInfo]), **schemas.error_responses(401)},
)
def list_courses(request: Request, user: CurrentUser, session: DbSession, platform: PlatformDep) -> Response:
    now = db.utcnow()
    courses = courses_for(session, user, now)
    listed = {course.slug: course_view(session, course, access, user, now) for course, access in courses}
    exams = exam_courses.listed(session, user, platform.clock())  # exams: their students' and staff's
    return render(request, {**listed, **exams})


@router.get(
    "/courses/{courseid}",
    summary="Get one course",
    description="A dict with the one course, or 404.",
    response_model=None,
    responses={**schemas.ok(dict[str, schemas.CourseInfo]), **schemas.error_responses(401, 404)},
)
def get_course(
    request: Request, courseid: str, user: CurrentUser, session: DbSession, platform: PlatformDep
) -> Response:
    if (exam := exam_courses.exam_course(session, courseid)) is not None:
        return render(
            request, {courseid: exam_courses.course_document(session, exam, user, platform.clock())}
        )
    now = db.utcnow()
    course, access = visible_course(session, courseid, user, now)
    return render(request, {course.slug: course_view(session, course, access, user, now)})


@router.get(
    "/courses/{courseid}/tasks",
    summary="List the tasks of a course",
    description="Tasks keyed by task id, with the user's status and grade; problems without their answers. "
    "403 when not registered to the course.",
    response_model=None,
    responses={**schemas.ok(dict[str, schemas.TaskInfo]), **schemas.error_responses(401, 403, 404)},
)
def list_tasks(
    request: Request, courseid: str, user: CurrentUser, session: DbSession, platform: PlatformDep
) -> Response:
    if (exam := exam_courses.exam_course(session, courseid)) is not None:
        return render(request, exam_courses.tasks_document(session, exam, user, platform.clock()))
    now = db.utcnow()
    order = choice_order(platform, user)
    course, access = registered_course(session, courseid, user, now)
    tasks = visible_tasks(session, course, access, now)
    standing = standings(session, user, tasks)
    return render(
        request, {task.slug: task_view(task, course, user, standing[task.id], order) for task in tasks}
    )


@router.get(
    "/courses/{courseid}/tasks/{taskid}",
    summary="Get one task",
    description="A dict with the one task, or 404.",
    response_model=None,
    responses={**schemas.ok(dict[str, schemas.TaskInfo]), **schemas.error_responses(401, 403, 404)},
)
def get_task(
    request: Request, courseid: str, taskid: str, user: CurrentUser, session: DbSession, platform: PlatformDep
) -> Response:
    if (exam := exam_courses.exam_course(session, courseid)) is not None:
        return render(request, exam_courses.task_document(session, exam, taskid, user, platform.clock()))
    now = db.utcnow()
    order = choice_order(platform, user)
    course, access = registered_course(session, courseid, user, now)
    task = visible_task(session, course, taskid, access, now)
    standing = standings(session, user, [task])[task.id]
    return render(request, {task.slug: task_view(task, course, user, standing, order)})


FIGURE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
FIGURE_TYPES[".gif"] = "image/gif"


@router.get(
    "/courses/{courseid}/tasks/{taskid}/figures/{figure}",
    summary="An image of a Jutge quiz task",
    description="The file a question names as `FIG_DIR/<figure>`: one of the images beside the quiz's "
    "quiz.yml (PNG, SVG, JPEG, GIF). 404 for any other name.",
    response_model=None,
    responses={
        200: {"content": {t: {} for t in FIGURE_TYPES.values()}},
        **schemas.error_responses(401, 403, 404),
    },
)
def get_figure(
    courseid: str, taskid: str, figure: str, user: CurrentUser, session: DbSession, platform: PlatformDep
) -> Response:
    now = db.utcnow()
    course, access = registered_course(session, courseid, user, now)
    task = visible_task(session, course, taskid, access, now)
    path = quiz_figure(session, task, figure, platform.settings.data_dir / "packages")
    if path is None:
        raise NotFound("Figure not found")
    data = path.read_bytes()
    # An SVG may carry scripts: never let a browser run it as a page of this site.
    headers = {
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(data, media_type=FIGURE_TYPES[path.suffix.lower()], headers=headers)
