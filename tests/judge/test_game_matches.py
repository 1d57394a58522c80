"""Game problems (issue 16): Orchard imported as a problem, its players built and played in the
real sandbox, one sandbox per player and one for the referee, joined only by FIFOs.

The bad players are tests/fixtures/games/ (the package README says what each does). The whole
module needs the sandbox (tests/judge/conftest.py skips it, with the reason) and g++ and make.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.paths import ORCHARD
from verdict.grading import service
from verdict.grading.service import NewSubmission
from verdict.judge.games.accept import GameGrader
from verdict.judge.games.build import GameBuild, PlayerBuild, build_game, build_player, player_name
from verdict.judge.games.match import MatchResult, Seat, play_match
from verdict.judge.languages import get_language
from verdict.judge.packages import load_package
from verdict.judge.problem import Problem
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict
from verdict.platform import Platform
from verdict.problems.models import ProblemVersion
from verdict.problems.store import import_package
from verdict.submissions.models import Submission

pytestmark = pytest.mark.integration

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "games"
DEMO_SOURCE = (ORCHARD / "Runner" / "AIDemo.cc").read_bytes()
DUMMY_SOURCE = (ORCHARD / "Runner" / "AIDummy.cc").read_bytes()  # hidden from students, but ours
CXX = get_language("G++17")

# A player (seated at 1) that tries to reach the referee: its files (the result file, its program)
# by any path it could guess, and the other seats' FIFOs. Each attempt reported on stderr.
PEEK = b"""#include "Player.hh"
#include <fcntl.h>
#include <unistd.h>
#define PLAYER_NAME Peek
struct PLAYER_NAME : public Player {
  static Player* factory () { return new PLAYER_NAME; }
  bool done = false;
  void play () override {
    if (done) return;
    done = true;
    const char* paths[] = {"/box/result.txt", "/box/SecGame", "../box/result.txt", "/game/result.txt",
                           "/proc/1/root/box/result.txt", "/proc/1/fd/1", "/game/0.brd", "/game/2.act"};
    for (const char* path : paths) {
      int fd = open(path, O_WRONLY | O_NONBLOCK);
      if (fd < 0) fd = open(path, O_RDONLY | O_NONBLOCK);
      cerr << (fd >= 0 ? "peek: opened " : "peek: denied ") << path << endl;
      if (fd >= 0) close(fd);
    }
  }
};
RegisterPlayer(PLAYER_NAME);
"""


@pytest.fixture(scope="module")
def problem() -> Problem:
    missing = [tool for tool in ("g++", "make") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"games are built with g++ and make: {', '.join(missing)} not installed")
    return load_package(ORCHARD)


@pytest.fixture(scope="module")
def game(problem: Problem, sandbox_config: SandboxConfig) -> GameBuild:
    assert problem.game is not None
    return build_game(problem.game, sandbox_config)


@pytest.fixture(scope="module")
def grader(problem: Problem, sandbox_config: SandboxConfig) -> GameGrader:
    return GameGrader(problem, sandbox_config)


def player(game: GameBuild, config: SandboxConfig, source: bytes) -> Seat:
    built: PlayerBuild = build_player(game, source, config)
    assert built.ok and built.program is not None, built.message
    return Seat(built.name, built.program)


def against_dummies(game: GameBuild, config: SandboxConfig, source: bytes, seed: int = 7) -> MatchResult:
    dummy = Seat("Dummy", game.program("Dummy"))
    return play_match(game, [player(game, config, source), dummy, dummy, dummy], seed, config)


# -- import ---------------------------------------------------------------------------------------


def test_orchard_loads_as_a_game_with_its_hidden_files_kept_from_students(problem: Problem) -> None:
    game = problem.game
    assert game is not None
    assert game.hidden == ("Board.cc", "AIDummy.cc") and game.dummy == "Dummy"
    assert not problem.tests and problem.golden_solution is None
    assert problem.statements["en"].name == "problem.en.tex"
    public = {path.relative_to(problem.root).as_posix() for path in game.public_files()}
    assert "Runner/AIDemo.cc" in public and "Obj/Board.o.Linux64" in public
    assert "Viewer/viewer.html" in public
    assert not {"Runner/Board.cc", "Runner/AIDummy.cc"} & public


def test_the_game_builds_without_its_hidden_sources_in_what_is_kept(game: GameBuild) -> None:
    kept = {path.name for path in game.files.iterdir()}
    assert {"SecGame", "AIDummy.exe", "Board.o", "AIDummy.o", "Player.hh"} <= kept
    assert not {"Board.cc", "AIDummy.cc"} & kept


# -- players are submissions ------------------------------------------------------------------------


@pytest.mark.parametrize("source", [DEMO_SOURCE, DUMMY_SOURCE], ids=["Demo", "Dummy"])
def test_demo_and_dummy_are_accepted(grader: GameGrader, source: bytes) -> None:
    result = grader.grade(source, CXX)
    assert result.verdict == Verdict.AC, result.message
    assert len(result.tests) == 4  # one seed, every seat
    assert all(test.verdict in (Verdict.AC, Verdict.WA) and "alive" in test.message for test in result.tests)
    assert all(test.score is not None for test in result.tests)


def test_a_crashing_player_is_wrong_with_why(grader: GameGrader) -> None:
    result = grader.grade((BAD / "AICrash.cc").read_bytes(), CXX)
    assert result.verdict == Verdict.WA
    assert result.message.startswith("died in match 1 (crash)")
    assert all("dead (crash)" in test.message for test in result.tests)


def test_a_player_that_does_not_compile_is_ce_with_the_compilers_message(grader: GameGrader) -> None:
    result = grader.grade((BAD / "AIBroken.cc").read_bytes(), CXX)
    assert result.verdict == Verdict.CE
    assert "AIBroken.cc:16" in result.compile_output and "error" in result.compile_output
    assert "make" not in result.compile_output.split(":")[0]


def test_a_player_cannot_include_the_hidden_sources(grader: GameGrader) -> None:
    """The player is compiled beside the game's objects, not its hidden sources: a compile error
    cannot quote them."""
    source = DEMO_SOURCE.replace(b'#include "Player.hh"', b'#include "Player.hh"\n#include "Board.cc"')
    result = grader.grade(source, CXX)
    assert result.verdict == Verdict.CE
    assert "Board.cc: No such file or directory" in result.compile_output


@pytest.mark.parametrize(
    ("define", "why"),
    [
        ("", "no line #define PLAYER_NAME"),
        ("#define PLAYER_NAME 9Lives", "not a valid player name"),
        ("#define PLAYER_NAME ThisNameIsTooLong", "at most 12 characters"),
        ("#define PLAYER_NAME ../../etc", "not a valid player name"),
    ],
)
def test_a_bad_player_name_is_refused(grader: GameGrader, define: str, why: str) -> None:
    source = DEMO_SOURCE.replace(b"#define PLAYER_NAME Demo", define.encode())
    result = grader.grade(source, CXX)
    assert result.verdict == Verdict.CE and why in result.compile_output
    assert player_name(source.decode())[0] == ""


def test_a_player_in_another_language_is_ce(grader: GameGrader) -> None:
    result = grader.grade(b"print(1)\n", get_language("Python3"))
    assert result.verdict == Verdict.CE and "C++" in result.compile_output


# -- matches in the sandbox -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason", "words"),
    [("Crash", "crash", "SIGSEGV"), ("Loop", "time", "CPU time"), ("Flood", "flood", "output over")],
)
def test_a_bad_player_dies_and_the_match_goes_on(
    game: GameBuild, sandbox_config: SandboxConfig, name: str, reason: str, words: str
) -> None:
    match = against_dummies(game, sandbox_config, (BAD / f"AI{name}.cc").read_bytes())
    bad, *dummies = match.players
    assert not bad.alive and bad.reason == reason and words in bad.message, bad
    assert bad.cpu_time <= game.spec.cpu_seconds + 0.1
    assert all(d.alive and d.score > 0 for d in dummies)
    assert b"\nround 200\n" in match.output  # every round was played
    assert f"info: player {name} (0) is dead" in match.referee_log


def test_a_snooping_player_opens_nothing_of_the_others(
    game: GameBuild, sandbox_config: SandboxConfig
) -> None:
    match = against_dummies(game, sandbox_config, (BAD / "AISnoop.cc").read_bytes())
    snoop = match.players[0]
    assert snoop.alive and snoop.exit_code == 0, snoop
    assert "snoop: opened" not in snoop.stderr
    for other in (1, 2, 3):
        assert f"snoop: denied /game/{other}.brd" in snoop.stderr
        assert f"snoop: denied /game/{other}.act" in snoop.stderr


def test_a_player_cannot_reach_the_referees_files_or_output(
    game: GameBuild, sandbox_config: SandboxConfig
) -> None:
    dummy = Seat("Dummy", game.program("Dummy"))
    peek = player(game, sandbox_config, PEEK)
    match = play_match(game, [dummy, peek, dummy, dummy], 5, sandbox_config)
    report = match.players[1].stderr
    assert "peek: opened" not in report, report
    assert report.count("peek: denied") == 8
    assert all(p.alive for p in match.players)
    assert match.output.startswith(b"SecGame\n")


def test_a_match_replayed_with_its_seed_gives_the_same_result(
    game: GameBuild, sandbox_config: SandboxConfig
) -> None:
    first = against_dummies(game, sandbox_config, DEMO_SOURCE, seed=123)
    again = against_dummies(game, sandbox_config, DEMO_SOURCE, seed=123)
    other = against_dummies(game, sandbox_config, DEMO_SOURCE, seed=124)
    assert first.scores == again.scores and first.output == again.output
    assert first.seed == 123 and other.output != first.output
    assert all(p.alive for p in first.players) and first.players[0].score > max(first.scores[1:])


# -- through the grading path ------------------------------------------------------------------------


# SQLite only: the judge is the point; a submission's SQL is tested on both elsewhere.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_player_submitted_to_the_imported_game_is_accepted(platform: Platform, make_user) -> None:  # type: ignore[no-untyped-def]
    """With the default settings: two sandbox slots, but a match takes its five."""
    if shutil.which("g++") is None:
        pytest.skip("games are built with g++")
    assert platform.settings.sandbox_slots < 5
    student = make_user("gamer")
    with platform.session_scope() as session:
        imported = import_package(session, ORCHARD, settings=platform.settings)
        assert imported.version.meta["kind"] == "game"
        assert imported.version.meta["game"]["hidden"] == ["Board.cc", "AIDummy.cc"]
        problem_id = imported.problem.id
        submission_id = service.create_submission(
            session, NewSubmission(student.id, problem_id, "G++17", DEMO_SOURCE.decode())
        ).id
    assert platform.grading_engine().grade_next() == submission_id
    with platform.sessionmaker() as session:
        row = session.get(Submission, submission_id)
        assert row is not None
        assert (row.status, row.verdict) == ("done", "AC"), (row.error_reason, row.feedback)
        assert len(row.tests) == 4
        assert all(t.message.startswith("score ") and "alive" in t.message for t in row.tests)
        assert session.get(ProblemVersion, row.problem_version_id) is not None
