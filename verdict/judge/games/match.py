"""One match: the referee and each player in a sandbox of its own, joined only by FIFOs.

The referee is the game's ``SecGame`` in its outside-started mode (``-f DIR``, the package's
README): this module makes the FIFO pair of every seat (``<n>.brd``, ``<n>.act``) in a fresh
directory of the sandbox system directory, then starts five sandboxes, each with its own slot (uid
and cgroup):

- the referee's, with every FIFO bound at ``/game/<n>.brd`` and ``/game/<n>.act``;
- one per player, with only its own two FIFOs bound at the same paths, and its program alone in
  its /box.

Once the sandboxes are up, each FIFO is given to its player's uid and the referee's group (mode
0660): the one player and the referee may open it, no other uid. A player sees no other player's
files, programs or memory (its own mount and PID namespaces, its own uid) and nothing of the
referee's: the match output is the referee's standard output, read by the host, never a file.

Each player runs under the game's limits (`GameSpec`): ``cpu_seconds`` of CPU for the whole
match (its cgroup's total), ``memory_mb``, ``output_kb`` of standard output (more is a flood),
and the match's wall time. A match may take its five slots on top of the machine's setting
(``sandbox_slots``): they mostly wait on each other; one match at a time takes its slots
(`_starting`), and the slots' locks are machine-wide. A player that breaks a limit is killed by
its sandbox; the referee sees its FIFO close and marks it dead, and the match goes on. When the
referee ends, the players still running are killed (they got end of file and should have left).

The seed makes the match: the referee and the players (seed + seat + 1) draw from it only, so a
match played again with its seed gives the same result, as long as no player depends on time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from verdict.judge import sandbox_runner
from verdict.judge.bwrap import Mount
from verdict.judge.errors import JudgeError
from verdict.judge.games.build import REFEREE, GameBuild
from verdict.judge.sandbox import (
    Limits,
    MiB,
    PendingRun,
    RunResult,
    Sandbox,
    SandboxConfig,
    Status,
    wait_runs,
)
from verdict.judge.supervision import Supervision, watched

FIFO_DIR = "/game"
RESULT_FILE = "result.txt"
MATCH_OUTPUT_BYTES = 64 * MiB  # the viewer log
REFEREE_CPU_SECONDS = 60.0
END_GRACE_SECONDS = 2.0  # after the referee ends, the players' time to leave before being killed
DEAD_LINE = re.compile(r"^info: player (\S+) \((\d+)\) is dead: (.*)$", re.MULTILINE)


class MatchError(JudgeError):
    """The referee failed (not a player): the match has no result."""


@dataclass(frozen=True)
class Seat:
    """A player in a match: its name and its program (AI<name>.exe)."""

    name: str
    program: Path


@dataclass
class PlayerResult:
    name: str
    score: int
    alive: bool
    cpu_time: float
    reason: str = ""  # why it died: "crash", "time", "flood", "memory", "protocol"
    message: str = ""  # what happened, in words
    stderr: str = ""  # what the player wrote to standard error (its first 64 KB)
    exit_code: int | None = None

    @property
    def status(self) -> str:
        return "ok" if self.alive else f"dead ({self.reason})"


@dataclass
class MatchResult:
    seed: int
    players: list[PlayerResult]
    output: bytes  # the match file the viewer replays
    referee_log: str = ""  # the referee's standard error (info: lines)
    seconds: float = 0.0

    @property
    def scores(self) -> list[int]:
        return [player.score for player in self.players]


def play_match(
    game: GameBuild,
    seats: Sequence[Seat],
    seed: int,
    config: SandboxConfig,
    supervision: Supervision | None = None,
) -> MatchResult:
    """Plays one match of ``game`` between ``seats`` (as many as the game's players)."""
    spec = game.spec
    if len(seats) != spec.players:
        raise ValueError(f"the game needs {spec.players} players, got {len(seats)}")
    # The five sandboxes of a match mostly wait on each other: a match may take its slots on top
    # of the machine's setting (sandbox_slots, the concurrent runs), so that it never waits for
    # every one of the machine's slots to be free at once.
    config = dataclasses.replace(config, slots=config.slots + len(seats) + 1)
    if supervision is not None:
        supervision.allow(spec.match_seconds + 10)
    with _fifos(config, len(seats)) as fifos, contextlib.ExitStack() as stack:
        with _starting(config):
            referee = stack.enter_context(Sandbox(config, _mounts(fifos, range(len(seats))), box_mb=16))
            stack.enter_context(watched(supervision, referee))
            boxes = []
            for n in range(len(seats)):
                box = stack.enter_context(Sandbox(config, _mounts(fifos, [n]), box_mb=64, tmp_mb=16))
                stack.enter_context(watched(supervision, box))
                boxes.append(box)
        for box, seat in zip(boxes, seats, strict=True):
            box.put(seat.program.name, seat.program, executable=True)
        for n, box in enumerate(boxes):
            for end in ("brd", "act"):
                os.chown(fifos / f"{n}.{end}", box.uid, referee.uid)
                os.chmod(fifos / f"{n}.{end}", 0o660)
        referee.put(REFEREE, game.referee, executable=True)
        return _play(game, seats, seed, referee, boxes)


def _play(
    game: GameBuild, seats: Sequence[Seat], seed: int, referee: Sandbox, boxes: list[Sandbox]
) -> MatchResult:
    spec = game.spec
    names = [seat.name for seat in seats]
    argv = [
        f"./{REFEREE}",
        *names,
        *("-s", str(seed), "-f", FIFO_DIR, "-r", RESULT_FILE),
        *("-t", f"{spec.answer_seconds:g}", "-w", f"{spec.open_seconds:g}"),
    ]
    wall = spec.match_seconds
    referee_limits = Limits(
        cpu_time=REFEREE_CPU_SECONDS,
        wall_time=wall,
        memory_mb=512,
        output_bytes=MATCH_OUTPUT_BYTES,
        file_size_bytes=MATCH_OUTPUT_BYTES,
    )
    player_limits = Limits(
        cpu_time=spec.cpu_seconds,
        wall_time=wall,
        memory_mb=spec.memory_mb,
        output_bytes=spec.output_kb * 1024,
        processes=4,
    )
    runs: dict[int, RunResult] = {}
    referee_run = _Run(referee, argv, referee_limits, game.settings)
    players = [
        _Run(
            box,
            [f"./{seat.program.name}", "-s", str(seed), "-p", str(n), seat.name, *_fifo_paths(n)],
            player_limits,
            None,
        )
        for n, (box, seat) in enumerate(zip(boxes, seats, strict=True))
    ]
    referee_run.start()
    for player in players:
        player.start()
    referee_result = referee_run.finish()
    for player in players:
        player.stop_after(END_GRACE_SECONDS)
    for n, player in enumerate(players):
        runs[n] = player.finish()
    return _result(seed, names, referee, referee_result, runs)


class _Run:
    """A run on one sandbox, watched by a thread of its own (so that the referee's end can stop
    the players that are left)."""

    def __init__(self, box: Sandbox, argv: list[str], limits: Limits, stdin: Path | None) -> None:
        self.box, self.argv, self.limits, self.stdin = box, argv, limits, stdin
        self.result: RunResult | None = None
        self.pending: PendingRun | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._watch, name="verdict-game-run", daemon=True)
        self._started = threading.Event()

    def start(self) -> None:
        self._thread.start()
        self._started.wait()
        if self.error is not None:
            raise self.error

    def _watch(self) -> None:
        try:
            with sandbox_runner.stdin_fd(self.stdin) as stdin_fd:
                out_r, out_w = os.pipe()
                err_r, err_w = os.pipe()
                try:
                    self.pending = self.box.start_run(self.argv, stdin_fd, out_w, err_w, self.limits)
                finally:
                    os.close(out_w)
                    os.close(err_w)
                    self._started.set()
                self.result = wait_runs([self.pending], {id(self.pending): (out_r, err_r)})[0]
        except BaseException as error:  # reported by start() or finish()
            self.error = error
            self._started.set()

    def stop_after(self, seconds: float) -> None:
        self._thread.join(seconds)
        if self._thread.is_alive() and self.pending is not None:
            self.pending.kill()

    def finish(self) -> RunResult:
        self._thread.join()
        if self.error is not None:
            raise MatchError(f"a sandbox of the match failed: {self.error}") from self.error
        assert self.result is not None
        return self.result


