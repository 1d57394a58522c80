"""Grading: a problem package plus a submission gives a graded result.

The judge is a library: no HTTP, no database. One sandbox is set up for the submission and
one for a custom checker (if any); each test is then a fork+exec in each.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from verdict.judge import checkers
from verdict.judge.compiler import (
    Compiled,
    compile_source,
    program_sandbox,
    run_limits,
    run_program,
    still_cached,
)
from verdict.judge.errors import CheckerError, PackageError, UnknownLanguage
from verdict.judge.languages import Language, get_language, language_for_file
from verdict.judge.problem import Problem, TestCase, TestGroup, TestKind
from verdict.judge.sandbox import Limits, MiB, RunResult, Sandbox, SandboxConfig, Status, wait_runs
from verdict.judge.supervision import Supervision
from verdict.judge.verdicts import STATUS_VERDICTS, Verdict, inginious_result, jutge_code, most_severe

CHECKER_LIMITS = Limits(cpu_time=10, wall_time=30, memory_mb=1024, processes=32, output_bytes=MiB)
DERIVATION_LIMIT = 10.0  # seconds allowed to the reference solutions when deriving a time limit
MIN_DERIVED_LIMIT = 0.5  # seconds
FEEDBACK_DIR = "feedback"


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class
    name: str
    kind: str
    group: str
    verdict: Verdict
    time: float = 0.0
    memory: int = 0
    message: str = ""  # for the student; never the expected answer of a hidden test
    judge_message: str = ""  # for staff
    score: float | None = None
    visible: bool = False  # sample/public: the student may see input and expected output
    revealed: bool = False  # a failed hint test: shown to the student


@dataclass
class GradeResult:
    verdict: Verdict
    score: float = 0.0
    max_score: float = 100.0
    tests: list[TestResult] = field(default_factory=list)
    compile_output: str = ""
    time_limit: float = 0.0
    language: str = ""
    message: str = ""

    @property
    def grade(self) -> float:
        """0–100, as INGInious wants it."""
        return round(100.0 * self.score / self.max_score, 2) if self.max_score else 0.0

    @property
    def jutge_verdict(self) -> str:
        return jutge_code(self.verdict)

    @property
    def inginious_result(self) -> str:
        return inginious_result(self.verdict)

    @property
    def cause(self) -> str:
        """Jutge's EE cause, or the first failed test's message."""
        failed = [t for t in self.tests if t.verdict == self.verdict]
        return (
            self.verdict.description
            if not failed
            else f"{self.verdict.description}: {failed[0].message}".rstrip(": ")
        )

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        for test in data["tests"]:
            test["verdict"] = test["verdict"].value
        return data


ProgressCallback = Callable[[TestResult, int, int], None]


# -- checker programs -------------------------------------------------------------------------
CHECKER_NAMES = ("validator", "checker", "interactor", "validate", "check", "interact", "main")


def checker_main_file(source: Path) -> Path:
    """The program file of a custom checker given as a file or a directory of files."""
    if source.is_file():
        return source
    candidates = []
    for path in sorted(source.iterdir()):
        try:
            language_for_file(path)
        except UnknownLanguage:
            continue
        candidates.append(path)
    if not candidates:
        raise PackageError(source, "no checker program found")
    named = [p for p in candidates if p.stem.lower() in CHECKER_NAMES]
    return (named or candidates)[0]


def compile_checker(source: Path, config: SandboxConfig, supervision: Supervision | None = None) -> Compiled:
    main = checker_main_file(source)
    language = language_for_file(main)
    extra = (
        {p.name: p.read_bytes() for p in main.parent.iterdir() if p.is_file() and p != main}
        if source.is_dir()
        else {}
    )
    compiled = compile_source(language, main.read_bytes(), config, extra_files=extra, supervision=supervision)
    if not compiled.ok:
        raise CheckerError(f"{main}: checker does not compile: {compiled.output[:2000]}")
    return compiled


class CheckerProgram:
    """A compiled custom checker or interactor, in its own sandbox for the whole submission."""

    def __init__(self, compiled: Compiled, box: Sandbox, kind: str, flags: list[str]) -> None:
        self.compiled = compiled
        self.box = box
        self.kind = kind
        self.flags = flags

    def _put_test(self, test: TestCase) -> None:
        self.box.put("t/input", test.input_path)
        self.box.put("t/answer", test.answer_path)
        self.box.fresh_dir(f"t/{FEEDBACK_DIR}")

    def _argv(self, *args: str) -> list[str]:
        language = self.compiled.language
        return [*language.run_argv(CHECKER_LIMITS), *args]

    def check(self, test: TestCase, output: bytes) -> checkers.CheckResult:
        self._put_test(test)
        if self.kind == "kattis-custom":
            result = self._run(
                self._argv("/box/t/input", "/box/t/answer", f"/box/t/{FEEDBACK_DIR}/", *self.flags),
                stdin=output,
            )
            return self._interpret_kattis(result)
        self.box.put("t/output", output)
        if self.kind == "testlib":
            result = self._run(self._argv("/box/t/input", "/box/t/output", "/box/t/answer"))
            return checkers.interpret_testlib(
                _exit(result), (result.stdout + result.stderr).decode(errors="replace")
            )
        result = self._run(self._argv("/box/t/input", "/box/t/output", "/box/t/answer"))
        return checkers.interpret_jutge_external(_exit(result), result.stdout.decode(errors="replace"))

    def _run(self, argv: list[str], stdin: bytes | None = None) -> RunResult:
        limits = run_limits(self.compiled.language, CHECKER_LIMITS)
        return self.box.run(argv, stdin=stdin, limits=limits, env=self.compiled.language.environment)

    def _interpret_kattis(self, result: RunResult) -> checkers.CheckResult:
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("judgemessage.txt", "teammessage.txt", "score.txt"):
                # Regular files of the box only, read without following links (issue 10, C1).
                data = self.box.read_file(f"t/{FEEDBACK_DIR}/{name}", checkers.FEEDBACK_CAP + 1)
                if data is not None:
                    (Path(tmp) / name).write_bytes(data)
            outcome = checkers.interpret_kattis_validator(_exit(result), Path(tmp))
        if outcome.verdict == Verdict.IE and result.status != Status.OK:
            outcome.judge_message += (
                f"\nvalidator: {result.status.value} {result.message} {result.stderr[-500:]!r}"
            )
        return outcome

    def interact(
        self, test: TestCase, program_box: Sandbox, program: Compiled, limits: Limits
    ) -> tuple[RunResult, checkers.CheckResult]:
        """Kattis interactive: the validator's stdout is the program's stdin and vice versa."""
        self._put_test(test)
        to_program_r, to_program_w = os.pipe()
        to_validator_r, to_validator_w = os.pipe()
        limits = run_limits(program.language, limits)
        validator_limits = run_limits(
            self.compiled.language,
            Limits(
                cpu_time=max(CHECKER_LIMITS.cpu_time, limits.cpu_time * 2),
                wall_time=limits.wall + 5,
                memory_mb=CHECKER_LIMITS.memory_mb,
                processes=CHECKER_LIMITS.processes,
            ),
        )
        v_err_r, v_err_w = os.pipe()
        p_err_r, p_err_w = os.pipe()
        validator = self.box.start_run(
            self._argv("/box/t/input", "/box/t/answer", f"/box/t/{FEEDBACK_DIR}/", *self.flags),
            to_validator_r,
            to_program_w,
            v_err_w,
            validator_limits,
            self.compiled.language.environment,
        )
        submission = program_box.start_run(
            program.language.run_argv(limits),
            to_program_r,
            to_validator_w,
            p_err_w,
            limits,
            program.language.environment,
        )
        for fd in (to_program_r, to_program_w, to_validator_r, to_validator_w, v_err_w, p_err_w):
            os.close(fd)
        # stdout of both goes to the other; only stderr pipes are drained here.
        validator_result, submission_result = wait_runs(
            [validator, submission],
            {id(validator): (_null_fd(), v_err_r), id(submission): (_null_fd(), p_err_r)},
        )
        return submission_result, self._interpret_kattis(validator_result)


def _null_fd() -> int:
    """An fd that reads EOF at once, for the stdout slot of a run whose stdout goes elsewhere."""
    r, w = os.pipe()
    os.close(w)
    return r


def _exit(result: RunResult) -> int:
    return result.exit_code if result.exit_code is not None else -1


# -- the grader ----------------------------------------------------------------------------------
class Grader:
    """Grades submissions of one problem. Reusable: the checker is compiled once (and cached)."""

    def __init__(self, problem: Problem, config: SandboxConfig, time_limit: float | None = None) -> None:
        self.problem = problem
        self.config = config
        self._time_limit = time_limit or problem.time_limit
        self._checker: Compiled | None = None

    # time limit -------------------------------------------------------------------------------
    @property
    def time_limit(self) -> float:
        return self._derived_time_limit()

    def _derived_time_limit(self, supervision: Supervision | None = None) -> float:
        if self._time_limit is None:
            self._time_limit = derive_time_limit(self.problem, self.config, supervision)
        return self._time_limit

    def tests_seconds(self) -> float:
        """How long running every test may take by the limits: each test's wall limit, and the
        checker's when it is a program (the grading's deadline is built from this)."""
        checker = CHECKER_LIMITS.wall if self.needs_program else 0.0
        return sum(self.limits_for(test).wall + checker for test in self.problem.tests)

    def limits_for(self, test: TestCase) -> Limits:
        problem = self.problem
        cpu = test.time_limit or self.time_limit
        output_mb = test.output_limit_mb or problem.output_limit_mb
        output = output_mb * MiB
        if problem.format == "jutge" and not test.output_limit_mb:
            # Jutge caps output near twice the expected size; never below 1 MiB here.
            output = max(2 * test.answer_path.stat().st_size, MiB)
        return Limits(
            cpu_time=cpu,
            wall_time=cpu * 3 + 1,
            memory_mb=test.memory_limit_mb or problem.memory_limit_mb,
            output_bytes=output,
            file_size_bytes=max(output, 16 * MiB),
        )

    # checker --------------------------------------------------------------------------------------
    @property
    def needs_program(self) -> bool:
        return self.problem.type == "interactive" or self.problem.checker.kind in checkers.PROGRAM_KINDS

    def checker_compiled(self, supervision: Supervision | None = None) -> Compiled:
        if self._checker is None or not still_cached(self._checker):
            source = (
                self.problem.interactor if self.problem.type == "interactive" else self.problem.checker.source
            )
            if source is None:
                raise PackageError(self.problem.root, "the checker program is missing")
            self._checker = compile_checker(source, self.config, supervision)
        return self._checker

    @contextmanager
    def _checker_program(self, supervision: Supervision | None) -> Iterator[CheckerProgram | None]:
        if not self.needs_program:
            yield None
            return
        compiled = self.checker_compiled(supervision)
        kind = "kattis-custom" if self.problem.type == "interactive" else self.problem.checker.kind
        flags = _flag_list(self.problem.checker.options.get("flags"))
        with program_sandbox(compiled, self.config, supervision=supervision) as box:
            yield CheckerProgram(compiled, box, kind, flags)

    # grading ---------------------------------------------------------------------------------
    def grade(
        self,
        source: bytes,
        language: Language | str,
        on_test: ProgressCallback | None = None,
        supervision: Supervision | None = None,
    ) -> GradeResult:
        """Compiles and runs every test. Under a supervision, each phase (compile, deriving the
        time limit, the tests) announces what its limits allow, and every sandbox is watched."""
        language = get_language(language) if isinstance(language, str) else language
        if self.problem.compilers and language.id not in self.problem.compilers:
            return GradeResult(
                Verdict.CE,
                language=language.id,
                message=f"compiler {language.id} not allowed here: use {', '.join(self.problem.compilers)}",
                compile_output=f"compiler {language.id} not allowed for this problem",
            )
        compiled = compile_source(language, source, self.config, supervision=supervision)
        if not compiled.ok:
            return GradeResult(
                Verdict.CE,
                compile_output=compiled.output,
                language=language.id,
                message="compile error",
                max_score=self._max_score(),
            )
        try:
            time_limit = self._derived_time_limit(supervision)
        except (PackageError, UnknownLanguage) as error:
            return GradeResult(Verdict.IE, message=str(error), language=language.id)
        with ExitStack() as stack:
            try:
                checker = stack.enter_context(self._checker_program(supervision))
            except (PackageError, CheckerError, UnknownLanguage) as error:
                return GradeResult(
                    Verdict.IE, message=str(error), language=language.id, time_limit=time_limit
                )
            box = stack.enter_context(program_sandbox(compiled, self.config, supervision=supervision))
            if supervision is not None:
                supervision.allow(self.tests_seconds())
            tests = self._run_tests(box, compiled, checker, on_test)
        result = self._summarise(tests)
        result.compile_output = compiled.output
        result.language = language.id
        result.time_limit = time_limit
        return result

    def _run_tests(
        self,
        box: Sandbox,
        compiled: Compiled,
        checker: CheckerProgram | None,
        on_test: ProgressCallback | None,
    ) -> list[TestResult]:
        results: list[TestResult] = []
        failed_groups: set[str] = set()
        scoring = bool(self.problem.groups)
        total = len(self.problem.tests)
        for index, test in enumerate(self.problem.tests):
            if test.group in failed_groups:
                continue
            result = self._run_one(test, box, compiled, checker)
            results.append(result)
            if on_test:
                on_test(result, index, total)
            if result.verdict != Verdict.AC:
                if not scoring and not self.problem.continue_on_failure:
                    break
                group = self._group(test)
                if group and group.on_reject == "break" and group.aggregation == "min":
                    failed_groups.add(test.group)
        return results

    def _group(self, test: TestCase) -> TestGroup | None:
        return next((g for g in self.problem.groups if g.name == test.group), None)

    def _run_one(
        self, test: TestCase, box: Sandbox, compiled: Compiled, checker: CheckerProgram | None
    ) -> TestResult:
        limits = self.limits_for(test)
        check: checkers.CheckResult | None
        if self.problem.type == "interactive":
            assert checker is not None
            run, interaction = checker.interact(test, box, compiled, limits)
            check, verdict = interaction, _interactive_verdict(run, interaction)
        else:
            run = run_program(box, compiled, limits, stdin=test.input_path)
            check = self._check(test, run, checker) if run.ok else None
            verdict = _check_verdict(check) if run.ok else STATUS_VERDICTS[run.status]
        message = _message(run, check, verdict)
        judge_message = check.judge_message if check else run.message
        revealed = test.kind == TestKind.HINT and verdict != Verdict.AC
        if not (test.visible or revealed):
            message, judge_message = _hidden_messages(message, judge_message, verdict)
        return TestResult(
            name=test.name,
            kind=test.kind.value,
            group=test.group,
            verdict=verdict,
            time=run.cpu_time,
            memory=run.memory_bytes,
            message=message,
            judge_message=judge_message,
            score=check.score if check else None,
            visible=test.visible,
            revealed=revealed,
        )

    def _check(self, test: TestCase, run: RunResult, checker: CheckerProgram | None) -> checkers.CheckResult:
        if checker is not None:
            return checker.check(test, run.stdout)
        return checkers.check(self.problem.checker, run.stdout, test.answer_path.read_bytes())

    # scoring --------------------------------------------------------------------------------------
    def _max_score(self) -> float:
        return sum(g.points for g in self.problem.groups) if self.problem.groups else 100.0

    def _summarise(self, tests: list[TestResult]) -> GradeResult:
        failures = [t.verdict for t in tests if t.verdict != Verdict.AC]
        if not self.problem.groups:
            complete = len(tests) == len(self.problem.tests)
            verdict = (
                (failures[0] if not self.problem.continue_on_failure else most_severe(failures))
                if failures
                else (Verdict.AC if complete else Verdict.IE)
            )
            return GradeResult(verdict, score=100.0 if verdict == Verdict.AC else 0.0, tests=tests)
        score = sum(self._group_score(group, tests) for group in self.problem.groups)
        best = self._max_score()
        if score >= best - 1e-9 and not failures:
            verdict = Verdict.AC
        elif score > 0:
            verdict = Verdict.SC
        else:
            verdict = most_severe(failures) if failures else Verdict.WA
        return GradeResult(verdict, score=round(score, 4), max_score=best, tests=tests)

    def _group_score(self, group: TestGroup, tests: list[TestResult]) -> float:
        members = [t for t in self.problem.tests if t.group == group.name]
        if not members:
            return 0.0
        results = {t.name: t for t in tests if t.group == group.name}
        accepted = [results.get(t.name) for t in members]
        passed = sum(1 for r in accepted if r is not None and r.verdict == Verdict.AC)
        if group.aggregation == "sum":
            return group.points * passed / len(members)
        return group.points if passed == len(members) else 0.0


def _check_verdict(check: checkers.CheckResult | None) -> Verdict:
    return Verdict.IE if check is None else check.verdict


def _interactive_verdict(run: RunResult, check: checkers.CheckResult) -> Verdict:
    """Kattis order: over time first; a validator's rejection beats the program's crash (it
    often crashes because the validator hung up); then the program's failure; then acceptance."""
    if run.status in (Status.TIME_LIMIT, Status.WALL_LIMIT):
        return Verdict.TLE
    if check.verdict == Verdict.WA:
        return Verdict.WA
    if run.status != Status.OK:
        return STATUS_VERDICTS[run.status]
    return _check_verdict(check)


