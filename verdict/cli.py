"""The `verdict` command. Each feature contributes its own Typer sub-app or commands here."""

from __future__ import annotations

import typer

app = typer.Typer(help="Verdict: online judge and autograder.", no_args_is_help=True, add_completion=False)


def _register() -> None:
    # Imported here so that `verdict --help` stays fast and a broken feature names itself.
    from verdict import demo
    from verdict.grading import cli as grading_cli
    from verdict.judge import cli as judge_cli

    judge_cli.register(app)
    grading_cli.register(app)
    demo.register(app)
    try:
        from verdict.platform_cli import register as register_platform
    except ModuleNotFoundError as error:
        if error.name != "verdict.platform_cli":
            raise
    else:
        register_platform(app)
    try:
        from verdict.courses.inginious_cli import register as register_inginious
    except ModuleNotFoundError as error:
        if error.name != "verdict.courses.inginious_cli":
            raise
    else:
        register_inginious(app)


_register()

if __name__ == "__main__":
    app()
