"""The teachers' pages, under ``/teach``: courses and lists, enrolment, problem imports with their
report, a problem's staff page, every student's submissions, rejudging, and statistics.

Everything goes through the services the APIs use (:mod:`verdict.courses.service` and
:mod:`verdict.courses.lists` for the Jutge documents, :mod:`verdict.problems.service` for imports,
:func:`verdict.grading.service.rejudge`), so a page does exactly what its API does and is refused
the same way. Who may see what is :mod:`verdict.faces.html.teach`. A refused form comes back with
the service's message and the fields as typed (400); other refusals are error pages.

* ``/teach``: the user's courses (as staff), lists and problems.
* ``/teach/courses/new``, ``/teach/courses/<id>`` (lists, members, enrol and unenrol),
  ``/teach/courses/<id>/edit``, ``/teach/courses/<id>/stats`` (SVG plots and their numbers).
* ``/teach/lists/new``, ``/teach/lists/<id>/edit``: items one a line (``!header``, ``#hidden``).
* ``/teach/import``: upload a package (capped like ``add-upload``), see the import report.
* ``/teach/problems/<id>``: tests, limits, golden solution, bundled verdicts; ``.../test?name=``
  shows a test's input or expected output; ``POST .../rejudge`` rejudges every submission.
* ``/teach/submissions?problem=&student=&verdict=&course=&page=``; ``/teach/submissions/<id>``
  (code, tests, compiler output), ``.../status`` (the result, polled by htmx while it waits),
  ``POST .../rejudge``.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.responses import Response

from verdict.accounts.models import User
from verdict.courses import lists as list_service
from verdict.courses import service as course_service
from verdict.courses.access import check_can_change_course, owns
from verdict.courses.models import Course, MemberRole
from verdict.errors import InvalidInput, PermissionDenied, TooLarge
from verdict.faces.html import teach
from verdict.faces.html.pages import FormPage, Page, PageContext, parse_id, signed_in
from verdict.faces.html.teach_stats import columns, course_stats, hbars, stacked
from verdict.grading.queue import Queue
from verdict.grading.service import rejudge
from verdict.problems import service as problem_service
from verdict.web import body_limits
from verdict.web.deps import DbSession, PlatformDep

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
TextField = Annotated[str, Form()]
VERDICTS = ("AC", "WA", "PE", "IC", "TLE", "MLE", "OLE", "RE", "CE", "IE", "SC")


TEACH_FORM_BYTES = 512 * 1024  # a course's 2,000 members or a list's 2,000 items, percent-encoded
MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around the uploaded package
FORMS = (
    "/teach/courses/new",
    "/teach/courses/{course_id}/edit",
    "/teach/courses/{course_id}/members",
    "/teach/courses/{course_id}/members/remove",
    "/teach/lists/new",
    "/teach/lists/{list_id}/edit",
    "/teach/problems/{ref}/rejudge",
    "/teach/submissions/{submission_id}/rejudge",
)


def cap_bodies(limits: body_limits.BodyLimits) -> None:
    """The forms' caps, and the upload's: the package cap of ``add-upload`` plus the framing."""
    for path in FORMS:
        limits.cap("POST", path, lambda _settings: TEACH_FORM_BYTES)
    limits.cap("POST", "/teach/import", lambda settings: settings.max_package_bytes + MULTIPART_SLACK)


def teacher(page: PageContext, session: Session) -> User:
    user = signed_in(page)
    teach.check_teacher(session, user)
    return user


# --------------------------------------------------------------------------- index


@router.get("/teach")
def index(page: Page, session: DbSession) -> Response:
    user = teacher(page, session)
    return page.render(
        "teach/index.html",
        courses=teach.staff_courses(session, user),
        lists=teach.owned_lists(session, user),
        problems=teach.visible_problems(session, user),
    )


# --------------------------------------------------------------------------- courses


@router.get("/teach/courses/new")
def new_course(page: Page, session: DbSession) -> Response:
    user = teacher(page, session)
    spec = course_service.CourseSpec(name="", title="")
    return _course_form(page, session, user, None, spec, "")


@router.post("/teach/courses/new")
def create_course(
    page: FormPage,
    session: DbSession,
    name: TextField = "",
    title: TextField = "",
    description: TextField = "",
    lists: TextField = "",
    public: TextField = "",
) -> Response:
    user = teacher(page, session)
    spec = course_service.CourseSpec(
        name=name.strip(),
        title=title.strip(),
        description=description,
        lists=teach.parse_names(lists),
        public=bool(public),
    )
    return _save_course(page, session, user, None, spec)


@router.get("/teach/courses/{course_id}")
def course_page(page: Page, session: DbSession, course_id: str) -> Response:
    user = teacher(page, session)
    course = teach.course_for_staff(session, user, parse_id(course_id))
    members = sorted(course.members, key=lambda m: m.id)
    return page.render(
        "teach/course.html",
        course=course,
        owner=owns(user, course),
        students=[m for m in members if m.role == MemberRole.STUDENT],
        tutors=[m for m in members if m.role != MemberRole.STUDENT],
        lists=[link.list for link in course.course_lists],
        progress=course_service.course_progress(session, course),
        error="",
    )


@router.get("/teach/courses/{course_id}/edit")
def edit_course(page: Page, session: DbSession, course_id: str) -> Response:
    user = teacher(page, session)
    course = teach.course_for_staff(session, user, parse_id(course_id))
    check_can_change_course(session, course, user)
    return _course_form(page, session, user, course, course_service.course_spec(course), "")


@router.post("/teach/courses/{course_id}/edit")
def update_course(
    page: FormPage,
    session: DbSession,
    course_id: str,
    title: TextField = "",
    description: TextField = "",
    lists: TextField = "",
    public: TextField = "",
) -> Response:
    user = teacher(page, session)
    course = teach.course_for_staff(session, user, parse_id(course_id))
    check_can_change_course(session, course, user)
    spec = course_service.course_spec(course)
    spec.title, spec.description, spec.public = title.strip(), description, bool(public)
    spec.lists = teach.parse_names(lists)
    return _save_course(page, session, user, course, spec)


def _course_form(
    page: PageContext,
    session: Session,
    user: User,
    course: Course | None,
    spec: course_service.CourseSpec,
    error: str,
    status: int = 200,
) -> Response:
    owner = course_owner(session, course) if course else user
    return page.render(
        "teach/course_form.html",
        status=status,
        course=course,
        spec=spec,
        lists=teach.owned_lists(session, owner),
        error=error,
    )


def course_owner(session: Session, course: Course) -> User:
    owner = session.get(User, course.owner_id)
    assert owner is not None  # owner_id is a foreign key, RESTRICT on delete
    return owner


def _save_course(
    page: PageContext, session: Session, user: User, course: Course | None, spec: course_service.CourseSpec
) -> Response:
    """``put_course`` as the Jutge PUT does it, for the course's owner (an administrator editing
    another's course edits it in the owner's name: its lists are the owner's)."""
    owner = course_owner(session, course) if course else user
    teach.start_writing(session)
    try:
        saved, created = course_service.put_course(session, owner, spec)
    except InvalidInput as error:
        session.rollback()
        return _course_form(page, session, user, course, spec, error.message, 400)
    if course is None and not created:
        session.rollback()
        message = page._("You already have a course with this name: edit it instead.")
        return _course_form(page, session, user, None, spec, message, 400)
    session.commit()
    return page.redirect(f"/teach/courses/{saved.id}")


