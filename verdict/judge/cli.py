"""Judge commands: `verdict run`, `verdict languages` (and `judge`, `problem check` from grading)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from verdict.judge.compiler import compile_source, program_sandbox, run_program, self_test
from verdict.judge.errors import SandboxError, UnknownLanguage
from verdict.judge.languages import all_languages, get_language, language_for_file
from verdict.judge.sandbox import Limits, SandboxConfig

console = Console()


def sandbox_config() -> SandboxConfig:
    from verdict.settings import Settings

    settings = Settings()
    return SandboxConfig(
        cache_dir=settings.cache_dir.resolve(),
        first_uid=settings.sandbox_first_uid,
        slots=settings.sandbox_slots,
    )


def run_command(
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
    try:
        language = get_language(lang) if lang else language_for_file(source)
    except UnknownLanguage as error:
        raise typer.BadParameter(str(error)) from None
    config = sandbox_config()
    try:
        compiled = compile_source(language, source.read_bytes(), config)
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
    check: bool = typer.Option(True, help="Compile and run each language's self-test."),
) -> None:
    """List languages with availability, versions and self-test results."""
    config = sandbox_config()
    table = Table(title="Languages")
    for column in ("id", "name", "available", "version", "self-test"):
        table.add_column(column)
    for language in all_languages().values():
        if check:
            outcome = self_test(language, config)
            verdict = "passed" if outcome.passed else (outcome.detail or "failed")
            table.add_row(
                language.id,
                language.name,
                "yes" if outcome.available else "no",
                outcome.version,
                verdict if outcome.available else outcome.detail,
            )
        else:
            from verdict.judge.languages import availability

            available, version = availability(language)
            table.add_row(
                language.id,
                language.name,
                "yes" if available else "no",
                version if available else "",
                "" if available else version,
            )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
    app.command("languages")(languages_command)
    try:
        from verdict.judge.grading_cli import register as register_grading
    except ModuleNotFoundError as error:
        if error.name != "verdict.judge.grading_cli":
            raise
    else:
        register_grading(app)
