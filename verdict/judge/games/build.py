"""Building a game and its players, in the sandbox, cached by content.

**The game** is built once per package version: its ``Runner/`` and ``Obj/`` are copied into a
compile sandbox and ``make SecGame AI<Dummy>.exe`` runs there (the Makefile is the teacher's, but
a package is not trusted more than a compile is). What is kept (``GameBuild.files``): the referee
``SecGame``, the Dummy's program, the game's objects and every Runner file but the hidden
sources, so that building a player never sees them.

**A player** is the student's ``AI<Name>.cc``, compiled by the game's own Makefile (``make
AI<Name>.exe``) in a sandbox holding that kit: the objects are touched first so that make only
compiles the player and links it. The compiler's messages are the compile error. Both caches live
in ``SandboxConfig.cache_dir / "games"``, keyed by sha256 of what determines the result (the
package's files, the g++ version; for a player, also its source), staged and renamed into place as
``verdict.judge.compiler`` does.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from verdict.judge.compiler import COMPILE_BOX_MB, COMPILE_LIMITS
from verdict.judge.errors import JudgeError
from verdict.judge.problem import GameSpec
from verdict.judge.sandbox import MiB, RunResult, Sandbox, SandboxConfig, Status
from verdict.judge.supervision import Supervision, watched

MAX_BUILD_BYTES = 128 * MiB
MAX_MESSAGE_CHARS = 8000
PLAYER_NAME = re.compile(
    r"^[ \t]*#[ \t]*define[ \t]+PLAYER_NAME[ \t]+(\S*?)[ \t]*(?://.*|/\*.*)?$", re.MULTILINE
)
VALID_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,11}$")
REFEREE = "SecGame"


class GameBuildError(JudgeError):
    """The game itself does not build: the package is broken (an internal error, not the student's)."""


@dataclass(frozen=True)
class GameBuild:
    """A built game: ``files`` holds SecGame, AI<Dummy>.exe, the objects and the public Runner files."""

    spec: GameSpec
    key: str
    files: Path

    @property
    def referee(self) -> Path:
        return self.files / REFEREE

    @property
    def settings(self) -> Path:
        return self.files / self.spec.settings

    def program(self, name: str) -> Path:
        return self.files / f"AI{name}.exe"


@dataclass(frozen=True)
class PlayerBuild:
    """A player compiled with a game: its program, or why not (``message``, the compile error)."""

    name: str
    ok: bool
    program: Path | None
    message: str = ""
    cached: bool = False


def player_name(source: str) -> tuple[str, str]:
    """(name, "") from the source's ``#define PLAYER_NAME <Name>``, or ("", why not)."""
    found = PLAYER_NAME.findall(source)
    if not found:
        return "", "the player has no line #define PLAYER_NAME <Name>"
    if len(set(found)) > 1:
        return "", f"the player defines PLAYER_NAME more than once ({', '.join(found[:4])})"
    name = found[0]
    if not VALID_NAME.match(name):
        return "", (
            f"PLAYER_NAME {name[:40]!r} is not a valid player name: a letter, then letters, digits or _, "
            "at most 12 characters"
        )
    return name, ""


def gcc_version() -> str:
    """What the cache keys hold of the compiler: a new g++ is a new build."""
    try:
        done = subprocess.run(["g++", "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.splitlines()[0] if done.stdout else ""


def package_key(spec: GameSpec) -> str:
    """sha256 of the game's files (Runner/, Obj/), its hidden list and the compiler."""
    digest = hashlib.sha256()
    for folder in (spec.runner, spec.obj):
        if folder is None:
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(f"{folder.name}/{path.relative_to(folder)}\0{path.stat().st_size}\0".encode())
                digest.update(path.read_bytes())
    digest.update(json.dumps([spec.hidden, spec.dummy, gcc_version()]).encode())
    return digest.hexdigest()


def build_game(spec: GameSpec, config: SandboxConfig, supervision: Supervision | None = None) -> GameBuild:
    """The game built once per content (cached); GameBuildError when it does not build."""
    key = package_key(spec)
    entry = config.cache_dir / "games" / key[:2] / key
    if (entry / "built").is_dir():
        return GameBuild(spec, key, entry / "built")
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}.", suffix=".tmp", dir=entry.parent))
    try:
        if supervision is not None:
            supervision.allow(COMPILE_LIMITS.wall)
        with Sandbox(config, box_mb=COMPILE_BOX_MB) as box, watched(supervision, box):
            box.put_tree(spec.runner, "Runner")
            if spec.obj is not None:
                box.put_tree(spec.obj, "Obj")
            result = box.run(
                ["/usr/bin/make", "-s", "-j2", REFEREE, f"AI{spec.dummy}.exe"],
                limits=COMPILE_LIMITS,
                cwd="/box/Runner",
            )
            if not result.ok:
                raise GameBuildError(f"the game does not build: {compiler_message(result)}")
            built = staging / "built"
            _take(box, "Runner", built, keep=lambda name: name not in spec.hidden and name != "Makefile.deps")
        _publish(staging, entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return GameBuild(spec, key, entry / "built")


def build_player(
    game: GameBuild, source: bytes, config: SandboxConfig, supervision: Supervision | None = None
) -> PlayerBuild:
    """The student's player compiled with the game, cached by (game, source)."""
    name, why = player_name(source.decode(errors="replace"))
    if not name:
        return PlayerBuild("", False, None, why)
    key = hashlib.sha256(f"{game.key}\0{name}\0".encode() + source).hexdigest()
    entry = config.cache_dir / "games" / "players" / key[:2] / key
    cached = _cached_player(entry, name)
    if cached is not None:
        return cached
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}.", suffix=".tmp", dir=entry.parent))
    program = f"AI{name}.exe"
    try:
        if supervision is not None:
            supervision.allow(COMPILE_LIMITS.wall)
        with Sandbox(config, box_mb=COMPILE_BOX_MB) as box, watched(supervision, box):
            _plant_kit(box, game, name)
            box.put(f"Runner/AI{name}.cc", source)
            # Objects touched after the sources: make compiles the player alone, and links it.
            script = f"touch -c *.o && exec make -s {program}"
            result = box.run(["/bin/sh", "-c", script], limits=COMPILE_LIMITS, cwd="/box/Runner")
            ok = result.ok and box.exists(f"Runner/{program}")
            message = compiler_message(result) if not ok else ""
            if ok:
                (staging / program).write_bytes(box.get(f"Runner/{program}", MAX_BUILD_BYTES))
                os.chmod(staging / program, 0o755)
        (staging / "result.json").write_text(json.dumps({"name": name, "ok": ok, "message": message}))
        _publish(staging, entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PlayerBuild(name, ok, entry / program if ok else None, message)


def _plant_kit(box: Sandbox, game: GameBuild, name: str) -> None:
    """The built game but the referee and the other players' programs and sources, so that make
    has the objects to link and nothing else to look at."""
    for path in sorted(game.files.iterdir()):
        if path.is_file() and path.name != REFEREE and not path.name.startswith("AI"):
            box.put(f"Runner/{path.name}", path)


def _cached_player(entry: Path, name: str) -> PlayerBuild | None:
    try:
        meta = json.loads((entry / "result.json").read_text())
    except (OSError, ValueError):
        return None
    program = entry / f"AI{name}.exe"
    return PlayerBuild(name, meta["ok"], program if meta["ok"] else None, meta["message"], cached=True)


def compiler_message(result: RunResult) -> str:
    """The compiler's messages (make's own lines left out), or why the compile was stopped."""
    lines = (result.stderr + result.stdout).decode(errors="replace").splitlines()
    text = "\n".join(line for line in lines if not line.startswith(("make: ", "make[")))
    reasons = {
        Status.TIME_LIMIT: "compilation took too long",
        Status.WALL_LIMIT: "compilation took too long",
        Status.MEMORY_LIMIT: "the compiler ran out of memory",
        Status.OUTPUT_LIMIT: "the compiler wrote too much",
    }
    reason = reasons.get(result.status, "")
    return (f"{text.strip()}\n{reason}".strip() or result.message or "the compile failed")[:MAX_MESSAGE_CHARS]


def _take(box: Sandbox, name: str, target: Path, keep: Callable[[str], bool]) -> None:
    """The box's top-level files of /box/<name> copied to target (those `keep` accepts)."""
    target.mkdir(parents=True)
    total = 0
    for relative in box.files.list_tree(name):
        if "/" in relative or not keep(relative):
            continue
        data = box.get(f"{name}/{relative}", MAX_BUILD_BYTES - total)
        total += len(data)
        path = target / relative
        path.write_bytes(data)
        os.chmod(path, 0o755 if relative.endswith(".exe") or relative == REFEREE else 0o644)


def _publish(staging: Path, entry: Path) -> None:
    """Renamed into place; a concurrent build that got there first wins (the same result)."""
    try:
        os.rename(staging, entry)
    except OSError as error:
        if error.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
