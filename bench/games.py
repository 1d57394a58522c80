"""The sandbox's overhead on a game match (issue 16): Orchard, the Demo against three Dummies, on
the same seeds, played two ways:

- bare: the game's own ``Game`` (every player linked in, one process), built with ``make`` in a
  temporary copy of Runner/, as tests/judge/test_demo_game.py does;
- sandboxed: ``verdict.judge.games.play_match``: the referee ``SecGame`` and each player in a
  sandbox of its own, joined by FIFOs (five bubblewrap sandboxes started per match).

Printed per seed: the wall time of each, and for the sandboxed match each player's CPU time; then
the medians and the overhead (sandboxed − bare). Both must give the same scores (checked). Needs
root (the sandbox), g++ and make.

    .venv/bin/python bench/games.py [--seeds 5] [--slots 8]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from verdict.judge.games.build import build_game, build_player
from verdict.judge.games.match import Seat, play_match
from verdict.judge.packages import load_package
from verdict.judge.sandbox import SandboxConfig, check_available

ROOT = Path(__file__).resolve().parent.parent
ORCHARD = ROOT / "verdict" / "demo" / "packages" / "orchard.pbm"
NAMES = ["Demo", "Dummy", "Dummy", "Dummy"]
SCORE = re.compile(r"^info: player (\S+) got score (-?\d+)$", re.MULTILINE)


def bare_game(folder: Path) -> Path:
    shutil.copytree(ORCHARD / "Runner", folder / "Runner")
    shutil.copytree(ORCHARD / "Obj", folder / "Obj")
    subprocess.run(["make", "-s", "-j2", "Game"], cwd=folder / "Runner", check=True, capture_output=True)
    return folder / "Runner"


def play_bare(runner: Path, seed: int) -> tuple[float, list[int]]:
    started = time.perf_counter()
    with (runner / "default.cnf").open("rb") as settings:
        done = subprocess.run(
            ["./Game", *NAMES, "-s", str(seed)], cwd=runner, stdin=settings, capture_output=True, check=True
        )
    seconds = time.perf_counter() - started
    return seconds, [int(score) for _, score in SCORE.findall(done.stderr.decode())]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--slots", type=int, default=8)
    args = parser.parse_args()
    if reason := check_available():
        print(f"sandbox unavailable: {reason}")
        return 1
    problem = load_package(ORCHARD)
    assert problem.game is not None
    with tempfile.TemporaryDirectory(prefix="verdict-bench-games-") as tmp:
        config = SandboxConfig(cache_dir=Path(tmp) / "cache", slots=args.slots)
        started = time.perf_counter()
        game = build_game(problem.game, config)
        demo = build_player(game, (ORCHARD / "Runner" / "AIDemo.cc").read_bytes(), config)
        assert demo.program is not None, demo.message
        print(f"game and Demo built in the sandbox in {time.perf_counter() - started:.1f} s")
        runner = bare_game(Path(tmp) / "bare")
        dummy = Seat("Dummy", game.program("Dummy"))
        seats = [Seat("Demo", demo.program), dummy, dummy, dummy]
        bare_times, boxed_times = [], []
        print(f"{'seed':>6} {'bare s':>8} {'sandboxed s':>12}  scores            players' CPU s")
        for seed in range(1, args.seeds + 1):
            bare, bare_scores = play_bare(runner, seed)
            started = time.perf_counter()
            match = play_match(game, seats, seed, config)
            boxed = time.perf_counter() - started
            assert match.scores == bare_scores, (seed, match.scores, bare_scores)
            bare_times.append(bare)
            boxed_times.append(boxed)
            cpu = " ".join(f"{p.cpu_time:.3f}" for p in match.players)
            scores = " ".join(str(s) for s in match.scores)
            print(f"{seed:>6} {bare:>8.3f} {boxed:>12.3f}  {scores:<17} {cpu}")
        bare_median, boxed_median = statistics.median(bare_times), statistics.median(boxed_times)
        print(
            f"median: bare {bare_median:.3f} s, sandboxed {boxed_median:.3f} s, "
            f"overhead {boxed_median - bare_median:.3f} s per match "
            f"({(boxed_median - bare_median) / len(seats):.3f} s per player)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
