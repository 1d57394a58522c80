"""Loader for the Kattis / ICPC problem package format.

Three generations of the format are in the wild and problem archives mix them freely, so one loader
reads them all: legacy (no `problem_format_version`, `validation: custom ...`, `validator_flags`,
`limits.time_multiplier`, `output_validators/`), 2023-07 (`type` list, `time_multipliers`,
`output_validator/`) and 2025-09 (`limits.time_limit`, `test_group.yaml`, `statement/`).

Problem types: pass-fail, scoring, interactive and multi-pass (alone or combined, e.g.
``[interactive, multi-pass]``, with `limits.validation_passes`); submit-answer is refused.
`languages:` takes problemtools' language ids. Interactive and multi-pass tests may omit .ans.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from verdict.judge.errors import PackageError
from verdict.judge.languages import kattis_compilers
from verdict.judge.packages.common import Fields, brief, load_mapping, natural_key, read_text, to_number
from verdict.judge.problem import (
    BundledSubmission,
    CheckerSpec,
    Problem,
    TestCase,
    TestGroup,
    TestKind,
)

_LEGACY_VERSIONS = ("legacy", "legacy-icpc")
_MODERN_VERSION = re.compile(r"^(\d{4}-\d{2}(-draft)?|draft)$")
_KNOWN_TYPES = ("pass-fail", "scoring", "interactive", "multi-pass", "submit-answer")
_UNSUPPORTED_TYPES = ("submit-answer",)
_DEFAULT_VALIDATION_PASSES = 2  # the spec's default for limits.validation_passes
# The answer file of an interactive or multi-pass test that has no .ans: the validator reads it empty.
NO_ANSWER = Path(os.devnull)

_SUBMISSION_VERDICTS = {
    "accepted": "AC",
    "wrong_answer": "WA",
    "time_limit_exceeded": "TLE",
    "run_time_error": "RE",
    "memory_limit_exceeded": "MLE",
    "output_limit_exceeded": "OLE",
    "compile_error": "CE",
    "presentation_error": "PE",
    "partially_accepted": "SC",
}
_NOT_SUBMISSIONS = (".md", ".txt", ".yaml", ".yml")  # notes left beside submissions
_EXPECTED_SCORE = re.compile(rb"@EXPECTED_SCORE@\s*:?\s*([0-9]+(?:\.[0-9]*)?)")

_BOOL_FLAGS = ("case_sensitive", "space_change_sensitive")
_FLOAT_FLAGS = ("float_relative_tolerance", "float_absolute_tolerance", "float_tolerance")

_STATEMENT_FILE = re.compile(r"^problem(?:\.([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?))?\.(tex|md|html|pdf)$")
_STATEMENT_PRIORITY = ("tex", "md", "html", "pdf")  # sources before renderings
_PROBLEMNAME = re.compile(r"\\problemname\{([^}]*)\}")


@dataclass(frozen=True)
class _Kind:
    """What problem.yaml says about the judging mode."""

    scoring: bool
    interactive: bool
    multi_pass: bool
    custom: bool | None  # None: decided by the presence of an output validator (2023-07 and later)


@dataclass(frozen=True)
class _Settings:
    """Grading settings of a test data directory (testdata.yaml / test_group.yaml), inherited downwards."""

    on_reject: str = "break"
    aggregation: str = "sum"
    score: float | None = None  # this group's own points; not inherited
    accept_score: float = 1.0
    flags: tuple[str, ...] = ()  # output validator flags
    flags_file: Path | None = None  # where the flags were written, for error messages


def load_kattis(root: Path) -> Problem:
    """Load a Kattis package directory (one containing problem.yaml)."""
    config_path = root / "problem.yaml"
    if not config_path.is_file():
        raise PackageError(config_path, "missing problem.yaml")
    config = load_mapping(config_path)
    legacy = _is_legacy(config)
    kind = _problem_kind(config)
    answers_optional = kind.interactive or kind.multi_pass
    tests, groups, secret = _read_data(root, kind.scoring, answers_optional)
    checker = _checker(root, config, kind, _validator_flags(config, secret))
    statements = _statements(root)
    problem = Problem(
        root=root,
        format="kattis",
        problem_id=root.name,
        titles=_titles(config, statements, root.name),
        statements=statements,
        type="interactive" if kind.interactive else "scoring" if kind.scoring else "pass-fail",
        tests=tests,
        groups=groups,
        checker=checker,
        interactor=checker.source if kind.interactive else None,
        submissions=_submissions(root),
        continue_on_failure=secret.on_reject == "continue",
        authors=_authors(config),
        compilers=_languages(config),
        multi_pass=kind.multi_pass,
    )
    _apply_limits(problem, config, legacy)
    return problem


# --- problem.yaml -----------------------------------------------------------------------------------


def _is_legacy(config: Fields) -> bool:
    """Legacy packages have other defaults (time_multiplier 5) and no implicit custom validator."""
    version = config.string("problem_format_version", "legacy") or "legacy"
    if version in _LEGACY_VERSIONS:
        return True
    if _MODERN_VERSION.match(version):
        return False
    raise config.error("problem_format_version", f"has unknown value {brief(version)}")


def _problem_kind(config: Fields) -> _Kind:
    """Combine `type` (all versions) with the legacy `validation: custom [score] [interactive]`."""
    types = config.words("type") or ["pass-fail"]
    for word in types:
        if word not in _KNOWN_TYPES:
            raise config.error("type", f"has unknown value {brief(word)}; expected {', '.join(_KNOWN_TYPES)}")
        if word in _UNSUPPORTED_TYPES:
            raise config.error("type", f"{brief(word)} problems are not supported")
    if "pass-fail" in types and "scoring" in types:
        raise config.error("type", "cannot be both pass-fail and scoring")
    scoring, interactive, custom = "scoring" in types, "interactive" in types, None
    multi_pass = "multi-pass" in types
    validation = config.words("validation")
    if validation is not None:
        custom = _validation_is_custom(config, validation)
        interactive = interactive or "interactive" in validation
    if (interactive or multi_pass) and custom is False:
        raise config.error("validation", "must be custom for an interactive or multi-pass problem")
    return _Kind(
        scoring=scoring,
        interactive=interactive,
        multi_pass=multi_pass,
        custom=True if interactive or multi_pass else custom,
    )


def _validation_is_custom(config: Fields, words: list[str]) -> bool:
    if not words or words[0] not in ("default", "custom"):
        raise config.error("validation", "must start with 'default' or 'custom'")
    extras = words[1:]
    if words[0] == "default" and extras:
        raise config.error("validation", "'default' takes no options")
    for extra in extras:
        if extra not in ("score", "interactive"):
            raise config.error(
                "validation", f"has unknown option {brief(extra)}; expected score, interactive"
            )
    return words[0] == "custom"


def _apply_limits(problem: Problem, config: Fields, legacy: bool) -> None:
    """Copy the limits that are given; absent ones keep the model's defaults."""
    limits = config.mapping("limits")
    problem.time_limit = limits.positive("time_limit") or _timelimit_file(problem.root)
    if legacy or limits.has("time_multiplier") or limits.has("time_safety_margin"):
        multiplier = limits.positive("time_multiplier", 5.0 if legacy else 2.0)
        margin = limits.positive("time_safety_margin", 2.0 if legacy else 1.5)
    else:
        multipliers = limits.mapping("time_multipliers")
        multiplier = multipliers.positive("ac_to_time_limit", 2.0)
        margin = multipliers.positive("time_limit_to_tle", 1.5)
    problem.time_multiplier = multiplier or 2.0
    problem.time_safety_margin = margin
    memory, output = _mebibytes(limits, "memory"), _mebibytes(limits, "output")
    if memory is not None:
        problem.memory_limit_mb = memory
    if output is not None:
        problem.output_limit_mb = output
    if problem.multi_pass:
        problem.validation_passes = _validation_passes(limits)


