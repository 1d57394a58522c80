"""Grading: a problem package plus a submission gives a graded result.

The judge is a library: no HTTP, no database. One sandbox is set up for the submission and
one for a custom checker (if any); each test is then a fork+exec in each. Custom checker programs
are `verdict.judge.checker_programs`; verdicts, messages and scores are `verdict.judge.scoring`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from verdict.judge import checkers, graphic, scoring
from verdict.judge.check_result import CheckResult
from verdict.judge.checker_programs import CHECKER_LIMITS, CheckerProgram, compile_checker, flag_list
from verdict.judge.compiler import Compiled, program_sandbox, run_program, still_cached
from verdict.judge.errors import CheckerError, PackageError, UnknownLanguage
from verdict.judge.function_problems import compile_submission
from verdict.judge.languages import Language, get_language, language_for_file
from verdict.judge.multipass import PassOutcome, run_passes
from verdict.judge.problem import Problem, TestCase, TestGroup, TestKind
from verdict.judge.sandbox import Limits, MiB, RunResult, Sandbox, SandboxConfig
from verdict.judge.supervision import Supervision
from verdict.judge.time_limits import Timing
from verdict.judge.verdicts import STATUS_VERDICTS, Verdict


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
    image: str = ""  # graphic problems: the difference image, a PNG data URL (verdict.judge.graphic)


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
        """The score as a grade 0–100."""
        return round(100.0 * self.score / self.max_score, 2) if self.max_score else 0.0

    @property
    def cause(self) -> str:
        """Jutge's EE cause, or the first failed test's message; an IE says what failed."""
        if self.verdict == Verdict.IE and self.message:
            return f"{self.verdict.description}: {self.message}"
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


# -- the grader ----------------------------------------------------------------------------------
class Grader:
    """Grades submissions of one problem. Reusable: the checker is compiled once (and cached).

    The time limit is ``time_limit`` if given, else the package's own, else the one ``timing``
    gives the submission's language (measured when the package was imported: see
    :mod:`verdict.judge.preparation`)."""

    def __init__(
        self,
        problem: Problem,
        config: SandboxConfig,
        time_limit: float | None = None,
        timing: Timing | None = None,
    ) -> None:
        self.problem = problem
        self.config = config
        self._fixed_limit = time_limit or problem.time_limit
        self.timing = timing
        # A stored package never changes: which tests lack an expected output is known once.
        self._missing_answers = problem.missing_answers
        self._checker: Compiled | None = None

    # time limit -------------------------------------------------------------------------------
    def time_limit_for(self, language: Language) -> float:
        if self._fixed_limit is not None:
            return self._fixed_limit
        if self.timing is None:
            raise PackageError(
                self.problem.root, "no time limit: the package's references were never measured"
            )
        return self.timing.limit_for(
            language.extensions[0] if language.extensions else "", language.time_class
        )

    def tests_seconds(self, time_limit: float, compiler: str = "") -> float:
        """How long running every test may take by the limits: each test's wall limit, and the
        checker's when it is a program (the grading's deadline is built from this)."""
        checker = CHECKER_LIMITS.wall if self.needs_program else 0.0
        return sum(self.limits_for(test, time_limit, compiler).wall + checker for test in self.problem.tests)

    def limits_for(self, test: TestCase, time_limit: float, compiler: str = "") -> Limits:
        """One test's limits for a compiler id (Jutge's <test>.<compiler>.ops apply to it alone)."""
        problem = self.problem
        ops = test.for_compiler(compiler)
        cpu = ops.time_limit or time_limit
        output_mb = ops.output_limit_mb or problem.output_limit_mb
        output = output_mb * MiB
        if problem.format == "jutge" and not ops.output_limit_mb:
            # Jutge caps output near twice the expected size; never below 1 MiB here.
            output = max(2 * test.answer_path.stat().st_size, MiB)
        return Limits(
            cpu_time=cpu,
            wall_time=cpu * 3 + 1,
            memory_mb=ops.memory_limit_mb or problem.memory_limit_mb,
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
        options = self.problem.checker.options
        # Kattis validators get output_validator_flags/args ("args"); Jutge and testlib "flags".
        flags = flag_list(options.get("args", options.get("flags")))
        with program_sandbox(compiled, self.config, supervision=supervision) as box:
            yield CheckerProgram(compiled, box, kind, flags)

    # grading ---------------------------------------------------------------------------------
    def grade(
        self,
        source: bytes,
        language: Language | str,
        on_test: ProgressCallback | None = None,
        supervision: Supervision | None = None,
        file_name: str | None = None,
        on_tests: Callable[[int], None] | None = None,
    ) -> GradeResult:
        """Compiles and runs every test. Under a supervision, each phase (compile, deriving the
        time limit, the tests) announces what its limits allow, and every sandbox is watched.
        file_name is the name the submission came with (a Java source keeps it), if any.
        on_tests is told the number of tests when they start (compiled, the checker ready), and
        on_test each test's result as it finishes: together, the grading's progress."""
        language = get_language(language) if isinstance(language, str) else language
        if self.problem.compilers and language.id not in self.problem.compilers:
            return GradeResult(
                Verdict.CE,
                language=language.id,
                message=f"compiler {language.id} not allowed here: use {', '.join(self.problem.compilers)}",
                compile_output=f"compiler {language.id} not allowed for this problem",
            )
        compiled = compile_submission(
            self.problem, language, source, self.config, supervision=supervision, file_name=file_name
        )
        if not compiled.ok:
            return GradeResult(
                Verdict.CE,
                compile_output=compiled.output,
                language=language.id,
                message="compile error",
                max_score=scoring.max_score(self.problem),
            )
        if missing := self._missing_answers:
            return GradeResult(
                Verdict.IE,
                message=f"test {missing[0].name} has no expected output: the package was not prepared",
                language=language.id,
            )
        try:
            time_limit = self.time_limit_for(language)
        except PackageError as error:
            return GradeResult(
                Verdict.IE, message=f"cannot set the time limit: {reason(error)}", language=language.id
            )
        with ExitStack() as stack:
            try:
                checker = stack.enter_context(self._checker_program(supervision))
            except (PackageError, CheckerError, UnknownLanguage) as error:
                return GradeResult(
                    Verdict.IE,
                    message=f"cannot prepare the checker: {reason(error)}",
                    language=language.id,
                    time_limit=time_limit,
                )
            box = stack.enter_context(program_sandbox(compiled, self.config, supervision=supervision))
            if supervision is not None:
                supervision.allow(self.tests_seconds(time_limit, language.id))
            if on_tests:
                on_tests(len(self.problem.tests))
            tests = self._run_tests(box, compiled, checker, on_test, time_limit)
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
        time_limit: float,
    ) -> list[TestResult]:
        results: list[TestResult] = []
        failed_groups: set[str] = set()
        by_groups = bool(self.problem.groups)
        total = len(self.problem.tests)
        for index, test in enumerate(self.problem.tests):
            if test.group in failed_groups:
                continue
            limits = self.limits_for(test, time_limit, compiled.language.id)
            result = self._run_one(test, box, compiled, checker, limits)
            results.append(result)
            if on_test:
                on_test(result, index, total)
            if result.verdict != Verdict.AC:
                if not by_groups and not self.problem.continue_on_failure:
                    break
                group = self._group(test)
                if group and group.on_reject == "break" and group.aggregation == "min":
                    failed_groups.add(test.group)
        return results

    def _group(self, test: TestCase) -> TestGroup | None:
        return next((g for g in self.problem.groups if g.name == test.group), None)

    def _run_one(
        self, test: TestCase, box: Sandbox, compiled: Compiled, checker: CheckerProgram | None, limits: Limits
    ) -> TestResult:
        def one_pass(pass_input: bytes | None) -> PassOutcome:
            return self._one_pass(test, box, compiled, checker, limits, pass_input)

        if self.problem.multi_pass and checker is not None:
            outcome = run_passes(one_pass, checker.next_pass_input, self.problem.validation_passes)
        else:
            outcome = one_pass(None)
        run, check, verdict = outcome.run, outcome.check, outcome.verdict
        message = scoring.student_message(run, check, verdict)
        judge_message = check.judge_message if check else run.message
        if verdict == Verdict.IE:
            judge_message = scoring.internal_error_reason(run, check)
        revealed = test.kind == TestKind.HINT and verdict != Verdict.AC
        # A graphic check's difference image shows the expected image: only for tests one may see.
        image = check.image if isinstance(check, graphic.ImageCheck) and (test.visible or revealed) else ""
        if not (test.visible or revealed):
            message, judge_message = scoring.hidden_messages(message, judge_message, verdict)
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
            image=image,
        )

    def _one_pass(
        self,
        test: TestCase,
        box: Sandbox,
        compiled: Compiled,
        checker: CheckerProgram | None,
        limits: Limits,
        pass_input: bytes | None,
    ) -> PassOutcome:
        """One run on the test (pass_input: a multi-pass problem's later input) and its check."""
        if self.problem.type == "interactive":
            assert checker is not None
            run, interaction = checker.interact(test, box, compiled, limits, pass_input)
            return PassOutcome(run, interaction, scoring.interactive_verdict(run, interaction))
        stdin = test.input_path if pass_input is None else pass_input
        if self.problem.graphic is not None:
            graphic.clear_image(box, self.problem.graphic)
        run = run_program(box, compiled, limits, stdin=stdin)
        check = self._check(test, run, checker, box, pass_input) if run.ok else None
        verdict = scoring.check_verdict(check) if check is not None else STATUS_VERDICTS[run.status]
        return PassOutcome(run, check, verdict)

    def _check(
        self,
        test: TestCase,
        run: RunResult,
        checker: CheckerProgram | None,
        box: Sandbox,
        pass_input: bytes | None = None,
    ) -> CheckResult:
        if self.problem.graphic is not None:  # the image the program wrote, not its stdout
            return graphic.check_image(self.problem.graphic, box, test.answer_path)
        if checker is not None:
            return checker.check(test, run.stdout, pass_input)
        return checkers.check(self.problem.checker, run.stdout, test.answer_path.read_bytes())

    def _summarise(self, tests: list[TestResult]) -> GradeResult:
        verdict, score, max_score = scoring.summarise(self.problem, tests)
        message = ""
        if verdict == Verdict.IE:
            failed = next((t for t in tests if t.verdict == Verdict.IE), None)
            message = (
                f"test {failed.name}: {failed.judge_message or failed.message}"
                if failed is not None
                else f"only {len(tests)} of {len(self.problem.tests)} tests were run"
            )
        return GradeResult(verdict, score=score, max_score=max_score, tests=tests, message=message)


def reason(error: BaseException) -> str:
    """What an internal error says: the exception's type and message (never empty)."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# -- bundled solutions ------------------------------------------------------------------------------
def reference_language(problem: Problem, path: Path) -> Language:
    """The language of a bundled solution: Jutge's handler `solution` or the file extension."""
    solution_language = problem.solution_language
    if path == problem.golden_solution and solution_language:
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
    return Grader(problem, config).grade(source.read_bytes(), lang, on_test, file_name=source.name)
