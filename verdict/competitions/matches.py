"""What a competition needs of the game side: a :class:`MatchRunner` plays one match.

The runner is the game's business (``verdict.judge.games``: the game and each player built and
run in their own sandboxes); competitions only say who plays, with which seed, and store what
came out. A test passes a deterministic fake, or a plain unsandboxed ``Game`` (tests only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

DUMMY = "Dummy"  # the game's own player, which pads a match to four seats
SEATS = 4


@dataclass(frozen=True)
class GameRef:
    """The game a match is played with: a problem version and its extracted package folder."""

    problem_id: str
    version_id: int
    package: Path  # holds Runner/, Obj/, Viewer/


@dataclass(frozen=True)
class PlayerRef:
    """A seat's player: a participant's source, or the game's Dummy (source None)."""

    name: str
    source: str | None = None
    language: str | None = None

    @property
    def is_dummy(self) -> bool:
        return self.source is None


@dataclass
class SeatOutcome:
    score: int
    dead: bool = False
    reason: str = ""  # why it died ("no answer in time", ...)
    cpu_seconds: float = 0.0


@dataclass
class MatchOutcome:
    """One played match: a seat outcome per seat in seat order, and the match file (the viewer's
    input, the game's standard output)."""

    seats: list[SeatOutcome]
    output: bytes = b""
    log: str = field(default="", repr=False)  # the referee's standard error, for the staff


class MatchFailed(Exception):
    """The match could not be played at all (the game does not build, the referee crashed): not
    any player's fault. The match is retried, then given up as an error."""


class MatchRunner(Protocol):
    def play(self, game: GameRef, players: Sequence[PlayerRef], seed: int) -> MatchOutcome:
        """Plays one match, ``players`` in seat order, deterministic given ``seed``. Raises
        MatchFailed when the match could not be played."""
        ...