@router.post("/teach/courses/{course_id}/members")
def enrol(
    page: FormPage, session: DbSession, course_id: str, emails: TextField = "", role: TextField = "student"
) -> Response:
    """Add students or tutors: the course document gains them, as a Jutge PUT would."""
    user = teacher(page, session)
    course = teach.course_for_staff(session, user, parse_id(course_id))
    check_can_change_course(session, course, user)
    spec = course_service.course_spec(course)
    wanted = [email.lower() for email in teach.parse_emails(emails)]
    if role == "tutor":
        spec.students = [e for e in spec.students if e not in wanted]
        spec.tutors += [e for e in wanted if e not in spec.tutors]
    else:
        spec.tutors = [e for e in spec.tutors if e not in wanted]
        spec.students += [e for e in wanted if e not in spec.students]
    return _save_members(page, session, user, course, spec)


@router.post("/teach/courses/{course_id}/members/remove")
def unenrol(page: FormPage, session: DbSession, course_id: str, email: TextField = "") -> Response:
    user = teacher(page, session)
    course = teach.course_for_staff(session, user, parse_id(course_id))
    check_can_change_course(session, course, user)
    spec = course_service.course_spec(course)
    spec.students = [e for e in spec.students if e != email]
    spec.tutors = [e for e in spec.tutors if e != email]
    return _save_members(page, session, user, course, spec)