def _result(
    seed: int, names: list[str], referee: Sandbox, ran: RunResult, runs: dict[int, RunResult]
) -> MatchResult:
    log = ran.stderr.decode(errors="replace")
    result = referee.read_file(RESULT_FILE, 64 * 1024)
    if not ran.ok or result is None:
        raise MatchError(f"the referee failed ({ran.status.value} {ran.message}): {log[-2000:]}")
    lines = result.decode(errors="replace").split("\n")
    rows = [line.split() for line in lines if line.strip()]
    if len(rows) != len(names) or any(len(row) != 3 for row in rows):
        raise MatchError(
            f"the referee's result file is not one 'name status score' per player: {result[:500]!r}"
        )
    said = {int(n): why for _, n, why in DEAD_LINE.findall(log)}
    players = []
    for n, (row, run) in enumerate(zip(rows, runs.values(), strict=True)):
        alive = float(row[1]) >= 0
        reason, message = ("", "") if alive else _death(run, said.get(n, ""))
        players.append(
            PlayerResult(
                name=names[n],
                score=int(row[2]),
                alive=alive,
                cpu_time=round(run.cpu_time, 3),
                reason=reason,
                message=message,
                stderr=run.stderr.decode(errors="replace"),
                exit_code=run.exit_code,
            )
        )
    return MatchResult(seed, players, ran.stdout, log, ran.wall_time)


