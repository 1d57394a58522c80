"""Match runners for the competition tests: a deterministic fake, and the plain ``Game`` of a
game package built in a temporary folder (unsandboxed: tests only; the platform's runner is the
sandboxed one of ``verdict.judge.games``)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from verdict.competitions.matches import GameRef, MatchFailed, MatchOutcome, PlayerRef, SeatOutcome

SCORE_LINE = re.compile(r"^info: player (\S+) got score (-?\d+)$", re.MULTILINE)


class FakeRunner:
    """Scores from a hash of the seed and the player's name (a player named Weak* always scores
    less than any other): deterministic, instant. Counts the matches it played by seed."""

    def __init__(self) -> None:
        self.played: Counter[int] = Counter()
        self.fail_seeds: set[int] = set()

    def play(self, game: GameRef, players: Sequence[PlayerRef], seed: int) -> MatchOutcome:
        self.played[seed] += 1
        if seed in self.fail_seeds:
            raise MatchFailed("the referee crashed")
        seats = []
        for number, player in enumerate(players):
            digest = hashlib.sha256(f"{seed}:{number}:{player.name}".encode()).digest()
            base = 0 if player.name.startswith("Weak") or player.is_dummy else 1000
            seats.append(SeatOutcome(score=base + digest[0], cpu_seconds=0.01))
        names = " ".join(player.name for player in players)
        return MatchOutcome(seats, f"Game\n\nSeed {seed}\n\nnames {names}\n".encode())


class PlainGameRunner:
    """The package's plain ``Game`` with every player's ``AI<Name>.cc`` linked in, built (make)
    in ``work`` and rebuilt when a new player turns up."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self._lock = threading.Lock()
        self.played = 0

    def _runner(self, game: GameRef, players: Sequence[PlayerRef]) -> Path:
        folder = self.work / f"v{game.version_id}" / "Runner"
        with self._lock:
            if not folder.is_dir():
                shutil.copytree(game.package / "Runner", folder)
                shutil.copytree(game.package / "Obj", folder.parent / "Obj")
            added = False
            for player in players:
                source = folder / f"AI{player.name}.cc"
                if not player.is_dummy and not source.exists():
                    source.write_text(player.source or "")
                    added = True
            if added or not (folder / "Game").exists():
                built = subprocess.run(
                    ["make", "-j2", "Game"],
                    cwd=folder,
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
                if built.returncode != 0:
                    raise MatchFailed(f"the game does not build: {built.stderr[-2000:]}")
        return folder

    def play(self, game: GameRef, players: Sequence[PlayerRef], seed: int) -> MatchOutcome:
        folder = self._runner(game, players)
        names = [player.name for player in players]
        with (folder / "default.cnf").open("rb") as settings:
            done = subprocess.run(
                ["./Game", *names, "-s", str(seed)],
                cwd=folder,
                stdin=settings,
                capture_output=True,
                timeout=120,
                check=False,
            )
        if done.returncode != 0:
            raise MatchFailed(f"Game exited with {done.returncode}: {done.stderr.decode()[-2000:]}")
        errors = done.stderr.decode(errors="replace")
        found = SCORE_LINE.findall(errors)
        if [name for name, _ in found] != names:
            raise MatchFailed(f"Game gave no score for every seat: {errors[-2000:]}")
        self.played += 1
        return MatchOutcome([SeatOutcome(score=int(score)) for _, score in found], done.stdout, errors)
