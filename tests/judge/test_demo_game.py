"""Orchard, the demo game package (verdict/demo/packages/orchard.pbm), built and played as Jutge
builds and plays its games: ``make`` in a temporary copy of ``Runner/``, the plain ``Game``, and
the secure form (``SecGame`` and one ``AI<Name>.exe`` per player) with the players started from
outside on FIFOs, as Verdict starts them. Here they are plain subprocesses, so that the game
itself is checked apart from the sandbox: the sandboxed matches (the referee and each player in a
sandbox of its own) are tests/judge/test_game_matches.py, and whole competitions played by them
tests/competitions/.

The bad players are in tests/fixtures/games/. Nothing is built in the repository.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

PACKAGE = Path(__file__).resolve().parents[2] / "verdict" / "demo" / "packages" / "orchard.pbm"
BAD_PLAYERS = Path(__file__).resolve().parents[1] / "fixtures" / "games"
PLAYERS = ("Dummy", "Demo", "Crash", "Loop", "Flood", "Snoop")
K_SEEDS = 8  # the Demo must have the best score in each of these matches against three Dummies
MAKE_TIMEOUT = 300


def _need_toolchain() -> None:
    missing = [tool for tool in ("g++", "make") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"the game is built with g++ and make: {', '.join(missing)} not installed")


def _copy_package(dest: Path, *, hidden_sources: bool = True, bad_players: bool = False) -> Path:
    """A copy of Runner/ and Obj/ in dest; returns the Runner folder to run make in."""
    shutil.copytree(PACKAGE / "Runner", dest / "Runner")
    shutil.copytree(PACKAGE / "Obj", dest / "Obj")
    runner = dest / "Runner"
    if not hidden_sources:
        hide = yaml.safe_load((PACKAGE / "handler.yml").read_text())["game"]["hide"]
        for name in hide:
            (runner / name).unlink()
    if bad_players:
        for source in BAD_PLAYERS.glob("AI*.cc"):
            if source.name != "AIBroken.cc":
                shutil.copy(source, runner / source.name)
    return runner


def _make(runner: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-j2", *targets],
        cwd=runner,
        capture_output=True,
        text=True,
        timeout=MAKE_TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The game built once for the module: Game, SecGame and every player's AI<Name>.exe."""
    _need_toolchain()
    folder = _copy_package(tmp_path_factory.mktemp("orchard"), bad_players=True)
    built = _make(folder, "Game", "SecGame", *(f"AI{name}.exe" for name in PLAYERS))
    assert built.returncode == 0, built.stderr
    return folder


@dataclass
class Match:
    output: str
    errors: str
    scores: dict[int, int]
    statuses: dict[int, float]


SCORE_LINE = re.compile(r"^info: player (\S+) got score (-?\d+)$", re.MULTILINE)


