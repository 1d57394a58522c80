"""An exam's last minutes (issue 15): 300 students submit to a running exam within 60 seconds.

The stack is the distributed one: PostgreSQL (127.0.0.1:5432), RabbitMQ (127.0.0.1:5672), one
`verdict serve` with no graders of its own and two `verdict worker` processes of one grader each.
The teacher creates the exam through ``PUT /services/exams`` (samecode protection, the A+B
problem, every student), starts it and reads the code; every student enters the exam with the code
(30 at a time: their logins' argon2 checks are paid there, before the last minutes, as in a real
exam), then submits once at a moment drawn uniformly in the window (one in five sends a wrong
program). Meanwhile the teacher reads the ranking every 0.5 s.

Printed: the time from the first submission to the last verdict, the throughput against the
graders' capacity measured alone in the same run (the same program graded by two threads without
HTTP, database or queue), the ranking's latency (median and p99) while the burst runs, and the lost
and doubly graded submissions (both must be 0), and whether the ranking counts every AC.

    .venv/bin/python bench/exam.py [--students 300] [--window 60] [--clients 30]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa
import yaml
from burst import ACCEPTED, APLUSB, _retrying, free_port, grader_capacity, postgres_database

from verdict import db
from verdict.accounts.models import Role, User
from verdict.accounts.passwords import hash_password
from verdict.courses.models import Course, CourseMember, MemberRole
from verdict.platform import bootstrap
from verdict.problems.store import import_package
from verdict.settings import Settings
from verdict.submissions.models import Submission, SubmissionStatus

RABBITMQ_URL = os.environ.get("VERDICT_BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
WRONG = ACCEPTED.replace("a + b", "a - b")
EXAM = "teacher:final"
GRADE_TIMEOUT = 600.0  # seconds after the window before a waiting submission counts as lost


@dataclass
class Tally:
    submitted: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    ranking_latencies: list[float] = field(default_factory=list)
    first_submission: float | None = None
    last_submission: float = 0.0
    entering_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


# --------------------------------------------------------------------------- set-up


def prepare(settings: Settings, students: int, password: str) -> str:
    """A teacher, a course with ``students`` enrolled accounts, and the A+B problem; returns the
    problem's id."""
    platform = bootstrap(settings, migrate=True)
    try:
        with platform.session_scope() as session:
            shared_hash = hash_password(password)  # set-up is not measured; logins still verify
            teacher = User(
                username="teacher",
                email="teacher@example.org",
                role=Role.INSTRUCTOR,
                password_hash=shared_hash,
            )
            session.add(teacher)
            session.flush()
            course = Course(owner_id=teacher.id, name="exams", slug="exams", title="Exams")
            session.add(course)
            session.flush()
            for i in range(students):
                user = User(username=f"s{i:03}", email=f"s{i:03}@example.org", password_hash=shared_hash)
                session.add(user)
                session.flush()
                session.add(
                    CourseMember(
                        course_id=course.id,
                        user_id=user.id,
                        email=user.email,
                        role=MemberRole.STUDENT,
                        accepted_at=db.utcnow(),
                    )
                )
            return import_package(session, APLUSB, settings=settings).problem.id
    finally:
        platform.close()


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    verdict_bin = Path(sys.executable).parent / "verdict"
    command = [str(verdict_bin)] if verdict_bin.exists() else [sys.executable, "-m", "verdict.cli"]
    with log.open("wb") as out:
        child = subprocess.Popen(
            [*command, *args],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield child
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("verdict serve exited: see server.log")
        try:
            if httpx.get(url + "/api/v0/auth_methods", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("verdict serve did not start within 60 s")


def create_exam(url: str, password: str, problem: str, students: int) -> str:
    """The exam, through the Jutge services as a teacher would; started; returns its code."""
    document = {
        "name": "final",
        "title": "Final exam",
        "start": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "running_time": 180,
        "course": "exams",
        "protection": "samecode",
        "compilers": ["GCC"],
        "contest": 1,
        "problems": [{"problem": problem, "caption": "A", "weight": 1}],
        "students": [{"email": f"s{i:03}@example.org"} for i in range(students)],
    }
    with httpx.Client(base_url=url + "/services", auth=("teacher", password), timeout=120) as http:
        headers = {"Content-Type": "application/yaml"}
        for response in (
            http.put("/exams", content=yaml.safe_dump(document), headers=headers),
            http.put(f"/exams/{EXAM}/actions/start"),
        ):
            response.raise_for_status()
        passwords = yaml.safe_load(http.get(f"/exams/{EXAM}/passwords").text)["passwords"]
    return str(next(iter(passwords.values())))


# --------------------------------------------------------------------------- the burst


def enter(http: httpx.Client, code: str, tally: Tally) -> bool:
    """A student enters the exam with the code (their login's argon2 check is paid here)."""
    entered = _retrying(
        lambda: http.post(
            "/enter", content=f"password: {code}\n", headers={"Content-Type": "application/yaml"}
        )
    )
    if entered.status_code != 200:
        with tally.lock:
            tally.refused.append(f"enter {entered.status_code}: {entered.text[:200]}")
    return entered.status_code == 200


def submit(http: httpx.Client, index: int, problem: str, at: float, tally: Tally) -> None:
    """A student waits for their moment in the window, then submits once."""
    time.sleep(max(0.0, at - time.monotonic()))
    source = WRONG if index % 5 == 0 else ACCEPTED
    with tally.lock:
        if tally.first_submission is None:
            tally.first_submission = time.monotonic()
    made = _retrying(
        lambda: http.post("/submissions", data={"problem": problem, "compiler": "GCC", "source": source})
    )
    with tally.lock:
        tally.last_submission = max(tally.last_submission, time.monotonic())
        if made.status_code in (200, 201):
            tally.submitted.append(int(yaml.safe_load(made.text)["submission"]))
        else:
            tally.refused.append(f"submit {made.status_code}: {made.text[:200]}")


def watch_ranking(url: str, password: str, stop: threading.Event, tally: Tally) -> None:
    with httpx.Client(base_url=url + "/services", auth=("teacher", password), timeout=120) as http:
        while not stop.is_set():
            started = time.monotonic()
            response = http.get(f"/exams/{EXAM}/ranking")
            if response.status_code == 200:
                tally.ranking_latencies.append(time.monotonic() - started)
            else:
                tally.refused.append(f"ranking {response.status_code}: {response.text[:200]}")
            stop.wait(0.5)


def wait_graded(
    settings: Settings, ids: list[int], timeout: float
) -> list[sa.Row[tuple[int, str, int, object]]]:
    engine = db.create_engine(settings.sqlalchemy_url)
    deadline = time.monotonic() + timeout
    query = sa.select(Submission.id, Submission.status, Submission.grading_count, Submission.graded_at)
    try:
        while True:
            with engine.connect() as connection:
                rows = list(connection.execute(query.where(Submission.id.in_(ids))).all())
            pending = [
                row for row in rows if row.status not in (SubmissionStatus.DONE, SubmissionStatus.ERROR)
            ]
            if not pending or time.monotonic() > deadline:
                return rows  # type: ignore[return-value]
            time.sleep(0.2)
    finally:
        engine.dispose()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def stack_settings(tmp: Path, database_url: str, label: str) -> tuple[dict[str, str], Settings]:
    """A benchmark stack's settings in ``tmp`` (a fresh secret, a queue of its own on RabbitMQ),
    as the environment of its server and worker processes and as Settings for this process."""
    settings = Settings(
        data_dir=tmp / "var",
        database_url=database_url,
        broker_url=RABBITMQ_URL,
        queue_name=f"verdict-bench-{label}-{secrets.token_hex(4)}",
        secret_key=secrets.token_urlsafe(32),
    )
    env = {
        "VERDICT_DATA_DIR": str(settings.data_dir),
        "VERDICT_DATABASE_URL": database_url,
        "VERDICT_BROKER_URL": RABBITMQ_URL,
        "VERDICT_QUEUE_NAME": settings.queue_name,
        "VERDICT_SECRET_KEY": settings.secret_key,
    }
    return env, settings


def run(database_url: str, students: int, window: float, clients: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="exam-bench-") as tmp:
        env, settings = stack_settings(Path(tmp), database_url, "exam")
        password = secrets.token_urlsafe(12)
        problem = prepare(settings, students, password)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        logs = Path(tmp)
        with (
            process(
                ["serve", "--port", str(port)], {**env, "VERDICT_GRADERS": "0"}, logs / "server.log"
            ) as server,
            process(["worker"], {**env, "VERDICT_GRADERS": "1"}, logs / "worker1.log"),
            process(["worker"], {**env, "VERDICT_GRADERS": "1"}, logs / "worker2.log"),
        ):
            wait_until_up(url, server)
            code = create_exam(url, password, problem, students)
            tally = Tally()
            stop = threading.Event()
            watcher = threading.Thread(target=watch_ranking, args=(url, password, stop, tally), daemon=True)
            # As in a real exam, everybody is in before the last minutes: the logins (argon2)
            # and entries come first, then the submissions arrive within the window.
            https = [
                httpx.Client(
                    base_url=f"{url}/services/exams/{EXAM}", auth=(f"s{i:03}", password), timeout=120
                )
                for i in range(students)
            ]
            entering = time.monotonic()
            with ThreadPoolExecutor(clients) as pool:
                entered = [
                    i
                    for i, ok in enumerate(pool.map(lambda i: enter(https[i], code, tally), range(students)))
                    if ok
                ]
            tally.entering_seconds = time.monotonic() - entering
            begin = time.monotonic() + 1
            moments = sorted(begin + random.uniform(0, window) for _ in entered)
            watcher.start()
            # One client per student, so that every arrival is on time (a pool would delay them).
            with ThreadPoolExecutor(len(entered) or 1) as pool:
                list(
                    pool.map(
                        lambda pair: submit(https[pair[1]], pair[1], problem, moments[pair[0]], tally),
                        enumerate(entered),
                    )
                )
            for http in https:
                http.close()
            rows = wait_graded(settings, tally.submitted, GRADE_TIMEOUT)
            last_verdict = time.monotonic()
            stop.set()
            watcher.join()
            ranking = yaml.safe_load(
                httpx.get(f"{url}/services/exams/{EXAM}/ranking", auth=("teacher", password), timeout=60).text
            )
        return report(students, window, tally, rows, last_verdict, ranking)


def report(
    students: int,
    window: float,
    tally: Tally,
    rows: list[sa.Row[tuple[int, str, int, object]]],
    last_verdict: float,
    ranking: object,
) -> bool:
    capacity = grader_capacity(2)
    done = [row for row in rows if row.status in (SubmissionStatus.DONE, SubmissionStatus.ERROR)]
    lost = len(tally.submitted) - len(done)
    doubly = len([row for row in rows if row.grading_count > 1])
    span = last_verdict - (tally.first_submission or last_verdict)
    throughput = len(done) / span if span else 0.0
    solved = _solved_in_ranking(ranking)
    expected = len([i for i in range(students) if i % 5]) if not tally.refused else None
    latencies = tally.ranking_latencies
    print(
        f"students {students}  submitted {len(tally.submitted)} within {window:.0f} s  "
        f"refused {len(tally.refused)}"
    )
    print(
        f"entering (login and code) before the window: {tally.entering_seconds:.1f} s for {students} students"
    )
    print(
        f"first submission -> last verdict: {span:.1f} s (the last verdict "
        f"{last_verdict - tally.last_submission:.1f} s after the last submission)  "
        f"lost {lost}  doubly graded {doubly}"
    )
    print(
        f"throughput {throughput:.2f} graded/s = {throughput / capacity:.0%} of the graders alone "
        f"(2 threads, {capacity:.2f}/s); the arrivals ask for {students / window:.2f}/s"
    )
    print(
        f"ranking while the burst runs: {len(latencies)} requests, "
        f"median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms"
        if latencies
        else "ranking: no successful request"
    )
    print(f"ranking counts {solved} students with the problem solved (expected {expected})")
    for line in tally.refused[:5]:
        print("  e.g.", line)
    ok = lost == 0 and doubly == 0 and not tally.refused and solved == expected
    print(
        "target (none lost, none graded twice, none refused, ranking complete):", "met" if ok else "NOT met"
    )
    return ok


def _solved_in_ranking(ranking: object) -> int:
    rows = ranking.get("rows", []) if isinstance(ranking, dict) else []
    return len([row for row in rows if isinstance(row, dict) and row.get("solved")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--window", type=float, default=60.0, help="seconds in which every student submits")
    parser.add_argument("--clients", type=int, default=30)
    args = parser.parse_args()
    with postgres_database() as url:
        if url is None:
            sys.exit("PostgreSQL is needed for this benchmark")
        ok = run(url, args.students, args.window, args.clients)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
