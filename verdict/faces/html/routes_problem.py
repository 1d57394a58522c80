"""A judge problem on its own: ``/problem/<problem_id>`` (``P12345``, or ``P12345_en`` for one
statement language), for practice outside a course's task.

* Who may open it: its owner and administrators, and the students of a course (registered, the
  course open) with a task they see that is graded by this problem. Anybody else gets 404, as for
  a problem that does not exist.
* ``GET``: the statement as stored (``?lang=`` among its languages), the samples, the form (a
  code box, or a file, in one of the problem's compilers), and the user's own submissions to the
  problem outside any course (``?load=<id>``, ``&compare=<id>`` for a diff).
* ``POST /problem/<id>/submit``: :func:`verdict.submissions.service.submit_to_problem`, the
  use case of ``verdict submit``.
* ``GET /problem/<id>/submissions/<sid>/events``, ``/problem/<id>/samples/<n>.in`` and
  ``/problem/<id>/files/<path>`` (a figure of the statement): as on a task.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.responses import Response

from verdict.accounts.models import User
from verdict.courses.access import course_access
from verdict.courses.models import Course, Task
from verdict.courses.submission_rules import Upload
from verdict.courses.task_view import task_visible
from verdict.errors import InvalidInput, NotFound, ServiceError
from verdict.faces.html import live, problem_content, statement_view, submission_view
from verdict.faces.html.pages import Page, PageContext, parse_id, signed_in
from verdict.faces.html.samples import sample_download
from verdict.judge.errors import UnknownLanguage
from verdict.judge.languages import get_language, language_for_file
from verdict.platform import Platform
from verdict.problems.models import Problem, ProblemVersion
from verdict.problems.store import PROBLEM_REF_RE, parse_problem_ref
from verdict.submissions.models import Submission
from verdict.submissions.service import submit_to_problem
from verdict.web.deps import DbSession, Now, PlatformDep

router = APIRouter(include_in_schema=False)


def may_open(session: Session, problem: Problem, user: User, now: datetime) -> bool:
    """The owner, an administrator, or a student of a course with a task graded by it."""
    if user.is_admin or (problem.owner_id is not None and problem.owner_id == user.id):
        return True
    rows = session.execute(
        sa.select(Task, Course).join(Course, Course.id == Task.course_id).where(Task.problem_id == problem.id)
    )
    for task, course in rows:
        access = course_access(session, course, user, now)
        if access.registered and access.open and task_visible(task, access, now):
            return True
    return False


def _problem(
    page: PageContext, session: Session, ref: str, user: User, now: datetime
) -> tuple[Problem, str | None]:
    if not PROBLEM_REF_RE.match(ref):
        raise NotFound(page._("Problem not found."))
    base, variant = parse_problem_ref(ref)
    problem = session.get(Problem, base)
    if problem is None or not may_open(session, problem, user, now):
        raise NotFound(page._("Problem not found."))
    return problem, variant


def practice_submissions(session: Session, problem: Problem, user: User) -> list[Submission]:
    """The user's submissions to the problem outside any task, newest first."""
    return list(
        session.scalars(
            sa.select(Submission)
            .where(
                Submission.problem_id == problem.id,
                Submission.user_id == user.id,
                Submission.task_id.is_(None),
            )
            .order_by(Submission.created_at.desc(), Submission.id.desc())
        )
    )


def _own(page: PageContext, submissions: list[Submission], text: str | None) -> Submission | None:
    if text is None:
        return None
    wanted = parse_id(text)
    found = next((s for s in submissions if s.id == wanted), None)
    if found is None:
        raise NotFound(page._("Submission not found."))
    return found


def _compilers(session: Session, problem: Problem) -> list[str]:
    version = session.get(ProblemVersion, problem.current_version_id) if problem.current_version_id else None
    return list((version.meta or {}).get("compilers") or []) if version else []


@router.get("/problem/{ref}")
def problem_page(
    page: Page,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
    ref: str,
    load: str | None = None,
    compare: str | None = None,
    lang: str | None = None,
) -> Response:
    user = signed_in(page)
    problem, variant = _problem(page, session, ref, user, now)
    return _render(
        page, session, platform, problem, ref, variant, user, load=load, compare=compare, lang=lang
    )


