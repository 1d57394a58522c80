"""Scale-out, for real: PostgreSQL + RabbitMQ + a `verdict serve` process + `verdict worker`
processes. 50 submissions all graded once; a worker killed with SIGKILL mid-grading loses nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.paths import APLUSB
from tests.support.servers import free_port
from verdict import db
from verdict.accounts.service import create_user
from verdict.grading.queue import DramatiqQueue
from verdict.grading.service import NewSubmission, create_submission
from verdict.judge.sandbox import check_available
from verdict.platform import Platform, bootstrap
from verdict.problems.store import import_package
from verdict.settings import Settings
from verdict.submissions.models import Submission

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VERDICT = [sys.executable, "-m", "verdict.cli"]
POSTGRES_URL = os.environ.get(
    "VERDICT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
RABBITMQ = os.environ.get("VERDICT_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
SLOW_PY = "import time\nt = time.time()\nwhile time.time() - t < 6: pass\n"  # CPU-bound: TLE at 1 s


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Settings, dict[str, str], Platform]]:
    if reason := check_available():
        pytest.skip(f"sandbox unavailable: {reason}")
    if not _reachable("127.0.0.1", 5672):
        pytest.skip("RabbitMQ is not reachable on 127.0.0.1:5672")
    admin = db.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        admin.connect().close()
    except sa.exc.OperationalError as error:
        pytest.skip(f"PostgreSQL unreachable: {error}")
    name = f"verdict_e2e_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = str(sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False))
    env = {
        **os.environ,
        "VERDICT_DATABASE_URL": url,
        "VERDICT_BROKER_URL": RABBITMQ,
        "VERDICT_DATA_DIR": str(tmp_path / "var"),
        "VERDICT_QUEUE_NAME": f"verdict-test-{name}",
        "VERDICT_LEASE_SECONDS": "4",
        "PYTHONPATH": str(ROOT),
    }
    settings = Settings(
        database_url=url,
        broker_url=RABBITMQ,
        data_dir=tmp_path / "var",
        queue_name=env["VERDICT_QUEUE_NAME"],
        lease_seconds=4,
    )
    platform = bootstrap(settings, migrate=True)
    try:
        yield settings, env, platform
    finally:
        platform.close()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _spawn(args: list[str], env: dict[str, str], graders: int, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*VERDICT, *args],
        env={**env, "VERDICT_GRADERS": str(graders)},
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _submit(platform: Platform, settings: Settings, sources: list[tuple[str, str]]) -> list[int]:
    with platform.session_scope() as session:
        user = create_user(session, f"u{uuid.uuid4().hex[:8]}", f"{uuid.uuid4().hex[:8]}@x.org", "password1")
        problem = import_package(session, APLUSB, settings=settings).problem
        ids = [
            create_submission(session, NewSubmission(user.id, problem.id, lang, src)).id
            for lang, src in sources
        ]
    queue = DramatiqQueue(
        platform.settings, platform.sessionmaker, platform.graders
    )  # wakes only after the commit above
    queue.wake(len(ids))
    queue.broker.close()
    return ids


def _wait_graded(platform: Platform, ids: list[int], timeout: float) -> list[Submission]:
    deadline = time.monotonic() + timeout
    while True:
        with platform.sessionmaker() as session:
            rows = list(session.scalars(sa.select(Submission).where(Submission.id.in_(ids))))
        if all(r.status in ("done", "error") for r in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


def test_fifty_submissions_two_workers_none_lost_none_twice(stack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, env, platform = stack
    server = _spawn(["serve", "--port", str(free_port())], env, 0, tmp_path / "server.log")
    workers = [_spawn(["worker"], env, 2, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        accepted = (APLUSB / "submissions/accepted/sum.py").read_text()
        wrong = (APLUSB / "submissions/wrong_answer/diff.py").read_text()
        c_source = (APLUSB / "submissions/accepted/sum.c").read_text()
        sources = [("Python3", accepted), ("Python3", wrong), ("GCC", c_source)] * 17
        ids = _submit(platform, settings, sources[:50])
        rows = _wait_graded(platform, ids, timeout=240)
    finally:
        for process in [*workers, server]:
            _stop(process)
    logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("*.log"))
    assert len(rows) == 50
    assert all(r.status == "done" for r in rows), logs
    assert all(r.grading_count == 1 for r in rows)
    expected = {
        i: ("AC" if lang != "Python3" or src == accepted else "WA")
        for i, (lang, src) in zip(ids, sources[:50], strict=True)
    }
    assert {r.id: r.verdict for r in rows} == expected


def test_killed_worker_submission_is_graded_by_the_other(stack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, env, platform = stack
    server = _spawn(["serve", "--port", str(free_port())], env, 0, tmp_path / "server.log")
    victim = _spawn(["worker"], env, 1, tmp_path / "victim.log")
    survivor = None
    try:
        (submission_id,) = _submit(platform, settings, [("Python3", SLOW_PY)])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with platform.sessionmaker() as session:
                if session.get(Submission, submission_id).status == "grading":  # type: ignore[union-attr]
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the first worker never claimed the submission")
        os.killpg(victim.pid, signal.SIGKILL)  # mid-grading, sandbox and all
        victim.wait()
        survivor = _spawn(["worker"], env, 1, tmp_path / "survivor.log")
        (row,) = _wait_graded(platform, [submission_id], timeout=120)
    finally:
        for process in [p for p in (survivor, victim, server) if p is not None]:
            _stop(process)
    assert row.status == "done", (tmp_path / "survivor.log").read_text(errors="replace")[-3000:]
    assert row.verdict == "TLE"
    assert row.grading_count == 1
    assert row.attempts == 2  # claimed by the killed worker, then by the survivor


def test_killed_worker_is_seen_dead_long_before_its_lease_expires(stack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Audit L2: after kill -9 the submission waited the whole 120 s lease. Its owner names its
    process now, so the sweeper of the server on the same machine puts it back at once."""
    settings, env, platform = stack
    env = {**env, "VERDICT_LEASE_SECONDS": "120"}
    server = _spawn(["serve", "--port", str(free_port())], env, 0, tmp_path / "server.log")
    victim = _spawn(["worker"], env, 1, tmp_path / "victim.log")
    survivor = _spawn(["worker"], env, 1, tmp_path / "survivor.log")
    try:
        time.sleep(3)  # both workers consuming before the message is sent
        (submission_id,) = _submit(platform, settings, [("Python3", SLOW_PY)])
        owner = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not owner:
            with platform.sessionmaker() as session:
                row = session.get(Submission, submission_id)
                owner = row.lease_owner or "" if row is not None and row.status == "grading" else ""
            time.sleep(0.05)
        assert owner, "no worker claimed the submission"
        first = victim if f"|{victim.pid}|" in owner else survivor
        killed_at = time.monotonic()
        os.killpg(first.pid, signal.SIGKILL)  # mid-grading, sandbox and all
        first.wait()
        (row,) = _wait_graded(platform, [submission_id], timeout=100)
        regraded_after = time.monotonic() - killed_at
    finally:
        for process in (victim, survivor, server):
            _stop(process)
    assert row.status == "done" and row.verdict == "TLE", (tmp_path / "server.log").read_text()[-3000:]
    assert row.attempts == 2 and row.grading_count == 1
    print(f"regraded {regraded_after:.1f} s after the kill (lease: 120 s)")
    assert regraded_after < 40, regraded_after  # the lease alone would have kept it 120 s
