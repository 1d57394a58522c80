"""Loader for Jutge.org `.pbm` problem directories, as the Jutge toolkit writes them.

A .pbm comes in one of two layouts (the toolkit's ``docs/problem-anatomy.md``):

* flat: handler.yml (how to judge), problem.<lang>.yml (titles and authors), problem.<lang>.tex
  statements, <name>.inp tests with <name>.cor expected outputs (the toolkit makes them from the
  golden solution; when missing, the import makes them, see :mod:`verdict.judge.preparation`),
  optional <name>.ops limits, solution.<ext> solutions and an optional scores.yml;
* per language: one such folder per statement language (``x.pbm/ca/``, ``x.pbm/en/``), each with
  its own tests and solutions. It is one problem with a variant per language; the original
  language is the one whose problem.<lang>.yml names an ``author``.
"""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

from verdict.judge.errors import PackageError
from verdict.judge.packages import jutge_game, jutge_graphic
from verdict.judge.packages.common import (
    Fields,
    brief,
    load_mapping,
    load_yaml,
    natural_key,
    read_text,
    to_number,
)
from verdict.judge.packages.jutge_function import function_interface
from verdict.judge.packages.jutge_quiz import load_quiz
from verdict.judge.problem import (
    BundledSubmission,
    CheckerSpec,
    Problem,
    TestCase,
    TestGroup,
    TestKind,
    TestOps,
)
from verdict.judge.time_limits import class_factors

_CHECKERS = ("std", "loosy", "epsilon", "elastic", "elastic2", "external")
_DEFAULT_EPSILON = 1e-9
# Handlers Verdict grades; the others Jutge has are refused by name.
_HANDLERS = ("std", "quiz", jutge_graphic.HANDLER, jutge_game.HANDLER)
_KNOWN_HANDLERS = ("std", "graphic", "quiz", "game", "circuits")

# Name prefixes with a meaning; "distilled" tests are shown on failure exactly like hints.
_KIND_PREFIXES = (
    ("sample", TestKind.SAMPLE),
    ("public", TestKind.PUBLIC),
    ("hint", TestKind.HINT),
    ("distilled", TestKind.HINT),
)

# handler.yml `solution` language -> extensions of solution.<ext>, most usual first.
_SOLUTION_EXTENSIONS = {
    "c++": ("cc", "cpp", "cxx"),
    "c": ("c",),
    "python": ("py",),
    "python3": ("py",),
    "runpython": ("py",),
    "java": ("java",),
    "haskell": ("hs",),
    "runhaskell": ("hs",),
    "clojure": ("clj",),
    "runclojure": ("clj",),
    "rust": ("rs",),
    "go": ("go",),
    "r": ("R", "r"),
}
# handler.yml `compilers` ids that fix the golden solution's file (the toolkit's rule).
_COMPILER_SOLUTIONS = {
    "RunPython": "solution.py",
    "RunHaskell": "solution.hs",
    "GHC": "solution.hs",
    "RunClojure": "solution.clj",
    "Clojure": "solution.clj",
}
# Every extension a solution.<ext> may have: the toolkit's languages and the other compilers'.
_SOURCE_EXTENSIONS = {ext for exts in _SOLUTION_EXTENSIONS.values() for ext in exts} | {
    *("js", "ts", "pl", "rb", "php", "lua", "kt", "pas", "f90", "f", "d", "adb", "ml", "erl", "scm"),
    *("lisp", "bf", "ws", "cs", "nim", "zig", "cr", "jl", "m"),
}

_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_META_FILE = re.compile(r"^problem\.([a-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\.yml$")
_STATEMENT_FILE = re.compile(r"^problem\.([a-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\.(tex|md|html)$")
_STATEMENT_PRIORITY = ("tex", "md", "html")
_TEX_TITLE = re.compile(r"\\Problem\{([^}]*)\}")


def load_jutge(root: Path) -> Problem:
    """Load a Jutge .pbm directory in either layout."""
    if (root / "handler.yml").is_file():
        refuse_language_folder(root)
        return _load_folder(root, package_id(root))
    folders = language_folders(root)
    if folders:
        return _load_per_language(root, folders)
    raise PackageError(root / "handler.yml", "missing handler.yml")


def package_id(root: Path) -> str:
    return root.name.removesuffix(".pbm")


def language_folders(root: Path) -> dict[str, Path]:
    """The ``<lang>/`` folders of a per-language package, each holding a handler.yml."""
    if not root.is_dir():
        return {}
    return {
        path.name: path
        for path in sorted(root.iterdir())
        if path.is_dir() and _LANGUAGE_CODE.match(path.name) and (path / "handler.yml").is_file()
    }