def _render(
    page: PageContext,
    session: Session,
    platform: Platform,
    problem: Problem,
    ref: str,
    variant: str | None,
    user: User,
    *,
    load: str | None = None,
    compare: str | None = None,
    lang: str | None = None,
    error: ServiceError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    submissions = practice_submissions(session, problem, user)
    loaded = _own(page, submissions, load)
    other = _own(page, submissions, compare) if loaded is not None else None
    statement = problem_content.statement(
        session,
        platform.settings,
        problem,
        lang,
        variant,
        page.request.headers.get("accept-language"),
        base=f"/problem/{ref}",
    )
    part = {
        "pid": "code",
        "type": "code",
        "name": "",
        "header": "",
        "choices": {},
        "multiple": False,
        "optional": False,
        "languages": problem_content.offered_languages(_compilers(session, problem)),
        "accept": "",
    }
    return page.render(
        "task.html",
        status=error.status if error else 200,
        course=None,
        task=None,
        context="",
        title=problem.title(variant or (statement.language if statement else None)),
        base=f"/problem/{ref}",
        statement=statement,
        parts=[part],
        standing=None,
        submissions=submissions,
        loaded=loaded,
        result=live.result_context(platform, session, loaded, None) if loaded else None,
        codes=submission_view.codes(loaded, None) if loaded else [],
        answers=[],
        compare=other,
        diff=submission_view.diff(other, loaded, None) if loaded and other else [],
        error=error.message if error else None,
        values=values or {},
        can_submit=problem.current_version_id is not None,
    )


@router.post("/problem/{ref}/submit")
def submit(form: live.Submitted, session: DbSession, platform: PlatformDep, now: Now, ref: str) -> Response:
    page = form.page
    user = signed_in(page)
    problem, variant = _problem(page, session, ref, user, now)
    source, language = form.text("code"), form.text("code/language")
    try:
        uploads = [value for value in form.fields.get("code/file", []) if isinstance(value, Upload)]
        if uploads:
            source, language = _uploaded(uploads[0], language)
        if not source.strip():
            raise InvalidInput(page._("Write your program or choose its file."))
        allowed = {lang.id for lang in problem_content.offered_languages(_compilers(session, problem))}
        chosen = _language(language)
        if chosen not in allowed:
            raise InvalidInput(page._("Choose one of the languages offered."))
        submission_id = submit_to_problem(
            session, platform.queue, user_id=user.id, problem_id=ref, language=chosen, source=source
        )
    except InvalidInput as error:
        values = {"code": source, "code/language": language}
        return _render(page, session, platform, problem, ref, variant, user, error=error, values=values)
    return page.redirect(f"/problem/{ref}?load={submission_id}#result")


def _uploaded(upload: Upload, language: str) -> tuple[str, str]:
    try:
        text = upload.data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not text (UTF-8)") from None
    if not language:
        try:
            language = language_for_file(upload.filename).id
        except UnknownLanguage:
            language = ""
    return text, language


def _language(name: str) -> str:
    try:
        return get_language(name).id if name else ""
    except UnknownLanguage:
        return ""


@router.get("/problem/{ref}/submissions/{submissionid}/events")
def problem_events(
    page: Page, session: DbSession, platform: PlatformDep, now: Now, ref: str, submissionid: str
) -> Response:
    user = signed_in(page)
    problem, _variant = _problem(page, session, ref, user, now)
    number = parse_id(submissionid)
    submission = session.get(Submission, number) if number is not None else None
    if (
        submission is None
        or submission.problem_id != problem.id
        or submission.task_id is not None
        or submission.user_id != user.id
    ):
        raise NotFound(page._("Submission not found."))
    submission_id = submission.id
    session.close()
    return live.event_stream(page, platform, submission_id, None)


@router.get("/problem/{ref}/samples/{name}")
def problem_sample(
    page: Page,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
    ref: str,
    name: str,
    lang: str | None = None,
) -> Response:
    user = signed_in(page)
    problem, variant = _problem(page, session, ref, user, now)
    return sample_download(page, session, platform.settings, problem, variant or lang, name)


@router.get("/problem/{ref}/files/{path:path}")
def problem_file(
    page: Page, session: DbSession, platform: PlatformDep, now: Now, ref: str, path: str
) -> Response:
    """A file the problem's statement shows (a figure); nothing else of the package."""
    user = signed_in(page)
    problem, _variant = _problem(page, session, ref, user, now)
    return _statement_file(page, session, platform, problem, path)


def _statement_file(
    page: PageContext, session: Session, platform: Platform, problem: Problem, path: str
) -> Response:
    version_id = problem.current_version_id
    package = problem_content.load(session, platform.settings, version_id) if version_id else None
    if version_id is None or package is None:
        raise NotFound(page._("File not found."))
    return statement_view.package_file(page, version_id, package, path)
