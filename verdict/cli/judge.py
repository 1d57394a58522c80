"""The judge as a library, from the shell: ``verdict run``, ``verdict languages``, ``verdict judge``.

None of these builds the platform: they read the settings for the sandbox and nothing else.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from verdict.cli.runtime import Runtime, console
from verdict.judge.compiler import compile_source, program_sandbox, run_program, self_test
from verdict.judge.errors import PackageError, SandboxError, UnknownLanguage
from verdict.judge.grader import Grader, GradeResult, TestResult
from verdict.judge.languages import Language, all_languages, availability, get_language, language_for_file
from verdict.judge.packages import load_package, refuse_language_folder
from verdict.judge.preparation import Preparation, prepare
from verdict.judge.problem import Problem
from verdict.judge.sandbox import Limits, SandboxConfig
from verdict.judge.verdicts import Verdict

COLOURS = {"AC": "green", "SC": "yellow", "CE": "magenta", "IE": "red"}


def colour(code: str) -> str:
    return f"[{COLOURS.get(code, 'red')}]{code}[/]"


def load_or_exit(path: Path) -> Problem:
    """The problem package at ``path``; a bad package exits with status 2."""
    try:
        return load_package(path)
    except PackageError as error:
        console.print(f"[bold red]Bad package:[/] {error}")
        raise typer.Exit(2) from None


@contextmanager
def prepared(
    path: Path, config: SandboxConfig, *, every_solution: bool
) -> Iterator[tuple[Problem, Preparation]]:
    """The package at ``path`` made ready as an import would (missing outputs made by the golden
    solution, the references measured), in a private copy: the directory itself is left as it is.
    A bad package exits with status 2, a failing golden solution (SE) with status 1."""
    if not path.is_dir():
        console.print(f"[bold red]Bad package:[/] {escape(str(path))} is not a directory")
        raise typer.Exit(2)
    try:
        refuse_language_folder(path.resolve())
    except PackageError as error:
        console.print(f"[bold red]Bad package:[/] {escape(str(error))}")
        raise typer.Exit(2) from None
    with tempfile.TemporaryDirectory(prefix="verdict-package-") as tmp:
        copy = Path(tmp) / path.resolve().name
        shutil.copytree(path, copy)
        problem = load_or_exit(copy)
        try:
            report = prepare(problem, config, every_solution=every_solution)
        except PackageError as error:
            console.print(f"[bold red]Cannot prepare the package:[/] {escape(str(error))}")
            raise typer.Exit(1) from None
        yield problem, report


def language_of(source: Path, lang: str | None) -> Language:
    """The language named by ``--lang``, else the one of the file's extension."""
    try:
        return get_language(lang) if lang else language_for_file(source)
    except UnknownLanguage as error:
        raise typer.BadParameter(str(error)) from None


def run_command(
    ctx: typer.Context,
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="Program source file."),
    lang: str = typer.Option(None, "--lang", "-l", help="Compiler id (GCC, G++17, Python3, JDK, ...)."),
    input: Path = typer.Option(None, "--input", "-i", exists=True, dir_okay=False, help="Standard input."),
    time: float = typer.Option(2.0, help="CPU time limit, seconds."),
    wall: float = typer.Option(None, help="Wall time limit, seconds (default 2×time+1)."),
    memory: int = typer.Option(256, help="Memory limit, MB."),
    output: int = typer.Option(64 * 1024 * 1024, help="Stdout limit, bytes."),
    processes: int = typer.Option(16, help="Processes and threads."),
    show_output: bool = typer.Option(True, help="Print the program's stdout."),
) -> None:
    """Compile SOURCE and run it once in the sandbox; print the outcome."""
    language = language_of(source, lang)
    config = Runtime.of(ctx).sandbox_config()
    try:
        compiled = compile_source(language, source.read_bytes(), config, file_name=source.name)
        if not compiled.ok:
            console.print(f"[bold red]Compile error[/] ({compiled.status})\n{compiled.output}")
            raise typer.Exit(1)
        limits = Limits(
            cpu_time=time, wall_time=wall, memory_mb=memory, output_bytes=output, processes=processes
        )
        with program_sandbox(compiled, config) as box:
            result = run_program(box, compiled, limits, stdin=input)
    except SandboxError as error:
        console.print(f"[bold red]Sandbox error:[/] {error}")
        raise typer.Exit(2) from None
    if show_output and result.stdout:
        console.print(result.stdout.decode(errors="replace"), markup=False, highlight=False, end="")
    table = Table(title=f"{source.name} ({language.id})")
    for column in ("status", "exit", "signal", "cpu s", "wall s", "memory MB", "compile"):
        table.add_column(column)
    table.add_row(
        f"{result.status.value} {result.message}".strip(),
        str(result.exit_code),
        result.signal_name,
        f"{result.cpu_time:.3f}",
        f"{result.wall_time:.3f}",
        f"{result.memory_bytes / 2**20:.1f}",
        "cached" if compiled.cached else f"{compiled.seconds:.2f}s",
    )
    console.print(table)
    if result.stderr:
        console.print("[dim]stderr:[/]", result.stderr.decode(errors="replace")[-2000:], markup=False)
    raise typer.Exit(0 if result.ok else 1)


