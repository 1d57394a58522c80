"""The web pages under load (issue 17): median and p99 latency and requests per second of a
student's course page and problem page, with 50 concurrent clients on loopback, against a real
`verdict serve` on SQLite; the same server's ``/openapi.json`` (a cached JSON document, no
database) is the baseline of what the server and the client cost by themselves.

The data: the INGInious demo course with the Kattis A+B package beside its aplusb task (the
problem page is A+B's, with its statement rendered), a student enrolled with some graded
submissions, logged in once through the login form (the session cookie, as a browser). Every page
is checked to be 200 and the student's own before the measures (a redirect to the login page
would be fast and wrong).

    .venv/bin/python bench/web.py [--clients 50] [--requests 2000] [--graders 0]

The client (httpx, asyncio, one connection per client) shares the machine with the server: the
figures are what one loopback host does, not what the server alone could.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import sqlalchemy as sa
from burst import serve

from verdict.accounts.models import Role, User
from verdict.accounts.passwords import hash_password
from verdict.courses.inginious_import import import_inginious_course
from verdict.courses.models import Course, CourseMember, MemberRole, Task
from verdict.judge.verdicts import Verdict
from verdict.platform import bootstrap
from verdict.settings import Settings
from verdict.submissions.models import Submission, SubmissionStatus

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "fixtures" / "inginious" / "demo"
APLUSB = ROOT / "verdict" / "demo" / "packages" / "aplusb"
ACCEPTED = (APLUSB / "submissions" / "accepted" / "sum.c").read_text()
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SUBMISSIONS = 20  # the student's graded submissions (the course page sums them)
WARM_UP = 50  # requests per page before measuring (caches, connections)


@dataclass(frozen=True)
class Figures:
    name: str
    path: str
    requests: int
    errors: int
    median_ms: float
    p99_ms: float
    per_second: float


def prepare(settings: Settings, password: str) -> str:
    """The demo course with A+B, alice enrolled with graded submissions; returns A+B's problem id."""
    course_dir = settings.data_dir.parent / "demo"
    shutil.copytree(DEMO, course_dir)
    shutil.copytree(APLUSB, course_dir / "aplusb" / "aplusb")
    platform = bootstrap(settings, migrate=True)
    try:
        with platform.session_scope() as session:
            teacher = User(username="teacher", email="teacher@example.org", role=Role.INSTRUCTOR)
            alice = User(username="alice", email="alice@example.org", password_hash=hash_password(password))
            session.add_all([teacher, alice])
            session.flush()
            import_inginious_course(session, course_dir, settings=settings, owner=teacher)
            course = session.scalar(sa.select(Course).where(Course.slug == "demo"))
            assert course is not None
            session.add(
                CourseMember(
                    course_id=course.id, user_id=alice.id, email=alice.email, role=MemberRole.STUDENT
                )
            )
            task = session.scalar(sa.select(Task).where(Task.course_id == course.id, Task.slug == "aplusb"))
            assert task is not None and task.problem_id is not None
            for number in range(SUBMISSIONS):
                right = number % 3 == 0
                session.add(
                    Submission(
                        user_id=alice.id,
                        task_id=task.id,
                        course_id=course.id,
                        problem_id=task.problem_id,
                        status=SubmissionStatus.DONE,
                        verdict=Verdict.AC if right else Verdict.WA,
                        grade=100.0 if right else 50.0,
                        input={"code": ACCEPTED},
                    )
                )
            return task.problem_id
    finally:
        platform.close()


def log_in(url: str, password: str) -> httpx.Cookies:
    """The browser's cookies after the login form (the CSRF cookie and the session's)."""
    with httpx.Client(base_url=url, timeout=30) as http:
        form = http.get("/login")
        token = CSRF.search(form.text)
        assert token, "no CSRF token on the login page"
        done = http.post("/login", data={"csrf": token.group(1), "login": "alice", "password": password})
        assert done.status_code in (200, 303), done.status_code
        return http.cookies


async def measure(
    url: str, cookies: httpx.Cookies, name: str, path: str, clients: int, total: int
) -> Figures:
    """``total`` GETs of ``path`` by ``clients`` concurrent clients, each with its connection."""
    latencies: list[float] = []
    errors = 0
    remaining = total

    async def client() -> None:
        nonlocal remaining, errors
        async with httpx.AsyncClient(base_url=url, cookies=cookies, timeout=60) as http:
            for _ in range(WARM_UP // clients + 1):
                await http.get(path)
            await barrier.wait()
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                response = await http.get(path)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

    barrier = Barrier(clients)
    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    await barrier.all_ready()
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    latencies.sort()
    return Figures(
        name,
        path,
        len(latencies),
        errors,
        statistics.median(latencies) * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        len(latencies) / wall,
    )


class Barrier:
    """Every client warmed up before the clock starts."""

    def __init__(self, parties: int) -> None:
        self.parties, self.count = parties, 0
        self.ready, self.go = asyncio.Event(), asyncio.Event()

    async def wait(self) -> None:
        self.count += 1
        if self.count == self.parties:
            self.ready.set()
        await self.go.wait()

    async def all_ready(self) -> None:
        await self.ready.wait()
        self.go.set()


def check_pages(url: str, cookies: httpx.Cookies, pages: list[tuple[str, str]]) -> None:
    """Each page is the student's own, 200 (not the login page it would redirect to)."""
    with httpx.Client(base_url=url, cookies=cookies, timeout=30) as http:
        for name, path in pages:
            response = http.get(path, follow_redirects=False)
            assert response.status_code == 200, (name, path, response.status_code)
            if path != "/openapi.json":
                assert "Log out" in response.text, (name, "not logged in")


def report(rows: list[Figures], clients: int) -> None:
    print(f"\n{clients} concurrent clients, loopback, SQLite")
    print(
        f"{'page':<14} {'path':<28} {'requests':>8} {'errors':>6} "
        f"{'median ms':>10} {'p99 ms':>8} {'req/s':>8}"
    )
    for row in rows:
        print(
            f"{row.name:<14} {row.path:<28} {row.requests:>8} {row.errors:>6} "
            f"{row.median_ms:>10.1f} {row.p99_ms:>8.1f} {row.per_second:>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="per page")
    parser.add_argument("--graders", type=int, default=0, help="grader threads of the server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        data_dir = Path(tmp) / "var"
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": tmp,
            "VERDICT_DATA_DIR": str(data_dir),
            "VERDICT_DATABASE_URL": "",
            "VERDICT_BROKER_URL": "",
            "VERDICT_SECRET_KEY": secrets.token_urlsafe(32),
            "VERDICT_IMPORT_ROOT": str(Path(tmp) / "imports"),
            "VERDICT_GRADERS": str(args.graders),
        }
        settings = Settings(
            data_dir=data_dir,
            database_url="",
            broker_url="",
            import_root=Path(tmp) / "imports",
            secret_key=env["VERDICT_SECRET_KEY"],
        )
        password = secrets.token_urlsafe(12)
        problem_id = prepare(settings, password)
        pages = [
            ("baseline", "/openapi.json"),
            ("course page", "/course/demo"),
            ("problem page", f"/problem/{problem_id}"),
        ]
        with serve(settings, env, args.graders) as url:
            cookies = log_in(url, password)
            check_pages(url, cookies, pages)
            rows = [
                asyncio.run(measure(url, cookies, name, path, args.clients, args.requests))
                for name, path in pages
            ]
    report(rows, args.clients)
    sys.exit(0 if all(row.errors == 0 for row in rows) else 1)


if __name__ == "__main__":
    main()
