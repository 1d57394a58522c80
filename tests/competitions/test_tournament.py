"""The tournament rules (README, "Competitions") as pure functions."""

from __future__ import annotations

from collections import Counter

import pytest

from verdict.competitions import tournament
from verdict.judge.games.build import player_name

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("players", [1, 3, 4, 5, 7, 8, 9, 16, 17, 64])
def test_each_turn_seats_everyone_once_in_even_matches_padded_with_dummies(players: int) -> None:
    drawn = tournament.draw(list(range(100, 100 + players)), seed=42)
    per_turn = -(-players // 4)
    assert len(drawn) == tournament.TURNS * per_turn
    for turn in range(1, tournament.TURNS + 1):
        matches = [m for m in drawn if m.turn == turn]
        assert [m.position for m in matches] == list(range(1, per_turn + 1))
        seated = [p for m in matches for p in m.seats if p is not None]
        assert sorted(seated) == list(range(100, 100 + players))
        sizes = [sum(p is not None for p in m.seats) for m in matches]
        assert all(len(m.seats) == 4 for m in matches) and max(sizes) - min(sizes) <= 1


def test_the_draw_is_a_function_of_its_seed() -> None:
    players = list(range(1, 17))
    assert tournament.draw(players, 7) == tournament.draw(list(reversed(players)), 7)
    assert tournament.draw(players, 7) != tournament.draw(players, 8)
    seeds = [m.seed for m in tournament.draw(players, 7)]
    assert len(set(seeds)) == len(seeds) and all(1 <= s < tournament.SEED_LIMIT for s in seeds)
    assert tournament.round_seed(5, 2) == tournament.round_seed(5, 2) != tournament.round_seed(5, 3)
    # Turns mix the players: not the same four together every turn.
    drawn = tournament.draw(players, 7)
    together = Counter(frozenset(m.seats) for m in drawn)
    assert max(together.values()) < tournament.TURNS


def test_match_points_rank_the_seats_and_ties_share() -> None:
    assert tournament.match_points([10, 40, 20, 30]) == [0, 3, 1, 2]
    assert tournament.match_points([5, 5, 1, 9]) == [1, 1, 0, 3]
    assert tournament.match_points([0, 0, 0, 0]) == [0, 0, 0, 0]


def test_the_bottom_half_leaves_until_a_final_of_four_or_fewer() -> None:
    assert [tournament.eliminated_count(n) for n in (1, 4, 5, 6, 8, 9, 16, 64)] == [0, 0, 2, 3, 4, 4, 8, 32]
    sizes, n = [], 64
    while not tournament.is_final(n):
        n -= tournament.eliminated_count(n)
        sizes.append(n)
    assert sizes == [32, 16, 8, 4]


def test_standings_order_points_then_score_then_name() -> None:
    rows = [
        tournament.Standing(1, "b", points=3, score=10),
        tournament.Standing(2, "a", points=3, score=10),
        tournament.Standing(3, "c", points=3, score=11),
        tournament.Standing(4, "d", points=4, score=0),
    ]
    assert [row.name for row in tournament.standings(rows)] == ["d", "c", "a", "b"]


def test_the_player_name_comes_from_its_define_by_the_judges_rule() -> None:
    """One parser for the grading and the competitions (verdict.judge.games.build)."""
    assert player_name("#include <x>\n#define PLAYER_NAME Zoe  // me\nstruct PLAYER_NAME {};") == ("Zoe", "")
    assert player_name("  #  define PLAYER_NAME Al_2\n") == ("Al_2", "")
    assert player_name("// #define PLAYER_NAME X\nint main(){}")[0] == ""
    assert player_name("int x;")[0] == ""
    assert "at most 12 characters" in player_name("#define PLAYER_NAME Thirteen_char\n")[1]