def refuse_language_folder(root: Path) -> None:
    """A language folder imported alone would become a problem named ``en``: say what to import.
    (Call it on the directory where it was found: a private copy has lost its parent.)"""
    parent = root.parent
    if not _LANGUAGE_CODE.match(root.name) or not (root / "handler.yml").is_file():
        return
    siblings = [name for name in language_folders(parent) if name != root.name]
    if parent.suffix == ".pbm" or siblings:
        raise PackageError(
            root,
            f"this is the '{root.name}' folder of the per-language package {parent.name}: "
            f"import {parent.name} itself, which holds every language"
            + (f" ({', '.join(sorted([root.name, *siblings]))})" if siblings else ""),
        )


def _load_per_language(root: Path, folders: dict[str, Path]) -> Problem:
    variants = {
        language: _load_folder(folder, package_id(root), language) for language, folder in folders.items()
    }
    original = next((lang for lang, v in variants.items() if v.authors), next(iter(variants)))
    main = variants[original]
    for variant in variants.values():
        main.titles = {**variant.titles, **main.titles}
        main.statements = {**variant.statements, **main.statements}
    main.variants = variants
    return main


def _load_folder(root: Path, problem_id: str, language: str | None = None) -> Problem:
    """One folder holding handler.yml: a whole flat package, or one language of a per-language one."""
    handler = load_mapping(root / "handler.yml")
    # A quiz has questions instead of tests and no golden solution (verdict.judge.packages.jutge_quiz).
    name = _handler(handler)
    quiz = load_quiz(root) if name == "quiz" else None
    # A game has players instead of tests and a golden solution (verdict.judge.packages.jutge_game).
    game = jutge_game.game_spec(root, handler) if name == jutge_game.HANDLER else None
    programs = quiz is None and game is None
    tests = _tests(root) if programs else []
    groups = _scores(root, tests)
    golden, solution_language = _golden_solution(root, handler) if programs else (None, None)
    statements = _statements(root) or (jutge_game.doc_statements(root) if game else {})
    titles, authors = _metadata(root)
    classes = class_factors(_numbers(handler, "time_factor"), _numbers(handler, "time_constant"))
    return Problem(
        root=root,
        format="jutge",
        problem_id=problem_id,
        titles=titles or _tex_titles(statements) or ({"en": quiz.title} if quiz else {}),
        statements=statements,
        type="scoring" if groups else "pass-fail",
        tests=tests,
        groups=groups,
        checker=_checker(root, handler),
        time_multiplier=classes["fast"].factor,
        time_constant=classes["fast"].constant,
        time_classes=classes,
        compilers=_compilers(handler),
        golden_solution=golden,
        solution_language=solution_language,
        submissions=_solutions(root, golden) if golden else [],
        continue_on_failure=True,  # Jutge judges every test and reports the worst verdict
        authors=authors,
        language=language,
        function=function_interface(root, handler, golden) if game is None else None,
        quiz=quiz,
        graphic=jutge_graphic.graphic_spec(handler) if name == jutge_graphic.HANDLER else None,
        game=game,
    )


def _handler(handler: Fields) -> str:
    """The `handler` key, if Verdict grades that kind of problem."""
    name = handler.string("handler", "std") or "std"
    if name in _HANDLERS:
        return name
    if name in _KNOWN_HANDLERS:
        raise handler.error(
            "handler",
            f"is {brief(name)}: Verdict cannot grade {name} problems yet (it grades {', '.join(_HANDLERS)})",
        )
    raise handler.error(
        "handler", f"has unknown value {brief(name)}; Jutge's are {', '.join(_KNOWN_HANDLERS)}"
    )


# --- handler.yml ------------------------------------------------------------------------------------


def _checker(root: Path, handler: Fields) -> CheckerSpec:
    """The `checker` key and its own option keys, which sit at the top level of handler.yml."""
    kind = handler.string("checker", "std") or "std"
    pe = handler.boolean("presentation_error", True)
    options: dict[str, object] = {}
    source = None
    if kind == "epsilon":
        options = {
            "epsilon": handler.number("epsilon", _DEFAULT_EPSILON),
            "relative": handler.boolean("relative", False),
        }
    elif kind == "elastic":
        options = {"separator": handler.string("separator", "\n")}
    elif kind == "elastic2":
        options = {
            "separator1": handler.string("separator1", "\n"),
            "separator2": handler.string("separator2", " "),
            "starting": handler.string("starting", ""),
            "ending": handler.string("ending", ""),
        }
    elif kind == "external":
        program = handler.required_string("external_program")
        source = root / program
        if not source.is_file():
            raise handler.error("external_program", f"names {brief(program)}, which is not in the package")
        options = {"external_program": program, "external_timeout": handler.positive("external_timeout", 5.0)}
    elif kind not in _CHECKERS:
        raise handler.error(
            "checker", f"has unknown value {brief(kind)}; expected one of {', '.join(_CHECKERS)}"
        )
    return CheckerSpec(kind=kind, options=options, source=source, presentation_error=pe)


