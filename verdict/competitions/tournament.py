"""The tournament rules (README, "Competitions"), as pure functions of seeds and results.

- A round's seed derives from the competition's seed and the round's number; the draw and every
  match seed derive from the round's seed: a round undone and played again is the same round.
- Each round has TURNS turns. In each, the remaining players are shuffled into ceil(n / 4)
  matches of as even sizes as possible, padded to four seats with Dummies, seats shuffled.
- A match gives each seat one point per seat with a strictly lower score (3, 2, 1, 0; ties
  share the higher), Dummies included.
- A round's standing: match points summed, then game scores summed, then the player's name.
- After a round with more than four players, the bottom half (n // 2, at least one) is
  eliminated. A round with four players or fewer is the final: its standing is the final one.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass

from verdict.competitions.matches import SEATS

TURNS = 3  # turns per round: each remaining player plays TURNS matches a round
SEED_LIMIT = 2**31  # seeds given to the game (`-s`): an int


def derive_seed(*parts: object) -> int:
    """A seed in [1, 2**31) from its parts, the same on any machine and Python."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") % (SEED_LIMIT - 1) + 1


def round_seed(competition_seed: int, number: int) -> int:
    return derive_seed("round", competition_seed, number)


@dataclass(frozen=True)
class DrawnMatch:
    turn: int  # 1-based
    position: int  # 1-based within the turn
    seats: tuple[int | None, ...]  # participant ids in seat order, None for a Dummy
    seed: int


def draw(participants: Sequence[int], seed: int, turns: int = TURNS) -> list[DrawnMatch]:
    """The matches of a round of ``participants`` (ids), all from ``seed``."""
    if not participants:
        return []
    rng = random.Random(seed)
    ordered = sorted(participants)
    count = -(-len(ordered) // SEATS)
    matches = []
    for turn in range(1, turns + 1):
        players = list(ordered)
        rng.shuffle(players)
        for position in range(1, count + 1):
            seats: list[int | None] = list(players[position - 1 :: count])
            seats += [None] * (SEATS - len(seats))
            rng.shuffle(seats)
            matches.append(DrawnMatch(turn, position, tuple(seats), rng.randrange(1, SEED_LIMIT)))
    return matches


def match_points(scores: Sequence[int]) -> list[int]:
    """Each seat's points: how many seats scored strictly less."""
    return [sum(other < score for other in scores) for score in scores]


@dataclass
class Standing:
    participant_id: int
    name: str
    points: int = 0
    score: int = 0
    matches: int = 0


def standings(rows: Sequence[Standing]) -> list[Standing]:
    """Best first: points, then score, then name."""
    return sorted(rows, key=lambda row: (-row.points, -row.score, row.name))


def eliminated_count(players: int) -> int:
    """How many leave after a round of ``players``: none in the final (four or fewer)."""
    return 0 if players <= SEATS else max(1, players // 2)


def is_final(players: int) -> bool:
    return players <= SEATS
