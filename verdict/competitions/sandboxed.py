"""The competitions' match runner on the judge's sandboxed matches (``verdict.judge.games``):
the referee and each player in a sandbox of their own, joined only by the game's FIFOs.

Builds are cached by content (the game per package, a player per source), so a round costs one
compile per new player and then its matches."""

from __future__ import annotations

from collections.abc import Sequence

from verdict.competitions.matches import GameRef, MatchFailed, MatchOutcome, PlayerRef, SeatOutcome
from verdict.judge.errors import JudgeError
from verdict.judge.games.build import GameBuild, build_game, build_player
from verdict.judge.games.match import Seat, play_match
from verdict.judge.packages import load_package
from verdict.judge.sandbox import SandboxConfig


class SandboxedMatchRunner:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config

    def play(self, game: GameRef, players: Sequence[PlayerRef], seed: int) -> MatchOutcome:
        try:
            build = self._game(game)
            seats = [self._seat(build, player) for player in players]
            result = play_match(build, seats, seed, self.config)
        except JudgeError as error:  # the referee or a build failed: nobody's fault
            raise MatchFailed(str(error)) from error
        return MatchOutcome(
            [
                SeatOutcome(player.score, not player.alive, player.message or player.reason, player.cpu_time)
                for player in result.players
            ],
            result.output,
            result.referee_log,
        )

    def _game(self, game: GameRef) -> GameBuild:
        spec = load_package(game.package).game
        if spec is None:
            raise MatchFailed(f"problem {game.problem_id} is not a game")
        return build_game(spec, self.config)

    def _seat(self, build: GameBuild, player: PlayerRef) -> Seat:
        if player.is_dummy:
            return Seat(build.spec.dummy, build.program(build.spec.dummy))
        built = build_player(build, (player.source or "").encode(), self.config)
        if not built.ok or built.program is None:  # it was accepted once: the game changed since
            raise MatchFailed(f"player {player.name} does not build with this game: {built.message}")
        return Seat(built.name, built.program)
