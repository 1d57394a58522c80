"""Custom checkers and interactors as programs: found in the package, compiled, and run in a
sandbox of their own for the whole submission.

What they answer is interpreted by `verdict.judge.checker_protocols` (Kattis output validators,
testlib checkers, Jutge external checkers).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from verdict.judge.check_result import CheckResult
from verdict.judge.checker_protocols import (
    FEEDBACK_CAP,
    interpret_jutge_external,
    interpret_kattis_validator,
    interpret_testlib,
)
from verdict.judge.compiler import Compiled, compile_source, run_limits
from verdict.judge.errors import CheckerError, PackageError, UnknownLanguage
from verdict.judge.languages import language_for_file
from verdict.judge.problem import TestCase
from verdict.judge.sandbox import Limits, MiB, RunResult, Sandbox, SandboxConfig, Status, wait_runs
from verdict.judge.supervision import Supervision
from verdict.judge.verdicts import Verdict

CHECKER_LIMITS = Limits(cpu_time=10, wall_time=30, memory_mb=1024, processes=32, output_bytes=MiB)
FEEDBACK_DIR = "feedback"
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
    compiled = compile_source(
        language, main.read_bytes(), config, extra_files=extra, supervision=supervision, file_name=main.name
    )
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
        return [*self.compiled.run_argv(CHECKER_LIMITS), *args]

    def check(self, test: TestCase, output: bytes) -> CheckResult:
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
            return interpret_testlib(_exit(result), (result.stdout + result.stderr).decode(errors="replace"))
        result = self._run(self._argv("/box/t/input", "/box/t/output", "/box/t/answer"))
        return interpret_jutge_external(_exit(result), result.stdout.decode(errors="replace"))

    def _run(self, argv: list[str], stdin: bytes | None = None) -> RunResult:
        limits = run_limits(self.compiled.language, CHECKER_LIMITS)
        return self.box.run(argv, stdin=stdin, limits=limits, env=self.compiled.language.environment)

    def _interpret_kattis(self, result: RunResult) -> CheckResult:
        with tempfile.TemporaryDirectory() as tmp:
            for name in ("judgemessage.txt", "teammessage.txt", "score.txt"):
                # Regular files of the box only, read without following links (issue 10, C1).
                data = self.box.read_file(f"t/{FEEDBACK_DIR}/{name}", FEEDBACK_CAP + 1)
                if data is not None:
                    (Path(tmp) / name).write_bytes(data)
            outcome = interpret_kattis_validator(_exit(result), Path(tmp))
        if outcome.verdict == Verdict.IE and result.status != Status.OK:
            outcome.judge_message += (
                f"\nvalidator: {result.status.value} {result.message} {result.stderr[-500:]!r}"
            )
        return outcome

    def interact(
        self, test: TestCase, program_box: Sandbox, program: Compiled, limits: Limits
    ) -> tuple[RunResult, CheckResult]:
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
            program.run_argv(limits),
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


def flag_list(flags: object) -> list[str]:
    """A checker's `flags` option (a string or a list) as arguments."""
    if isinstance(flags, str):
        return flags.split()
    if isinstance(flags, list):
        return [str(f) for f in flags]
    return []
