"""The INGInious task rules (verdict.courses): windows, the public view, input, quiz grading,
combined grades, standings, submission rules and registration."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.support.inginious import Demo
from tests.support.users import MakeUser
from verdict.accounts.passwords import hash_password
from verdict.courses import quiz
from verdict.courses.access import course_access, registration_possible
from verdict.courses.grades import (
    NOT_ATTEMPTED,
    Standing,
    course_grade,
    evaluated_submission,
    standing,
    standings,
)
from verdict.courses.models import Course, Evaluate, Registration, Task
from verdict.courses.quiz import PartResult
from verdict.courses.registration import register, unregister
from verdict.courses.rst_feedback import feedback_html
from verdict.courses.submission_rules import Upload, check_can_submit, parse_input
from verdict.courses.subproblems import ProgramPart, program_parts
from verdict.courses.task_view import ChoiceOrder, contact_url, public_problems, shown_choices, visible_tasks
from verdict.courses.windows import Window, normalise_accessibility, parse_window, window_of
from verdict.errors import InvalidInput, PermissionDenied
from verdict.judge.grader import GradeResult, TestResult
from verdict.judge.verdicts import Verdict
from verdict.platform import Platform
from verdict.submissions.models import Submission, SubmissionStatus

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --------------------------------------------------------------------------- windows


@pytest.mark.unit
@pytest.mark.parametrize(
    ("value", "window"),
    [
        (True, Window()),
        (None, Window()),
        (False, Window(never=True)),
        ("2024-01-01", Window(start=utc(2024, 1, 1))),
        ("/2024-06-01 10:30", Window(end=utc(2024, 6, 1, 10, 30))),
        ("2024-01-01 08:00:00/2024-06-01", Window(start=utc(2024, 1, 1, 8), end=utc(2024, 6, 1))),
        (
            "2024-01-01/2024-05-01 12:00:00/2024-06-01",
            Window(start=utc(2024, 1, 1), soft_end=utc(2024, 5, 1, 12), end=utc(2024, 6, 1)),
        ),
        ("//2024-06-01", Window(end=utc(2024, 6, 1))),
        (date(2024, 1, 1), Window(start=utc(2024, 1, 1))),
    ],
)
def test_parse_window(value: Any, window: Window) -> None:
    assert parse_window(value) == window


@pytest.mark.unit
@pytest.mark.parametrize(
    "value",
    ["tomorrow", "2024-13-01", "a/b/c/d"],
)
def test_bad_windows(value: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        parse_window(value)
    assert window_of(value).never  # a stored bad value closes the task


@pytest.mark.unit
def test_windows_are_normalised_as_inginious_does() -> None:
    # A soft deadline after the hard one is the hard one (INGInious's AccessibleTime clamps it).
    clamped = parse_window("2024-01-01/2024-07-01/2024-06-01")
    assert clamped.soft_end == clamped.end == utc(2024, 6, 1)
    # An end before the start is kept: the task shows from its start but never opens.
    backwards = parse_window("2024-06-01/2024-01-01")
    assert backwards.has_started(utc(2024, 7, 1)) and not backwards.is_open(utc(2024, 7, 1))
    assert not backwards.is_open(utc(2023, 7, 1))


@pytest.mark.unit
def test_bad_window_type() -> None:
    with pytest.raises(TypeError):
        normalise_accessibility(12)


@pytest.mark.unit
def test_normalise_accessibility() -> None:
    assert normalise_accessibility(None) is True
    assert normalise_accessibility("false") is False
    assert normalise_accessibility(date(2999, 1, 1)) == "2999-01-01"
    assert normalise_accessibility(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02 03:04:05"
    assert normalise_accessibility(" 2024-01-01/2024-02-01 ") == "2024-01-01/2024-02-01"


@pytest.mark.unit
def test_window_open_and_deadline() -> None:
    window = parse_window("2024-01-01/2024-02-01/2024-03-01")
    assert not window.has_started(utc(2023, 12, 31, 23, 59))
    assert window.is_open(utc(2024, 1, 1))
    assert window.is_open(utc(2024, 2, 15))  # after the soft deadline, before the hard one
    assert not window.is_open(utc(2024, 3, 1))  # the end is exclusive
    assert window.has_started(utc(2024, 3, 2))  # still visible after the end
    assert window.deadline_text() == "2024-02-01 00:00:00"  # the soft deadline is what students see
    assert parse_window("/2024-03-01").deadline_text() == "2024-03-01 00:00:00"
    assert Window().deadline_text() == ""
    assert not Window(never=True).has_started(NOW)


# --------------------------------------------------------------------------- public view


def mcq(multiple: bool = False, **extra: Any) -> dict[str, Any]:
    return {
        "type": "multiple_choice",
        "name": "Q",
        "header": "Pick",
        "multiple": multiple,
        "success_message": "Yes!",
        "error_message": "No!",
        "choices": [
            {"text": "a", "valid": True, "feedback": "fa"},
            {"text": "b", "valid": False, "feedback": "fb"},
            {"text": "c", "valid": multiple},
            {"text": "d", "valid": False},
            {"text": "e", "valid": False},
            {"text": "f", "valid": False},
        ],
        **extra,
    }


def task_with(problems: dict[str, Any], **fields: Any) -> Task:
    return Task(slug="t", problems=problems, **fields)


SECRET = "a-server-secret-of-thirty-two-chars"


@pytest.mark.unit
def test_public_view_strips_answers() -> None:
    task = task_with(
        {
            "q": mcq(),
            "m": {"type": "match", "name": "M", "header": "h", "answer": "42"},
            "c": {"type": "code", "name": "C", "language": "c", "default": "int main"},
        }
    )
    view = public_problems(task, ChoiceOrder(SECRET, "alice"))
    assert view["m"] == {"type": "match", "name": "M", "header": "h"}
    assert view["c"] == {"type": "code", "name": "C", "language": "c", "default": "int main"}
    assert set(view["q"]) == {"type", "name", "header", "multiple", "choices"}
    assert sorted(view["q"]["choices"].items()) == [
        (0, "a"),
        (1, "b"),
        (2, "c"),
        (3, "d"),
        (4, "e"),
        (5, "f"),
    ]
    assert task.problems["m"]["answer"] == "42"  # the stored task is untouched


@pytest.mark.unit
def test_shown_choices_limit_single() -> None:
    for seed in range(30):
        shown = shown_choices(mcq(limit=3), f"user{seed}")
        assert len(shown) == 3
        assert sum(1 for index in shown if index == 0) == 1  # exactly one valid choice (a)
        assert 2 not in shown or not mcq()["choices"][2]["valid"]


@pytest.mark.unit
def test_shown_choices_limit_multiple_keeps_every_valid_choice() -> None:
    for seed in range(30):
        shown = shown_choices(mcq(multiple=True, limit=3), f"user{seed}")
        assert len(shown) == 3 and {0, 2} <= set(shown)


@pytest.mark.unit
def test_shown_choices_are_stable_per_user_and_shuffled_across_users() -> None:
    problem = mcq()
    assert shown_choices(problem, "alice#t#q") == shown_choices(problem, "alice#t#q")
    orders = {tuple(shown_choices(problem, f"user{n}#t#q")) for n in range(20)}
    assert len(orders) > 1
    assert all(sorted(order) == list(range(6)) for order in orders)
    assert shown_choices(mcq(unshuffle=True, limit=4), "x") == sorted(
        shown_choices(mcq(unshuffle=True, limit=4), "x")
    )


# --------------------------------------------------------------------------- grading quiz parts


@pytest.mark.unit
def test_single_answer_choice() -> None:
    right = quiz.grade_multiple_choice(mcq(), 0)
    assert (right.verdict, right.score, right.messages) == (Verdict.AC, 1.0, ["Yes!", "fa"])
    wrong = quiz.grade_multiple_choice(mcq(), 1)
    assert (wrong.verdict, wrong.score, wrong.messages) == (Verdict.WA, 0.0, ["No!", "fb"])
    plain = {**mcq(), "error_message": None, "success_message": None}
    assert quiz.grade_multiple_choice(plain, 3).messages == ["Wrong answer"]
    assert quiz.grade_multiple_choice(plain, 0).messages == ["fa"]
    # INGInious's messages are reStructuredText: kept as source, rendered when shown.
    assert feedback_html(quiz.grade_multiple_choice(mcq(), 1).feedback) == "<p>No!</p>\n<p>fb</p>"
    emphasised = {**mcq(), "error_message": "*No*, see ``fb``"}
    assert feedback_html(quiz.grade_multiple_choice(emphasised, 1).feedback) == (
        '<p><em>No</em>, see <code class="docutils literal">fb</code></p>\n<p>fb</p>'
    )


@pytest.mark.unit
def test_multiple_answer_choice_needs_exactly_the_valid_ones() -> None:
    problem = {**mcq(multiple=True), "error_message": None}
    assert quiz.grade_multiple_choice(problem, [2, 0]).verdict == Verdict.AC
    assert quiz.grade_multiple_choice(problem, [0]).verdict == Verdict.WA
    assert quiz.grade_multiple_choice(problem, [0, 1, 2]).verdict == Verdict.WA
    assert quiz.grade_multiple_choice(problem, []).messages == [
        "Wrong answer. Make sure to select all the valid possibilities"
    ]


@pytest.mark.unit
def test_match() -> None:
    problem = {"type": "match", "answer": "42"}
    assert quiz.grade_match(problem, " 42\n").verdict == Verdict.AC
    assert quiz.grade_match(problem, "41").messages == ["Invalid answer"]
    assert quiz.grade_match(problem, None).score == 0


def judged(verdict: Verdict, score: float, message: str = "") -> GradeResult:
    tests = [
        TestResult("sample/1", "sample", "", Verdict.AC, visible=True),
        TestResult("secret/1", "secret", "", verdict),
    ]
    return GradeResult(verdict, score=score, tests=tests, message=message)


@pytest.mark.unit
def test_combine_quiz_only() -> None:
    parts = {
        "a": PartResult(Verdict.AC, 1, "<p>ok</p>"),
        "b": PartResult(Verdict.WA, 0, ""),
        "c": PartResult(Verdict.AC, 1, ""),
    }
    outcome = quiz.combine(parts)
    assert outcome.status == SubmissionStatus.DONE
    assert (outcome.grade, outcome.verdict) == (66.67, Verdict.SC)
    assert outcome.problems_feedback == {
        "a": ["AC", "<p>ok</p>"],
        "b": ["WA", ""],
        "c": ["AC", ""],
    }
    assert "2 of 3" in outcome.feedback
    assert quiz.combine({"a": PartResult(Verdict.AC, 1, "")}).verdict == "AC"
    assert quiz.combine({"a": PartResult(Verdict.WA, 0, "")}).verdict == "WA"


@pytest.mark.unit
def test_combine_with_a_program_part() -> None:
    program = PartResult(Verdict.TLE, 0.5, "<p>tle</p>", judged=judged(Verdict.TLE, 50))
    outcome = quiz.combine({"code": program, "q": PartResult(Verdict.AC, 1, "")})
    assert (outcome.grade, outcome.verdict, outcome.score) == (75.0, "TLE", 75.0)
    assert outcome.problems_feedback == {"code": ["TLE", "<p>tle</p>"], "q": ["AC", ""]}
    assert outcome.tests is not None and [t["verdict"] for t in outcome.tests] == ["AC", "TLE"]
    alone = quiz.combine({"code": PartResult(Verdict.AC, 1, "<p>AC</p>", judged=judged(Verdict.AC, 100))})
    assert (alone.verdict, alone.score, alone.grade, alone.feedback) == ("AC", 100, 100.0, "<p>AC</p>")


@pytest.mark.unit
def test_combine_nothing_is_an_error() -> None:
    assert quiz.combine({}).status == SubmissionStatus.ERROR


@pytest.mark.unit
def test_grade_program_without_source_or_tests() -> None:
    part = ProgramPart("code", "GCC", "   ")
    engine: Any = SimpleNamespace()  # never called
    assert quiz.grade_program(engine, 1, part, {}).verdict == Verdict.WA
    assert quiz.grade_program(engine, None, ProgramPart("code", "GCC", "int main"), {}).verdict == Verdict.IE


# --------------------------------------------------------------------------- input


QUIZ = {
    "one": mcq(),
    "many": mcq(multiple=True),
    "text": {"type": "match", "answer": "x"},
}


def parse(problems: dict[str, Any], fields: dict[str, list[Any]], **kwargs: Any) -> dict[str, Any]:
    return parse_input(task_with(problems), fields, max_upload_bytes=1000, **kwargs)


@pytest.mark.unit
def test_parse_quiz_input() -> None:
    assert parse(QUIZ, {"one": ["1"], "many": ["0", "2"], "text": ["hello"], "extra": ["ignored"]}) == {
        "one": 1,
        "many": [0, 2],
        "text": "hello",
    }
    assert parse(QUIZ, {"one": ["0"], "text": [""]})["many"] == []  # nothing ticked


@pytest.mark.unit
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"many": [], "text": ["x"]}, "missing input for problem 'one'"),
        ({"one": ["7"], "text": ["x"]}, "not a choice index"),
        ({"one": ["-1"], "text": ["x"]}, "not a choice index"),
        ({"one": ["a"], "text": ["x"]}, "not a choice index"),
        ({"one": ["0", "1"], "text": ["x"]}, "takes one value"),
        ({"one": ["0"], "many": ["1", "1"], "text": ["x"]}, "given twice"),
        ({"one": ["0"]}, "missing input for problem 'text'"),
    ],
)
def test_bad_quiz_input(fields: dict[str, list[Any]], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse(QUIZ, fields)


@pytest.mark.unit
def test_parse_program_input() -> None:
    code = {"code": {"type": "code", "language": "c"}}
    assert parse(code, {"code": ["int main"]}) == {"code": "int main", "code/language": "GCC"}
    assert parse(code, {"code": ["x"], "code/language": ["C"]})["code/language"] == "GCC"
    with pytest.raises(InvalidInput, match="to be answered in GCC"):
        parse(code, {"code": ["x"], "code/language": ["Python3"]})
    free = {"code": {"type": "code", "language": ""}}
    assert parse(free, {"code": ["x"], "code/language": ["python"]})["code/language"] == "Python3"
    with pytest.raises(InvalidInput, match="choose the language"):
        parse(free, {"code": ["x"]})
    with pytest.raises(InvalidInput, match="unknown language"):
        parse(free, {"code": ["x"], "code/language": ["cobol"]})
    with pytest.raises(InvalidInput, match="not accepted here"):
        parse(free, {"code": ["x"], "code/language": ["python"]}, allowed_languages=["GCC"])
    with pytest.raises(InvalidInput, match="missing input"):
        parse(free, {})
    optional = {"code": {"type": "code", "optional": True}}
    assert parse(optional, {}) == {"code": "", "code/language": ""}
    line = {"l": {"type": "code_single_line", "language": "python"}}
    with pytest.raises(InvalidInput, match="single line"):
        parse(line, {"l": ["a\nb"]})


@pytest.mark.unit
def test_parse_file_input() -> None:
    problem = {"f": {"type": "file", "allowed_exts": [".c", ".py"], "max_size": 100}}
    stored = parse(problem, {"f": [Upload("dir\\sum.c", b"int main")]})
    assert stored == {
        "f": {"filename": "sum.c", "value": base64.b64encode(b"int main").decode()},
        "f/language": "GCC",
    }
    assert parse(problem, {"f": [Upload("a.py", b"")], "f/language": ["Python3"]})["f/language"] == "Python3"
    with pytest.raises(InvalidInput, match="allowed extensions"):
        parse(problem, {"f": [Upload("a.java", b"x")]})
    with pytest.raises(InvalidInput, match="larger than 100 bytes"):
        parse(problem, {"f": [Upload("a.c", b"x" * 101)]})
    with pytest.raises(InvalidInput, match="larger than 1000 bytes"):  # the platform's cap wins
        parse({"f": {"type": "file"}}, {"f": [Upload("a.c", b"x" * 1001)]})
    with pytest.raises(InvalidInput, match="takes a file upload"):
        parse(problem, {"f": ["text"]})
    with pytest.raises(InvalidInput, match="missing file"):
        parse(problem, {})
    parts = program_parts(task_with(problem), stored)
    assert parts == [ProgramPart("f", "GCC", "int main")]


# --------------------------------------------------------------------------- standings


def sub(
    id_: int,
    status: SubmissionStatus,
    grade: float | None = None,
    verdict: Verdict | None = None,
    minutes: int = 0,
) -> Submission:
    return Submission(
        id=id_, status=status, grade=grade, verdict=verdict, created_at=NOW + timedelta(minutes=minutes)
    )


@pytest.mark.unit
def test_standing_best_and_last() -> None:
    task = Task(evaluate=Evaluate.BEST)
    history = [
        sub(1, SubmissionStatus.DONE, 80, Verdict.SC, 0),
        sub(2, SubmissionStatus.DONE, 100, Verdict.AC, 1),
        sub(3, SubmissionStatus.DONE, 40, Verdict.SC, 2),
        sub(4, SubmissionStatus.WAITING, minutes=3),
    ]
    assert standing(task, history) == Standing("succeeded", 100.0, history[1])
    task.evaluate = Evaluate.LAST
    assert standing(task, history) == Standing("failed", 40.0, history[2])
    ties = [
        sub(1, SubmissionStatus.DONE, 50, Verdict.SC, 0),
        sub(2, SubmissionStatus.DONE, 50, Verdict.SC, 1),
    ]
    assert evaluated_submission(Task(evaluate=Evaluate.BEST), ties) is ties[1]  # ties: the newer


@pytest.mark.unit
def test_standing_not_attempted_and_errors() -> None:
    task = Task(evaluate=Evaluate.BEST)
    assert standing(task, []) == NOT_ATTEMPTED
    assert standing(task, [sub(1, SubmissionStatus.WAITING)]).status == "notattempted"
    assert standing(task, [sub(1, SubmissionStatus.ERROR)]) == Standing("failed", 0.0, None)


@pytest.mark.unit
def test_course_grade_is_the_weighted_mean() -> None:
    tasks = [
        Task(id=1, weight=2.0, accessibility=True),
        Task(id=2, weight=1.0, accessibility=True),
        Task(id=3, weight=0.0, accessibility=True),
        Task(id=4, weight=5.0, accessibility=False),
    ]
    grades = {
        1: Standing("succeeded", 100.0, None),
        2: Standing("failed", 40.0, None),
        3: Standing("succeeded", 100.0, None),
        4: Standing("succeeded", 100.0, None),
    }
    assert course_grade(tasks, grades) == 80.0
    assert course_grade(tasks[2:], grades) == 0.0
    assert course_grade([], {}) == 0.0


# --------------------------------------------------------------------------- with a database


def add(
    session: Session,
    task: Task,
    user_id: int,
    status: SubmissionStatus,
    created_at: datetime,
    grade: float | None = None,
) -> Submission:
    submission = Submission(
        user_id=user_id,
        task_id=task.id,
        course_id=task.course_id,
        status=status,
        grade=grade,
        created_at=created_at,
    )
    session.add(submission)
    session.commit()
    return submission


@pytest.mark.integration
def test_access(session: Session, demo: Demo, make_user: MakeUser) -> None:
    course = demo.course
    teacher = course_access(session, course, demo.teacher)
    assert (teacher.staff, teacher.registered, teacher.visible) == (True, True, True)
    tutor = course_access(session, course, demo.tutor)
    assert tutor.staff and tutor.registered
    alice = course_access(session, course, demo.alice)
    assert (alice.staff, alice.registered, alice.visible, alice.can_register) == (False, True, True, False)
    carol = course_access(session, course, demo.carol)
    assert (carol.registered, carol.visible, carol.can_register) == (False, True, True)
    admin = course_access(session, course, make_user("root", role="admin"))
    assert admin.staff
    course.registration = Registration.CLOSED
    assert not course_access(session, course, demo.carol).visible
    course.accessible = "2999-01-01"
    assert not course_access(session, course, demo.alice).visible
    assert course_access(session, course, demo.teacher).visible


@pytest.mark.integration
def test_register(session: Session, demo: Demo, make_user: MakeUser) -> None:
    course = demo.course
    member = register(session, course, demo.carol)
    assert member is not None and member.user_id == demo.carol.id
    assert register(session, course, demo.carol) is member  # idempotent
    assert register(session, course, demo.teacher) is None  # staff need no membership
    course.registration = Registration.PASSWORD
    course.registration_password_hash = hash_password("opensesame")
    dave = make_user("dave")
    with pytest.raises(PermissionDenied, match="Invalid registration password"):
        register(session, course, dave, "nope")
    assert register(session, course, dave, "opensesame") is not None
    course.registration = Registration.CLOSED
    with pytest.raises(PermissionDenied, match="closed"):
        register(session, course, make_user("erin"))
    unregister(session, course, dave)
    assert not course_access(session, course, dave).registered
    course.allow_unregister = False
    with pytest.raises(PermissionDenied):
        unregister(session, course, demo.carol)


@pytest.mark.integration
def test_submission_limit_counts_within_the_period(session: Session, demo: Demo) -> None:
    task = demo.task(session, "limited")  # 1 submission per 24 hours
    access = course_access(session, demo.course, demo.alice)
    check_can_submit(session, task, demo.alice, access, NOW)
    add(session, task, demo.alice.id, SubmissionStatus.DONE, NOW - timedelta(hours=25), 0)
    check_can_submit(session, task, demo.alice, access, NOW)  # outside the period
    add(session, task, demo.alice.id, SubmissionStatus.ERROR, NOW - timedelta(hours=1))
    check_can_submit(session, task, demo.alice, access, NOW)  # errors do not count
    add(session, task, demo.alice.id, SubmissionStatus.DONE, NOW - timedelta(hours=1), 0)
    with pytest.raises(PermissionDenied, match=r"submission limit reached: 1 submission\(s\) in 24 hour"):
        check_can_submit(session, task, demo.alice, access, NOW)
    staff = course_access(session, demo.course, demo.tutor)
    check_can_submit(session, task, demo.tutor, staff, NOW)  # staff are exempt
    add(session, task, demo.tutor.id, SubmissionStatus.GRADING, NOW)
    with pytest.raises(PermissionDenied, match="still waiting"):  # ... but not from the one-waiting rule
        check_can_submit(session, task, demo.tutor, staff, NOW)


@pytest.mark.integration
def test_windows_gate_students_not_staff(session: Session, demo: Demo) -> None:
    closed, future = demo.task(session, "closed"), demo.task(session, "future")
    student = course_access(session, demo.course, demo.alice)
    with pytest.raises(PermissionDenied, match="deadline has passed"):
        check_can_submit(session, closed, demo.alice, student, NOW)
    with pytest.raises(PermissionDenied, match="not open yet"):
        check_can_submit(session, future, demo.alice, student, NOW)
    staff = course_access(session, demo.course, demo.teacher)
    check_can_submit(session, closed, demo.teacher, staff, NOW)
    assert [t.slug for t in visible_tasks(session, demo.course, student, NOW)] == [
        "quiz",
        "sum",
        "upload",
        "aplusb",
        "scripted",
        "closed",
        "limited",
    ]
    assert len(visible_tasks(session, demo.course, staff, NOW)) == 9


@pytest.mark.integration
def test_standings_and_course_grade(session: Session, demo: Demo) -> None:
    quiz, limited = demo.task(session, "quiz"), demo.task(session, "limited")
    add(session, quiz, demo.alice.id, SubmissionStatus.DONE, NOW, 50).verdict = Verdict.SC
    add(session, quiz, demo.bob.id, SubmissionStatus.DONE, NOW, 100).verdict = Verdict.AC
    session.commit()
    access = course_access(session, demo.course, demo.alice)
    tasks = visible_tasks(session, demo.course, access, NOW)
    standing = standings(session, demo.alice, tasks)
    assert standing[quiz.id] == Standing("failed", 50.0, standing[quiz.id].submission)
    assert standing[limited.id] == NOT_ATTEMPTED
    # quiz weighs 2, five other visible tasks 1, limited 0: 2 * 50 / 7
    assert course_grade(tasks, standing) == round(100 / 7, 2)


@pytest.mark.integration
def test_contact_url_placeholders(session: Session, demo: Demo) -> None:
    quiz = demo.task(session, "quiz")
    assert (
        contact_url(quiz, demo.course, demo.alice) == "mailto:teacher@example.org?subject=demo/quiz (alice)"
    )


@pytest.mark.unit
def test_registration_possible() -> None:
    assert registration_possible(Course(registration=Registration.OPEN, official=False))
    assert not registration_possible(Course(registration=Registration.CLOSED, official=False))
    assert registration_possible(Course(registration=Registration.CLOSED, official=True))


@pytest.mark.integration
def test_grade_task_uses_the_source_of_a_submission_made_elsewhere(
    session: Session, platform: Platform, demo: Demo
) -> None:
    """A submission made by another face (Jutge) carries its source on the row, not in ``input``."""
    task = demo.task(session, "sum")
    calls: list[tuple[Any, ...]] = []

    def judge(version_id: int, language: str, source: str, variant: str | None = None) -> GradeResult:
        calls.append((version_id, language, source))
        return judged(Verdict.AC, 100)

    engine: Any = SimpleNamespace(sessionmaker=platform.sessionmaker, judge=judge)
    submission = Submission(
        id=1, task_id=task.id, problem_version_id=7, language="GCC", source="int main", input={}
    )
    outcome = quiz.grade_task(engine, submission)
    assert calls == [(7, "GCC", "int main")]
    assert (outcome.verdict, outcome.grade) == ("AC", 100.0)


@pytest.mark.unit
def test_quiz_subsets_are_keyed_with_the_server_secret_and_renumbered() -> None:
    """Issue 10, M2: with ``limit``, the one valid choice is always shown. INGInious's public seed
    (``username#task#pid``) let a student recompute which shown index was the valid one."""
    problem = mcq(limit=3)
    task = task_with({"q": problem})
    public_seed_orders, keyed_orders = set(), set()
    for n in range(30):
        username = f"user{n}"
        order = ChoiceOrder(SECRET, username)
        view = public_problems(task, order)["q"]["choices"]
        assert list(view) == [0, 1, 2]  # renumbered: the original indices are not shown
        numbered = order.numbered(task, "q", problem)
        assert [view[number] for number in numbered] == [
            problem["choices"][i]["text"] for i in numbered.values()
        ]
        valid_number = next(number for number, index in numbered.items() if index == 0)
        right = parse_input(task, {"q": [str(valid_number)]}, max_upload_bytes=100, order=order)
        assert right == {"q": 0}
        assert quiz.grade_multiple_choice(problem, right["q"]).verdict == Verdict.AC
        public_seed_orders.add(tuple(shown_choices(problem, f"{username}#t#q")))
        keyed_orders.add(tuple(numbered.values()))
        other = ChoiceOrder("another-secret-of-thirty-two-chars!", username)
        assert other.seed(task, "q") != order.seed(task, "q")
    assert len(keyed_orders) > 1 and len(public_seed_orders) > 1
    hidden = {i for i in range(6)} - set(ChoiceOrder(SECRET, "user0").numbered(task, "q", problem).values())
    assert hidden  # some choices are not shown ...
    with pytest.raises(InvalidInput, match="not a choice index shown"):  # ... and numbers stop at 2
        parse_input(task, {"q": ["3"]}, max_upload_bytes=100, order=ChoiceOrder(SECRET, "user0"))
