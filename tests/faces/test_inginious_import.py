"""Importing INGInious course directories (verdict.courses.inginious_import) and the
`verdict course import-inginious` command."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.support.inginious import APLUSB, DEMO, demo_copy
from tests.support.paths import DEMO_PACKAGES
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.accounts.passwords import verify_password
from verdict.cli import app
from verdict.courses.inginious_import import InginiousImportError, import_inginious_course
from verdict.courses.models import Course, CourseMember, Evaluate, MemberRole, Registration, Task
from verdict.platform import Platform
from verdict.problems.models import Problem, ProblemVersion

pytestmark = pytest.mark.integration

JUTGE_PACKAGE = DEMO_PACKAGES / "pe_ic.pbm"


@pytest.fixture
def teacher(make_user: MakeUser) -> User:
    return make_user("teacher", role="instructor")


def run_import(session: Session, platform: Platform, owner: User, path: Path = DEMO, **kwargs: str):  # type: ignore[no-untyped-def]
    report = import_inginious_course(session, path, settings=platform.settings, owner=owner, **kwargs)
    session.commit()
    return report


def tasks_of(session: Session, course_id: str = "demo") -> dict[str, Task]:
    course = session.scalar(sa.select(Course).where(Course.slug == course_id))
    assert course is not None
    return {task.slug: task for task in session.scalars(sa.select(Task).where(Task.course_id == course.id))}


def test_import_the_demo_course(
    session: Session, platform: Platform, teacher: User, make_user: MakeUser
) -> None:
    tutor = make_user("tutor")
    report = run_import(session, platform, teacher)
    assert (report.course_id, report.title, report.created) == ("demo", "Demo course", True)
    assert report.warnings == ["tutor 'ghost' has no account here: not added"]
    statuses = {task.task_id: task.status for task in report.tasks}
    assert statuses == dict.fromkeys(
        ["aplusb", "closed", "future", "hidden", "limited", "quiz", "scripted", "sum", "upload"], "imported"
    )
    by_id = {task.task_id: task for task in report.tasks}
    assert by_id["quiz"].grading == "quiz, graded in-process"
    assert (
        by_id["sum"].grading.startswith("judge: problem P")
        and "(tests/: 3 test(s), 2 hidden)" in by_id["sum"].grading
    )
    scripted = by_id["scripted"]
    # Its run script grades it, in the sandbox (tests/faces/test_inginious_run_scripts.py).
    assert (scripted.problems, scripted.dropped) == (["code", "line", "why"], [])
    assert scripted.grading == "run script: task/run, run in the sandbox"
    assert by_id["aplusb"].dropped == ["code"] and "a run script" in by_id["aplusb"].notes[0]

    course = session.scalar(sa.select(Course).where(Course.slug == "demo"))
    assert course is not None
    assert (course.name, course.owner_id, course.registration, course.accessible) == (
        "demo",
        teacher.id,
        Registration.OPEN,
        True,
    )
    assert course.description == "A small course with every INGInious problem type."
    members = session.scalars(sa.select(CourseMember).where(CourseMember.course_id == course.id)).all()
    assert [(m.user_id, m.role) for m in members] == [(tutor.id, MemberRole.TUTOR)]

    tasks = tasks_of(session)
    quiz = tasks["quiz"]
    assert (quiz.name, quiz.authors, quiz.weight, quiz.evaluate, quiz.position) == (
        "Quiz about C",
        ["Ada Lovelace", "Alan Turing"],
        2.0,
        Evaluate.BEST,
        0,
    )
    assert quiz.contact_url == "mailto:teacher@example.org?subject={course_id}/{task_id} ({username})"
    assert quiz.problems["exit"] == {
        "type": "match",
        "name": "Exit status",
        "header": "What does ``main`` return on success?",
        "answer": "0",
    }
    assert quiz.problems["single"]["choices"][1] == {
        "text": "``stdio.h``",
        "valid": True,
        "feedback": "Right, standard input and output.",
    }
    assert quiz.problems["single"]["choices"][2] == {"text": "``string.h``", "valid": False}
    assert quiz.problem_id is None and quiz.submission_limit == {"amount": -1, "period": -1}
    assert tasks["limited"].submission_limit == {"amount": 1, "period": 24}
    assert tasks["limited"].evaluate == Evaluate.LAST and tasks["limited"].weight == 0
    assert tasks["future"].accessibility == "2999-01-01"  # YAML read a date: kept as text
    assert tasks["hidden"].accessibility is False
    assert tasks["closed"].accessibility == "2000-01-01 00:00:00/2000-05-01 12:00:00/2000-06-01"
    assert tasks["scripted"].limits == {"time": 30.0, "memory": 100.0, "run_script": {"script": "task/run"}}
    assert set(tasks["scripted"].problems) == {"code", "line", "why"}

    summing = tasks["sum"]
    assert summing.limits == {"time": 1.0, "memory": 128.0}
    problem = session.get(Problem, summing.problem_id)
    assert problem is not None and problem.owner_id == teacher.id and problem.package_id == "demo.sum"
    version = session.get(ProblemVersion, problem.current_version_id)
    assert version is not None and version.meta["tests"] == 3 and version.meta["samples"] == 1
    assert tasks["upload"].problem_id not in (None, summing.problem_id)


def test_reimport_updates_in_place(session: Session, platform: Platform, teacher: User) -> None:
    run_import(session, platform, teacher)
    before = {slug: (task.id, task.problem_id) for slug, task in tasks_of(session).items()}
    versions = session.scalar(sa.select(sa.func.count()).select_from(ProblemVersion))
    report = run_import(session, platform, teacher)
    assert not report.created
    assert {slug: (task.id, task.problem_id) for slug, task in tasks_of(session).items()} == before
    assert session.scalar(sa.select(sa.func.count()).select_from(ProblemVersion)) == versions  # same content


def test_changed_tests_make_a_new_version(
    session: Session, platform: Platform, teacher: User, tmp_path: Path
) -> None:
    path = demo_copy(tmp_path)
    run_import(session, platform, teacher, path)
    problem_id = tasks_of(session)["sum"].problem_id
    (path / "sum" / "tests" / "more.in").write_text("2 2\n")
    (path / "sum" / "tests" / "more.ans").write_text("4\n")
    shutil.rmtree(path / "quiz")
    report = run_import(session, platform, teacher, path)
    assert report.warnings[-1] == "task 'quiz' is not in the directory any more: left unchanged"
    summing = tasks_of(session)["sum"]
    assert summing.problem_id == problem_id
    problem = session.get(Problem, problem_id)
    assert problem is not None and len(problem.versions) == 2
    assert problem.current_version is not None and problem.current_version.meta["tests"] == 4


def test_packages_next_to_task_yaml(
    session: Session, platform: Platform, teacher: User, tmp_path: Path
) -> None:
    path = demo_copy(tmp_path, with_aplusb=True)
    shutil.copytree(JUTGE_PACKAGE, path / "scripted" / "pe_ic.pbm")
    report = run_import(session, platform, teacher, path)
    by_id = {task.task_id: task for task in report.tasks}
    assert by_id["aplusb"].problems == ["code", "question"] and not by_id["aplusb"].dropped
    assert "(package aplusb/: 6 test(s), 4 hidden)" in by_id["aplusb"].grading
    assert by_id["scripted"].problems == ["code", "line", "why"]
    assert "package pe_ic.pbm/" in by_id["scripted"].grading
    tasks = tasks_of(session)
    aplusb = session.get(Problem, tasks["aplusb"].problem_id)
    assert aplusb is not None and (aplusb.format, aplusb.package_id) == ("kattis", "demo.aplusb")
    jutge = session.get(Problem, tasks["scripted"].problem_id)
    assert jutge is not None and jutge.format == "jutge"


def test_the_task_folder_itself_may_be_the_package(
    session: Session, platform: Platform, teacher: User, tmp_path: Path
) -> None:
    path = demo_copy(tmp_path)
    shutil.copytree(APLUSB, path / "aplusb", dirs_exist_ok=True)
    report = run_import(session, platform, teacher, path)
    aplusb = next(task for task in report.tasks if task.task_id == "aplusb")
    assert "the package in the task folder" in aplusb.grading and aplusb.problems == ["code", "question"]


def test_broken_tasks_are_reported_and_skipped(
    session: Session, platform: Platform, teacher: User, tmp_path: Path
) -> None:
    path = demo_copy(tmp_path)
    (path / "quiz" / "task.yaml").write_text("name: Broken\nproblems: []\n")
    (path / "sum" / "tests" / "lonely.in").write_text("1 1\n")
    (path / "closed" / "task.yaml").write_text(
        "name: x\naccessible: someday\nproblems:\n  a: {type: match, answer: 1}\n"
    )
    (path / "limited" / "task.yaml").write_text(
        "problems:\n  a: {type: multiple_choice, choices: [{text: x}]}\n"
    )
    (path / "hidden" / "task.yaml").write_text("problems: [unclosed\n")
    (path / "future" / "task.yaml").write_text("problems:\n  a: {type: custom_plugin}\n")
    (path / "bad id").mkdir()
    (path / "bad id" / "task.yaml").write_text("problems:\n  a: {type: match, answer: 1}\n")
    report = run_import(session, platform, teacher, path)
    by_id = {task.task_id: task for task in report.tasks}
    assert by_id["quiz"].status == "error" and "'problems' must be a mapping" in by_id["quiz"].notes[0]
    assert by_id["sum"].status == "error" and "lonely.in: no expected output" in by_id["sum"].notes[0]
    assert by_id["closed"].status == "error" and "invalid date 'someday'" in by_id["closed"].notes[0]
    assert by_id["limited"].status == "error" and "needs a valid choice" in by_id["limited"].notes[0]
    assert by_id["hidden"].status == "error" and "cannot be read" in by_id["hidden"].notes[0]
    assert by_id["future"].status == "skipped" and by_id["future"].dropped == ["a"]
    assert by_id["bad id"].status == "error" and "invalid task id" in by_id["bad id"].notes[0]
    assert [task.task_id for task in report.errors] == [
        "bad id",
        "closed",
        "hidden",
        "limited",
        "quiz",
        "sum",
    ]
    assert set(tasks_of(session)) == {"aplusb", "scripted", "upload"}


def test_course_level_errors(
    session: Session, platform: Platform, teacher: User, make_user: MakeUser, tmp_path: Path
) -> None:
    with pytest.raises(InginiousImportError, match=r"course\.yaml: missing"):
        import_inginious_course(session, tmp_path, settings=platform.settings, owner=teacher)
    path = demo_copy(tmp_path)
    with pytest.raises(InginiousImportError, match="invalid course id"):
        import_inginious_course(session, path, settings=platform.settings, owner=teacher, course_id="a:b")
    run_import(session, platform, teacher, path)
    with pytest.raises(InginiousImportError, match="belongs to another owner"):
        import_inginious_course(session, path, settings=platform.settings, owner=make_user("someone"))
    session.rollback()
    (path / "course.yaml").write_text("- a list\n")
    with pytest.raises(InginiousImportError, match="expected a mapping"):
        import_inginious_course(session, path, settings=platform.settings, owner=teacher)


def test_registration_settings(session: Session, platform: Platform, teacher: User, tmp_path: Path) -> None:
    path = demo_copy(tmp_path)
    (path / "course.yaml").write_text(
        "name: P\nregistration: true\nregistration_password: sesame\n"
        "allow_unregister: false\naccessible: 2000-01-01/2999-01-01\n"
    )
    report = run_import(session, platform, teacher, path, course_id="withpassword")
    course = session.scalar(sa.select(Course).where(Course.slug == "withpassword"))
    assert course is not None and course.registration == Registration.PASSWORD
    assert verify_password(course.registration_password_hash, "sesame") and not course.allow_unregister
    assert course.accessible == "2000-01-01/2999-01-01" and report.warnings == []
    (path / "course.yaml").write_text("name: P\nregistration: false\ngroups: [{name: g}]\n")
    report = run_import(session, platform, teacher, path, course_id="withpassword")
    assert course.registration == Registration.CLOSED and course.registration_password_hash is None
    # An older descriptor's list of groups is read as INGInious's groups file (issue 14).
    assert (report.warnings, report.groups) == ([], ["Group 1 (size 1): (empty)"])
    (path / "course.yaml").write_text("name: P\nregistration: 2000-01-01/2001-01-01\n")
    report = run_import(session, platform, teacher, path, course_id="withpassword")
    assert course.registration == Registration.OPEN and report.warnings == []
    assert (course.registration_opens_at, course.registration_closes_at) == (
        datetime(2000, 1, 1, tzinfo=UTC),
        datetime(2001, 1, 1, tzinfo=UTC),
    )


# --------------------------------------------------------------------------- the command


@pytest.fixture
def cli() -> typer.Typer:
    return app


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    return {
        **cli_env,
        "COLUMNS": "200",
    }


def test_command(
    cli: typer.Typer, env: dict[str, str], session: Session, teacher: User, make_user: MakeUser
) -> None:
    result = CliRunner().invoke(cli, ["course", "import-inginious", str(DEMO)], env=env)
    assert result.exit_code == 0, result.output
    assert "course demo (Demo course) created, owner teacher" in result.output
    assert "need test cases" in result.output and "tutor 'ghost' has no account here" in result.output
    assert set(tasks_of(session)) == {
        "aplusb",
        "closed",
        "future",
        "hidden",
        "limited",
        "quiz",
        "scripted",
        "sum",
        "upload",
    }
    again = CliRunner().invoke(cli, ["course", "import-inginious", str(DEMO), "--owner", "teacher"], env=env)
    assert again.exit_code == 0 and "updated" in again.output
    other = make_user("other", role="instructor")
    clash = CliRunner().invoke(
        cli, ["course", "import-inginious", str(DEMO), "--owner", other.username], env=env
    )
    assert clash.exit_code == 1 and "belongs to another owner" in clash.output
    renamed = CliRunner().invoke(
        cli, ["course", "import-inginious", str(DEMO), "--owner", "other", "--id", "demo2"], env=env
    )
    assert renamed.exit_code == 0, renamed.output


def test_command_errors(cli: typer.Typer, env: dict[str, str], teacher: User, tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["course", "import-inginious", str(tmp_path)], env=env)
    assert missing.exit_code == 2 and "no course descriptor" in missing.output
    nobody = CliRunner().invoke(cli, ["course", "import-inginious", str(DEMO), "--owner", "nobody"], env=env)
    assert nobody.exit_code == 2 and "no user 'nobody'" in nobody.output
    path = demo_copy(tmp_path)
    (path / "course.yaml").write_text("name: No admins\n")
    (path / "quiz" / "task.yaml").write_text("problems: 3\n")
    no_owner = CliRunner().invoke(cli, ["course", "import-inginious", str(path)], env=env)
    assert no_owner.exit_code == 2 and "give --owner" in no_owner.output
    broken = CliRunner().invoke(cli, ["course", "import-inginious", str(path), "--owner", "teacher"], env=env)
    assert broken.exit_code == 1 and "1 task(s) could not be imported" in broken.output
