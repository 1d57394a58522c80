"""INGInious course descriptors as teachers have them (issue 14): the editor course
(tests/fixtures/inginious/editor: taskset.yaml with a table of contents and its per-task config,
hard_time: '', problems: {}, is_lti) imported, then seen and submitted to through the REST API v0,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.support.paths import FIXTURES
from tests.support.users import MakeUser, basic
from verdict.accounts.models import User
from verdict.cli import app
from verdict.courses.inginious_import import CourseReport, InginiousImportError, import_inginious_course
from verdict.courses.models import Course, CourseMember, Evaluate, MemberRole, Task
from verdict.courses.windows import parse_window
from verdict.platform import Platform
from verdict.submissions.models import Submission

EDITOR = FIXTURES / "inginious" / "editor"
API = "/api/v0/courses/editor"
OPEN_TASKS = ["hello", "upload", "quiz", "intro"]  # the table of contents' order, closed ones left out
CLOSED = "You are not allowed to submit for this task"


def import_course(session: Session, platform: Platform, owner: User, path: Path = EDITOR) -> CourseReport:
    report = import_inginious_course(session, path, settings=platform.settings, owner=owner)
    session.commit()
    return report


def tasks_of(session: Session, slug: str = "editor") -> dict[str, Task]:
    course = session.scalar(sa.select(Course).where(Course.slug == slug))
    assert course is not None
    query = sa.select(Task).where(Task.course_id == course.id).order_by(Task.position)
    return {task.slug: task for task in session.scalars(query)}


def editor_copy(tmp_path: Path) -> Path:
    target = tmp_path / "editor"
    shutil.copytree(EDITOR, target)
    return target


# --------------------------------------------------------------------------- import


@pytest.mark.integration
def test_the_editor_course_imports(session: Session, platform: Platform, make_user: MakeUser) -> None:
    report = import_course(session, platform, make_user("teacher", role="instructor"))
    assert (report.descriptor, report.title) == ("taskset.yaml", "Editor course")
    # Sections are reported (nested titles joined); their order becomes the tasks' order.
    assert report.sections == ["Week 1 > Basics: hello, upload", "Week 2: quiz, intro", "Exam: exam"]
    assert report.warnings == [
        "task 'draft' is in no section of the table of contents "
        "(closed: no accessibility in the dispenser config)"
    ]
    assert all(task.status == "imported" for task in report.tasks)
    tasks = tasks_of(session)
    assert list(tasks) == [*OPEN_TASKS, "exam", "draft"]
    hello = tasks["hello"]
    # hard_time: '' (the editor's "default") is 3 x time; the editor's strings are numbers.
    assert hello.limits == {"time": 2.0, "memory": 100.0, "hard_time": 6.0}
    # The dispenser's config wins over the task file's weight, submission_limit and evaluate.
    assert (hello.weight, hello.submission_limit, hello.evaluate, hello.accessibility) == (
        2.0,
        {"amount": 3, "period": -1},
        Evaluate.LAST,
        True,
    )
    by_id = {task.task_id: task for task in report.tasks}
    assert "task.yaml's weight, submission_limit, evaluate not used" in by_id["hello"].notes[0]
    # {start, soft_end, end}: the soft deadline after the hard one is clamped to it.
    window = parse_window(tasks["upload"].accessibility)
    assert window.soft_end == window.end and window.deadline_text() == "2100-01-01 00:00:00"
    assert tasks["quiz"].accessibility is True  # year 1 to year 9999: always open
    # Listed with a config but no accessibility: closed, as INGInious's dispenser default; so is a
    # task in no section. task.yaml's own "accessible: true" does not reopen it.
    assert (tasks["exam"].accessibility, tasks["exam"].weight) == (False, 3.0)
    assert "closed by the course's dispenser" in by_id["exam"].notes[-1]
    assert tasks["draft"].accessibility is False
    # problems: {} imports; is_lti and allow_preview are said, not dropped.
    assert tasks["intro"].problems == {} and by_id["intro"].grading == "no problem: nothing to grade"
    assert any(note.startswith("is_lti: LTI is not supported") for note in by_id["intro"].notes)
    assert any(note.startswith("allow_preview: False not imported") for note in by_id["intro"].notes)


@pytest.mark.integration
def test_descriptors_in_inginious_order(
    session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path
) -> None:
    teacher = make_user("teacher", role="instructor")
    path = editor_copy(tmp_path)
    (path / "course.yaml").write_text("name: From course.yaml\n")
    assert import_course(session, platform, teacher, path).title == "Editor course"  # taskset.yaml first
    (path / "taskset.yaml").unlink()
    report = import_course(session, platform, teacher, path)
    assert (report.descriptor, report.title, report.sections) == ("course.yaml", "From course.yaml", [])
    # Without a dispenser config, each task keeps its task.yaml settings (the exam is open again).
    assert tasks_of(session)["exam"].accessibility is True
    (path / "course.yaml").unlink()
    descriptor = yaml.safe_load((EDITOR / "taskset.yaml").read_text())
    descriptor["name"] = "From course.json"
    (path / "course.json").write_text(json.dumps(descriptor))
    report = import_course(session, platform, teacher, path)
    assert (report.descriptor, report.title, len(report.sections)) == ("course.json", "From course.json", 3)
    assert tasks_of(session)["exam"].accessibility is False
    (path / "course.json").write_text("[1, 2]")
    with pytest.raises(InginiousImportError, match=r"course\.json: expected an object"):
        import_course(session, platform, teacher, path)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("dispenser_data", "message"),
    [
        ({"toc": [{"tasks_list": ["hello"]}]}, "every section needs a title"),
        ({"toc": [{"title": "A"}]}, "neither a tasks_list nor a sections_list"),
        ({"toc": [{"title": "A", "tasks_list": ["hello", "hello"]}]}, "listed twice"),
        ({"toc": [], "config": {"hello": "open"}}, "expected a mapping of settings"),
        ("nonsense", "expected {toc"),
    ],
)
def test_bad_dispenser_data(
    session: Session,
    platform: Platform,
    make_user: MakeUser,
    tmp_path: Path,
    dispenser_data: Any,
    message: str,
) -> None:
    path = editor_copy(tmp_path)
    (path / "taskset.yaml").write_text(yaml.safe_dump({"name": "x", "dispenser_data": dispenser_data}))
    with pytest.raises(InginiousImportError, match=message.replace("{", r"\{")):
        import_course(session, platform, make_user("teacher", role="instructor"), path)


@pytest.mark.integration
def test_task_file_normalisations(
    session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path
) -> None:
    path = editor_copy(tmp_path)
    (path / "taskset.yaml").write_text("name: Plain\n")  # no dispenser: the task files decide
    (path / "quiz" / "task.yaml").write_text(  # a multiple answer with no valid choice: refused
        "name: Q\nproblems:\n  p: {type: multiple_choice, multiple: true, choices: [{text: a}, {text: b}]}\n"
    )
    (path / "exam" / "task.yaml").write_text(  # ends before it starts: loads, never opens
        "name: E\naccessible: 2030-01-01/2020-01-01\nlimits: {hard_time: null}\n"
        "problems:\n  a: {type: match, answer: x}\n"
    )
    (path / "draft" / "task.yaml").write_text("name: D\nproblems: []\n")
    report = import_course(session, platform, make_user("teacher", role="instructor"), path)
    by_id = {task.task_id: task for task in report.tasks}
    assert by_id["quiz"].status == "error"
    assert "a multiple-answer choice needs a valid choice" in by_id["quiz"].notes[0]
    assert by_id["draft"].status == "error" and "'problems' must be a mapping" in by_id["draft"].notes[0]
    exam = tasks_of(session)["exam"]
    assert exam.limits == {"hard_time": 60.0}  # 3 x INGInious's default time, 20 s
    window = parse_window(exam.accessibility)
    assert window.start is not None and window.end is not None and window.end < window.start


@pytest.mark.integration
def test_the_command_reads_taskset_yaml(
    cli_env: dict[str, str], session: Session, make_user: MakeUser, tmp_path: Path
) -> None:
    make_user("teacher", role="instructor")  # the first admin of taskset.yaml: the owner
    result = CliRunner().invoke(
        app, ["course", "import-inginious", str(EDITOR)], env={**cli_env, "COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "course editor (Editor course) created, owner teacher" in result.output
    assert "descriptor: taskset.yaml" in result.output
    assert "section Week 1 > Basics: hello, upload" in result.output
    assert list(tasks_of(session)) == [*OPEN_TASKS, "exam", "draft"]
    path = editor_copy(tmp_path)
    (path / "taskset.yaml").write_text("name: No admins\n")
    nobody = CliRunner().invoke(app, ["course", "import-inginious", str(path)], env=cli_env)
    assert nobody.exit_code == 2 and "taskset.yaml names no admin" in nobody.output


# --------------------------------------------------------------------------- through the API


@pytest.fixture
def editor(session: Session, platform: Platform, make_user: MakeUser) -> dict[str, User]:
    users = {
        "teacher": make_user("teacher", role="instructor"),
        "alice": make_user("alice"),
    }
    import_course(session, platform, users["teacher"])
    course = session.scalar(sa.select(Course).where(Course.slug == "editor"))
    assert course is not None
    alice = users["alice"]
    session.add(
        CourseMember(course_id=course.id, user_id=alice.id, email=alice.email, role=MemberRole.STUDENT)
    )
    session.commit()
    return users


def post(client: TestClient, task: str, user: User, **kwargs: Any) -> Response:
    return client.post(f"{API}/tasks/{task}/submissions", headers=basic(user), **kwargs)


def error(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"])


def submissions(session: Session, task: str) -> int:
    session.commit()  # a new snapshot
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Submission)
        .where(Submission.task_id == tasks_of(session)[task].id)
    )


@pytest.mark.e2e
def test_tasks_in_the_table_of_contents_order(client: TestClient, editor: dict[str, User]) -> None:
    body = client.get(f"{API}/tasks", headers=basic(editor["alice"])).json()
    assert list(body) == OPEN_TASKS  # exam (closed by the dispenser) and draft (in no section) hidden
    assert body["upload"]["deadline"] == "2100-01-01 00:00:00"  # the clamped soft deadline
    assert body["intro"]["problems"] == {}
    staff = client.get(f"{API}/tasks", headers=basic(editor["teacher"])).json()
    assert list(staff) == [*OPEN_TASKS, "exam", "draft"]
    assert error(client.get(f"{API}/tasks/exam", headers=basic(editor["alice"])), 404) == "Task not found"


@pytest.mark.e2e
def test_a_closed_task_refuses_submissions(
    client: TestClient, session: Session, editor: dict[str, User]
) -> None:
    for task in ("exam", "draft"):
        assert error(post(client, task, editor["alice"], data={"capital": "Paris"}), 403) == CLOSED
        assert submissions(session, task) == 0
    assert error(post(client, "nope", editor["alice"], data={}), 404) == "Task not found"


@pytest.mark.e2e
def test_input_checks_use_up_no_submission(
    client: TestClient, session: Session, editor: dict[str, User]
) -> None:
    alice = editor["alice"]
    assert "the answer is empty" in error(post(client, "hello", alice, data={"answer": ""}), 400)
    assert "missing input for problem 'answer'" in error(post(client, "hello", alice, data={}), 400)
    assert "takes text, not a file upload" in error(
        post(client, "hello", alice, files={"answer": ("hello.py", b"print('hello')")}), 400
    )
    assert submissions(session, "hello") == 0  # none counted against the limit of 3
    # A file problem without allowed_exts takes INGInious's default extensions only.
    assert ".c, .cpp, .java, .oz, .zip, .tar.gz, .tar.bz2, .txt" in error(
        post(client, "upload", alice, files={"program": ("hello.py", b"print('hello')")}), 400
    )
    assert submissions(session, "upload") == 0
    accepted = post(
        client, "upload", alice, files={"program": ("hello.c", b"int main(void) { return 0; }\n")}
    )
    assert accepted.status_code == 200, accepted.text
    accepted = post(client, "hello", alice, data={"answer": "print('hello')"})
    assert accepted.status_code == 200, accepted.text
    assert submissions(session, "hello") == 1


@pytest.mark.integration
def test_a_bad_dispenser_setting_fails_its_task_only(
    session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path
) -> None:
    path = editor_copy(tmp_path)
    descriptor = yaml.safe_load((path / "taskset.yaml").read_text())
    descriptor["dispenser_data"]["config"]["hello"]["weight"] = -1
    descriptor["dispenser_data"]["config"]["quiz"]["accessibility"] = {"start": "someday"}
    descriptor["dispenser_data"]["config"]["intro"]["group_submission"] = True
    (path / "taskset.yaml").write_text(yaml.safe_dump(descriptor))
    report = import_course(session, platform, make_user("teacher", role="instructor"), path)
    by_id = {task.task_id: task for task in report.tasks}
    assert by_id["hello"].status == by_id["quiz"].status == "error"
    assert "weight: must be at least 0 (as set by the course's dispenser config)" in by_id["hello"].notes[-1]
    assert "invalid date 'someday'" in by_id["quiz"].notes[-1]
    assert by_id["upload"].status == "imported"
    assert by_id["intro"].status == "imported" and tasks_of(session)["intro"].group_submission