def _save_members(
    page: PageContext, session: Session, user: User, course: Course, spec: course_service.CourseSpec
) -> Response:
    teach.start_writing(session)
    try:
        course_service.put_course(session, course_owner(session, course), spec)
    except InvalidInput as error:
        session.rollback()
        raise InvalidInput(error.message) from None
    session.commit()
    return page.redirect(f"/teach/courses/{course.id}#members")


@router.get("/teach/courses/{course_id}/stats")
def stats_page(page: Page, session: DbSession, course_id: str) -> Response:
    user = teacher(page, session)
    course = teach.course_for_staff(session, user, parse_id(course_id))
    stats = course_stats(session, course)
    total = len(stats.problems)
    return page.render(
        "teach/stats.html",
        course=course,
        stats=stats,
        solve_chart=hbars(
            page._("Solve rate per problem"), {p: 100 * r for p, r in stats.solve_rate.items()}, 100, "%"
        ),
        verdict_chart=stacked(page._("Verdicts per problem"), stats.verdicts),
        time_chart=columns(page._("Submissions per day"), stats.per_day),
        progress_chart=hbars(
            page._("Problems solved by each student"),
            {k: float(v) for k, v in stats.solved.items()},
            float(total),
        ),
    )


# --------------------------------------------------------------------------- lists


@router.get("/teach/lists/new")
def new_list(page: Page, session: DbSession) -> Response:
    teacher(page, session)
    return _list_form(page, None, list_service.ListSpec(name="", title=""), "", "")


@router.post("/teach/lists/new")
def create_list(
    page: FormPage,
    session: DbSession,
    name: TextField = "",
    title: TextField = "",
    description: TextField = "",
    items: TextField = "",
    public: TextField = "",
) -> Response:
    user = teacher(page, session)
    spec = list_service.ListSpec(
        name=name.strip(),
        title=title.strip(),
        description=description,
        items=teach.parse_items(items),
        public=bool(public),
    )
    return _save_list(page, session, user, None, spec, items)


@router.get("/teach/lists/{list_id}/edit")
def edit_list(page: Page, session: DbSession, list_id: str) -> Response:
    user = teacher(page, session)
    plist = teach.list_for_owner(session, user, parse_id(list_id))
    return _list_form(page, plist.id, list_service.list_spec(plist), teach.items_text(plist), "")


@router.post("/teach/lists/{list_id}/edit")
def update_list(
    page: FormPage,
    session: DbSession,
    list_id: str,
    title: TextField = "",
    description: TextField = "",
    items: TextField = "",
    public: TextField = "",
) -> Response:
    user = teacher(page, session)
    plist = teach.list_for_owner(session, user, parse_id(list_id))
    spec = list_service.list_spec(plist)
    spec.title, spec.description, spec.public = title.strip(), description, bool(public)
    spec.items = teach.parse_items(items)
    owner = session.get(User, plist.owner_id)
    assert owner is not None
    return _save_list(page, session, owner, plist.id, spec, items)


