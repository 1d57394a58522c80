"""Loading Jutge game packages (``handler: game``): what the loader takes from handler.yml's
``game:`` and what it refuses, naming the file and the key. Orchard is the demo's own game."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.support.paths import ORCHARD
from verdict.judge.errors import PackageError
from verdict.judge.packages import load_package

pytestmark = pytest.mark.unit


def copy_with(tmp_path: Path, game: dict[str, object] | None = None, **top: object) -> Path:
    """A copy of Orchard whose handler.yml has these `game:` keys (and top-level keys)."""
    package = Path(shutil.copytree(ORCHARD, tmp_path / "orchard.pbm"))
    handler = yaml.safe_load((package / "handler.yml").read_text())
    handler["game"].update(game or {})
    handler.update(top)
    (package / "handler.yml").write_text(yaml.safe_dump(handler))
    return package


def test_the_games_limits_default_to_jutges_and_can_be_set(tmp_path: Path) -> None:
    default = load_package(ORCHARD).game
    assert default is not None
    assert (default.cpu_seconds, default.answer_seconds, default.open_seconds) == (1.0, 2.0, 10.0)
    assert default.accept_seeds == (1,) and default.settings == "default.cnf"
    package = copy_with(tmp_path, {"cpu_time": 2, "memory": 128, "accept_seeds": [3, 4], "output": 64})
    game = load_package(package).game
    assert game is not None
    assert (game.cpu_seconds, game.answer_seconds, game.memory_mb, game.output_kb) == (2.0, 4.0, 128, 64)
    assert game.accept_seeds == (3, 4)


@pytest.mark.parametrize(
    ("game", "words"),
    [
        ({"hide": ["../Board.cc"]}, "'game.hide' names '../Board.cc'"),
        ({"settings": "nothing.cnf"}, "'game.settings' names 'nothing.cnf'"),
        ({"dummy": "Nobody"}, "AINobody.cc"),
        ({"dummy": "../x"}, "'game.dummy'"),
        ({"accept_seeds": ["x"]}, "'game.accept_seeds'"),
        ({"cpu_time": -1}, "'game.cpu_time' must be positive"),
    ],
)
def test_a_bad_game_key_is_refused_by_name(tmp_path: Path, game: dict[str, object], words: str) -> None:
    with pytest.raises(PackageError, match=words.replace("(", r"\(").replace(".", r"\.")):
        load_package(copy_with(tmp_path, game))


def test_a_game_without_its_runner_is_refused(tmp_path: Path) -> None:
    package = copy_with(tmp_path)
    shutil.rmtree(package / "Runner")
    with pytest.raises(PackageError, match="Runner/ with the game's Makefile"):
        load_package(package)


def test_the_students_copy_loads_from_the_objects(tmp_path: Path) -> None:
    """Without the hidden sources (the students' copy), the Dummy comes from Obj/."""
    package = copy_with(tmp_path)
    for name in ("Board.cc", "AIDummy.cc"):
        (package / "Runner" / name).unlink()
    game = load_package(package).game
    assert game is not None and game.dummy == "Dummy"
