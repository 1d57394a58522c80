"""``/services/exams/owner:name/ranking`` through HTTP: YAML and JSON, the staff's and the
students' (frozen) views, the CSV export, 401/403/404, and the freeze and unfreeze actions timed by
the platform's clock."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.support.clock import ManualClock
from tests.support.exam_results import (
    CONTEST_FROZEN_TABLE,
    CONTEST_STAFF_TABLE,
    REAL_START,
    SCORED_TABLE,
    ExamSetup,
    add_tutor,
    scored_exam,
    scripted_contest,
)
from tests.support.jutge import as_user, doc, error_of, fresh, put
from tests.support.users import MakeUser
from verdict.accounts.models import User
from verdict.exams.models import Exam

pytestmark = pytest.mark.e2e

DURING_FREEZE = REAL_START + timedelta(minutes=100)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(DURING_FREEZE)


@pytest.fixture
def contest(session: Session, make_user: MakeUser) -> ExamSetup:
    return scripted_contest(session, make_user)


def ranking(client: TestClient, setup: ExamSetup, user: User | str, **params: str) -> Any:
    response = client.get(
        f"/services/exams/{setup.ident}/ranking", headers=as_user(user), params=params or None
    )
    assert response.status_code == 200, response.text
    return doc(response)


def table(document: Any) -> list[tuple[object, ...]]:
    return [
        (
            row["rank"],
            row["username"],
            row["solved"],
            row["penalty"],
            row["time"],
            [(p["attempts"], p["time"], p["solved"], p["pending"]) for p in row["problems"]],
        )
        for row in document["rows"]
    ]


def test_staff_read_the_whole_ranking_in_yaml_and_json(client: TestClient, contest: ExamSetup) -> None:
    response = client.get(f"/services/exams/{contest.ident}/ranking", headers=as_user(contest.owner))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/yaml")
    assert response.text.startswith("---")
    yaml_doc = doc(response)
    assert table(yaml_doc) == CONTEST_STAFF_TABLE
    assert yaml_doc["exam"] == "teacher:contest" and yaml_doc["contest"] == 1 and yaml_doc["view"] == "staff"
    assert yaml_doc["frozen"] == 1  # students are frozen now: staff see through it
    assert yaml_doc["started_at"] == "2026-06-01 10:03:00" and yaml_doc["running_time"] == 120
    assert [p["caption"] for p in yaml_doc["problems"]] == ["A", "B", "C"]
    alice = yaml_doc["rows"][1]
    assert alice["email"] == "alice@example.org" and alice["name"] == "Alice" and alice["invited"] == 0
    assert alice["problems"][0] == {
        "caption": "A",
        "problem": "P10001",
        "attempts": 2,
        "time": 15,
        "solved": 1,
        "pending": 0,
    }
    frank = yaml_doc["rows"][0]
    assert (frank["username"], frank["rank"], frank["invited"]) == ("frank", None, 1)

    response = client.get(
        f"/services/exams/{contest.ident}/ranking", headers=as_user(contest.owner), params={"format": "json"}
    )
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == yaml_doc


def test_tutors_and_administrators_are_staff(
    client: TestClient, session: Session, contest: ExamSetup, make_user: MakeUser, jutge: User
) -> None:
    tutor = make_user("tutor")
    add_tutor(session, contest, tutor)
    for user in (tutor, jutge):
        document = ranking(client, contest, user)
        assert document["view"] == "staff" and table(document) == CONTEST_STAFF_TABLE


def test_students_see_the_frozen_scoreboard_without_emails(client: TestClient, contest: ExamSetup) -> None:
    document = ranking(client, contest, "carol")
    assert document["view"] == "students" and document["frozen"] == 1
    assert table(document) == CONTEST_FROZEN_TABLE
    assert all(row["email"] is None for row in document["rows"])


def test_students_of_a_scored_exam_see_only_their_own_row(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    setup = scored_exam(session, make_user)
    staff = ranking(client, setup, setup.owner)
    assert [(r["rank"], r["username"], r["points"], r["time"]) for r in staff["rows"]] == [
        (rank, name, points, time) for rank, name, points, time, _ in SCORED_TABLE
    ]
    assert staff["rows"][2]["problems"][1] == {
        "caption": "Scored",
        "problem": "P20002",
        "attempts": 3,
        "time": 30,
        "points": 2.4,
        "verdict": "SC",
        "pending": 0,
    }
    own = ranking(client, setup, "ana")
    assert [(r["rank"], r["username"], r["points"]) for r in own["rows"]] == [(None, "ana", 4.4)]


def test_strangers_are_refused(client: TestClient, contest: ExamSetup, make_user: MakeUser) -> None:
    make_user("mallory")
    make_user("other", role="instructor")
    for user in ("mallory", "other"):
        response = client.get(f"/services/exams/{contest.ident}/ranking", headers=as_user(user))
        assert "students and staff" in error_of(response, 403)["message"]
        error_of(client.get(f"/services/exams/{contest.ident}/ranking.csv", headers=as_user(user)), 403)
    assert client.get(f"/services/exams/{contest.ident}/ranking").status_code == 401
    missing = client.get("/services/exams/teacher:nope/ranking", headers=as_user(contest.owner))
    assert error_of(missing, 404)["message"] == "no exam teacher:nope"


def test_staff_export_csv(client: TestClient, session: Session, contest: ExamSetup) -> None:
    contest.users["gina"].full_name = '=HYPERLINK("http://evil.example","x")'  # a formula, in a name
    session.commit()
    response = client.get(f"/services/exams/{contest.ident}/ranking.csv", headers=as_user(contest.owner))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "teacher_contest_ranking.csv" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["username"] for row in rows] == [line[1] for line in CONTEST_STAFF_TABLE]
    carol = rows[3]
    assert (carol["rank"], carol["solved"], carol["penalty"], carol["time"]) == ("3", "2", "195", "105")
    assert (carol["B attempts"], carol["B time"], carol["B solved"]) == ("2", "105", "1")
    assert (rows[0]["rank"], rows[0]["invited"], rows[-1]["time"]) == ("", "1", "")
    assert rows[-1]["name"] == "'" + contest.users["gina"].full_name  # a spreadsheet shows it as text
    error_of(client.get(f"/services/exams/{contest.ident}/ranking.csv", headers=as_user("alice")), 403)


def test_freeze_and_unfreeze(
    client: TestClient, session: Session, contest: ExamSetup, clock: ManualClock
) -> None:
    path = f"/services/exams/{contest.ident}/actions"
    error_of(put(client, f"{path}/unfreeze", "", "alice"), 403)
    error_of(put(client, f"{path}/freeze", "minutes: 5\n", "alice"), 403)

    answer = doc(put(client, f"{path}/unfreeze", "", contest.owner))
    assert answer == {
        "exam": "teacher:contest",
        "freeze_minutes": 30,
        "unfrozen_at": "2026-06-01 11:43:00",
        "frozen": 0,
    }
    assert table(ranking(client, contest, "alice")) == CONTEST_STAFF_TABLE

    # Freezing again, the last 10 minutes: from minute 110, after every try of the script.
    answer = doc(put(client, f"{path}/freeze", "minutes: 10\n", contest.owner))
    assert answer == {"exam": "teacher:contest", "freeze_minutes": 10, "unfrozen_at": None, "frozen": 0}
    assert ranking(client, contest, "alice")["frozen"] == 0
    clock.advance(minutes=15)  # minute 115
    students = ranking(client, contest, "alice")
    assert students["frozen"] == 1 and table(students) == CONTEST_STAFF_TABLE

    assert doc(put(client, f"{path}/freeze", "minutes: 30\n", contest.owner))["frozen"] == 1
    assert table(ranking(client, contest, "alice")) == CONTEST_FROZEN_TABLE
    fresh(session)
    exam = session.get(Exam, contest.exam.id)
    assert exam is not None and (exam.freeze_minutes, exam.unfrozen_at) == (30, None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("minutes: x\n", "minutes: must be a whole number of minutes"),
        ("minutes: 1.5\n", "minutes: must be a whole number of minutes"),
        ("minutes: true\n", "minutes: must be a whole number of minutes"),
        ("minutes: 121\n", "minutes: must be between 0 and the running time (120), not 121"),
        ("minutes: -1\n", "minutes: must be between 0 and the running time (120), not -1"),
        ("other: 1\n", "minutes: missing required field"),
    ],
)
def test_freeze_refuses_bad_minutes(client: TestClient, contest: ExamSetup, body: str, message: str) -> None:
    error = error_of(put(client, f"/services/exams/{contest.ident}/actions/freeze", body, contest.owner), 400)
    assert error["message"].startswith(message) and error["field"] == "minutes"


def test_unfreeze_without_a_freeze_is_a_conflict(client: TestClient, contest: ExamSetup) -> None:
    path = f"/services/exams/{contest.ident}/actions"
    assert doc(put(client, f"{path}/freeze", "minutes: 0\n", contest.owner))["freeze_minutes"] == 0
    assert "has no freeze" in error_of(put(client, f"{path}/unfreeze", "", contest.owner), 409)["message"]
    assert table(ranking(client, contest, "alice")) == CONTEST_STAFF_TABLE