def _numbers(handler: Fields, key: str) -> list[float] | None:
    """time_factor/time_constant: a number or a list [fast, medium, slow] (time_limits fills gaps)."""
    value = handler.raw(key)
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    if not values:
        raise handler.error(key, "must not be an empty list")
    if len(values) > 3:
        raise handler.error(key, "must be a number or a list of at most three [fast, medium, slow]")
    numbers = [to_number(v, lambda msg: handler.error(key, msg)) for v in values]
    if any(number < 0 for number in numbers):
        raise handler.error(key, "must not be negative")
    return numbers


def _compilers(handler: Fields) -> list[str]:
    """Officially a single compiler id, but lists are accepted since several ids are meaningful."""
    value = handler.raw("compilers")
    if value is None:
        return []
    words = [value] if isinstance(value, str) else value
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise handler.error("compilers", "must be a compiler id or a list of compiler ids")
    return list(words)


def _golden_solution(root: Path, handler: Fields) -> tuple[Path, str | None]:
    """solution.<ext> in the language named by `solution` (default C++), and that language.

    As the toolkit: a `compilers` id such as RunPython fixes the file, and a package left at the
    default C++ with a single solution file uses that file's language."""
    solutions = [p for p in root.glob("solution.*") if p.is_file() and p.suffix[1:] in _SOURCE_EXTENSIONS]
    compilers = handler.raw("compilers")
    if isinstance(compilers, str) and compilers in _COMPILER_SOLUTIONS:
        path = root / _COMPILER_SOLUTIONS[compilers]
        if not path.is_file():
            raise PackageError(root, f"no golden solution: compilers {compilers} needs {path.name}")
        return path, compilers
    language = handler.string("solution")
    if (language is None or language.lower() == "c++") and len(solutions) == 1:
        return solutions[0], None
    language = language or "C++"
    extensions = _SOLUTION_EXTENSIONS.get(language.lower())
    if extensions is None:
        if len(solutions) == 1:
            return solutions[0], language
        raise handler.error("solution", f"names unknown language {brief(language)}")
    for ext in extensions:
        path = root / f"solution.{ext}"
        if path.is_file():
            return path, language
    raise PackageError(root, f"no golden solution: expected solution.{extensions[0]} for {language}")


def _solutions(root: Path, golden: Path) -> list[BundledSubmission]:
    """Every solution.<ext> is a correct program; the golden one comes first."""
    others = sorted(
        p
        for p in root.glob("solution.*")
        if p.is_file() and p != golden and p.suffix[1:] in _SOURCE_EXTENSIONS
    )
    return [BundledSubmission(path=p, expected="AC") for p in [golden, *others]]


# --- metadata and statements ------------------------------------------------------------------------


def _metadata(root: Path) -> tuple[dict[str, str], list[str]]:
    """Titles from every problem.<lang>.yml; authors from the original language's `author`."""
    titles: dict[str, str] = {}
    authors: list[str] = []
    for path in sorted(root.iterdir()):
        match = _META_FILE.match(path.name)
        if not match or not path.is_file():
            continue
        fields = load_mapping(path)
        titles[match.group(1)] = fields.required_string("title")
        for key in ("email", "translator", "translator_email", "original_language"):
            fields.string(key)  # type-checked, not needed by the judge
        author = fields.string("author")
        if author and author not in authors:
            authors.append(author)
    return titles, authors