def _validation_passes(limits: Fields) -> int:
    """How many times a multi-pass submission may run on one test (the spec's default is 2)."""
    value = limits.positive("validation_passes", _DEFAULT_VALIDATION_PASSES) or _DEFAULT_VALIDATION_PASSES
    if value != int(value) or value < 2:
        raise limits.error("validation_passes", f"must be a whole number of at least 2, got {value:g}")
    return int(value)


def _languages(config: Fields) -> list[str]:
    """`languages:` (problemtools' language ids, or `all`) as the compiler ids allowed here.

    A Kattis id we do not offer (``cobol``) is kept as it is: naming no compiler of ours, it
    refuses every submission with a clear message rather than letting any language in."""
    words = config.words("languages")
    if not words or words == ["all"]:
        return []
    allowed: list[str] = []
    for word in words:
        for compiler in kattis_compilers(word):
            if compiler not in allowed:
                allowed.append(compiler)
    return allowed


def _mebibytes(limits: Fields, key: str) -> int | None:
    value = limits.positive(key)
    if value is None:
        return None
    if value != int(value):
        raise limits.error(key, f"must be a whole number of MiB, got {value:g}")
    return int(value)


def _timelimit_file(root: Path) -> float | None:
    """DOMjudge and BAPCtools store the computed limit in `.timelimit`; reuse it when present."""
    path = root / ".timelimit"
    if not path.is_file():
        return None
    value = to_number(read_text(path).strip(), lambda msg: PackageError(path, f"time limit {msg}"))
    if value <= 0:
        raise PackageError(path, f"time limit must be positive, got {value:g}")
    return value


