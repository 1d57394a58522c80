"""A burst of first-time students (issue 10, H3): 200 new accounts, cold credential cache, submitting
through 20 concurrent clients to a real `verdict serve`, first on the embedded SQLite, then on
PostgreSQL (127.0.0.1:5432, trust auth; skipped with the reason when unreachable), graded by the
server's in-process grader threads.

Each student, with HTTP Basic credentials never seen before: reads the task (the argon2 check),
submits the accepted A+B program with the right multiple-choice answer, and polls until graded.
Printed per backend: accepted, graded, lost, doubly graded, 5xx (and 503) counts, and the burst's
throughput against the capacity of the graders alone (the same program graded by as many threads,
without HTTP or database). The audit saw 71 of 200 accepted and 615 HTTP 500s on SQLite.

    .venv/bin/python bench/burst.py [--students 200] [--clients 20] [--graders 2]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from verdict import db
from verdict.accounts.models import Role, User
from verdict.accounts.passwords import hash_password
from verdict.courses.inginious_import import import_inginious_course
from verdict.courses.models import Course, CourseMember, MemberRole
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import SandboxConfig
from verdict.platform import bootstrap
from verdict.settings import Settings
from verdict.submissions.models import Submission, SubmissionStatus

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "fixtures" / "inginious" / "demo"
APLUSB = ROOT / "verdict" / "demo" / "packages" / "aplusb"
ACCEPTED = (APLUSB / "submissions" / "accepted" / "sum.c").read_text()
POSTGRES_ADMIN_URL = os.environ.get(
    "VERDICT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
GRADE_TIMEOUT = 600.0  # seconds after the last submission before a waiting one counts as lost


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    accepted: list[int] = field(default_factory=list)  # submission ids
    graded_seen: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, response: httpx.Response) -> httpx.Response:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500 and len(self.errors) < 5:
                self.errors.append(
                    f"{response.status_code} {response.request.url.path}: {response.text[:200]}"
                )
        return response

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


# --------------------------------------------------------------------------- set-up


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(settings: Settings, students: int, password: str) -> None:
    """The demo course with the A+B task, and ``students`` enrolled accounts nobody logged in to."""
    course_dir = settings.data_dir.parent / "demo"
    shutil.copytree(DEMO, course_dir)
    shutil.copytree(APLUSB, course_dir / "aplusb" / "aplusb")
    platform = bootstrap(settings, migrate=True)
    try:
        with platform.session_scope() as session:
            teacher = User(username="teacher", email="teacher@example.org", role=Role.INSTRUCTOR)
            session.add(teacher)
            session.flush()
            import_inginious_course(session, course_dir, settings=settings, owner=teacher)
            course = session.scalar(sa.select(Course).where(Course.slug == "demo"))
            assert course is not None
            # One hash for all: the set-up is not what is measured, and every login is still a
            # cold argon2 verification (the cache keys on the credentials).
            shared_hash = hash_password(password)
            for i in range(students):
                user = User(username=f"s{i:03}", email=f"s{i:03}@example.org", password_hash=shared_hash)
                session.add(user)
                session.flush()
                session.add(
                    CourseMember(
                        course_id=course.id, user_id=user.id, email=user.email, role=MemberRole.STUDENT
                    )
                )
    finally:
        platform.close()


@contextmanager
def serve(settings: Settings, env: dict[str, str], graders: int) -> Iterator[str]:
    port = free_port()
    log = (settings.data_dir.parent / "server.log").open("w")
    command = [sys.executable, "-m", "verdict.cli", "serve", "--port", str(port), "--graders", str(graders)]
    verdict_bin = Path(sys.executable).parent / "verdict"
    if verdict_bin.exists():
        command = [str(verdict_bin), "serve", "--port", str(port), "--graders", str(graders)]
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"verdict serve exited: see {log.name}")
            try:
                if httpx.get(url + "/api/v0/auth_methods", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("verdict serve did not start within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# --------------------------------------------------------------------------- the burst


def student_session(url: str, index: int, password: str, tally: Tally) -> None:
    """One first-time student: read the task, submit, poll until graded (retrying 503s)."""
    with httpx.Client(base_url=url, auth=(f"s{index:03}", password), timeout=120) as http:
        task = _retrying(lambda: tally.count(http.get("/api/v0/courses/demo/tasks/aplusb")))
        if task.status_code != 200:
            return
        choices = task.json()["aplusb"]["problems"]["question"]["choices"]
        yes = next(key for key, text in choices.items() if text == "Yes")
        path = "/api/v0/courses/demo/tasks/aplusb/submissions"
        made = _retrying(lambda: tally.count(http.post(path, data={"code": ACCEPTED, "question": yes})))
        if made.status_code != 200:
            return
        submission_id = made.json()["submissionid"]
        with tally.lock:
            tally.accepted.append(int(submission_id))
        deadline = time.monotonic() + GRADE_TIMEOUT
        while time.monotonic() < deadline:
            polled = _retrying(lambda: tally.count(http.get(f"{path}/{submission_id}")))
            if polled.status_code == 200 and polled.json()[0]["status"] != "waiting":
                with tally.lock:
                    tally.graded_seen += 1
                return
            time.sleep(0.5)


def _retrying(call: object) -> httpx.Response:
    """A client that honours 503 + Retry-After, as the server asks (each 503 is still counted)."""
    assert callable(call)
    for _ in range(20):
        response: httpx.Response = call()
        if response.status_code != 503:
            return response
        time.sleep(float(response.headers.get("retry-after", "1")))
    return response


@dataclass
class Outcome:
    backend: str
    students: int
    wall: float
    accepted: int
    graded: int
    lost: int
    doubly_graded: int
    server_errors: int
    busy: int
    not_ac: int
    errors: list[str]


def burst(backend: str, database_url: str, students: int, clients: int, graders: int) -> Outcome:
    with tempfile.TemporaryDirectory(prefix=f"burst-{backend}-") as tmp:
        data_dir = Path(tmp) / "var"
        env = {
            "VERDICT_DATA_DIR": str(data_dir),
            "VERDICT_DATABASE_URL": database_url,
            "VERDICT_BROKER_URL": "",
            "VERDICT_SECRET_KEY": secrets.token_urlsafe(32),
            "VERDICT_IMPORT_ROOT": str(Path(tmp) / "imports"),
            "VERDICT_GRADERS": str(graders),
        }
        settings = Settings(
            data_dir=data_dir,
            database_url=database_url,
            broker_url="",
            import_root=Path(tmp) / "imports",
            secret_key=env["VERDICT_SECRET_KEY"],
        )
        password = secrets.token_urlsafe(12)
        prepare(settings, students, password)
        tally = Tally()
        with serve(settings, env, graders) as url:
            started = time.monotonic()
            with ThreadPoolExecutor(clients) as pool:
                list(pool.map(lambda i: student_session(url, i, password, tally), range(students)))
            wall = time.monotonic() - started
        return _outcome(backend, settings, students, wall, tally)


def _outcome(backend: str, settings: Settings, students: int, wall: float, tally: Tally) -> Outcome:
    engine = db.create_engine(settings.sqlalchemy_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(Submission.id, Submission.status, Submission.verdict, Submission.grading_count)
            ).all()
    finally:
        engine.dispose()
    done = [row for row in rows if row.status == SubmissionStatus.DONE]
    accepted = set(tally.accepted)
    return Outcome(
        backend=backend,
        students=students,
        wall=wall,
        accepted=len(accepted),
        graded=len([row for row in done if row.id in accepted]),
        lost=len(accepted - {row.id for row in done}),
        doubly_graded=len([row for row in rows if row.grading_count > 1]),
        server_errors=tally.server_errors,
        busy=tally.statuses[503],
        not_ac=len([row for row in done if row.verdict != "AC"]),
        errors=tally.errors,
    )


# --------------------------------------------------------------------------- graders alone


def grader_capacity(graders: int, count: int = 12) -> float:
    """Submissions per second that ``graders`` threads grade the same program at, judge only."""
    with tempfile.TemporaryDirectory(prefix="burst-capacity-") as tmp:
        problem = load_package(APLUSB)
        grader = prepared_grader(problem, SandboxConfig(cache_dir=Path(tmp) / "cache"))
        source = ACCEPTED.encode()
        assert grader.grade(source, "GCC").verdict.value == "AC"  # warm the compile cache, as a burst does
        started = time.monotonic()
        with ThreadPoolExecutor(graders) as pool:
            verdicts = list(pool.map(lambda _: grader.grade(source, "GCC").verdict.value, range(count)))
        assert set(verdicts) == {"AC"}, verdicts
        return count / (time.monotonic() - started)


# --------------------------------------------------------------------------- PostgreSQL


@contextmanager
def postgres_database() -> Iterator[str | None]:
    admin = db.create_engine(
        POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    name = f"verdict_burst_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL unreachable at {POSTGRES_ADMIN_URL}: {str(error.orig).splitlines()[0]}")
        admin.dispose()
        yield None
        return
    try:
        yield sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def report(outcome: Outcome, capacity: float) -> None:
    throughput = outcome.graded / outcome.wall if outcome.wall else 0.0
    print(
        f"{outcome.backend:10} students {outcome.students}  accepted {outcome.accepted}  "
        f"graded {outcome.graded}  "
        f"lost {outcome.lost}  doubly graded {outcome.doubly_graded}  5xx {outcome.server_errors} "
        f"(of which 503 {outcome.busy})  not AC {outcome.not_ac}"
    )
    print(
        f"{'':10} wall {outcome.wall:.1f} s  throughput {throughput:.2f} graded/s  "
        f"= {throughput / capacity:.0%} of the graders alone ({capacity:.2f}/s)"
    )
    for error in outcome.errors:
        print(f"{'':10} e.g. {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--graders", type=int, default=2)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    capacity = grader_capacity(args.graders)
    print(f"graders alone: {args.graders} threads grade {capacity:.2f} A+B submissions/s")
    outcomes = [burst("sqlite", "", args.students, args.clients, args.graders)]
    report(outcomes[-1], capacity)
    if not args.skip_postgres:
        with postgres_database() as url:
            if url is not None:
                outcomes.append(burst("postgresql", url, args.students, args.clients, args.graders))
                report(outcomes[-1], capacity)
    ok = all(o.accepted == o.graded == o.students and o.server_errors == 0 for o in outcomes)
    print("target (all accepted and graded, 0 5xx):", "met" if ok else "NOT met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