def _statements(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(root.iterdir()):
        match = _STATEMENT_FILE.match(path.name)
        if not match or not path.is_file():
            continue
        lang, ext = match.group(1), match.group(2)
        current = found.get(lang)
        if current is None or _STATEMENT_PRIORITY.index(ext) < _STATEMENT_PRIORITY.index(current.suffix[1:]):
            found[lang] = path
    return found


def _tex_titles(statements: dict[str, Path]) -> dict[str, str]:
    """Fallback when no problem.<lang>.yml exists: the \\Problem{title} of each LaTeX statement."""
    titles = {}
    for lang, path in statements.items():
        if path.suffix == ".tex" and (match := _TEX_TITLE.search(read_text(path))):
            titles[lang] = match.group(1).strip()
    return titles


# --- tests ------------------------------------------------------------------------------------------


def kind_of_test(name: str) -> TestKind:
    """The visibility of a test follows from its name prefix."""
    return next((kind for prefix, kind in _KIND_PREFIXES if name.startswith(prefix)), TestKind.SECRET)


def _tests(root: Path) -> list[TestCase]:
    """<name>.inp tests with their <name>.cor outputs (which may be still to make, as the toolkit's
    `make` does): samples first, then all others in natural name order."""
    tests = []
    for input_path in root.glob("*.inp"):
        if not input_path.is_file():
            continue
        answer = input_path.with_suffix(".cor")
        tests.append(
            _with_ops(
                TestCase(
                    name=input_path.stem,
                    input_path=input_path,
                    answer_path=answer,
                    kind=kind_of_test(input_path.stem),
                )
            )
        )
    if not tests:
        raise PackageError(
            root,
            "no tests: expected <name>.inp files (with <name>.cor outputs, or a solution to make them)",
        )
    return sorted(tests, key=lambda t: (t.kind != TestKind.SAMPLE, natural_key(t.name)))


def _with_ops(test: TestCase) -> TestCase:
    """Apply <name>.ops (`--maxtime cpu [lim [clock]] --maxmem mb [stack] --maxoutput mb ...`), and
    keep each <name>.<compiler id>.ops, which Jutge's driver reads after it for that compiler."""
    own = _ops_file(test.input_path.with_suffix(".ops"))
    test.time_limit, test.memory_limit_mb, test.output_limit_mb = (
        own.time_limit,
        own.memory_limit_mb,
        own.output_limit_mb,
    )
    stem = test.input_path.stem
    for path in test.input_path.parent.glob(f"{glob.escape(stem)}.*.ops"):
        compiler = path.name[len(stem) + 1 : -len(".ops")]
        if "." not in compiler and not path.with_name(f"{stem}.{compiler}.inp").exists():
            test.compiler_ops[compiler] = _ops_file(path)
    return test


def _ops_file(path: Path) -> TestOps:
    if not path.is_file():
        return TestOps()
    options = parse_ops(read_text(path), path)
    maxmem, maxoutput = options.get("maxmem"), options.get("maxoutput")
    return TestOps(
        options.get("maxtime"),
        int(maxmem) if maxmem is not None else None,
        int(maxoutput) if maxoutput is not None else None,
    )


def parse_ops(text: str, path: Path) -> dict[str, float]:
    """Parse a .ops file into the first value of each option; unknown options are skipped."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise PackageError(path, f"cannot parse options: {brief(str(exc))}") from None
    options: dict[str, float] = {}
    position = 0
    while position < len(words):
        word = words[position]
        position += 1
        if not word.startswith("--"):
            raise PackageError(path, f"expected an option starting with '--', got {brief(word)}")
        name, _, inline = word[2:].partition("=")
        values = [inline] if inline else []
        while position < len(words) and not words[position].startswith("--"):
            values.append(words[position])
            position += 1
        if name in ("maxtime", "maxmem", "maxoutput"):
            options[name] = _ops_value(name, values, path)
    return options


def _ops_value(name: str, values: list[str], path: Path) -> float:
    if not values:
        raise PackageError(path, f"option --{name} needs a value")
    value = to_number(values[0], lambda msg: PackageError(path, f"--{name} {msg}"))
    if value <= 0:
        raise PackageError(path, f"--{name} must be positive, got {brief(values[0])}")
    return value


def _scores(root: Path, tests: list[TestCase]) -> list[TestGroup]:
    """scores.yml parts; each test joins the first part whose prefix it has (prefixes may overlap,
    so graders should score a part by its prefix, not by TestCase.group)."""
    path = root / "scores.yml"
    if not path.is_file():
        return []
    data = load_yaml(path)
    if not isinstance(data, list) or not data:
        raise PackageError(path, "must be a non-empty list of {part, prefix, points}")
    groups = [_score_part(path, index, item) for index, item in enumerate(data)]
    for group in groups:
        members = [t for t in tests if t.name.startswith(group.prefix)]
        if not members:
            raise PackageError(
                path, f"prefix {brief(group.prefix)} of part {brief(group.name)} matches no test"
            )
        for test in members:
            test.group = test.group or group.name
    return groups


def _score_part(path: Path, index: int, item: object) -> TestGroup:
    fields = Fields.of(path, item, f"[{index}]")
    points = fields.number("points")
    if points is None or points < 0:
        raise fields.error("points", "must be given as a non-negative number")
    return TestGroup(
        name=fields.required_string("part"), points=points, prefix=fields.required_string("prefix")
    )
