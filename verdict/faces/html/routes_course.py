"""A course and its tasks, for students.

* ``GET /course/<courseid>``: the course's lists (with their headers) and tasks, each with the
  student's status and grade; the registration form (with the password where the course asks for
  one) for a course open to registration.
* ``POST /course/<courseid>/register``: :func:`verdict.courses.registration.register_student`.
* ``GET /course/<courseid>/<taskid>``: the task: its context and, for a task graded by the judge,
  the problem's statement as stored (``?lang=`` among its statement languages) and its samples;
  the submission form; the student's submissions (``?load=<id>`` opens one, as the INGInious IDE
  plugin does after submitting through the API); ``?compare=<id>`` with ``load`` shows their diff.
  A Jutge quiz's questions are shown by :mod:`.quiz_view` (Markdown, a field of each kind), its
  statement is quiz.yml's, and a loaded submission's answers are the texts the student chose.
* ``POST /course/<courseid>/<taskid>/submit``: the same use case as the INGInious API
  (:func:`verdict.submissions.service.submit_to_task`), then See Other to the submission. A quiz's
  ordering or matching that is not each item once is refused first, in the page's language.
* ``GET /course/<courseid>/<taskid>/submissions/<id>/events``: its live state (:mod:`.live`).
* ``GET /course/<courseid>/<taskid>/samples/<n>.in`` (``.out``): a sample, downloaded.
* ``GET /course/<courseid>/<taskid>/figures/<name>``: an image of a Jutge quiz (``FIG_DIR/<name>``).

Access follows the INGInious face: 404 for an unknown course (or one the user may not see),
403 when not registered (or the course is closed), 404 for a task not open yet, and 404 for a
submission that is not the user's own to that task.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.responses import Response

from verdict.accounts.models import User
from verdict.courses.access import Access, course_access
from verdict.courses.grades import standings, user_submissions
from verdict.courses.inginious_run import is_run_script_task
from verdict.courses.jutge_quiz import made_from_quiz
from verdict.courses.models import Course, Registration, Task
from verdict.courses.quiz_figures import quiz_figure
from verdict.courses.registration import register_student
from verdict.courses.submission_rules import Answer, TaskAnswers, Upload, judge_version
from verdict.courses.subproblems import fixed_language, program_pids
from verdict.courses.task_view import ChoiceOrder, get_course, get_task, public_problems, task_visible
from verdict.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from verdict.faces.html import live, problem_content, quiz_view, statement_view, submission_view
from verdict.faces.html.course_page import course_page
from verdict.faces.html.pages import FormPage, Page, PageContext, parse_id, signed_in
from verdict.faces.html.samples import sample_download
from verdict.platform import Platform
from verdict.problems.models import Problem
from verdict.problems.store import parse_problem_ref
from verdict.settings import sandbox_config
from verdict.submissions.models import Submission
from verdict.submissions.service import submit_to_task
from verdict.web.deps import DbSession, Now, PlatformDep

router = APIRouter(include_in_schema=False)


# --------------------------------------------------------------------------- the course


def _course(
    page: PageContext, session: Session, courseid: str, user: User, now: datetime
) -> tuple[Course, Access]:
    course = get_course(session, courseid)
    access = course_access(session, course, user, now) if course is not None else None
    if course is None or access is None or not access.visible:
        raise NotFound(page._("Course not found."))
    return course, access


def _registered(
    page: PageContext, session: Session, courseid: str, user: User, now: datetime
) -> tuple[Course, Access]:
    course = get_course(session, courseid)
    if course is None:
        raise NotFound(page._("Course not found."))
    access = course_access(session, course, user, now)
    if not access.registered:
        raise PermissionDenied(page._("You are not registered to this course."))
    if not access.open:
        raise PermissionDenied(page._("This course is not accessible now."))
    return course, access


@router.get("/course/{courseid}")
def course(page: Page, session: DbSession, now: Now, courseid: str, error: str | None = None) -> Response:
    user = signed_in(page)
    found, access = _course(page, session, courseid, user, now)
    if not access.registered:
        return page.render(
            "course.html",
            course=found,
            access=access,
            content=None,
            needs_password=found.registration == Registration.PASSWORD,
            error=page._("Wrong registration password.") if error == "password" else None,
        )
    if not access.open:
        raise PermissionDenied(page._("This course is not accessible now."))
    content = course_page(session, found, user, access, now)
    return page.render(
        "course.html", course=found, access=access, content=content, needs_password=False, error=None
    )


@router.post("/course/{courseid}/register")
def register(
    page: FormPage, session: DbSession, now: Now, courseid: str, password: live.FormText = ""
) -> Response:
    user = signed_in(page)
    found, _access = _course(page, session, courseid, user, now)
    try:
        register_student(session, found, user, password, now=now)
    except PermissionDenied:
        if found.registration == Registration.PASSWORD:
            return page.redirect(f"/course/{found.slug}?error=password")
        raise
    return page.redirect(f"/course/{found.slug}")


# --------------------------------------------------------------------------- the task


def _task(
    page: PageContext, session: Session, course: Course, taskid: str, access: Access, now: datetime
) -> Task:
    task = get_task(session, course, taskid)
    if task is None or not task_visible(task, access, now):
        raise NotFound(page._("Task not found."))
    return task


def _open_task(
    page: PageContext, session: Session, courseid: str, taskid: str, now: datetime
) -> tuple[User, Course, Task]:
    """The signed-in user, the course they may open, and its task if they may see it (404)."""
    user = signed_in(page)
    course, access = _registered(page, session, courseid, user, now)
    return user, course, _task(page, session, course, taskid, access, now)


def _own(page: PageContext, submissions: list[Submission], text: str | None) -> Submission | None:
    if text is None:
        return None
    wanted = parse_id(text)
    found = next((s for s in submissions if s.id == wanted), None)
    if found is None:
        raise NotFound(page._("Submission not found."))
    return found


def choice_order(platform: Platform, user: User) -> ChoiceOrder:
    """What one student is shown, as the INGInious face computes it (the same secret and seed)."""
    return ChoiceOrder(
        platform.settings.secret_key, user.username, user.id, sandbox_config(platform.settings)
    )


@router.get("/course/{courseid}/{taskid}")
def task_page(
    page: Page,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
    courseid: str,
    taskid: str,
    load: str | None = None,
    compare: str | None = None,
    lang: str | None = None,
) -> Response:
    user, found, task = _open_task(page, session, courseid, taskid, now)
    return _render_task(page, session, platform, found, task, user, load=load, compare=compare, lang=lang)


def _render_task(
    page: PageContext,
    session: Session,
    platform: Platform,
    course: Course,
    task: Task,
    user: User,
    *,
    load: str | None = None,
    compare: str | None = None,
    lang: str | None = None,
    error: ServiceError | None = None,
    values: dict[str, Any] | None = None,
    value_lists: dict[str, list[str]] | None = None,
) -> Response:
    submissions = user_submissions(session, task, user)
    loaded = _own(page, submissions, load)
    other = _own(page, submissions, compare) if loaded is not None else None
    statement = None
    if task.problem_id is not None:
        problem = session.get(Problem, task.problem_id)
        fixed = (
            parse_problem_ref(task.slug)[1] if parse_problem_ref(task.slug)[0] == task.problem_id else None
        )
        accept = page.request.headers.get("accept-language")
        statement = (
            problem_content.statement(
                session,
                platform.settings,
                problem,
                lang,
                fixed,
                accept,
                base=f"/course/{course.slug}/{task.slug}",
            )
            if problem
            else None
        )
    compilers = list(judge_version(session, task).compilers)
    scripted = is_run_script_task(task)
    base = f"/course/{course.slug}/{task.slug}"
    shown = public_problems(task, choice_order(platform, user))
    figures = f"{base}/figures" if made_from_quiz(task.problems or {}) else None
    if figures is not None and (statement is None or not statement.text.strip()):
        statement = _quiz_statement(session, platform, task, figures)
    parts = [_part(pid, problem, compilers, scripted, figures) for pid, problem in shown.items()]
    return page.render(
        "task.html",
        status=error.status if error else 200,
        course=course,
        task=task,
        context=statement_view.context_html(task.context or "", platform.clock()),
        title=None,
        base=base,
        statement=statement,
        parts=parts,
        standing=standings(session, user, [task])[task.id],
        submissions=submissions,
        loaded=loaded,
        result=live.result_context(platform, session, loaded, task) if loaded else None,
        codes=submission_view.codes(loaded, task) if loaded else [],
        answers=submission_view.answers(loaded, task, shown, _blank_name(page)) if loaded else [],
        compare=other,
        diff=submission_view.diff(other, loaded, task) if loaded and other else [],
        error=error.message if error else None,
        values=values or {},
        value_lists=value_lists or {},
        can_submit=True,
    )


def _quiz_statement(
    session: Session, platform: Platform, task: Task, figures: str
) -> problem_content.Statement | None:
    """A Jutge quiz's own statement (quiz.yml's Markdown ``statement``: it has no statement file)."""
    problem = session.get(Problem, task.problem_id) if task.problem_id else None
    version_id = problem.current_version_id if problem else None
    package = problem_content.load(session, platform.settings, version_id) if version_id else None
    text = package.quiz.statement if package is not None and package.quiz is not None else ""
    if not text.strip():
        return None
    return problem_content.Statement([], None, "md", text, [], quiz_view.markdown_html(text, figures))


def _blank_name(page: PageContext) -> Callable[[int], str]:
    return lambda number: page._("Blank %(n)s") % {"n": number}


def _part(
    pid: str, problem: dict[str, Any], compilers: list[str], scripted: bool, figures: str | None = None
) -> dict[str, Any]:
    """A sub-problem as the form shows it: the public view, and the languages it may be answered in.
    A Jutge quiz's question (``figures``: where its images are) is Markdown, with fields of its own."""
    if figures is not None:
        return _quiz_part(pid, problem, figures)
    kind = problem.get("type")
    languages: list[Any] = []
    if kind in ("code", "file") and not scripted:
        fixed = fixed_language(problem)
        languages = problem_content.offered_languages(compilers, fixed.id if fixed else None)
    exts = problem.get("allowed_exts") or []
    return {
        "pid": pid,
        "type": kind,
        "name": str(problem.get("name") or ""),
        "header": statement_view.inline_rst(str(problem.get("header") or "")),  # RST, as INGInious
        "choices": {
            number: statement_view.inline_rst(str(text))
            for number, text in (problem.get("choices") or {}).items()
        },
        "multiple": bool(problem.get("multiple")),
        "optional": bool(problem.get("optional")),
        "languages": languages,
        "accept": ",".join(str(ext) for ext in exts),
    }


