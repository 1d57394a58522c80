"""The one internal model of a problem package, whatever its on-disk format (Kattis or Jutge)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from verdict.judge.quiz_model import Quiz
from verdict.judge.time_limits import ClassFactors


class TestKind(StrEnum):
    __test__ = False  # not a pytest test class
    SAMPLE = "sample"  # shown in the statement, run first
    PUBLIC = "public"  # visible to students (Jutge public*)
    HINT = "hint"  # revealed to the student when failed (Jutge hint*)
    SECRET = "secret"  # never exposed


@dataclass(frozen=True)
class TestOps:
    """A test's limit overrides (Jutge's .ops: --maxtime, --maxmem, --maxoutput); None: not set."""

    __test__ = False  # not a pytest test class
    time_limit: float | None = None
    memory_limit_mb: int | None = None
    output_limit_mb: int | None = None


@dataclass
class TestCase:
    __test__ = False  # not a pytest test class
    name: str  # unique within the problem, e.g. "sample/1" or "secret/group1/03" or "sample-1"
    input_path: Path
    answer_path: Path
    kind: TestKind
    group: str = ""  # scoring group ("" = none); Kattis group path or Jutge scores.yml part
    interaction_path: Path | None = None  # Kattis .interaction sample (display only)
    time_limit: float | None = None  # per-test override (Jutge .ops --maxtime)
    memory_limit_mb: int | None = None  # per-test override (Jutge .ops --maxmem)
    output_limit_mb: int | None = None  # per-test override (Jutge .ops --maxoutput)
    # Jutge's <test>.<compiler id>.ops: the same overrides for one compiler, after the test's own.
    compiler_ops: dict[str, TestOps] = field(default_factory=dict)

    def for_compiler(self, compiler: str) -> TestOps:
        """The test's limits as one compiler gets them (its own .ops override the test's)."""
        own = self.compiler_ops.get(compiler, TestOps())
        return TestOps(
            own.time_limit if own.time_limit is not None else self.time_limit,
            own.memory_limit_mb if own.memory_limit_mb is not None else self.memory_limit_mb,
            own.output_limit_mb if own.output_limit_mb is not None else self.output_limit_mb,
        )

    @property
    def visible(self) -> bool:
        return self.kind in (TestKind.SAMPLE, TestKind.PUBLIC)


@dataclass
class CheckerSpec:
    """How outputs are judged.

    kind: "std" | "loosy" | "epsilon" | "elastic" | "elastic2" | "kattis-default" | "kattis-custom"
          | "testlib" | "external"
    options: the checker's own options (Jutge handler.yml keys, or Kattis validator_flags parsed into
             a dict such as {"float_relative_tolerance": 1e-6, "case_sensitive": True}).
    source: path of the custom validator/checker program (file, or directory for Kattis validators).
    """

    kind: str = "std"
    options: dict[str, object] = field(default_factory=dict)
    source: Path | None = None
    presentation_error: bool = True  # Jutge: False turns PE into WA


@dataclass
class TestGroup:
    __test__ = False  # not a pytest test class
    """A scoring group (Kattis test group, or a Jutge scores.yml part)."""

    name: str
    points: float
    aggregation: str = "sum"  # "sum" | "min"
    on_reject: str = "break"  # "break" | "continue"
    prefix: str = ""  # Jutge: tests whose name starts with this prefix


@dataclass
class BundledSubmission:
    path: Path
    expected: str  # verdict code: AC, WA, PE, TLE, RE, MLE, OLE, CE, SC (partial), "AC|SC" ...
    score: float | None = None  # expected score, when the package says


@dataclass(frozen=True)
class GraphicSpec:
    """A graphic problem (Jutge ``handler: graphic``): the program draws an image file, judged by
    `verdict.judge.graphic` against each test's expected image (its answer file, a PNG)."""

    image_name: str = "output.png"  # what the program writes in its working directory
    tolerance: float | None = None  # Jutge handler.yml `tolerance`: normalized RMSE still AC


@dataclass(frozen=True)
class GameSpec:
    """A game problem (Jutge ``handler: game``): a submission is a player, built with the game's
    ``Runner/`` and judged by playing matches against the Dummy (`verdict.judge.games`).

    ``hidden`` (handler.yml ``game: hide``) are Runner files never shown to students; the build
    takes ``Obj/<File>.o.Linux64`` when their source is absent. The limits are ours, from
    handler.yml's ``game:`` keys (see `verdict.judge.packages.jutge_game`)."""

    runner: Path  # Runner/: the game's sources, Makefile and settings
    obj: Path | None  # Obj/: the hidden files precompiled, per platform
    viewer: Path | None  # Viewer/: the page that replays a match's output
    hidden: tuple[str, ...] = ()
    settings: str = "default.cnf"  # in Runner/: the board's settings, the referee's stdin
    dummy: str = "Dummy"  # the reference player, AI<dummy>.cc (or its object)
    players: int = 4
    cpu_seconds: float = 1.0  # each player's CPU budget for a whole match (Jutge's TIME_LIMIT)
    answer_seconds: float = 2.0  # wall time to answer one round (SecGame -t)
    open_seconds: float = 10.0  # wall time to open the FIFOs (SecGame -w)
    match_seconds: float = 120.0  # wall time of a whole match (the referee's)
    memory_mb: int = 256  # each player's memory
    output_kb: int = 1024  # each player's standard output: over it, the player flooded
    accept_seeds: tuple[int, ...] = (1,)  # acceptance: each seed played once per seat

    def public_files(self) -> list[Path]:
        """The files a student may see (statement downloads, the player's kit): Runner/ but the
        hidden sources, Obj/, Viewer/."""
        found: list[Path] = []
        for folder in (self.runner, self.obj, self.viewer):
            if folder is None:
                continue
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not (folder == self.runner and self.is_hidden(path)):
                    found.append(path)
        return found

    def is_hidden(self, path: Path) -> bool:
        return path.name in self.hidden