def _death(run: RunResult, referee_says: str) -> tuple[str, str]:
    """Why a dead player died: what its sandbox stopped it for, else what the referee saw."""
    if run.status == Status.TIME_LIMIT:
        return "time", f"out of CPU time ({run.message})"
    if run.status == Status.OUTPUT_LIMIT:
        return "flood", f"wrote too much ({run.message})"
    if run.status == Status.MEMORY_LIMIT:
        return "memory", f"out of memory ({run.message})"
    if run.status == Status.RUNTIME_ERROR:
        return "crash", f"crashed: {run.message}"
    if "no answer in time" in referee_says:
        return "time", f"no answer in time ({referee_says})"
    if "longer than" in referee_says:
        return "flood", referee_says
    return "protocol", referee_says or "dead"


def _fifo_paths(n: int) -> list[str]:
    return [f"{FIFO_DIR}/{n}.brd", f"{FIFO_DIR}/{n}.act"]


def _mounts(fifos: Path, seats: Sequence[int] | range) -> list[Mount]:
    return [
        Mount(str(fifos / f"{n}.{end}"), f"{FIFO_DIR}/{n}.{end}") for n in seats for end in ("brd", "act")
    ]


@contextlib.contextmanager
def _starting(config: SandboxConfig) -> Iterator[None]:
    """One match at a time on the machine takes its slots (a lock file beside the slots' own):
    two matches each holding some slots and waiting for the others' would wait for ever. Other
    sandboxes never wait holding a slot, so the match that starts gets them all in the end."""
    config.lock_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(config.lock_dir / "match-start.lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def _fifos(config: SandboxConfig, count: int) -> Iterator[Path]:
    """A fresh directory of FIFO pairs, made before any sandbox starts (bubblewrap binds them):
    owned by root, mode 0600 until the sandboxes' uids are known. The directory is traversable,
    not listable: its name is random, and no sandbox sees the host's directories anyway."""
    parent = config.system_dir / "games"
    parent.mkdir(parents=True, exist_ok=True)
    os.chmod(parent, 0o711)
    directory = Path(tempfile.mkdtemp(dir=parent, prefix="match-"))
    try:
        os.chmod(directory, 0o711)
        for n in range(count):
            for end in ("brd", "act"):
                os.mkfifo(directory / f"{n}.{end}", 0o600)
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