def _quiz_part(pid: str, problem: dict[str, Any], figures: str) -> dict[str, Any]:
    return {
        "pid": pid,
        "type": problem.get("type"),
        "name": str(problem.get("name") or ""),
        "header": quiz_view.markdown_html(str(problem.get("header") or ""), figures),
        "choices": {
            number: quiz_view.markdown_html(str(text), figures, inline=True)
            for number, text in (problem.get("choices") or {}).items()
        },
        "multiple": bool(problem.get("multiple")),
        "quiz": quiz_view.quiz_fields(problem, figures),
    }


@router.post("/course/{courseid}/{taskid}/submit")
def submit(
    form: live.Submitted, session: DbSession, platform: PlatformDep, now: Now, courseid: str, taskid: str
) -> Response:
    page = form.page
    user = signed_in(page)
    found, access = _registered(page, session, courseid, user, now)
    task = get_task(session, found, taskid)
    if task is None:
        raise NotFound(page._("Task not found."))
    answers = TaskAnswers(
        task=task,
        user=user,
        fields=_code_files(task, form.fields),
        access=access,
        max_upload_bytes=platform.settings.max_upload_bytes,
        order=choice_order(platform, user),
        now=now,
    )
    try:
        _check_orders(page, task, form.fields)
        submission_id = submit_to_task(session, platform.queue, answers)
    except (PermissionDenied, ServiceError) as error:
        if error.status >= 500 or not task_visible(task, access, now):
            raise
        values = {key: value[0] for key, value in form.fields.items() if value and isinstance(value[0], str)}
        lists = {key: [v for v in value if isinstance(v, str)] for key, value in form.fields.items()}
        return _render_task(
            page, session, platform, found, task, user, error=error, values=values, value_lists=lists
        )
    return page.redirect(f"/course/{found.slug}/{task.slug}?load={submission_id}#result")


