"""A 64-player Orchard competition played to the end (issue 16) on the distributed stack:
PostgreSQL (127.0.0.1:5432), RabbitMQ (127.0.0.1:5672), one `verdict serve` with no graders of
its own and two `verdict worker` processes of one grader each.

The players are real: 64 students each submit a player to the imported game problem through the
use case the faces call (``submit_to_problem``: committed, then the queue woken), and the workers
grade them (compiled with the game in the sandbox, four matches against three Dummies). Half are
copies of the package's Demo and half of its Dummy, each with its own ``PLAYER_NAME`` (and so its
own source, compiled once). Then the teacher, through the Jutge services, creates the competition
(``PUT /services/competitions``, ``problem: <id>_en``), reads its participants, starts it, and
calls ``actions/next`` until the final (64 → 32 → 16 → 8 → 4), polling each round until it is
done, then ``actions/finish``.

Printed: the grading of the players, the matches played, matches per minute and the time from the
start to the finish; the checks (every match played once: done, 4 seats with a score, nobody's
result recorded twice, a winner); and, for a sample of the competition's matches replayed in the
same run both ways — sandboxed (``SandboxedMatchRunner``, the workers' runner: the referee and
each player in a sandbox of its own) and the bare ``Game`` (the package's own binary, every player
linked in, one process) — the wall time of each, the overhead per player, each player's CPU time
in the sandbox, and that both give the stored scores.

    .venv/bin/python bench/competition.py [--players 64] [--sample 6]
"""

from __future__ import annotations

import argparse
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import yaml
from burst import free_port, postgres_database
from exam import process, stack_settings, wait_until_up

from verdict import db
from verdict.accounts.models import Role, User
from verdict.accounts.passwords import hash_password
from verdict.competitions.matches import GameRef, PlayerRef
from verdict.competitions.models import Match, MatchStatus, Seat
from verdict.competitions.sandboxed import SandboxedMatchRunner
from verdict.judge.sandbox import check_available
from verdict.platform import bootstrap
from verdict.problems.models import Problem, ProblemVersion
from verdict.problems.store import fetch_package, import_package
from verdict.settings import Settings, sandbox_config
from verdict.submissions.models import Submission, SubmissionStatus
from verdict.submissions.service import submit_to_problem

ROOT = Path(__file__).resolve().parent.parent
ORCHARD = ROOT / "verdict" / "demo" / "packages" / "orchard.pbm"
SCORE = re.compile(r"^info: player (\S+) got score (-?\d+)$", re.MULTILINE)
GRADE_TIMEOUT = 1800.0  # seconds for the players' grading
ROUND_TIMEOUT = 1800.0  # seconds for one round
OWNER = "teacher"
NAME = "bench"


def player_source(name: str, base: str) -> str:
    text = (ORCHARD / "Runner" / base).read_text()
    return re.sub(r"#define PLAYER_NAME \w+", f"#define PLAYER_NAME {name}", text)


def players(count: int) -> dict[str, str]:
    """username → source: the first half copies of the Demo (Demo01, ...), the rest of the Dummy
    (Dumb33, ...)."""
    half = count // 2
    return {
        f"s{n:02}": player_source(
            f"{'Demo' if n <= half else 'Dumb'}{n:02}", "AIDemo.cc" if n <= half else "AIDummy.cc"
        )
        for n in range(1, count + 1)
    }


# --------------------------------------------------------------------------- set-up


def prepare(settings: Settings, sources: dict[str, str], password: str) -> str:
    """The teacher, one account per player and the game imported; the game problem's id."""
    platform = bootstrap(settings, migrate=True)
    try:
        with platform.session_scope() as session:
            shared_hash = hash_password(password)
            session.add(
                User(
                    username=OWNER,
                    email="teacher@example.org",
                    role=Role.INSTRUCTOR,
                    password_hash=shared_hash,
                )
            )
            for username in sources:
                session.add(
                    User(username=username, email=f"{username}@example.org", password_hash=shared_hash)
                )
            return import_package(session, ORCHARD, settings=settings).problem.id
    finally:
        platform.close()


