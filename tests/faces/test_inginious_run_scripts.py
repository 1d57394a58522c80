"""INGInious tasks graded by their run scripts (verdict.courses.inginious_run, in the sandbox by
verdict.judge.inginious_run): the fixture course tests/fixtures/inginious/scripts imported, each
task submitted through ``POST /api/v0/courses/scripts/tasks/{t}/submissions`` and read back with
``GET``, with the grade, result, feedback and problems_feedback that the script set. A hostile
script is contained."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.support.inginious import grade_all
from tests.support.paths import FIXTURES
from tests.support.users import MakeUser, basic
from verdict.accounts.models import User
from verdict.cli import Runtime, app
from verdict.courses.inginious_import import CourseReport, import_inginious_course
from verdict.courses.inginious_run import (
    RUN_KEY,
    environment_id,
    environment_warning,
    find_run_script,
    script_limits,
)
from verdict.courses.models import Course, CourseMember, MemberRole, Task
from verdict.judge.errors import SandboxError
from verdict.judge.inginious_run import ScriptJob, ScriptLimits, run_script
from verdict.judge.sandbox import SandboxConfig, check_available
from verdict.judge.supervision import Supervision
from verdict.platform import Platform
from verdict.submissions.models import Submission

SCRIPTS = FIXTURES / "inginious" / "scripts"
API = "/api/v0/courses/scripts"
JAVA_MAX = "static int max(int[] v) { int m = v[0]; for (int x : v) m = Math.max(m, x); return m; }"


@pytest.fixture
def sandbox() -> None:
    reason = check_available()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


@pytest.fixture
def student(
    sandbox: None, session: Session, platform: Platform, make_user: MakeUser
) -> tuple[User, CourseReport]:
    teacher = make_user("teacher", role="instructor")
    alice = make_user("alice")
    report = import_inginious_course(session, SCRIPTS, settings=platform.settings, owner=teacher)
    session.commit()
    course = session.scalar(sa.select(Course).where(Course.slug == "scripts"))
    assert course is not None
    session.add(
        CourseMember(course_id=course.id, user_id=alice.id, email=alice.email, role=MemberRole.STUDENT)
    )
    session.commit()
    return alice, report


def graded(
    client: TestClient, platform: Platform, user: User, task: str, data: dict[str, Any]
) -> dict[str, Any]:
    response = client.post(f"{API}/tasks/{task}/submissions", headers=basic(user), data=data)
    assert response.status_code == 200, response.text
    submission_id = response.json()["submissionid"]
    assert grade_all(platform) == [int(submission_id)]
    [done] = client.get(f"{API}/tasks/{task}/submissions/{submission_id}", headers=basic(user)).json()
    assert done["status"] == "done", done
    return {key: done[key] for key in ("grade", "result", "feedback", "problems_feedback")}


@pytest.mark.unit
def test_run_script_lookup(tmp_path: Path) -> None:
    """The task's run, then run.py, then run.sh, then the course's common/ (INGInious's order)."""
    course = tmp_path / "course"
    task = course / "task"
    task.mkdir(parents=True)
    assert find_run_script(task) is None
    (course / "common").mkdir()
    (course / "common" / "run.py").write_text("")
    assert find_run_script(task) == "common/run.py"
    for name in ("run.sh", "run.py", "run"):
        (task / name).write_text("")
        assert find_run_script(task) == f"task/{name}"


@pytest.mark.unit
def test_script_limits() -> None:
    """An empty hard_time is 3 × time, as INGInious's task editor means it."""
    assert script_limits({"time": 10, "hard_time": "", "memory": 200}).wall == 30
    assert script_limits({"time": 10, "hard_time": 12}).wall == 12
    limits = script_limits({})
    assert (limits.time, limits.wall, limits.memory_mb) == (30, 90, 100)


@pytest.mark.unit
def test_environments() -> None:
    """INGInious's environment ids map to host tools; one we cannot provide is a warning."""
    assert environment_id({}) == "default" and environment_id({"environment": "cpp"}) == "cpp"
    assert environment_id({"environment_id": "java8scala"}) == "java8scala"
    assert environment_warning("default") is None
    unknown = environment_warning("quantum")
    assert unknown is not None and "'quantum' is not one Verdict knows" in unknown


@pytest.mark.e2e
def test_import(session: Session, student: tuple[User, CourseReport]) -> None:
    _, report = student
    grading = {task.task_id: (task.status, task.grading) for task in report.tasks}
    assert not report.errors, report.errors
    assert grading["bash_double"] == ("imported", "run script: task/run, run in the sandbox")
    assert grading["python_whole"] == ("imported", "run script: task/run.py, run in the sandbox")
    assert grading["native_whole"][1].startswith("judge: problem")
    notes = {task.task_id: task.notes for task in report.tasks}
    assert notes["java_method"] == notes["python_double"] == notes["bash_double"] == []
    assert notes["mumps_env"] == [
        "environment 'mumps' needs mumps, which this host lacks: the run script runs with the host's "
        "tools and may fail"
    ]
    task = session.scalar(sa.select(Task).where(Task.slug == "bash_double"))
    assert task is not None and task.limits[RUN_KEY] == {"script": "task/run"}
    assert sorted(task.problems) == ["code", "why"]


@pytest.mark.e2e
def test_bash_run_script(client: TestClient, platform: Platform, student: tuple[User, CourseReport]) -> None:
    alice, _ = student
    right = graded(client, platform, alice, "bash_double", {"code": "return 2 * n", "why": "doubling"})
    assert right == {
        "grade": 100.0,
        "result": "success",
        "feedback": "<p>All 3 values are right, alice.</p>",
        "problems_feedback": {"why": "<p>You wrote: doubling</p>", "code": "<p>double is right</p>"},
    }
    wrong = graded(client, platform, alice, "bash_double", {"code": "return n", "why": "<b>x</b>"})
    assert wrong == {
        "grade": 25.0,
        "result": "failed",
        "feedback": "<p>Wrong values.\nYour program said: 0\n1\n21</p>",
        "problems_feedback": {
            "why": "<p>You wrote: &lt;b&gt;x&lt;/b&gt;</p>",
            "code": "<p>double is wrong</p>",
        },
    }


@pytest.mark.e2e
def test_python_run_script(
    client: TestClient, platform: Platform, student: tuple[User, CourseReport]
) -> None:
    alice, _ = student
    right = graded(client, platform, alice, "python_double", {"code": "return 2 * n"})
    assert right["grade"] == 100.0 and right["result"] == "success"
    assert right["feedback"] == "<p>3 of 3 values right for alice.</p>"
    assert right["problems_feedback"] == {
        "code": '<p>Your code:</p>\n<pre class="code python literal-block">return 2 * n\n</pre>'
    }
    wrong = graded(client, platform, alice, "python_double", {"code": "return n + 1"})
    assert (wrong["grade"], wrong["result"]) == (33.33, "failed")
    assert wrong["feedback"] == "<p>1 of 3 values right for alice.</p>"


@pytest.mark.e2e
def test_java_method_in_a_template(
    client: TestClient, platform: Platform, student: tuple[User, CourseReport]
) -> None:
    alice, _ = student
    right = graded(client, platform, alice, "java_method", {"method": JAVA_MAX})
    assert right == {
        "grade": 100.0,
        "result": "success",
        "feedback": "<p>max works.</p>",
        "problems_feedback": {"method": "<p>Right on 2 arrays.</p>"},
    }
    broken = graded(
        client, platform, alice, "java_method", {"method": "static int max(int[] v) { return v[0] }"}
    )
    assert (broken["grade"], broken["result"]) == (0.0, "failed")
    assert "error: ';' expected" in broken["problems_feedback"]["method"]


@pytest.mark.e2e
def test_whole_programs(client: TestClient, platform: Platform, student: tuple[User, CourseReport]) -> None:
    alice, _ = student
    for task in ("bash_whole", "python_whole"):
        right = graded(client, platform, alice, task, {"code": "print(2 * int(input()))"})
        assert right["result"] == "success" and right["grade"] == 100.0
        assert right["problems_feedback"] == {"code": "<p>3 of 3 cases passed</p>"}
        wrong = graded(client, platform, alice, task, {"code": "print(14)"})
        assert (wrong["result"], wrong["grade"]) == ("failed", 33.0)


@pytest.mark.e2e
def test_a_hostile_run_script_is_contained(
    client: TestClient, platform: Platform, student: tuple[User, CourseReport]
) -> None:
    """It cannot read /etc/shadow nor see the host's files, write outside its box (not even the
    container API), reach the network or fork without bound; its endless loop is a timeout, and
    the grade it set before is void."""
    alice, _ = student
    outcome = graded(client, platform, alice, "hostile", {"code": "anything"})
    assert (outcome["result"], outcome["grade"]) == ("timeout", 0.0)
    assert outcome["feedback"] == (
        "<p>shadow:denied;work:absent;usr:refused;api:refused;passwd:refused;network:no;forks:capped;</p>"
    )


@pytest.mark.e2e
def test_run_student_from_bash(
    client: TestClient, platform: Platform, student: tuple[User, CourseReport]
) -> None:
    """run_student runs the command in a second sandbox: stdin, stdout, stderr and the return value
    proxied; 253 timed out, 252 out of memory, 254 proxy error (--share-network refused); the
    student's files come back through student/, and the student sees nothing else of the script's
    box: not the task, not the input, not the socket."""
    alice, _ = student
    outcome = graded(client, platform, alice, "student_bash", {"code": "print(2 * int(input()))"})
    assert outcome["result"] == "success"
    assert outcome["problems_feedback"] == {
        "probes": "<p>double:42 rc:0;timeout:253;memory:252;network:254;exit:7;file:made by the student;"
        "task:hidden;input:hidden;socket:hidden;stderr:oops;shadow:denied;network:no;leftovers:private;</p>"
    }


@pytest.mark.e2e
def test_run_student_simple_from_python(
    client: TestClient, platform: Platform, student: tuple[User, CourseReport]
) -> None:
    alice, _ = student
    right = graded(client, platform, alice, "student_python", {"code": "print(2 * int(input()))"})
    assert (right["result"], right["grade"], right["feedback"]) == (
        "success",
        100.0,
        "<p>3 of 3 cases passed</p>",
    )
    looping = graded(client, platform, alice, "student_python", {"code": "while True: pass"})
    assert (looping["result"], looping["grade"]) == ("failed", 0.0)
    assert looping["problems_feedback"] == {
        "code": "<p>Timed out on 7. Timed out on 14. Timed out on 21.</p>"
    }


@pytest.mark.e2e
def test_a_run_file_without_shebang_runs_as_ipython(
    client: TestClient, platform: Platform, student: tuple[User, CourseReport]
) -> None:
    """INGInious runs such a ``run`` under IPython: the API in the globals, ``!command`` lines."""
    alice, _ = student
    right = graded(client, platform, alice, "ipython_run", {"code": "return 2 * n"})
    assert right == {
        "grade": 100.0,
        "result": "success",
        "feedback": "<p>double gave 0 2 42 for alice</p>",
        "problems_feedback": {"code": "<p>checked by IPython-style shell escapes</p>"},
    }
    wrong = graded(client, platform, alice, "ipython_run", {"code": "return n"})
    assert (wrong["result"], wrong["grade"], wrong["feedback"]) == (
        "failed",
        0.0,
        "<p>double gave 0 1 21 for alice</p>",
    )


@pytest.mark.integration
def test_the_grading_deadline_covers_the_script(sandbox: None) -> None:
    """The engine abandons a grading past its deadline (its margin alone, until a phase is
    announced): a run script announces its wall time, and its student's, so a long script is not
    put back; and abandoning the grading kills the script's sandbox at once."""
    task = SCRIPTS / "hostile"
    supervision = Supervision(margin=1.0)
    job = ScriptJob(
        task, task / "run", {"code": "x"}, limits=ScriptLimits(time=2, hard_time=30, memory_mb=64)
    )
    killer = threading.Timer(1.5, supervision.abandon, args=["test"])
    killer.start()
    started = time.monotonic()
    try:
        outcome = run_script(SandboxConfig(), job, supervision)
    except SandboxError:
        outcome = None
    assert time.monotonic() - started < 10  # not the script's 30 s of wall time
    assert supervision.remaining() > 2 * 30  # 2 × 30 s + setup, announced when it started
    assert outcome is None or outcome.result == "timeout"


@pytest.mark.e2e
def test_a_file_problem(client: TestClient, platform: Platform, student: tuple[User, CourseReport]) -> None:
    alice, _ = student
    response = client.post(
        f"{API}/tasks/file_upload/submissions",
        headers=basic(alice),
        files={"notes": ("notes.txt", b"three short words\n")},
    )
    assert response.status_code == 200, response.text
    submission_id = response.json()["submissionid"]
    assert grade_all(platform) == [int(submission_id)]
    [done] = client.get(f"{API}/tasks/file_upload/submissions/{submission_id}", headers=basic(alice)).json()
    assert (done["result"], done["grade"]) == ("success", 100.0)
    assert done["problems_feedback"] == {"notes": "<p>notes.txt has 3 words</p>"}


def stored(session: Session, submission_id: str) -> Submission:
    session.expire_all()
    submission = session.get(Submission, int(submission_id))
    assert submission is not None
    return submission


@pytest.mark.e2e
def test_rst_feedback_is_html(
    client: TestClient, platform: Platform, student: tuple[User, CourseReport]
) -> None:
    """The script's reStructuredText is shown as INGInious shows it: rendered by docutils (a
    section title from <h3>, a table, ``<code>`` literals, the student's code in a code block,
    rst-image's picture as a data: URI, hidden-until parts shown once their date is past), with
    the links' rel set."""
    alice, _ = student
    right = graded(client, platform, alice, "rst_feedback", {"code": "return n * n"})
    assert (right["result"], right["grade"]) == ("success", 100.0)
    feedback = right["feedback"]
    assert feedback.startswith(
        '<div class="section">\n<h3>Results</h3>\n<p>Your square is <strong>right</strong>.</p>'
    )
    assert '<table class="docutils">' in feedback and '<th class="head">expected</th>' in feedback
    assert '<td><code class="docutils literal">4 9</code></td>' in feedback
    link = '<a class="reference external" href="https://example.org/course" rel="noopener noreferrer">'
    assert f"{link}the course</a>" in feedback
    assert '<div class="compound">\n<p>Shown: its date is past.</p>\n</div>' in feedback
    assert "model answer" not in feedback and "hidden until 01/01/2999 12:00:00" in feedback
    code = right["problems_feedback"]["code"]
    assert code.startswith('<p>Your code:</p>\n<pre class="code python literal-block">return n * n\n</pre>')
    assert '<img src="data:image/png;base64,iVBORw0KGgo' in code
    wrong = graded(client, platform, alice, "rst_feedback", {"code": "return n + n"})
    assert "Your square is <em>wrong</em>." in wrong["feedback"]
    assert '<code class="docutils literal">4 6</code>' in wrong["feedback"]


@pytest.mark.e2e
def test_hostile_feedback_runs_no_script_and_reads_no_file(
    client: TestClient, platform: Platform, student: tuple[User, CourseReport], tmp_path: Path
) -> None:
    """A script's feedback with script tags, raw HTML with handlers, javascript: and data: links,
    and include / raw :file: / csv-table :file: / raw :url: directives naming a server file (the
    student's answer) and /etc/passwd: no script, handler, style or frame is left, and no file of
    the server is read."""
    alice, _ = student
    secret = tmp_path / "secret.txt"
    secret.write_text("the-server-secret\n")
    outcome = graded(client, platform, alice, "hostile_feedback", {"code": str(secret)})
    assert outcome["result"] == "success"
    shown = outcome["feedback"] + outcome["problems_feedback"]["code"]
    for forbidden in (
        "<script", "alert('raw", "alert('img", "alert('a", "alert('link", "alert('role", "alert('problem",
        "onerror", "onclick", "onload", "onmouseover", "javascript:", "<iframe", "<svg", "style=",
        "data:text",
        "the-server-secret", "root:",
    ):  # fmt: skip
        assert forbidden not in shown, (forbidden, shown)
    assert outcome["feedback"].startswith("<p>&lt;script&gt;alert('text')&lt;/script&gt; plain</p>")
    assert "styled" in outcome["feedback"]
    assert '<a class="reference external" rel="noopener noreferrer">js</a>' in outcome["feedback"]
    assert "end" in outcome["feedback"]
    assert outcome["problems_feedback"]["code"] == "<b>bold</b>"


@pytest.mark.e2e
def test_the_state_counts_attempts(
    client: TestClient, platform: Platform, session: Session, student: tuple[User, CourseReport]
) -> None:
    """INGInious gives the script ``@state``, the state of the student's submission that counts for
    the task (best, here): a script counts the attempts with it. A submission that sets no state
    and grades lower does not count, so the count goes on; the custom values and the tags are
    kept for staff and never shown in the API (INGInious's v0 does not show them)."""
    alice, _ = student
    first = graded(client, platform, alice, "attempts", {"answer": "x"})
    assert first["feedback"] == "<p>Attempt <strong>1</strong> (previous state: none)</p>"
    second = graded(client, platform, alice, "attempts", {"answer": "x"})
    assert second["feedback"] == "<p>Attempt <strong>2</strong> (previous state: 1)</p>"
    crashed = graded(client, platform, alice, "attempts", {"answer": "fail"})
    assert (crashed["result"], crashed["grade"]) == ("crash", 0.0)
    third = graded(client, platform, alice, "attempts", {"answer": "x"})
    assert (third["result"], third["grade"]) == ("success", 100.0)
    assert third["feedback"] == "<p>Attempt <strong>3</strong> (previous state: 2)</p>"
    submissions = client.get(f"{API}/tasks/attempts/submissions", headers=basic(alice)).json()
    assert len(submissions) == 4
    assert all(not {"custom", "tags", "state"} & set(s) for s in submissions)
    [latest] = [s for s in submissions if s["grade"] == 100.0]
    row = stored(session, latest["id"])
    assert (row.state, row.custom, list(row.tags.values())) == ("3", {"attempt": 3}, ["attempt-3"])
    assert all(key.startswith("*auto-tag-") for key in row.tags)  # INGInious's key for `tag`


@pytest.mark.e2e
def test_staff_see_custom_tags_and_state(
    client: TestClient, platform: Platform, session: Session, student: tuple[User, CourseReport]
) -> None:
    """``verdict submission ID`` shows what the script set for staff: custom values, tags, state,
    and the feedback's RST source."""
    alice, _ = student
    response = client.post(
        f"{API}/tasks/bash_double/submissions",
        headers=basic(alice),
        data={"code": "return 2 * n", "why": "x"},
    )
    submission_id = response.json()["submissionid"]
    grade_all(platform)
    row = stored(session, submission_id)
    assert (row.custom, row.tags, row.state) == ({"checked": 3}, {"bash": True}, "")
    shown = CliRunner().invoke(
        app, ["submission", submission_id, "--json"], obj=Runtime(settings=platform.settings)
    )
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.stdout)
    assert (view["custom"], view["tags"], view["state"]) == ({"checked": 3}, {"bash": True}, "")
    assert view["feedback"] == "All 3 values are right, alice."
    missing = CliRunner().invoke(app, ["submission", "999999"], obj=Runtime(settings=platform.settings))
    assert missing.exit_code == 1 and "no submission 999999" in missing.output