def _list_form(
    page: PageContext,
    list_id: int | None,
    spec: list_service.ListSpec,
    items: str,
    error: str,
    status: int = 200,
) -> Response:
    return page.render(
        "teach/list_form.html", status=status, list_id=list_id, spec=spec, items=items, error=error
    )


def _save_list(
    page: PageContext,
    session: Session,
    owner: User,
    list_id: int | None,
    spec: list_service.ListSpec,
    items: str,
) -> Response:
    teach.start_writing(session)
    try:
        _saved, created = list_service.put_list(session, owner, spec)
    except InvalidInput as error:
        session.rollback()
        return _list_form(page, list_id, spec, items, error.message, 400)
    if list_id is None and not created:
        session.rollback()
        message = page._("You already have a list with this name: edit it instead.")
        return _list_form(page, None, spec, items, message, 400)
    session.commit()
    return page.redirect("/teach#lists")


# --------------------------------------------------------------------------- imports


@router.get("/teach/import")
def import_form(page: Page, session: DbSession, platform: PlatformDep) -> Response:
    user = teacher(page, session)
    problem_service.check_can_add(user)
    return page.render(
        "teach/import.html", imported=None, error="", limit=platform.settings.max_package_bytes
    )


@router.post("/teach/import")
async def import_upload(request: Request, page: Page, session: DbSession, platform: PlatformDep) -> Response:
    """The upload of ``add-upload``: the same cap, the same import, its report shown."""
    settings = platform.settings
    limit = settings.max_package_bytes
    try:
        form = await body_limits.read_form(request, max_files=1, max_fields=4, max_part_size=limit)
    except (body_limits.PartTooLarge, body_limits.BodyTooLarge):
        raise TooLarge(f"the upload is larger than the {limit} bytes allowed") from None
    except MultiPartException as error:
        raise InvalidInput(f"malformed form: {error.message}") from None
    try:
        token = form.get("csrf")
        page.check_csrf(token if isinstance(token, str) else "")
        user = await run_in_threadpool(teacher, page, session)
        problem_service.check_can_add(user)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return page.render(
                "teach/import.html",
                status=400,
                imported=None,
                limit=limit,
                error=page._("Choose a package file (.pbm.tgz, .zip, .tgz) to upload."),
            )

        def work() -> problem_service.Imported:
            with problem_service.scratch_file(settings, upload.filename or "package.tgz") as target:
                upload.file.seek(0)
                problem_service.save_stream(upload.file, target, limit)
                teach.start_writing(session)
                return problem_service.import_file(session, settings, user, target)

        try:
            imported = await run_in_threadpool(work)
        except InvalidInput as error:
            await run_in_threadpool(session.rollback)
            return page.render(
                "teach/import.html", status=400, imported=None, limit=limit, error=error.message
            )
    finally:
        await form.close()
    await run_in_threadpool(session.commit)
    return page.render("teach/import.html", imported=imported, error="", limit=limit)


# --------------------------------------------------------------------------- problems


@router.get("/teach/problems/{ref}")
def problem_page(page: Page, session: DbSession, platform: PlatformDep, ref: str) -> Response:
    user = teacher(page, session)
    problem = teach.problem_for_staff(session, user, ref)
    package = teach.package_of(session, platform.settings, problem)
    meta = problem.current_version.meta if problem.current_version else {}
    golden = package.golden_solution
    golden_text, golden_cut = teach.shown_text(golden)
    preparation = meta.get("preparation", {})
    return page.render(
        "teach/problem.html",
        problem=problem,
        meta=meta,
        time_limits=teach.time_limits(meta),
        package=package,
        tests=teach.tests_of(package),
        golden_name=meta.get("golden") or "",
        golden_text=golden_text,
        golden_cut=golden_cut,
        checks=[*preparation.get("golden", []), *preparation.get("solutions", [])],
        warnings=preparation.get("warnings", []),
        may_change=teach.may_change_problem(user, problem),
    )


