"""INGInious groups, sections and registration windows (issue 14, items 4 and 5): the groups course
(tests/fixtures/inginious/groups: taskset.yaml with a registration window, nested sections with
ids and group tasks; groups.yaml as INGInious's course administration downloads it) imported, then
registered to and submitted to through the REST API v0, on SQLite and PostgreSQL. Time is the
platform's clock, moved by hand."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.support.clock import ManualClock
from tests.support.inginious import grade_all
from tests.support.paths import FIXTURES
from tests.support.users import MakeUser, basic
from verdict.accounts.models import User
from verdict.cli import app
from verdict.courses.groups import NO_GROUP
from verdict.courses.inginious_import import import_inginious_course
from verdict.courses.models import (
    Course,
    CourseGroup,
    CourseGroupStudent,
    CourseMember,
    MemberRole,
    Registration,
    SubmissionStudent,
    Task,
)
from verdict.platform import Platform

GROUPS = FIXTURES / "inginious" / "groups"
API = "/api/v0/courses/groups"
BEFORE = datetime(2029, 12, 31, 12, 0, tzinfo=UTC)  # the registration window: January 2030
DURING = datetime(2030, 1, 15, tzinfo=UTC)
AFTER = datetime(2030, 2, 1, tzinfo=UTC)  # its end: closed from that moment


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DURING)


class Pairs:
    """The imported course and its people: alice and bob in group A, dave alone in group B, carol
    in no group; all four registered."""

    def __init__(
        self, session: Session, platform: Platform, make_user: MakeUser, path: Path = GROUPS
    ) -> None:
        self.teacher = make_user("teacher", role="instructor")
        self.tutor = make_user("tutor")
        self.alice, self.bob, self.carol, self.dave = (
            make_user(n) for n in ("alice", "bob", "carol", "dave")
        )
        self.report = import_inginious_course(session, path, settings=platform.settings, owner=self.teacher)
        session.commit()
        course = session.scalar(sa.select(Course).where(Course.slug == "groups"))
        assert course is not None
        self.course = course
        self.session = session

    def register(self, *students: User) -> None:
        for student in students:
            self.session.add(
                CourseMember(
                    course_id=self.course.id,
                    user_id=student.id,
                    email=student.email,
                    role=MemberRole.STUDENT,
                    accepted_at=DURING,
                )
            )
        self.session.commit()


@pytest.fixture
def pairs(session: Session, platform: Platform, make_user: MakeUser) -> Pairs:
    return Pairs(session, platform, make_user)


def submit(client: TestClient, user: User, task: str, answer: str = "42") -> Response:
    return client.post(f"{API}/tasks/{task}/submissions", headers=basic(user), data={"answer": answer})


def submitted(client: TestClient, platform: Platform, user: User, task: str, answer: str = "42") -> str:
    response = submit(client, user, task, answer)
    assert response.status_code == 200, response.text
    submission_id = str(response.json()["submissionid"])
    assert grade_all(platform) == [int(submission_id)]
    return submission_id


def error(response: Response, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"])


def listed(client: TestClient, user: User, task: str) -> list[dict[str, Any]]:
    response = client.get(f"{API}/tasks/{task}/submissions", headers=basic(user))
    assert response.status_code == 200, response.text
    return list(response.json())


def task_of(client: TestClient, user: User, task: str) -> dict[str, Any]:
    response = client.get(f"{API}/tasks/{task}", headers=basic(user))
    assert response.status_code == 200, response.text
    return dict(response.json()[task])


# --------------------------------------------------------------------------- import


@pytest.mark.integration
def test_the_course_imports_its_window_sections_and_groups(session: Session, pairs: Pairs) -> None:
    course, report = pairs.course, pairs.report
    assert report.descriptor == "taskset.yaml"
    # Groups are imported before the students register (their work counts once they do).
    assert report.warnings == [
        f"group 'Group {group}': student {name!r} is not registered to the course yet"
        for group, name in (("A", "alice"), ("A", "bob"), ("B", "dave"))
    ]
    assert (course.registration_opens_at, course.registration_closes_at) == (
        datetime(2030, 1, 1, tzinfo=UTC),
        AFTER,
    )
    # The sections as the table of contents nests them, with their ids, config and tasks in order.
    assert course.sections == [
        {
            "id": "part-1",
            "title": "Part 1",
            "config": {},
            "sections": [
                {"id": "warm-up", "title": "Warm-up", "config": {}, "tasks": ["solo"]},
                {
                    "id": "project",
                    "title": "Project",
                    "config": {"closed": False, "hidden_if_empty": False},
                    "tasks": ["pair", "report"],
                },
            ],
        }
    ]
    assert report.sections == ["Part 1 > Warm-up: solo", "Part 1 > Project: pair, report"]
    tasks = session.scalars(sa.select(Task).where(Task.course_id == course.id).order_by(Task.position)).all()
    assert [(task.slug, task.group_submission) for task in tasks] == [
        ("solo", False),
        ("pair", True),
        ("report", True),
    ]
    # groups.yaml: alice and bob (group A, tutored by the course's tutor), dave (group B).
    assert report.groups == ["Group A (size 2): alice, bob", "Group B (size 2): dave"]
    groups = session.scalars(
        sa.select(CourseGroup).where(CourseGroup.course_id == course.id).order_by(CourseGroup.position)
    ).all()
    assert [(group.description, group.size, group.tutors) for group in groups] == [
        ("Group A", 2, ["tutor"]),
        ("Group B", 2, []),
    ]


@pytest.mark.integration
def test_sections_without_ids_get_ids_from_their_titles(
    session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path
) -> None:
    path = tmp_path / "groups"
    shutil.copytree(GROUPS, path)
    descriptor = yaml.safe_load((path / "taskset.yaml").read_text())
    toc = descriptor["dispenser_data"]["toc"]
    del toc[0]["id"], toc[0]["sections_list"][0]["id"], toc[0]["sections_list"][1]["id"]
    toc[0]["sections_list"][1]["title"] = "Warm-up"  # two sections with one title
    (path / "taskset.yaml").write_text(yaml.safe_dump(descriptor))
    pairs = Pairs(session, platform, make_user, path)
    ids = [pairs.course.sections[0]["id"], *(s["id"] for s in pairs.course.sections[0]["sections"])]
    assert ids == ["part-1", "part-1-warm-up", "part-1-warm-up-2"]


@pytest.mark.integration
def test_groups_are_checked_as_inginious_checks_them(
    session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path
) -> None:
    path = tmp_path / "groups"
    shutil.copytree(GROUPS, path)
    (path / "groups.yaml").write_text(
        yaml.safe_dump(
            [
                {"description": "Big", "size": 1, "students": ["alice", "bob"], "tutors": []},
                {"description": "First", "size": 2, "students": ["carol", "zoe"], "tutors": ["alice"]},
                {"description": "Second", "size": 3, "students": ["carol", "teacher"], "audiences": ["x"]},
            ]
        )
    )
    pairs = Pairs(session, platform, make_user, path)
    assert pairs.report.warnings == [
        "groups.yaml: group 'Second': audiences are not imported",
        "group 'Big': 2 students for a size of 1: none of them added (alice, bob)",
        "group 'First': tutor 'alice' is not staff of the course: left out",
        "group 'First': student 'carol' is not registered to the course yet",
        "group 'First': student 'zoe' has no account here: left out",
        "group 'Second': student 'carol' was in group 'First': moved here",
        "group 'Second': 'teacher' is staff of the course, not a student: left out",
    ]
    assert pairs.report.groups == [
        "Big (size 1): (empty)",
        "First (size 2): (empty)",
        "Second (size 3): carol",
    ]

    # Importing again replaces the groups (as INGInious's upload does); a broken file is refused.
    (path / "groups.yaml").write_text("- description: Only\n  size: 2\n  students: [dave]\n")
    report = import_inginious_course(session, path, settings=platform.settings, owner=pairs.teacher)
    session.commit()
    assert report.groups == ["Only (size 2): dave"]
    assert session.scalar(sa.select(sa.func.count()).select_from(CourseGroupStudent)) == 1
    (path / "groups.yaml").write_text("description: not a list\n")
    with pytest.raises(ValueError, match=r"groups\.yaml: expected a list of groups"):
        import_inginious_course(session, path, settings=platform.settings, owner=pairs.teacher)


# --------------------------------------------------------------------------- registration window


@pytest.mark.e2e
def test_registration_only_within_its_window(
    client: TestClient, session: Session, clock: ManualClock, pairs: Pairs
) -> None:
    register = f"{API}/register"
    clock.set(BEFORE)
    opens = "Registration to this course opens on 2030-01-01 00:00:00 (UTC)"
    assert error(client.post(register, headers=basic(pairs.carol)), 403) == opens
    # The course is still listed (its registration is open), not registered.
    course = client.get("/api/v0/courses", headers=basic(pairs.carol)).json()["groups"]
    assert (course["is_registered"], course["require_password"]) == (False, False)

    clock.set(DURING)
    response = client.post(register, headers=basic(pairs.carol))
    assert (response.status_code, response.json()) == (201, {"status": "success", "is_registered": True})

    clock.set(AFTER)
    closed = "Registration to this course closed on 2030-02-01 00:00:00 (UTC)"
    assert error(client.post(register, headers=basic(pairs.dave)), 403) == closed
    # Registered students are not concerned by the window.
    assert client.post(register, headers=basic(pairs.carol)).status_code == 200
    assert client.get(f"{API}", headers=basic(pairs.carol)).json()["groups"]["is_registered"]


# --------------------------------------------------------------------------- group submissions


@pytest.mark.e2e
def test_a_group_submission_counts_for_every_member(
    client: TestClient, session: Session, platform: Platform, pairs: Pairs
) -> None:
    pairs.register(pairs.alice, pairs.bob, pairs.carol, pairs.dave)
    first = submitted(client, platform, pairs.alice, "pair")
    # Bob sees it as his, with its grade; the task and the course grade are his too.
    [seen] = listed(client, pairs.bob, "pair")
    assert (seen["id"], seen["status"], seen["grade"]) == (first, "done", 100.0)
    bob_view = client.get(f"{API}/tasks/pair/submissions/{first}", headers=basic(pairs.bob))
    assert bob_view.status_code == 200 and bob_view.json()[0]["grade"] == 100.0
    assert (task_of(client, pairs.bob, "pair")["status"], task_of(client, pairs.bob, "pair")["grade"]) == (
        "succeeded",
        100.0,
    )
    assert client.get(API, headers=basic(pairs.bob)).json()["groups"]["grade"] == 50.0  # weight 2 of 4
    # Other groups see nothing of it.
    assert listed(client, pairs.dave, "pair") == []
    assert client.get(f"{API}/tasks/pair/submissions/{first}", headers=basic(pairs.dave)).status_code == 404
    assert task_of(client, pairs.dave, "pair")["status"] == "notattempted"
    rows = session.scalars(
        sa.select(SubmissionStudent.user_id).where(SubmissionStudent.submission_id == int(first))
    )
    assert sorted(rows) == sorted([pairs.alice.id, pairs.bob.id])

    # The limit (2) is the group's: bob's submission is the second, alice's third is refused.
    submitted(client, platform, pairs.bob, "pair", "41")
    assert [s["grade"] for s in listed(client, pairs.alice, "pair")] == [0.0, 100.0]
    limit = "Your group has reached the submission limit: 2 submission(s)"
    assert error(submit(client, pairs.alice, "pair"), 403) == limit
    assert task_of(client, pairs.alice, "pair")["grade"] == 100.0  # best of the group's

    # An individual task stays individual.
    submitted(client, platform, pairs.alice, "solo", "Paris")
    assert listed(client, pairs.bob, "solo") == []


@pytest.mark.e2e
def test_one_waiting_submission_per_group(
    client: TestClient, session: Session, platform: Platform, pairs: Pairs
) -> None:
    pairs.register(pairs.alice, pairs.bob)
    assert submit(client, pairs.alice, "report", "done").status_code == 200
    waiting = "a submission of your group to this task is still waiting to be graded"
    assert error(submit(client, pairs.bob, "report", "done"), 403) == waiting
    grade_all(platform)
    submitted(client, platform, pairs.bob, "report", "not yet")
    # Evaluation "last": the group's newest submission counts, whoever made it.
    assert task_of(client, pairs.alice, "report")["status"] == "failed"


@pytest.mark.e2e
def test_a_student_in_no_group_cannot_submit_to_a_group_task(
    client: TestClient, session: Session, platform: Platform, pairs: Pairs
) -> None:
    pairs.register(pairs.carol)
    assert error(submit(client, pairs.carol, "pair"), 403) == NO_GROUP == "Please register in a group"
    submitted(client, platform, pairs.carol, "solo", "Paris")
    # Staff submit alone, group or not.
    submission_id = submitted(client, platform, pairs.teacher, "pair")
    assert (
        session.scalars(
            sa.select(SubmissionStudent).where(SubmissionStudent.submission_id == int(submission_id))
        ).all()
        == []
    )


def with_registration(tmp_path: Path, value: Any) -> Path:
    path = tmp_path / "groups"
    shutil.copytree(GROUPS, path)
    descriptor = yaml.safe_load((path / "taskset.yaml").read_text())
    descriptor["registration"] = value
    (path / "taskset.yaml").write_text(yaml.safe_dump(descriptor))
    return path


JAN = datetime(2030, 1, 1, tzinfo=UTC)
FEB = datetime(2030, 2, 1, tzinfo=UTC)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (True, (Registration.OPEN, None, None)),
        (False, (Registration.CLOSED, None, None)),
        ("false", (Registration.CLOSED, None, None)),
        ("2030-01-01", (Registration.OPEN, JAN, None)),
        ("/2030-02-01", (Registration.OPEN, None, FEB)),
        ("2030-01-01/2030-01-15/2030-02-01", (Registration.OPEN, JAN, FEB)),  # a soft end means nothing
        ({"start": "2030-01-01 00:00:00", "end": "2030-02-01 00:00:00"}, (Registration.OPEN, JAN, FEB)),
        ({"start": "0001-01-01 00:00:00", "end": "9999-12-31 23:59:59"}, (Registration.OPEN, None, None)),
    ],
)
def test_registration_values_as_inginious_reads_them(
    session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path, value: Any, stored: Any
) -> None:
    course = Pairs(session, platform, make_user, with_registration(tmp_path, value)).course
    assert (course.registration, course.registration_opens_at, course.registration_closes_at) == stored


@pytest.mark.integration
def test_a_malformed_registration_window_is_refused(
    session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"taskset\.yaml: registration: invalid date 'someday'"):
        Pairs(session, platform, make_user, with_registration(tmp_path, "someday/2030-01-01"))


@pytest.mark.e2e
def test_a_window_that_ends_before_it_starts_never_opens(
    client: TestClient, session: Session, platform: Platform, make_user: MakeUser, tmp_path: Path
) -> None:
    pairs = Pairs(session, platform, make_user, with_registration(tmp_path, "2030-02-01/2030-01-01"))
    response = client.post(f"{API}/register", headers=basic(pairs.carol))
    assert error(response, 403) == "Registration to this course is closed"


@pytest.mark.integration
def test_the_command_reports_the_groups(cli_env: dict[str, str], make_user: MakeUser) -> None:
    for name in ("teacher", "tutor", "alice", "bob", "dave"):
        make_user(name, role="instructor" if name == "teacher" else "student")
    result = CliRunner().invoke(
        app, ["course", "import-inginious", str(GROUPS)], env={**cli_env, "COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    group_lines = [line for line in result.output.splitlines() if line.startswith("group ")]
    assert len(group_lines) == 2 and "alice" in group_lines[0] and "dave" in group_lines[1], result.output