def languages_command(
    ctx: typer.Context,
    check: bool = typer.Option(True, help="Compile and run each language's self-test."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list for scripts instead of a table."),
    only: list[str] = typer.Option([], "--lang", help="Only these compiler ids (repeatable)."),
) -> None:
    """List the compiler ids: availability, version, time class and self-test result."""
    config = Runtime.of(ctx).sandbox_config()
    try:
        chosen = [get_language(name) for name in only] if only else list(all_languages().values())
    except UnknownLanguage as error:
        raise typer.BadParameter(str(error)) from None
    rows = [_language_row(language, config, check) for language in chosen]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Languages")
    for column in ("id", "name", "available", "version", "time class", "self-test"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["name"]),
            "yes" if row["available"] else "no",
            escape(str(row["version"] or "")),
            str(row["time_class"]),
            escape(str((row["self_test"] or "not run") if row["available"] else row["reason"])),
        )
    console.print(table)


def _language_row(language: Language, config: SandboxConfig, check: bool) -> dict[str, object]:
    """What `verdict languages` says of one language (the --json form's item)."""
    available, version = availability(language)
    row: dict[str, object] = {
        "id": language.id,
        "name": language.name,
        "available": available,
        "version": version if available else None,
        "reason": None if available else version,
        "time_class": language.time_class,
        "extensions": list(language.extensions),
        "compile": list(language.compile) if language.compile else None,
        "run": language.run_argv(Limits()),
        "self_test": None,
    }
    if available and check:
        outcome = self_test(language, config)
        row["self_test"] = "passed" if outcome.passed else f"failed: {outcome.detail}"
    return row


def _progress(result: TestResult, index: int, total: int) -> None:
    console.print(
        f"  [{index + 1}/{total}] {result.name:30} {colour(result.verdict.value)} "
        f"{result.time:.3f}s {result.memory / 2**20:.1f}MB {result.message}"
    )


def _summary_table(title: str, result: GradeResult) -> Table:
    table = Table(title=title)
    for column in ("test", "kind", "group", "verdict", "cpu s", "memory MB", "message"):
        table.add_column(column)
    for test in result.tests:
        table.add_row(
            test.name,
            test.kind,
            test.group,
            colour(test.verdict.value),
            f"{test.time:.3f}",
            f"{test.memory / 2**20:.1f}",
            test.message,
        )
    table.caption = (
        f"verdict {colour(result.verdict.value)} ({result.verdict.description}) · score "
        f"{result.score:g}/{result.max_score:g} · time limit {result.time_limit:g}s · {result.language}"
    )
    return table


def judge_command(
    ctx: typer.Context,
    package: Path = typer.Argument(..., exists=True, help="Problem package directory (Kattis or Jutge)."),
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="Submission source."),
    lang: str = typer.Option(None, "--lang", "-l", help="Compiler id (default: from the extension)."),
    as_json: bool = typer.Option(
        False, "--json", help="Print the whole result as one JSON object (no progress, no table)."
    ),
) -> None:
    """Judge SOURCE against PACKAGE with live progress and a final table."""
    language = language_of(source, lang)
    config = Runtime.of(ctx).sandbox_config()
    try:
        with prepared(package, config, every_solution=False) as (problem, report):
            result = Grader(problem, config, timing=report.timing()).grade(
                source.read_bytes(), language, None if as_json else _progress, file_name=source.name
            )
    except SandboxError as error:
        console.print(f"[bold red]Sandbox error:[/] {error}")
        raise typer.Exit(2) from None
    exit_code = 0 if result.verdict == Verdict.AC else 1
    if as_json:
        typer.echo(json.dumps(result_json(result), indent=2))
        raise typer.Exit(exit_code)
    if result.compile_output and result.verdict == Verdict.CE:
        console.print(result.compile_output, markup=False)
    console.print(_summary_table(f"{problem.problem_id}: {source.name}", result))
    if result.verdict == Verdict.IE:
        console.print(f"[bold red]Internal error:[/] {escape(result.message)}")
    raise typer.Exit(exit_code)


def result_json(result: GradeResult) -> dict[str, object]:
    """What ``verdict judge --json`` prints: the result's fields, its grade and cause."""
    return {**result.to_dict(), "grade": result.grade, "cause": result.cause}
