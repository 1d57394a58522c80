"""Grading a player: a submission to a game problem is accepted when it beats the Dummy.

**The rule** (Jutge: "a player must beat the Dummy to qualify"; the matches are ours). The player
is compiled with the game (its own compile errors, or a missing or invalid ``PLAYER_NAME``, are
CE with the compiler's message). Then, for each of the game's acceptance seeds
(``GameSpec.accept_seeds``, ``[1]`` unless handler.yml's ``game: accept_seeds`` says), it plays
one match in each seat against three Dummies: 4 matches per seed, the same seed in every seat, so
that no seat's luck decides. It is accepted (AC) when

1. it finishes every match alive (no crash, no time-out, no flood, no protocol error), and
2. its total score is at least the Dummies' average total (3 × its total ≥ the Dummies' sum).

Otherwise it is WA, with why: the first match it died in (and of what), or its total against the
Dummies'. With the seats rotated on one seed, a copy of the Dummy plays exactly the all-Dummy
match in each seat: its total equals the Dummies' average, so the Dummy itself is accepted (a
tie), and a player that does any better is too. Each match is one test of the result: its score,
and its status in the message; a match's own verdict is WA when the player died in it or scored
below the Dummies' average in it (the submission's verdict is the totals', as above).
"""

from __future__ import annotations

from verdict.judge.games.build import GameBuild, build_game, build_player
from verdict.judge.games.match import MatchResult, Seat, play_match
from verdict.judge.grader import GradeResult, TestResult
from verdict.judge.languages import Language
from verdict.judge.problem import Problem
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.supervision import Supervision
from verdict.judge.verdicts import Verdict

CXX_EXTENSIONS = (".cc", ".cpp", ".cxx")


class GameGrader:
    """Grades the players of one game problem; the game is built on first use (then cached)."""

    def __init__(self, problem: Problem, config: SandboxConfig) -> None:
        if problem.game is None:
            raise ValueError("not a game problem")
        self.problem = problem
        self.spec = problem.game
        self.config = config
        self._game: GameBuild | None = None

    def game(self, supervision: Supervision | None = None) -> GameBuild:
        if self._game is None:
            self._game = build_game(self.spec, self.config, supervision)
        return self._game

    def grade(self, source: bytes, language: Language, supervision: Supervision | None = None) -> GradeResult:
        if not set(language.extensions) & set(CXX_EXTENSIONS):
            return _compile_error(
                language, f"a player is a C++ program, AI<Name>.cc: it cannot be written in {language.name}"
            )
        game = self.game(supervision)
        player = build_player(game, source, self.config, supervision)
        if not player.ok or player.program is None:
            return _compile_error(language, player.message)
        me = Seat(player.name, player.program)
        dummy = Seat(self.spec.dummy, game.program(self.spec.dummy))
        matches: list[tuple[int, MatchResult]] = []
        for seed in self.spec.accept_seeds:
            for seat in range(self.spec.players):
                seats = [me if n == seat else dummy for n in range(self.spec.players)]
                matches.append((seat, play_match(game, seats, seed, self.config, supervision)))
        return judge_matches(matches, language)


def judge_matches(matches: list[tuple[int, MatchResult]], language: Language) -> GradeResult:
    """The rule of this module's docstring on played matches ((the player's seat, match) each)."""
    tests = [_test(index, seat, match) for index, (seat, match) in enumerate(matches)]
    mine = sum(match.players[seat].score for seat, match in matches)
    dummies = sum(sum(match.scores) - match.players[seat].score for seat, match in matches)
    others = len(matches[0][1].players) - 1 if matches else 1
    dead = [
        (i, match.players[seat]) for i, (seat, match) in enumerate(matches) if not match.players[seat].alive
    ]
    if dead:
        index, player = dead[0]
        verdict, message = Verdict.WA, f"died in match {index + 1} ({player.reason}): {player.message}"
    elif others * mine < dummies:
        verdict = Verdict.WA
        message = f"lost to the Dummy: {mine} points in all, the Dummies {dummies / others:g} on average"
    else:
        verdict = Verdict.AC
        message = f"beats the Dummy: {mine} points in all, the Dummies {dummies / others:g} on average"
    score = 100.0 if verdict == Verdict.AC else 0.0
    return GradeResult(verdict, score=score, tests=tests, language=language.id, message=message)


def _test(index: int, seat: int, match: MatchResult) -> TestResult:
    player = match.players[seat]
    others = " ".join(str(p.score) for n, p in enumerate(match.players) if n != seat)
    won = (len(match.players) - 1) * player.score >= sum(match.scores) - player.score
    state = f"dead ({player.reason}): {player.message}" if not player.alive else "alive"
    if player.alive and not won:
        state += ", below the Dummies' average"
    return TestResult(
        name=f"match {index + 1}: seed {match.seed}, seat {seat}",
        kind="sample",
        group="",
        verdict=Verdict.AC if player.alive and won else Verdict.WA,
        time=player.cpu_time,
        message=f"score {player.score} (the Dummies: {others}); {state}",
        score=float(player.score),
        visible=True,
    )


def _compile_error(language: Language, message: str) -> GradeResult:
    return GradeResult(Verdict.CE, score=0.0, compile_output=message, language=language.id)