def _play(runner: Path, names: list[str], seed: int) -> Match:
    done = subprocess.run(
        ["./Game", *names, "-s", str(seed)],
        cwd=runner,
        stdin=(runner / "default.cnf").open("rb"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    errors = done.stderr.decode()
    found = SCORE_LINE.findall(errors)
    assert [name for name, _ in found] == names
    return Match(done.stdout.decode(), errors, {i: int(s) for i, (_, s) in enumerate(found)}, {})


FakeAnswer = Callable[[str], bytes]
"""A player written in Python for protocol tests: gets the state of a round, returns the bytes
to write to its action FIFO."""


def _fake_player(board: Path, action: Path, answer: FakeAnswer) -> None:
    """Speaks the protocol of the package README: opens the board FIFO for reading, then the
    action FIFO for writing; reads the settings (10 lines); then, per "go", the state up to its
    blank line, and writes the answer; ends at end of file or when the master hangs up."""
    with board.open("rb") as board_in, action.open("wb", buffering=0) as action_out:
        for _ in range(10):
            board_in.readline()
        while board_in.readline() == b"go\n":
            state = b"".join(iter(board_in.readline, b"\n")).decode()
            try:
                action_out.write(answer(state))
            except BrokenPipeError:
                return


def _play_secure(
    runner: Path,
    names: list[str],
    seed: int,
    tmp: Path,
    *,
    timeout: float = 5.0,
    player_errors: dict[int, Path] | None = None,
    fakes: dict[int, FakeAnswer] | None = None,
    absent: frozenset[int] = frozenset(),
    wait: float = 10.0,
) -> Match:
    """SecGame with --fifos: this function makes the FIFOs and starts each player itself, as
    Verdict's runner will (there in a sandbox per player), then reads the -r result file. The
    seats in ``fakes`` are played by Python threads instead of AI<Name>.exe; those in ``absent``
    by nobody (a player whose sandbox never started)."""
    fifos = tmp / "fifos"
    fifos.mkdir()
    for n in range(len(names)):
        os.mkfifo(fifos / f"{n}.brd")
        os.mkfifo(fifos / f"{n}.act")
    result, output = tmp / "result.txt", tmp / "match.out"
    command = [
        "./SecGame",
        *names,
        "-s",
        str(seed),
        "-f",
        str(fifos),
        "-t",
        str(timeout),
        "-w",
        str(wait),
        "-r",
        str(result),
    ]
    logs, fakes = player_errors or {}, fakes or {}
    players: list[subprocess.Popen[bytes]] = []
    threads: list[threading.Thread] = []
    with contextlib.ExitStack() as stack:
        cnf = stack.enter_context((runner / "default.cnf").open("rb"))
        out = stack.enter_context(output.open("wb"))
        master = subprocess.Popen(command, cwd=runner, stdin=cnf, stdout=out, stderr=subprocess.PIPE)
        try:
            for n, name in enumerate(names):
                board, action = fifos / f"{n}.brd", fifos / f"{n}.act"
                if n in absent:
                    continue
                if n in fakes:
                    threads.append(
                        threading.Thread(target=_fake_player, args=(board, action, fakes[n]), daemon=True)
                    )
                    threads[-1].start()
                    continue
                log = stack.enter_context(logs[n].open("wb")) if n in logs else subprocess.DEVNULL
                players.append(
                    subprocess.Popen(
                        [f"./AI{name}.exe", "-s", str(seed), "-p", str(n), name, str(board), str(action)],
                        cwd=runner,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=log,
                    )
                )
            _, errors = master.communicate(timeout=120)
        finally:
            # Looping and flooding players outlive the match: Verdict's sandbox kills them; here we do.
            for player in players:
                player.kill()
                player.wait()
            master.kill()
            master.wait()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert master.returncode == 0, errors.decode(errors="replace")[-2000:]
    scores, statuses = {}, {}
    for n, line in enumerate(result.read_text().splitlines()):
        name, status, score = line.split()
        assert name == names[n]
        scores[n], statuses[n] = int(score), float(status)
    return Match(output.read_text(), errors.decode(errors="replace"), scores, statuses)


def _rounds(output: str) -> list[list[int]]:
    """The score line of each state in a match file, in order."""
    return [[int(x) for x in line.split()[1:]] for line in output.splitlines() if line.startswith("score ")]


@pytest.mark.unit
def test_the_package_is_laid_out_as_jutge_ships_games() -> None:
    handler = yaml.safe_load((PACKAGE / "handler.yml").read_text())
    assert handler["handler"] == "game"
    hidden = handler["game"]["hide"]
    assert set(hidden) == {"Board.cc", "AIDummy.cc"}
    for name in hidden:
        assert (PACKAGE / "Runner" / name).is_file()
        assert (PACKAGE / "Obj" / f"{Path(name).stem}.o.Linux64").is_file()
    for part in ("Board", "Game", "SecGame", "Player", "Registry", "Action", "Settings", "State", "Info"):
        assert (PACKAGE / "Runner" / f"{part}.hh").is_file() and (PACKAGE / "Runner" / f"{part}.cc").is_file()
    for part in ("Random", "Structs", "Utils"):
        assert (PACKAGE / "Runner" / f"{part}.hh").is_file()
    for name in ("Main.cc", "SecMain.cc", "Makefile", "default.cnf", "AIDemo.cc"):
        assert (PACKAGE / "Runner" / name).is_file()
    assert (PACKAGE / "Viewer" / "viewer.html").is_file()
    assert (PACKAGE / "Doc" / "problem.en.tex").is_file()


@pytest.mark.integration
def test_make_builds_game_and_secgame_with_every_player(runner: Path) -> None:
    for program in ("Game", "SecGame", *(f"AI{name}.exe" for name in PLAYERS)):
        assert os.access(runner / program, os.X_OK), program
    listed = subprocess.run(["./Game", "-l"], cwd=runner, capture_output=True, text=True, check=True)
    assert set(PLAYERS) <= set(listed.stdout.split())


@pytest.mark.integration
def test_a_match_is_deterministic_and_writes_the_viewer_format(runner: Path) -> None:
    names = ["Dummy", "Demo", "Dummy", "Dummy"]
    first, second = _play(runner, names, 11), _play(runner, names, 11)
    assert first.output == second.output and first.scores == second.scores
    assert _play(runner, names, 12).output != first.output

    lines = first.output.splitlines()
    assert lines[:4] == ["Game", "", "Seed 11", ""]
    settings = (runner / "default.cnf").read_text().splitlines()
    assert lines[4 : 4 + len(settings)] == settings
    assert f"names {' '.join(names)}" in lines
    rounds = [int(line.split()[1]) for line in lines if line.startswith("round ")]
    assert rounds == list(range(201))  # round 0, then the state after each of nb_rounds 200
    assert _rounds(first.output)[-1] == [first.scores[n] for n in range(4)]
    assert "info: player(s) Demo got top score" in first.errors


@pytest.mark.integration
def test_the_demo_beats_the_dummy(runner: Path) -> None:
    """The rule the Python side will apply: best score in each of K seeded matches."""
    for seed in range(1, K_SEEDS + 1):
        seat = seed % 4
        names = ["Dummy"] * 4
        names[seat] = "Demo"
        scores = _play(runner, names, seed).scores
        assert all(scores[seat] > scores[n] for n in range(4) if n != seat), (seed, scores)


@pytest.mark.integration
def test_the_secure_form_with_outside_players_plays_the_same_match(runner: Path, tmp_path: Path) -> None:
    names = ["Dummy", "Demo", "Dummy", "Demo"]
    plain = _play(runner, names, 5)
    secure = _play_secure(runner, names, 5, tmp_path)
    assert secure.scores == plain.scores
    assert secure.statuses == {n: 0.0 for n in range(4)}
    # The same file but for its first line: "SecGame" instead of "Game".
    assert secure.output.splitlines()[0] == "SecGame"
    assert secure.output.splitlines()[1:] == plain.output.splitlines()[1:]
    assert SCORE_LINE.findall(secure.errors) == SCORE_LINE.findall(plain.errors)


@pytest.mark.integration
def test_the_secure_form_starting_its_own_players_agrees(runner: Path, tmp_path: Path) -> None:
    names = ["Demo", "Dummy", "Dummy", "Dummy"]
    result = tmp_path / "result.txt"
    done = subprocess.run(
        ["./SecGame", *names, "-s", "8", "-r", str(result)],
        cwd=runner,
        stdin=(runner / "default.cnf").open("rb"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    scores = [int(line.split()[2]) for line in result.read_text().splitlines()]
    assert scores == [_play(runner, names, 8).scores[n] for n in range(4)]
    assert all(0 <= float(line.split()[1]) <= 1 for line in result.read_text().splitlines())


@pytest.mark.integration
def test_a_crashing_and_a_looping_player_die_and_the_match_goes_on(runner: Path, tmp_path: Path) -> None:
    names = ["Crash", "Demo", "Loop", "Dummy"]
    match = _play_secure(runner, names, 3, tmp_path, timeout=1.0)
    assert match.statuses[0] == -1 and match.statuses[2] == -1
    assert match.statuses[1] == 0 and match.statuses[3] == 0
    assert "player Crash (0) is dead: closed its pipe" in match.errors
    assert "player Loop (2) is dead: no answer in time" in match.errors
    rounds = _rounds(match.output)
    assert len(rounds) == 201
    assert match.scores[1] > 0 and match.scores[3] > 0
    assert rounds[-1] == [match.scores[n] for n in range(4)]


@pytest.mark.integration
def test_a_flooding_player_dies(runner: Path, tmp_path: Path) -> None:
    match = _play_secure(runner, ["Dummy", "Flood", "Dummy", "Dummy"], 4, tmp_path, timeout=1.0)
    assert match.statuses[1] == -1
    assert "player Flood (1) is dead: no answer in time" in match.errors
    assert len(_rounds(match.output)) == 201


@pytest.mark.integration
def test_the_snooping_player_reports_what_it_could_open(runner: Path, tmp_path: Path) -> None:
    """Without sandboxes the snooping player opens the other players' FIFOs, says so, and exits
    (status 3): the signal the sandboxed test will expect to be absent."""
    log = tmp_path / "snoop.err"
    match = _play_secure(runner, ["Dummy", "Snoop", "Dummy", "Dummy"], 6, tmp_path, player_errors={1: log})
    said = log.read_text()
    assert f"snoop: opened {tmp_path / 'fifos' / '0.brd'}" in said
    assert match.statuses[1] == -1 and "player Snoop (1) is dead: closed its pipe" in match.errors
    assert match.statuses[0] == match.statuses[2] == match.statuses[3] == 0


@pytest.mark.integration
def test_a_player_that_does_not_compile_fails_make(tmp_path: Path) -> None:
    _need_toolchain()
    folder = _copy_package(tmp_path)
    shutil.copy(BAD_PLAYERS / "AIBroken.cc", folder / "AIBroken.cc")
    built = _make(folder, "AIBroken.o")
    assert built.returncode != 0
    assert "AIBroken.cc:" in built.stderr and "error" in built.stderr


@pytest.mark.integration
def test_the_students_copy_builds_from_the_precompiled_objects(runner: Path, tmp_path: Path) -> None:
    """Without the hidden Board.cc and AIDummy.cc, make takes Obj/*.o.Linux64: same matches."""
    folder = _copy_package(tmp_path, hidden_sources=False)
    built = _make(folder, "Game")
    assert built.returncode == 0, built.stderr
    assert "cp ../Obj/Board.o.Linux64 Board.o" in built.stdout
    names = ["Dummy", "Demo", "Dummy", "Dummy"]
    assert _play(folder, names, 21).output == _play(runner, names, 21).output


def _dump_viewer(site: Path, query: str) -> str:
    """The viewer's DOM after loading viewer.html?<query> from an HTTP server on site, in
    headless Chromium (fetch() is refused on file:// pages)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/viewer.html?{query}"
            flags = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000"]
            dumped = subprocess.run(
                [browser, *flags, f"--user-data-dir={site / '.chromium'}", "--dump-dom", url],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        finally:
            server.shutdown()
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    return dumped.stdout


@pytest.mark.integration
def test_the_viewer_replays_a_match_file(runner: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(PACKAGE / "Viewer", site)
    match = _play_secure(runner, ["Demo", "Dummy", "Crash", "Dummy"], 9, tmp_path)
    (site / "match.out").write_text(match.output)
    page = _dump_viewer(site, "game=match.out")
    assert 'id="round">Round ' in page and " / 200</div>" in page
    assert "<td>Demo</td>" in page and "<td>Crash</td>" in page
    assert 'role="alert"></div>' in page  # no error shown
    missing = _dump_viewer(site, "game=nothing.out")
    assert "Cannot load nothing.out: HTTP 404" in missing


def _units(output: str) -> list[dict[int, tuple[int, int]]]:
    """The units' positions (id -> (i, j)) in each state of a match file, in order."""
    states: list[dict[int, tuple[int, int]]] = []
    lines = output.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("units "):
            rows = [[int(x) for x in row.split()] for row in lines[k + 1 : k + 1 + int(line.split()[1])]]
            states.append({uid: (i, j) for uid, _, i, j in rows})
    return states


@pytest.mark.integration
def test_the_referee_ignores_invalid_orders(runner: Path, tmp_path: Path) -> None:
    """Seat 0 gives no orders; seat 1 (units 3, 4, 5) orders seat 0's unit 2, an unknown unit, a
    malformed line, a wrong direction, and its unit 5 twice: only "5 d" counts."""
    meddler = b"2 d\n999 u\nhello\n0 x\n5 d\n5 u\n-1\n"
    match = _play_secure(
        runner,
        ["Idle", "Meddler", "Dummy", "Dummy"],
        13,
        tmp_path,
        fakes={0: lambda state: b"-1\n", 1: lambda state: meddler},
    )
    assert match.statuses == {n: 0.0 for n in range(4)}
    assert match.errors.count("info: ignored 3 invalid order(s) of player 1") == 200
    states = _units(match.output)
    assert all(
        {uid: state[uid] for uid in (0, 1, 2)} == {0: (0, 0), 1: (0, 1), 2: (1, 0)} for state in states
    )
    assert states[0][5] == (1, 16) and states[1][5] == (2, 16)


@pytest.mark.integration
def test_an_answer_that_never_ends_is_a_flood(runner: Path, tmp_path: Path) -> None:
    match = _play_secure(
        runner,
        ["Dummy", "Chatter", "Dummy", "Dummy"],
        14,
        tmp_path,
        fakes={1: lambda state: b"3 u\n" * 30000},
    )
    assert match.statuses[1] == -1
    assert "player Chatter (1) is dead: answer longer than 65536 bytes" in match.errors
    assert len(_rounds(match.output)) == 201


@pytest.mark.integration
def test_a_player_that_never_starts_is_dead_and_the_match_goes_on(runner: Path, tmp_path: Path) -> None:
    match = _play_secure(
        runner, ["Demo", "Dummy", "Dummy", "Ghost"], 15, tmp_path, absent=frozenset({3}), wait=0.5
    )
    assert match.statuses == {0: 0.0, 1: 0.0, 2: 0.0, 3: -1.0}
    assert "player Ghost (3) is dead: did not open its pipes" in match.errors
    assert len(_rounds(match.output)) == 201 and match.scores[0] > 0