def submit_all(settings: Settings, sources: dict[str, str], problem_id: str) -> list[int]:
    """Each player submitted as the faces submit (committed, then a grader woken on RabbitMQ)."""
    platform = bootstrap(settings)
    try:
        with platform.sessionmaker() as session:
            users = {row.username: row.id for row in session.execute(sa.select(User.username, User.id))}
            return [
                submit_to_problem(
                    session,
                    platform.queue,
                    user_id=users[username],
                    problem_id=problem_id,
                    language="G++17",
                    source=source,
                )
                for username, source in sources.items()
            ]
    finally:
        platform.close()


def wait_graded(engine: sa.Engine, ids: list[int]) -> list[Any]:
    deadline = time.monotonic() + GRADE_TIMEOUT
    query = sa.select(Submission.id, Submission.status, Submission.verdict, Submission.grading_count)
    while True:
        with engine.connect() as connection:
            rows = list(connection.execute(query.where(Submission.id.in_(ids))).all())
        finished = (SubmissionStatus.DONE, SubmissionStatus.ERROR)
        if all(row.status in finished for row in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(1)


# --------------------------------------------------------------------------- the competition


class Teacher:
    def __init__(self, url: str, password: str) -> None:
        self.http = httpx.Client(base_url=url, auth=(OWNER, password), timeout=120)
        self.base = f"/services/competitions/{OWNER}:{NAME}"

    def get(self, path: str = "") -> Any:
        response = self.http.get(self.base + path)
        response.raise_for_status()
        return yaml.safe_load(response.text)

    def action(self, name: str) -> Any:
        response = self.http.put(f"{self.base}/actions/{name}", content=b"")
        if response.status_code != 200:
            raise RuntimeError(f"actions/{name}: {response.status_code} {response.text[:300]}")
        return yaml.safe_load(response.text)

    def create(self, problem: str) -> None:
        document = f"name: {NAME}\ntitle: The bench cup\ndescription: 64 players\nproblem: {problem}\n"
        response = self.http.put("/services/competitions", content=document.encode())
        if response.status_code not in (200, 201):
            raise RuntimeError(f"PUT /services/competitions: {response.status_code} {response.text[:300]}")


@dataclass
class Played:
    rounds: list[dict[str, Any]]
    seconds: float
    state: dict[str, Any]


def play(teacher: Teacher, problem: str) -> Played:
    teacher.create(problem)
    listed = teacher.get("/participants")
    print(f"participants before the start: {len(listed)}")
    teacher.action("start")
    started = time.monotonic()
    played = []
    while not teacher.get()["final_played"]:
        answer = teacher.action("next")
        begun = time.monotonic()
        deadline = begun + ROUND_TIMEOUT
        while (document := teacher.get(f"/matches/{answer['round']}"))["status"] != "done":
            if time.monotonic() > deadline:
                raise RuntimeError(f"round {answer['round']} not played within {ROUND_TIMEOUT} s")
            time.sleep(0.5)
        seconds = time.monotonic() - begun
        count = sum(len(turn["matches"]) for turn in document["turns"])
        print(
            f"round {answer['round']}: {len(document['standing'])} players, {count} matches "
            f"in {seconds:.1f} s, {len(document['eliminated'])} eliminated"
        )
        played.append(document)
    teacher.action("finish")
    return Played(played, time.monotonic() - started, teacher.get())


# --------------------------------------------------------------------------- checks


def check(engine: sa.Engine, played: Played) -> list[str]:
    """What must hold: every match done once, with four scored seats; a winner."""
    problems = []
    with engine.connect() as connection:
        matches = connection.execute(sa.select(Match.id, Match.status, Match.attempts)).all()
        counted = sa.select(Seat.match_id, sa.func.count().label("seats")).where(Seat.score.is_not(None))
        seats = {row.match_id: row.seats for row in connection.execute(counted.group_by(Seat.match_id))}
    listed = sum(len(turn["matches"]) for document in played.rounds for turn in document["turns"])
    if listed != len(matches):
        problems.append(f"{listed} matches listed by the rounds, {len(matches)} stored")
    not_done = [m.id for m in matches if m.status != MatchStatus.DONE]
    if not_done:
        problems.append(f"matches not done: {not_done[:10]}")
    unscored = [m.id for m in matches if seats.get(m.id) != 4]
    if unscored:
        problems.append(f"matches without four scored seats: {unscored[:10]}")
    if not played.state.get("winner"):
        problems.append("no winner")
    if played.state.get("status") != "finished":
        problems.append(f"status {played.state.get('status')}")
    return problems


# --------------------------------------------------------------------------- sandbox overhead


def bare_game(folder: Path, sources: dict[str, str]) -> Path:
    """The package's own Game with these players linked in (``make Game`` links every AI*.cc)."""
    shutil.copytree(ORCHARD / "Runner", folder / "Runner")
    shutil.copytree(ORCHARD / "Obj", folder / "Obj")
    for name, source in sources.items():
        (folder / "Runner" / f"AI{name}.cc").write_text(source)
    subprocess.run(["make", "-s", "-j2", "Game"], cwd=folder / "Runner", check=True, capture_output=True)
    return folder / "Runner"


def play_bare(runner: Path, names: list[str], seed: int) -> tuple[float, list[int]]:
    started = time.perf_counter()
    with (runner / "default.cnf").open("rb") as settings:
        done = subprocess.run(
            ["./Game", *names, "-s", str(seed)], cwd=runner, stdin=settings, capture_output=True, check=True
        )
    return time.perf_counter() - started, [int(score) for _, score in SCORE.findall(done.stderr.decode())]


def overhead(
    settings: Settings, problem_id: str, sources_by_name: dict[str, str], played: Played, sample: int
) -> bool:
    """Replays ``sample`` matches, spread over the rounds, both ways; prints the figures; whether
    both ways gave the stored scores."""
    matches = [m for document in played.rounds for turn in document["turns"] for m in turn["matches"]]
    step = max(1, len(matches) // sample)
    chosen = matches[::step][:sample]
    wanted = {name: sources_by_name[name] for m in chosen for name in m["players"] if name != "Dummy"}
    platform = bootstrap(settings)
    try:
        with platform.session_scope() as session:
            problem = session.get(Problem, problem_id)
            assert problem is not None and problem.current_version_id is not None
            version = session.get(ProblemVersion, problem.current_version_id)
            assert version is not None
            package = fetch_package(session, version.blob_hash, settings.data_dir / "bench-packages")
            game = GameRef(problem_id, version.id, package)
    finally:
        platform.close()
    ok = True
    with tempfile.TemporaryDirectory(prefix="verdict-bench-competition-bare-") as tmp:
        runner = SandboxedMatchRunner(sandbox_config(settings))  # the workers' build cache
        built = time.perf_counter()
        bare = bare_game(Path(tmp) / "bare", wanted)
        print(
            f"\nbare Game with the sample's {len(wanted)} players built "
            f"in {time.perf_counter() - built:.1f} s"
        )
        print(
            f"{'seed':>10} {'bare s':>7} {'boxed s':>8} {'per player s':>13}  players (CPU s in the sandbox)"
        )
        bare_times, boxed_times = [], []
        for match in chosen:
            names = match["players"]
            bare_seconds, bare_scores = play_bare(bare, names, match["seed"])
            refs = [
                PlayerRef(n) if n == "Dummy" else PlayerRef(n, sources_by_name[n], "G++17") for n in names
            ]
            started = time.perf_counter()
            outcome = runner.play(game, refs, match["seed"])
            boxed_seconds = time.perf_counter() - started
            boxed_scores = [seat.score for seat in outcome.seats]
            same = bare_scores == boxed_scores == match["scores"]
            ok = ok and same
            bare_times.append(bare_seconds)
            boxed_times.append(boxed_seconds)
            cpu = " ".join(f"{n}({s.cpu_seconds:.3f})" for n, s in zip(names, outcome.seats, strict=True))
            print(
                f"{match['seed']:>10} {bare_seconds:>7.3f} {boxed_seconds:>8.3f} "
                f"{(boxed_seconds - bare_seconds) / 4:>13.3f}  {cpu}"
                + (
                    ""
                    if same
                    else f"  SCORES DIFFER: bare {bare_scores} boxed {boxed_scores} stored {match['scores']}"
                )
            )
        bare_median, boxed_median = statistics.median(bare_times), statistics.median(boxed_times)
        print(
            f"median: bare {bare_median:.3f} s, sandboxed {boxed_median:.3f} s: overhead "
            f"{boxed_median - bare_median:.3f} s per match, "
            f"{(boxed_median - bare_median) / 4:.3f} s per player"
        )
    return ok


# --------------------------------------------------------------------------- main


def run(database_url: str, count: int, sample: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="competition-bench-") as tmp:
        env, settings = stack_settings(Path(tmp), database_url, "competition")
        password = secrets.token_urlsafe(12)
        sources = players(count)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        logs = Path(tmp)
        problem_id = prepare(settings, sources, password)
        engine = db.create_engine(settings.sqlalchemy_url)
        try:
            with (
                process(
                    ["serve", "--port", str(port)], {**env, "VERDICT_GRADERS": "0"}, logs / "server.log"
                ) as server,
                process(["worker"], {**env, "VERDICT_GRADERS": "1"}, logs / "worker1.log"),
                process(["worker"], {**env, "VERDICT_GRADERS": "1"}, logs / "worker2.log"),
            ):
                wait_until_up(url, server)
                submitted = time.monotonic()
                ids = submit_all(settings, sources, problem_id)
                rows = wait_graded(engine, ids)
                graded = time.monotonic() - submitted
                verdicts: dict[str, int] = {}
                for row in rows:
                    verdicts[str(row.verdict)] = verdicts.get(str(row.verdict), 0) + 1
                print(
                    f"players: {len(ids)} submitted, graded in {graded:.1f} s "
                    f"({len(ids) / graded * 60:.1f} per minute), verdicts {verdicts}, "
                    f"graded more than once {sum(1 for row in rows if row.grading_count > 1)}"
                )
                if verdicts.get("AC") != count:
                    for log in ("worker1.log", "worker2.log"):
                        print((logs / log).read_text(errors="replace")[-3000:])
                    return False
                played = play(Teacher(url, password), f"{problem_id}_en")
            total = sum(len(turn["matches"]) for document in played.rounds for turn in document["turns"])
            print(
                f"competition: {len(played.rounds)} rounds, {total} matches played in {played.seconds:.1f} s "
                f"(start to finish): {total / played.seconds * 60:.1f} matches per minute; "
                f"winner {played.state['winner']}"
            )
            problems = check(engine, played)
            with engine.connect() as connection:
                replayed = connection.scalar(sa.select(sa.func.count()).where(Match.attempts > 1))
            print(
                f"checks: {'; '.join(problems) or 'every match done once with 4 scores, a winner'}; "
                f"matches claimed more than once: {replayed}"
            )
        finally:
            engine.dispose()
        by_name = {re.search(r"#define PLAYER_NAME (\w+)", s)[1]: s for s in sources.values()}  # type: ignore[index]
        same = overhead(settings, problem_id, by_name, played, sample)
        print("sampled matches give the stored scores both ways:", "yes" if same else "NO")
        return not problems and same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, default=64)
    parser.add_argument("--sample", type=int, default=6)
    args = parser.parse_args()
    if reason := check_available():
        print(f"sandbox unavailable: {reason}")
        sys.exit(1)
    if shutil.which("g++") is None or shutil.which("make") is None:
        print("Orchard is built with g++ and make")
        sys.exit(1)
    with postgres_database() as url:
        if url is None:
            sys.exit(1)
        ok = run(url, args.players, args.sample)
    print("result:", "ok" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
