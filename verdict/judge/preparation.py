"""Making a package ready to grade, once, when it is imported (the Jutge toolkit's ``make``):

1. expected outputs: a test with ``.inp`` but no ``.cor`` gets the golden solution's output, run in
   the sandbox under the package's limits;
2. the golden solution must be accepted: otherwise the package is refused with a setter error (SE)
   naming the file, the test and the verdict;
3. every other bundled solution (Jutge ``solution.*``, Kattis ``submissions/*``) is graded: one that
   fails, or whose language this host lacks, is a *warning*, never a reason to fail students;
4. the accepted references' times are measured into a :class:`~verdict.judge.time_limits.Timing`,
   stored with the version, so that no worker derives the limit again.

A per-language package (Jutge ``x.pbm/<lang>/``) is prepared language by language.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from verdict.judge import graphic
from verdict.judge.compiler import program_sandbox, run_program
from verdict.judge.errors import JudgeError, PackageError, UnknownLanguage
from verdict.judge.function_problems import compile_submission
from verdict.judge.grader import Grader, GradeResult, reason, reference_language
from verdict.judge.languages import Language, availability
from verdict.judge.problem import BundledSubmission, Problem, TestCase
from verdict.judge.sandbox import Limits, MiB, Sandbox, SandboxConfig
from verdict.judge.time_limits import ClassFactors, Reference, Timing
from verdict.judge.verdicts import Verdict

log = logging.getLogger(__name__)

MEASURE_LIMIT = 10.0  # CPU seconds per test for the references, whose limit is not known yet


class SetterError(PackageError):
    """The package's own golden solution fails (Jutge's SE): the package cannot be graded."""


@dataclass
class SolutionCheck:
    """How one bundled solution fared at import."""

    file: str  # path in the package, e.g. "solution.py" or "en/solution.py"
    language: str  # compiler id, "" when unknown
    expected: str
    verdict: str = ""  # "" when it was not run
    seconds: float = 0.0  # slowest test's CPU time
    message: str = ""
    agrees: bool = False


@dataclass
class Preparation:
    """What an import found and did: the import report's judging half."""

    made_outputs: list[str] = field(default_factory=list)  # tests whose .cor was made
    golden: list[SolutionCheck] = field(default_factory=list)  # one per language variant
    solutions: list[SolutionCheck] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, Timing] = field(default_factory=dict)  # variant language ("" flat) -> timing
    original: str = ""  # a per-language package's original language: no variant means this one

    def timing(self, variant: str | None = None) -> Timing:
        """The variant's timing (a quiz has none: an empty one)."""
        return self.timings.get(variant or self.original) or next(iter(self.timings.values()), Timing())

    def to_dict(self) -> dict[str, object]:
        return {
            "made_outputs": list(self.made_outputs),
            "golden": [asdict(check) for check in self.golden],
            "solutions": [asdict(check) for check in self.solutions],
            "warnings": list(self.warnings),
        }


def prepare(problem: Problem, config: SandboxConfig, *, every_solution: bool = True) -> Preparation:
    """Make the missing expected outputs (written into the package directory, which must be a
    private copy), check the golden and bundled solutions and measure the references.
    Without ``every_solution``, only the golden and the accepted solutions are run."""
    report = Preparation(original=problem.language or "")  # None for flat packages
    if problem.quiz is not None or problem.game is not None:  # no tests: nothing to run or measure
        return report
    variants = problem.variants or {"": problem}
    for name, package in variants.items():
        _prepare_one(package, config, report, f"{name}/" if problem.variants else "", every_solution)
        report.timings[name] = _timing_of(package, report, name)
    return report


def prepared_grader(problem: Problem, config: SandboxConfig, variant: str | None = None) -> Grader:
    """A grader of a package that was never imported (a directory on disk, for the CLI and the
    benchmarks): its references measured now, its own files untouched."""
    if problem.time_limit is not None:
        return Grader(problem.variant(variant), config)
    if problem.missing_answers:
        missing = problem.missing_answers[0]
        raise PackageError(
            missing.input_path, f"test {missing.name} has no expected output: import the package"
        )
    timing = prepare(problem, config, every_solution=False).timing(variant)
    return Grader(problem.variant(variant), config, timing=timing)