@router.get("/teach/problems/{ref}/test")
def test_page(
    page: Page, session: DbSession, platform: PlatformDep, ref: str, name: str = "", which: str = "input"
) -> Response:
    user = teacher(page, session)
    problem = teach.problem_for_staff(session, user, ref)
    package = teach.package_of(session, platform.settings, problem)
    text, cut = teach.shown_text(teach.test_file(package, name, which))
    return page.render("teach/test.html", problem=problem, name=name, which=which, text=text, cut=cut)


@router.post("/teach/problems/{ref}/rejudge")
def rejudge_problem(page: FormPage, session: DbSession, platform: PlatformDep, ref: str) -> Response:
    user = teacher(page, session)
    problem = teach.problem_for_staff(session, user, ref)
    if not teach.may_change_problem(user, problem):
        raise PermissionDenied(page._("Only the problem's owner may rejudge all its submissions."))
    teach.start_writing(session)
    ids = rejudge(session, problem_id=problem.id)
    session.commit()
    _wake(platform.queue, len(ids))
    return page.redirect(f"/teach/submissions?problem={problem.id}&rejudged={len(ids)}")


# --------------------------------------------------------------------------- submissions


@router.get("/teach/submissions")
def submissions_page(
    page: Page,
    session: DbSession,
    problem: str = "",
    student: str = "",
    verdict: str = "",
    course: str = "",
    rejudged: str = "",
) -> Response:
    user = teacher(page, session)
    number = parse_id(page.request.query_params.get("page")) or 1
    filters = teach.Filters(
        problem=problem[:30],
        student=student[:254],
        verdict=verdict if verdict in VERDICTS else "",
        course=parse_id(course),
        page=number,
    )
    found = teach.find_submissions(session, user, filters)
    return page.render(
        "teach/submissions.html",
        found=found,
        filters=filters,
        verdicts=VERDICTS,
        courses=teach.staff_courses(session, user),
        rejudged=parse_id(rejudged),
    )


@router.get("/teach/submissions/{submission_id}")
def submission_page(page: Page, session: DbSession, submission_id: str) -> Response:
    user = teacher(page, session)
    submission = teach.submission_for_staff(session, user, parse_id(submission_id))
    author = session.get(User, submission.user_id)
    code = teach.submission_code(session, submission)
    return page.render("teach/submission.html", submission=submission, author=author, code=code)


@router.get("/teach/submissions/{submission_id}/status")
def submission_status(page: Page, session: DbSession, submission_id: str) -> Response:
    """The result alone, for htmx to refresh it while the submission waits (after a rejudge)."""
    user = teacher(page, session)
    submission = teach.submission_for_staff(session, user, parse_id(submission_id))
    return page.render("teach/submission_status.html", submission=submission)


@router.post("/teach/submissions/{submission_id}/rejudge")
def rejudge_submission(
    page: FormPage, session: DbSession, platform: PlatformDep, submission_id: str
) -> Response:
    user = teacher(page, session)
    submission = teach.submission_for_staff(session, user, parse_id(submission_id))
    teach.start_writing(session)
    ids = rejudge(session, submission_ids=[submission.id])
    session.commit()
    _wake(platform.queue, len(ids))
    return page.redirect(f"/teach/submissions/{submission.id}")


def _wake(queue: Queue, count: int) -> None:
    """Wake the graders after the commit; a broker that is down leaves the work waiting for the
    sweeper (the page still says it is queued)."""
    if not count:
        return
    try:
        queue.wake(count)
    except Exception:  # whatever the broker raises: the rows are safe
        log.exception("could not wake the graders for %s rejudged submissions", count)