def _message(run: RunResult, check: checkers.CheckResult | None, verdict: Verdict) -> str:
    if run.status != Status.OK:
        return run.message
    if check is not None and check.message:
        return check.message
    return "" if verdict == Verdict.AC else verdict.description


def _hidden_messages(message: str, judge_message: str, verdict: Verdict) -> tuple[str, str]:
    """A hidden test tells the student its verdict only. An exit code, a signal or a checker's
    message is a channel: a program that exits with the input's first byte rebuilds a secret
    test in a few submissions (audit M1). The detail moves to the staff-only judge message."""
    kept = message if message and message not in judge_message else ""
    detail = "\n".join(part for part in (kept, judge_message) if part)
    return ("" if verdict == Verdict.AC else verdict.description), detail


def _flag_list(flags: object) -> list[str]:
    if isinstance(flags, str):
        return flags.split()
    if isinstance(flags, list):
        return [str(f) for f in flags]
    return []


# -- time limits from reference solutions ---------------------------------------------------------------
def derive_time_limit(
    problem: Problem, config: SandboxConfig, supervision: Supervision | None = None
) -> float:
    """Slowest accepted/golden solution's CPU time × multiplier + constant (as the formats say)."""
    references = [s.path for s in problem.submissions if s.expected == Verdict.AC]
    if problem.golden_solution and problem.golden_solution not in references:
        references.insert(0, problem.golden_solution)
    if not references:
        raise PackageError(problem.root, "no time limit given and no accepted solution to derive one from")
    grader = Grader(problem, config, time_limit=DERIVATION_LIMIT)
    slowest = 0.0
    for path in references:
        result = grader.grade(path.read_bytes(), reference_language(problem, path), supervision=supervision)
        if result.verdict != Verdict.AC:
            raise PackageError(
                path,
                f"reference solution is not accepted ({result.verdict.value}: {result.cause})"
                + "".join(f"\n{t.name}: {t.judge_message}" for t in result.tests if t.verdict != Verdict.AC),
            )
        slowest = max([slowest, *(t.time for t in result.tests)])
    # A floor keeps a derived limit meaningful on a busy machine (fast references give ~0.01 s).
    return round(max(slowest * problem.time_multiplier + problem.time_constant, MIN_DERIVED_LIMIT), 2)


def reference_language(problem: Problem, path: Path) -> Language:
    """The language of a bundled solution: Jutge's handler `solution` or the file extension."""
    solution_language = getattr(problem, "solution_language", None)
    if path == problem.golden_solution and isinstance(solution_language, str) and solution_language:
        try:
            return get_language(solution_language)
        except UnknownLanguage:
            pass
    return language_for_file(path)


def grade_file(
    problem: Problem,
    source: Path,
    config: SandboxConfig,
    language: str | None = None,
    on_test: ProgressCallback | None = None,
) -> GradeResult:
    lang = get_language(language) if language else language_for_file(source)
    return Grader(problem, config).grade(source.read_bytes(), lang, on_test)