def _prepare_one(
    package: Problem, config: SandboxConfig, report: Preparation, prefix: str, every_solution: bool
) -> None:
    golden = package.golden_solution  # Kattis has none: its accepted submissions are all references
    if package.missing_answers:
        if golden is None:
            missing = package.missing_answers[0]
            raise PackageError(
                missing.input_path, f"test {missing.name} has no expected output and no golden solution"
            )
        report.made_outputs += [prefix + name for name in make_outputs(package, golden, config)]
    if golden is not None:
        report.golden.append(_check_golden(package, golden, config, prefix))
    _check_others(package, golden, config, report, prefix, every_solution)


# -- expected outputs --------------------------------------------------------------------------------
def make_outputs(package: Problem, golden: Path, config: SandboxConfig) -> list[str]:
    """Run the golden solution on every test lacking its expected output and store the output."""
    language = _language_or_refuse(package, golden)
    # As a submission is compiled: a function problem's golden solution is only its functions.
    compiled = compile_submission(package, language, golden.read_bytes(), config, file_name=golden.name)
    if not compiled.ok:
        raise SetterError(
            golden, f"the golden solution does not compile (CE): {compiled.output.strip()[:500]}"
        )
    made = []
    with program_sandbox(compiled, config) as box:
        for test in package.missing_answers:
            if package.graphic is not None:
                graphic.clear_image(box, package.graphic)
            run = run_program(box, compiled, _making_limits(package, test), stdin=test.input_path)
            if not run.ok:
                raise SetterError(
                    golden,
                    f"setter error (SE): test {test.name} has no expected output {test.answer_path.name} "
                    f"and the golden solution {golden.name} fails on it "
                    f"({run.status.value}{': ' + run.message if run.message else ''})",
                )
            test.answer_path.write_bytes(_output(package, box, golden, test, run.stdout))
            made.append(test.name)
    return made


def _output(package: Problem, box: Sandbox, golden: Path, test: TestCase, stdout: bytes) -> bytes:
    """What the test expects: the golden solution's standard output, or for a graphic problem the
    image it wrote (the toolkit renames output.png to <test>.cor)."""
    if package.graphic is None:
        return stdout
    image = box.read_file(package.graphic.image_name, graphic.MAX_IMAGE_BYTES + 1)
    if image is None or len(image) > graphic.MAX_IMAGE_BYTES:
        name = package.graphic.image_name
        raise SetterError(
            golden, f"setter error (SE): the golden solution wrote no {name} on test {test.name}"
        )
    return image


def _making_limits(package: Problem, test: TestCase) -> Limits:
    output = (test.output_limit_mb or package.output_limit_mb) * MiB
    return Limits(
        cpu_time=test.time_limit or MEASURE_LIMIT,
        memory_mb=test.memory_limit_mb or package.memory_limit_mb,
        output_bytes=output,
        file_size_bytes=max(output, 16 * MiB),
    )


def _language_or_refuse(package: Problem, golden: Path) -> Language:
    try:
        language = reference_language(package, golden)
    except UnknownLanguage as error:
        raise SetterError(golden, f"the golden solution's language is unknown: {error}") from None
    available, why = availability(language)
    if not available:
        raise SetterError(golden, f"the golden solution needs {language.id}, which this host lacks ({why})")
    return language


# -- solutions ---------------------------------------------------------------------------------------
def _check_golden(package: Problem, golden: Path, config: SandboxConfig, prefix: str) -> SolutionCheck:
    language = _language_or_refuse(package, golden)
    result = _grade(golden, language, Grader(package, config, time_limit=MEASURE_LIMIT))
    check = _check(package, golden, language, "AC", result, prefix)
    if result.verdict != Verdict.AC:
        failed = next((t for t in result.tests if t.verdict != Verdict.AC), None)
        where = f" on test {failed.name}" if failed else ""
        detail = (
            (failed.judge_message or failed.message) if failed else result.message or result.compile_output
        )
        raise SetterError(
            golden,
            f"setter error (SE): the golden solution {prefix}{golden.name} gets {result.verdict.value}{where}"
            + (f": {detail.strip()[:300]}" if detail and detail.strip() else ""),
        )
    return check


