"""Custom checkers and interactors as programs: found in the package, compiled, and run in a
sandbox of their own for the whole submission.

What they answer is interpreted by `verdict.judge.checker_protocols` (Kattis output validators,
testlib checkers, Jutge external checkers).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
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
from verdict.judge.languages import Language, language_for_file
from verdict.judge.problem import TestCase
from verdict.judge.sandbox import Limits, MiB, RunResult, Sandbox, SandboxConfig, Status, wait_runs
from verdict.judge.supervision import Supervision
from verdict.judge.verdicts import Verdict

CHECKER_LIMITS = Limits(cpu_time=10, wall_time=30, memory_mb=1024, processes=32, output_bytes=MiB)
FEEDBACK_DIR = "feedback"
CHECKER_NAMES = ("main", "validator", "checker", "interactor", "validate", "check", "interact")
BUILD_SCRIPTS = ("build", "run")
NEXT_PASS = "nextpass.in"  # multi-pass: the input of the submission's next run
NEXT_PASS_CAP = 64 * MiB
NEEDS_RUN = "test -f run || { echo 'the build script made no run program' >&2; exit 1; }"


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
    # problemtools' rule: main.* first, else (ours) a conventional name, else the first file.
    named = sorted(
        (p for p in candidates if p.stem.lower() in CHECKER_NAMES),
        key=lambda p: CHECKER_NAMES.index(p.stem.lower()),
    )
    return (named or candidates)[0]


def compile_checker(source: Path, config: SandboxConfig, supervision: Supervision | None = None) -> Compiled:
    """Build a checker from its file, or from its whole directory as problemtools does.

    A directory with a `build` or `run` script is built by the script (`run` is then the
    program). Otherwise every file of the directory goes into the box (headers such as
    validate.h or testlib.h are found beside the source) and, for C and C++, every source file
    of the main file's language is compiled together. A failed build raises CheckerError with
    the compiler's message: never an internal error that says nothing."""
    if source.is_dir() and any((source / name).is_file() for name in BUILD_SCRIPTS):
        return _build_with_scripts(source, config, supervision)
    main = checker_main_file(source)
    language = language_for_file(main)
    extra = _directory_files(source, main) if source.is_dir() else {}
    language = _with_all_sources(language, [name for name in extra if _is_source_of(name, language)])
    compiled = compile_source(
        language, main.read_bytes(), config, extra_files=extra, supervision=supervision, file_name=main.name
    )
    if not compiled.ok:
        raise CheckerError(f"{main}: checker does not compile: {_build_message(compiled)}")
    return compiled


def _directory_files(source: Path, main: Path) -> dict[str, bytes]:
    """Every file below the checker's directory but its main file, by path relative to it."""
    return {
        str(path.relative_to(source)): path.read_bytes()
        for path in sorted(source.rglob("*"))
        if path.is_file() and path != main and not path.name.startswith(".")
    }


def _is_source_of(name: str, language: Language) -> bool:
    try:
        return language_for_file(name).toolchain == language.toolchain and language.compile is not None
    except UnknownLanguage:
        return False


def _with_all_sources(language: Language, others: list[str]) -> Language:
    """A C or C++ language whose compile line names the main source and every other one, with
    the box as include path (problemtools compiles ``{files}``). Other languages are unchanged:
    an interpreter finds its modules beside the main file."""
    command = language.compile
    if command is None or language.source_name not in command or not command[0].endswith(("gcc", "g++")):
        return language
    at = command.index(language.source_name)
    compile_line = (*command[:at], "-I.", language.source_name, *others, *command[at + 1 :])
    return replace(language, compile=compile_line)


def _build_with_scripts(source: Path, config: SandboxConfig, supervision: Supervision | None) -> Compiled:
    """A checker directory with `build` and/or `run` (the spec's scripts): `build` runs in the
    box, then `run` is the program, and every file left at the top of the box is kept."""
    script = next(name for name in BUILD_SCRIPTS if (source / name).is_file())
    main = source / script
    extra = _directory_files(source, main)
    compiled = compile_source(
        script_language(script), main.read_bytes(), config, extra_files=extra, supervision=supervision
    )
    if not compiled.ok:
        raise CheckerError(f"{source}: the checker's build script failed: {_build_message(compiled)}")
    return compiled


def script_language(main_script: str) -> Language:
    """How a checker with build/run scripts is built and run (sh runs `build`, and `run` is made
    executable: archives lose the executable bit the spec asks for)."""
    build = "[ ! -f build ] || /bin/sh ./build" if main_script == "build" else "true"
    return Language(
        id="kattis-build-run",
        name="build/run scripts",
        extensions=(),
        source_name=main_script,
        compile=("/bin/sh", "-c", f"{build} && {{ {NEEDS_RUN}; }} && chmod +x run"),
        run=lambda limits: ["./run"],
        artifacts=("*",),
        version_command=("/bin/sh", "-c", "echo sh"),
        toolchain="/bin/sh",
    )


def _build_message(compiled: Compiled) -> str:
    text = compiled.output.strip() or f"the build failed ({compiled.status}) without a message"
    return text[:2000]


class CheckerProgram:
    """A compiled custom checker or interactor, in its own sandbox for the whole submission."""

    def __init__(self, compiled: Compiled, box: Sandbox, kind: str, flags: list[str]) -> None:
        self.compiled = compiled
        self.box = box
        self.kind = kind
        self.flags = flags

    def _put_test(self, test: TestCase, pass_input: bytes | None = None) -> None:
        """The test's files; a later pass of a multi-pass problem (pass_input given) has its own
        input and keeps the feedback directory, where the validator may keep its state."""
        self.box.put("t/input", test.input_path if pass_input is None else pass_input)
        self.box.put("t/answer", test.answer_path)
        if pass_input is None:
            self.box.fresh_dir(f"t/{FEEDBACK_DIR}")

    def next_pass_input(self) -> bytes | None:
        """What the validator wrote to nextpass.in (multi-pass: run the submission again on it),
        taken out of the feedback directory; None when it asked for no other pass."""
        name = f"t/{FEEDBACK_DIR}/{NEXT_PASS}"
        data = self.box.read_file(name, NEXT_PASS_CAP + 1)
        self.box.remove(name)
        if data is not None and len(data) > NEXT_PASS_CAP:
            raise CheckerError(f"the validator's {NEXT_PASS} is larger than {NEXT_PASS_CAP // MiB} MiB")
        return data

    def _argv(self, *args: str) -> list[str]:
        return [*self.compiled.run_argv(CHECKER_LIMITS), *args]

    def check(self, test: TestCase, output: bytes, pass_input: bytes | None = None) -> CheckResult:
        self._put_test(test, pass_input)
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
        self,
        test: TestCase,
        program_box: Sandbox,
        program: Compiled,
        limits: Limits,
        pass_input: bytes | None = None,
    ) -> tuple[RunResult, CheckResult]:
        """Kattis interactive: the validator's stdout is the program's stdin and vice versa."""
        self._put_test(test, pass_input)
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