def _check_orders(page: PageContext, task: Task, fields: dict[str, list[Answer]]) -> None:
    """An ordering or a matching of a Jutge quiz must use each item shown once: said in the page's
    language (the use case would refuse it too, in the API's words)."""
    wrong = quiz_view.permutation_errors(task.problems or {}, fields)
    if wrong:
        message = page._("Choose each item exactly once in: %(questions)s")
        raise InvalidInput(message % {"questions": ", ".join(wrong)})


def _code_files(task: Task, fields: dict[str, list[Answer]]) -> dict[str, list[Answer]]:
    """A code box left empty takes the text of the file chosen beside it (``<pid>/file``): the
    page's file upload for code; the answers are then what the API would have received."""
    decoded = {key: values for key, values in fields.items() if not key.endswith("/file")}
    for pid in program_pids(task):
        uploads = [value for value in fields.get(f"{pid}/file", []) if isinstance(value, Upload)]
        typed = "".join(value for value in decoded.get(pid, []) if isinstance(value, str))
        if uploads and not typed.strip():
            try:
                decoded[pid] = [uploads[0].data.decode("utf-8")]
            except UnicodeDecodeError:
                raise InvalidInput(f"problem {pid!r}: the file is not text (UTF-8)") from None
    return decoded


@router.get("/course/{courseid}/{taskid}/submissions/{submissionid}/events")
def task_events(
    page: Page,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
    courseid: str,
    taskid: str,
    submissionid: str,
) -> Response:
    user, _, task = _open_task(page, session, courseid, taskid, now)
    number = parse_id(submissionid)
    submission = session.get(Submission, number) if number is not None else None
    if submission is None or submission.task_id != task.id or submission.user_id != user.id:
        raise NotFound(page._("Submission not found."))
    task_id, submission_id = task.id, submission.id
    session.close()  # the stream reads with sessions of its own
    return live.event_stream(page, platform, submission_id, task_id)


