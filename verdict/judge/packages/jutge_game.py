"""The handler.yml keys of Jutge's game problems (``handler: game``).

A game package holds ``Runner/`` (the game's C++ sources, its Makefile and ``default.cnf``),
``Obj/`` (the hidden sources precompiled, ``<File>.o.Linux64``), ``Viewer/`` and ``Doc/`` (the
statement). Jutge's one key is ``game: hide``, the Runner files never shown to students; they are
used to build the game, and when one is absent the Makefile takes its object from ``Obj/``.

Our own keys under ``game:`` (Jutge's game runner has them as constants in ``SecGame.hh``;
a package without them gets Jutge's values), all optional:

- ``cpu_time``: each player's CPU seconds for a whole match (``TIME_LIMIT``, 1 s);
- ``answer_time``: wall seconds to answer one round (``SecGame -t``, 2 × cpu_time);
- ``open_time``: wall seconds to open the FIFOs (``SecGame -w``, 10 s);
- ``match_time``: wall seconds of a whole match (120 s);
- ``memory``: each player's memory in MB (256);
- ``output``: each player's standard output in KB before it is a flood (1024);
- ``settings``: the settings file in Runner/ (``default.cnf``);
- ``dummy``: the reference player's name (``Dummy``);
- ``accept_seeds``: the seeds of the acceptance matches (``[1]``; see `verdict.judge.games.accept`).
"""

from __future__ import annotations

import re
from pathlib import Path

from verdict.judge.errors import PackageError
from verdict.judge.packages.common import Fields, brief
from verdict.judge.problem import GameSpec

HANDLER = "game"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,11}$")
_DOC_STATEMENT = re.compile(r"^problem\.([a-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\.(tex|md|html)$")


def game_spec(root: Path, handler: Fields) -> GameSpec:
    """The game of a handler.yml whose handler is ``game``; the package must hold Runner/."""
    runner = root / "Runner"
    if not (runner / "Makefile").is_file():
        raise PackageError(runner, "a game package needs Runner/ with the game's Makefile")
    game = handler.mapping("game")
    hidden = tuple(game.words("hide") or [])
    for name in hidden:
        if "/" in name or name in ("", ".", ".."):
            raise game.error("hide", f"names {brief(name)}: a file of Runner/, without folders")
    settings = game.string("settings", "default.cnf") or "default.cnf"
    if "/" in settings or not (runner / settings).is_file():
        raise game.error("settings", f"names {brief(settings)}, which is not in Runner/")
    dummy = game.string("dummy", "Dummy") or "Dummy"
    if not _NAME.match(dummy):
        raise game.error("dummy", f"is {brief(dummy)}: a player name (a letter, then letters or digits)")
    if not (runner / f"AI{dummy}.cc").is_file() and not _object(root, f"AI{dummy}"):
        raise PackageError(runner, f"no AI{dummy}.cc nor Obj/AI{dummy}.o.Linux64: the Dummy is missing")
    cpu = game.positive("cpu_time", 1.0) or 1.0
    return GameSpec(
        runner=runner,
        obj=root / "Obj" if (root / "Obj").is_dir() else None,
        viewer=root / "Viewer" if (root / "Viewer").is_dir() else None,
        hidden=hidden,
        settings=settings,
        dummy=dummy,
        cpu_seconds=cpu,
        answer_seconds=game.positive("answer_time", 2 * cpu) or 2 * cpu,
        open_seconds=game.positive("open_time", 10.0) or 10.0,
        match_seconds=game.positive("match_time", 120.0) or 120.0,
        memory_mb=int(game.positive("memory", 256) or 256),
        output_kb=int(game.positive("output", 1024) or 1024),
        accept_seeds=_seeds(game),
    )


def _seeds(game: Fields) -> tuple[int, ...]:
    words = game.words("accept_seeds") or ["1"]
    if not all(word.isdigit() for word in words) or len(words) > 16:
        raise game.error("accept_seeds", "must be a list of at most 16 non-negative integers")
    return tuple(int(word) for word in words)


def _object(root: Path, name: str) -> bool:
    return (root / "Obj" / f"{name}.o.Linux64").is_file() or (root / "Runner" / f"{name}.o.Linux64").is_file()


def doc_statements(root: Path) -> dict[str, Path]:
    """A game's statements are in Doc/ (``problem.<lang>.tex``, ``.md`` or ``.html``), the LaTeX
    one first, as at the package's top level."""
    found: dict[str, Path] = {}
    doc = root / "Doc"
    if not doc.is_dir():
        return found
    priority = ("tex", "md", "html")
    for path in sorted(doc.iterdir()):
        match = _DOC_STATEMENT.match(path.name)
        if not match or not path.is_file():
            continue
        lang, ext = match.group(1), match.group(2)
        current = found.get(lang)
        if current is None or priority.index(ext) < priority.index(current.suffix[1:]):
            found[lang] = path
    return found