def _titles(config: Fields, statements: dict[str, Path], problem_id: str) -> dict[str, str]:
    """`name` may be a string, a language map, or absent (legacy: taken from \\problemname{})."""
    name = config.raw("name")
    if isinstance(name, dict):
        names = config.mapping("name")
        return {lang: names.required_string(lang) for lang in names.data} or {"en": problem_id}
    if name is not None:
        only = list(statements) if len(statements) == 1 else ["en"]
        return {only[0]: config.required_string("name")}
    titles = {
        lang: m.group(1).strip()
        for lang, path in statements.items()
        if path.suffix == ".tex" and (m := _PROBLEMNAME.search(read_text(path)))
    }
    return titles or {"en": problem_id}


def _authors(config: Fields) -> list[str]:
    """Legacy `author` is one string ("A and B"); 2023-07+ has `credits` (string or authors list)."""
    legacy = config.string("author")
    if legacy:
        return [a.strip() for a in re.split(r",|\band\b", legacy) if a.strip()]
    credits = config.raw("credits")
    if credits is None:
        return []
    if isinstance(credits, str):
        return [credits]
    return _people(config.mapping("credits"), "authors")


def _people(credits: Fields, key: str) -> list[str]:
    value = credits.raw(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    people = []
    for item in items:
        if isinstance(item, str):
            people.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            people.append(item["name"])
        else:
            raise credits.error(key, f"must list names, got {brief(item)}")
    return people


# --- output validation ------------------------------------------------------------------------------


def _find_output_validator(root: Path) -> Path | None:
    """The validator program: output_validator/ (2023-07 and later) or output_validators/ (legacy).

    The specs say output_validator/ is the program itself (its files, perhaps `build`/`run`
    scripts); problemtools reads it as a folder of programs, one per entry, as it reads the legacy
    output_validators/, and its own examples (guess) ship `output_validator/guess_validator/`. Both
    are read: files (or scripts) directly inside make the folder the program; otherwise its one
    entry is."""
    single = root / "output_validator"
    entries = _visible(single) if single.is_dir() else []
    if any(p.is_file() for p in entries):
        return single
    if entries:
        return _only_program(single, entries)
    multi = root / "output_validators"
    if not multi.is_dir():
        return None
    return _only_program(multi, _visible(multi))


def _visible(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)


def _only_program(folder: Path, programs: list[Path]) -> Path | None:
    if len(programs) > 1:
        names = ", ".join(p.name for p in programs)
        raise PackageError(folder, f"more than one output validator ({names}); only one is supported")
    return programs[0] if programs else None


def _checker(root: Path, config: Fields, kind: _Kind, flags: list[tuple[Path, list[str]]]) -> CheckerSpec:
    validator = _find_output_validator(root)
    custom = kind.custom if kind.custom is not None else validator is not None
    if not custom:
        options: dict[str, object] = {}
        for path, words in flags:
            options.update(parse_validator_flags(words, path))
        return CheckerSpec(kind="kattis-default", options=options)
    if validator is None:
        what = (
            "an interactive problem"
            if kind.interactive
            else "a multi-pass problem"
            if kind.multi_pass
            else "custom validation"
        )
        raise PackageError(config.path, f"{what} needs output_validators/<name>/ or output_validator/")
    args = [word for _, words in flags for word in words]
    return CheckerSpec(kind="kattis-custom", options={"args": args} if args else {}, source=validator)


def _validator_flags(config: Fields, secret: _Settings) -> list[tuple[Path, list[str]]]:
    """problem.yaml `validator_flags` (legacy) followed by the data-level `output_validator_flags`."""
    flags = []
    words = config.words("validator_flags")
    if words:
        flags.append((config.path, words))
    if secret.flags and secret.flags_file is not None:
        flags.append((secret.flags_file, list(secret.flags)))
    return flags


def parse_validator_flags(words: list[str], path: Path) -> dict[str, object]:
    """Turn default-validator flags ("float_tolerance 1e-6 case_sensitive") into checker options."""
    options: dict[str, object] = {}
    position = 0
    while position < len(words):
        flag = words[position]
        position += 1
        if flag in _BOOL_FLAGS:
            options[flag] = True
        elif flag in _FLOAT_FLAGS:
            options[flag] = _flag_number(flag, words[position] if position < len(words) else None, path)
            position += 1
        else:
            raise PackageError(path, f"unknown default validator flag {brief(flag)}")
    return options


def _flag_number(flag: str, word: str | None, path: Path) -> float:
    if word is None:
        raise PackageError(path, f"validator flag {brief(flag)} needs a number")
    value = to_number(word, lambda msg: PackageError(path, f"validator flag {brief(flag)} {msg}"))
    if value < 0:
        raise PackageError(path, f"validator flag {brief(flag)} must not be negative")
    return value


# --- test data --------------------------------------------------------------------------------------


def _read_data(
    root: Path, scoring: bool, answers_optional: bool = False
) -> tuple[list[TestCase], list[TestGroup], _Settings]:
    """Samples then secret tests; for scoring problems, secret's sub-directories become groups.

    Interactive and multi-pass tests may come without .ans (problemtools' guess example has
    none): their validator then reads an empty answer file."""
    data = root / "data"
    top = _settings(data, _Settings())
    tests: list[TestCase] = []
    sample = data / "sample"
    if sample.is_dir():
        tests += _collect(sample, "sample", TestKind.SAMPLE, "", _settings(sample, top), answers_optional)
    secret_dir = data / "secret"
    secret = _settings(secret_dir, top)
    groups: list[TestGroup] = []
    if secret_dir.is_dir():
        secret_tests, groups = _secret(secret_dir, secret, scoring, answers_optional)
        tests += secret_tests
    if not tests:
        raise PackageError(data, "no test cases (expected data/sample/*.in and data/secret/*.in with .ans)")
    return tests, groups, secret


def _secret(
    secret_dir: Path, settings: _Settings, scoring: bool, answers_optional: bool
) -> tuple[list[TestCase], list[TestGroup]]:
    if not scoring:
        return _collect(secret_dir, "secret", TestKind.SECRET, "", settings, answers_optional), []
    tests: list[TestCase] = []
    members: dict[str, tuple[_Settings, list[TestCase]]] = {}
    for child in _entries(secret_dir):
        if child.is_dir():
            name = f"secret/{child.name}"
            sub = _settings(child, settings)
            found = _collect(child, name, TestKind.SECRET, name, sub, answers_optional)
            if not found:
                raise PackageError(child, "test group has no test cases")
            members[name] = (sub, found)
            tests += found
        else:
            test = _test_case(child, "secret", TestKind.SECRET, "secret", answers_optional)
            members.setdefault("secret", (settings, []))[1].append(test)
            tests.append(test)
    return tests, [_group(name, sub, found) for name, (sub, found) in members.items()]


def _group(name: str, settings: _Settings, tests: list[TestCase]) -> TestGroup:
    """Points default to the legacy rule: sum of accept_score over tests, or one accept_score for min."""
    points = settings.score
    if points is None:
        points = settings.accept_score * (len(tests) if settings.aggregation == "sum" else 1)
    return TestGroup(name=name, points=points, aggregation=settings.aggregation, on_reject=settings.on_reject)


def _entries(directory: Path) -> list[Path]:
    """Test inputs and sub-groups of a directory, interleaved in natural order as the spec orders them."""
    items = [
        p
        for p in directory.iterdir()
        if not p.name.startswith(".") and (p.is_dir() or (p.suffix == ".in" and p.is_file()))
    ]
    return sorted(items, key=lambda p: natural_key(p.name if p.is_dir() else p.stem))


def _collect(
    directory: Path, rel: str, kind: TestKind, group: str, settings: _Settings, answers_optional: bool
) -> list[TestCase]:
    """All tests below directory, depth first; nested groups' settings files are checked as well."""
    tests = []
    for child in _entries(directory):
        if child.is_dir():
            sub = _settings(child, settings)
            tests += _collect(child, f"{rel}/{child.name}", kind, group, sub, answers_optional)
        else:
            tests.append(_test_case(child, rel, kind, group, answers_optional))
    return tests


def _test_case(input_path: Path, rel: str, kind: TestKind, group: str, answers_optional: bool) -> TestCase:
    answer = input_path.with_suffix(".ans")
    if not answer.is_file():
        if not answers_optional:
            raise PackageError(input_path, f"test input has no answer file {answer.name}")
        answer = NO_ANSWER
    interaction = input_path.with_suffix(".interaction")
    return TestCase(
        name=f"{rel}/{input_path.stem}",
        input_path=input_path,
        answer_path=answer,
        kind=kind,
        group=group,
        interaction_path=interaction if interaction.is_file() else None,
    )


def _settings(directory: Path, parent: _Settings) -> _Settings:
    """Read test_group.yaml (2025-09) or testdata.yaml (older) of a directory, inheriting parent's."""
    path = next(
        (p for p in (directory / "test_group.yaml", directory / "testdata.yaml") if p.is_file()), None
    )
    if path is None:
        return replace(parent, score=None)
    fields = load_mapping(path)
    grading = fields.string("grading", "default")
    if grading != "default":
        raise fields.error("grading", f"{brief(grading)} graders are not supported (only 'default')")
    flags = fields.words("output_validator_flags") or fields.words("output_validator_args")
    return _Settings(
        on_reject=_choice(fields, "on_reject", parent.on_reject, ("break", "continue")),
        aggregation=_aggregation(fields, parent.aggregation),
        score=_score(fields),
        accept_score=fields.number("accept_score", parent.accept_score) or 0.0,
        flags=tuple(flags) if flags is not None else parent.flags,
        flags_file=path if flags is not None else parent.flags_file,
    )


def _choice(fields: Fields, key: str, default: str, allowed: tuple[str, ...]) -> str:
    value = fields.string(key, default) or default
    if value not in allowed:
        raise fields.error(key, f"must be one of {', '.join(allowed)}, got {brief(value)}")
    return value


def _aggregation(fields: Fields, inherited: str) -> str:
    """`aggregation` / `scoring.aggregation`, or the legacy grader_flags words sum / min."""
    legacy = [w for w in fields.words("grader_flags") or [] if w in ("sum", "min", "max", "avg")]
    for word in legacy:
        if word not in ("sum", "min"):
            raise fields.error("grader_flags", f"aggregation {brief(word)} is not supported (sum or min)")
    scoring = fields.mapping("scoring")
    holder, key = (scoring, "aggregation") if scoring.has("aggregation") else (fields, "aggregation")
    value = holder.string(key) or (legacy[-1] if legacy else inherited)
    value = "min" if value == "pass-fail" else value  # all-or-nothing is min over accepted tests
    if value not in ("sum", "min"):
        raise holder.error(key, f"must be sum, min or pass-fail, got {brief(value)}")
    return value


def _score(fields: Fields) -> float | None:
    """The group's points: `score`, `points` or `scoring.score`; "unbounded" means no fixed maximum."""
    scoring = fields.mapping("scoring")
    for holder, key in ((fields, "score"), (fields, "points"), (scoring, "score")):
        value = holder.raw(key)
        if value is None or value == "unbounded":
            continue
        points = holder.number(key)
        if points is None or points < 0:
            raise holder.error(key, "must not be negative")
        return points
    return None


# --- statements and submissions ---------------------------------------------------------------------


def _statements(root: Path) -> dict[str, Path]:
    """problem.<lang>.{tex,md,...} in statement/ (2025-09) or problem_statement/; problem.tex is English."""
    found: dict[str, Path] = {}
    for folder in (root / "statement", root / "problem_statement"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            match = _STATEMENT_FILE.match(path.name)
            if not match or not path.is_file():
                continue
            lang = match.group(1) or "en"
            current = found.get(lang)
            if current is None or _statement_rank(path) < _statement_rank(current):
                found[lang] = path
    return found


def _statement_rank(path: Path) -> tuple[int, int]:
    newer_folder = 0 if path.parent.name == "statement" else 1
    return newer_folder, _STATEMENT_PRIORITY.index(path.suffix[1:])


def _submissions(root: Path) -> list[BundledSubmission]:
    """submissions/<verdict dir>/<file or directory>; unknown directories keep their name uppercased."""
    base = root / "submissions"
    if not base.is_dir():
        return []
    found = []
    for folder in sorted((p for p in base.iterdir() if p.is_dir()), key=lambda p: natural_key(p.name)):
        expected = _SUBMISSION_VERDICTS.get(folder.name, folder.name.upper())
        for entry in sorted(folder.iterdir(), key=lambda p: natural_key(p.name)):
            if entry.name.startswith(".") or (entry.is_file() and entry.suffix in _NOT_SUBMISSIONS):
                continue
            found.append(BundledSubmission(path=entry, expected=expected, score=_expected_score(entry)))
    return found


def _expected_score(path: Path) -> float | None:
    """Legacy packages mark partial submissions with `@EXPECTED_SCORE@: 30` in a comment."""
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        match = _EXPECTED_SCORE.search(handle.read(65536))
    return float(match.group(1)) if match else None