@router.get("/course/{courseid}/{taskid}/samples/{name}")
def task_sample(
    page: Page,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
    courseid: str,
    taskid: str,
    name: str,
    lang: str | None = None,
) -> Response:
    _, _, task = _open_task(page, session, courseid, taskid, now)
    problem = session.get(Problem, task.problem_id) if task.problem_id else None
    if problem is None:
        raise NotFound(page._("Sample not found."))
    fixed = parse_problem_ref(task.slug)[1] if parse_problem_ref(task.slug)[0] == task.problem_id else None
    return sample_download(page, session, platform.settings, problem, fixed or lang, name)


@router.get("/course/{courseid}/{taskid}/files/{path:path}")
def task_file(
    page: Page,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
    courseid: str,
    taskid: str,
    path: str,
) -> Response:
    """A file the task's statement shows (a figure); nothing else of the package."""
    _, _, task = _open_task(page, session, courseid, taskid, now)
    problem = session.get(Problem, task.problem_id) if task.problem_id else None
    version_id = problem.current_version_id if problem else None
    package = problem_content.load(session, platform.settings, version_id) if version_id else None
    if version_id is None or package is None:
        raise NotFound(page._("File not found."))
    return statement_view.package_file(page, version_id, package, path)


@router.get("/course/{courseid}/{taskid}/figures/{figure}")
def task_figure(
    page: Page,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
    courseid: str,
    taskid: str,
    figure: str,
) -> Response:
    """An image of a Jutge quiz task (``FIG_DIR/<figure>``), served as a statement's figures are."""
    _, _, task = _open_task(page, session, courseid, taskid, now)
    path = quiz_figure(session, task, figure, platform.settings.data_dir / "packages")
    media_type = statement_view.SERVED_TYPES.get(path.suffix.lower()) if path else None
    if path is None or media_type is None:
        raise NotFound(page._("File not found."))
    response = Response(path.read_bytes(), media_type=media_type)
    page.respond(response)
    response.headers["Content-Security-Policy"] = statement_view.FILE_CSP
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