@dataclass
class Problem:
    """A loaded problem package. Paths point into the package directory (read-only)."""

    root: Path
    format: str  # "kattis" | "jutge"
    problem_id: str  # the package's own id (directory name without .pbm)
    titles: dict[str, str]  # language code -> title
    statements: dict[str, Path]  # language code -> statement file (.tex/.md/.html)
    type: str = "pass-fail"  # "pass-fail" | "scoring" | "interactive"
    tests: list[TestCase] = field(default_factory=list)  # samples first, then in judging order
    groups: list[TestGroup] = field(default_factory=list)  # empty: not scored by groups
    checker: CheckerSpec = field(default_factory=CheckerSpec)
    interactor: Path | None = None  # interactive validator source (file or directory)
    time_limit: float | None = None  # seconds; None: derive from accepted/golden solutions
    time_multiplier: float = 2.0  # Kattis time_multiplier / Jutge time_factor
    time_constant: float = 0.1  # Kattis time_safety_margin-ish / Jutge time_constant
    time_safety_margin: float | None = None  # Kattis: TLE submissions must exceed time_limit × this
    memory_limit_mb: int = 1024
    output_limit_mb: int = 64
    compilers: list[str] = field(default_factory=list)  # allowed compiler ids (empty = any)
    golden_solution: Path | None = None
    submissions: list[BundledSubmission] = field(default_factory=list)
    continue_on_failure: bool = False  # pass-fail: run all tests even after a failure
    authors: list[str] = field(default_factory=list)
    # Time limits and references (verdict.judge.time_limits); measured at import.
    solution_language: str | None = None  # compiler id of the golden solution (Jutge `solution`)
    time_classes: dict[str, ClassFactors] = field(default_factory=dict)  # empty: one class
    # Jutge's per-language layout (x.pbm/<lang>/): this is the original language's package and
    # ``variants`` holds every language's, each with its own tests and solutions.
    language: str | None = None
    variants: dict[str, Problem] = field(default_factory=dict)
    # Jutge function problems (source_modifier no_main/structs): None for whole programs.
    function: FunctionInterface | None = None
    # Jutge quiz problems (handler: quiz): the questions instead of tests and solutions.
    quiz: Quiz | None = None
    # Graphic problems (Jutge handler: graphic): None for problems judged on standard output.
    graphic: GraphicSpec | None = None
    # Game problems (Jutge handler: game): a submission is a player; None for the others.
    game: GameSpec | None = None
    # Kattis multi-pass (issue 12): the validator may write nextpass.in to run the submission again
    multi_pass: bool = False
    validation_passes: int = 1  # at most this many runs per test (limits.validation_passes)

    @property
    def samples(self) -> list[TestCase]:
        return [t for t in self.tests if t.kind == TestKind.SAMPLE]

    @property
    def missing_answers(self) -> list[TestCase]:
        """Tests without an expected output yet (made from the golden solution at import)."""
        return [t for t in self.tests if not t.answer_path.exists()]

    def variant(self, language: str | None) -> Problem:
        """The package of statement language ``language`` (P12345_en), or this one."""
        if language is None:
            return self
        return self.variants.get(language, self)

    @property
    def packages(self) -> list[Problem]:
        """This package and every other language's (per-language layout), each once."""
        return [self, *(v for v in self.variants.values() if v is not self)]


# --- Jutge function problems (source_modifier, func_name, main.<ext>) ---------------------------------


@dataclass(frozen=True)
class FunctionInterface:
    """A problem whose submissions are not whole programs (Jutge's ``source_modifier``): the
    student's code is put together with the problem's ``main.<ext>`` in the submission's
    language (see verdict.judge.function_problems)."""

    modifier: str  # "no_main" (only functions are asked for) | "structs" (handled as no_main)
    mains: dict[str, Path] = field(default_factory=dict)  # extension ("cc", "py") -> main.<ext>
    function_name: str | None = None  # handler.yml func_name: the function the statement asks for
    invisible_main: bool = False  # the main is not shown to students, nor quoted in compile errors

    def main_for(self, extension: str) -> Path | None:
        """The main for sources with this extension (no dot); C++'s .cc, .cpp and .cxx are one."""
        family = CXX_EXTENSIONS if extension in CXX_EXTENSIONS else (extension,)
        return next((self.mains[ext] for ext in family if ext in self.mains), None)


CXX_EXTENSIONS = ("cc", "cpp", "cxx")