def _check_others(
    package: Problem,
    golden: Path | None,
    config: SandboxConfig,
    report: Preparation,
    prefix: str,
    every_solution: bool,
) -> None:
    others = [s for s in package.submissions if s.path != golden]
    # Accepted ones first, with generous limits: they are references. The others need the limit.
    accepted = [s for s in others if s.expected == Verdict.AC]
    measuring = Grader(package, config, time_limit=MEASURE_LIMIT)
    for submission in accepted:
        report.solutions.append(_check_other(package, submission, config, measuring, report, prefix))
    if not every_solution or not (rest := [s for s in others if s.expected != Verdict.AC]):
        return
    timing = _timing_of(package, report, prefix.rstrip("/"))
    for submission in rest:
        grader = Grader(package, config, timing=timing)
        report.solutions.append(_check_other(package, submission, config, grader, report, prefix))


def _check_other(
    package: Problem,
    submission: BundledSubmission,
    config: SandboxConfig,
    grader: Grader,
    report: Preparation,
    prefix: str,
) -> SolutionCheck:
    name = prefix + str(submission.path.relative_to(package.root))
    try:
        language = reference_language(package, submission.path)
    except UnknownLanguage:
        report.warnings.append(f"{name}: not checked: no compiler for this kind of file")
        return SolutionCheck(name, "", submission.expected, message="unknown language")
    available, why = availability(language)
    if not available:
        report.warnings.append(f"{name}: not checked: {language.id} is not available here ({why})")
        return SolutionCheck(name, language.id, submission.expected, message=f"unavailable: {why}")
    try:
        result = _grade(submission.path, language, grader)
    except JudgeError as error:  # the judge's side: say so, and go on
        log.warning("checking %s failed: %s", name, reason(error), exc_info=True)
        report.warnings.append(f"{name}: not checked: {reason(error)}")
        return SolutionCheck(name, language.id, submission.expected, verdict="IE", message=reason(error))
    check = _check(package, submission.path, language, submission.expected, result, prefix, submission.score)
    if not check.agrees:
        report.warnings.append(
            f"{name}: expected {submission.expected}, got {result.verdict.value}"
            + (f" ({check.message})" if check.message else "")
        )
    return check


def _grade(path: Path, language: Language, grader: Grader) -> GradeResult:
    # A Kattis submission's file name is its Java class; Jutge names every solution solution.<ext>.
    file_name = path.name if grader.problem.format == "kattis" else None
    return grader.grade(path.read_bytes(), language, file_name=file_name)


def _check(
    package: Problem,
    path: Path,
    language: Language,
    expected: str,
    result: GradeResult,
    prefix: str,
    expected_score: float | None = None,
) -> SolutionCheck:
    """How a bundled solution fared: it agrees when it got one of the expected verdicts and, when
    the package says which, the expected score."""
    allowed = {code.strip().upper() for code in expected.split("|")}
    score_agrees = expected_score is None or abs(result.score - expected_score) < 1e-6
    message = result.message if result.verdict in (Verdict.IE, Verdict.CE) else ""
    if not score_agrees:
        message = f"score {result.score:g}, expected {expected_score:g}"
    if result.verdict == Verdict.CE and result.compile_output.strip():
        message = result.compile_output.strip().splitlines()[0][:200]
    return SolutionCheck(
        file=prefix + str(path.relative_to(package.root)),
        language=language.id,
        expected=expected,
        verdict=result.verdict.value,
        seconds=max((t.time for t in result.tests), default=0.0),
        message=message,
        agrees=result.verdict.value in allowed and score_agrees,
    )


# -- timing ------------------------------------------------------------------------------------------
def _timing_of(package: Problem, report: Preparation, variant: str) -> Timing:
    if package.time_limit is not None:
        return Timing(fixed=package.time_limit)
    prefix = f"{variant}/" if variant else ""
    checks = [
        c
        for c in [*report.golden, *report.solutions]
        if c.file.startswith(prefix) and c.verdict == Verdict.AC and c.expected.startswith("AC")
    ]
    if not checks:
        raise PackageError(package.root, "no time limit given and no accepted solution to measure one from")
    if package.format == "jutge":
        references = [Reference(c.file.removeprefix(prefix), c.language, c.seconds) for c in checks]
        return Timing(references=references, classes=dict(package.time_classes) or _uniform(package))
    # Kattis: the slowest accepted submission, one class for every language.
    slowest = max(checks, key=lambda c: c.seconds)
    return Timing(
        references=[Reference(slowest.file.removeprefix(prefix), slowest.language, slowest.seconds)],
        classes=_uniform(package),
    )


def _uniform(package: Problem) -> dict[str, ClassFactors]:
    factors = ClassFactors(package.time_multiplier, package.time_constant)
    return {"fast": factors, "medium": factors, "slow": factors}
