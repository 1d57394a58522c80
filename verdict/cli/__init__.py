"""The `verdict` command: one Typer app, a module per command group, every one added here.

The callback puts a :class:`~verdict.cli.runtime.Runtime` on Typer's context for the one command
that runs: the settings are read and the platform built on first use, once, and closed when the
command ends. Commands that only use the judge (``run``, ``languages``, ``judge``, ``problem
check``) never build the platform.
"""

from __future__ import annotations

import typer

from verdict.cli import database, demo, inginious, judge, problems, server, submissions, users
from verdict.cli.runtime import Runtime

app = typer.Typer(help="Verdict: online judge and autograder.", no_args_is_help=True, add_completion=False)


@app.callback()
def main(ctx: typer.Context) -> None:
    # Tests pass their own runtime (``CliRunner().invoke(app, args, obj=Runtime(...))``).
    if not isinstance(ctx.obj, Runtime):
        ctx.obj = Runtime()
    ctx.call_on_close(ctx.obj.close)


app.command("run")(judge.run_command)
app.command("languages")(judge.languages_command)
app.command("judge")(judge.judge_command)
app.command("serve")(server.serve_command)
app.command("worker")(server.worker_command)
app.command("submit")(submissions.submit_command)
app.command("rejudge")(submissions.rejudge_command)
app.command("submission")(submissions.show_command)
app.command("demo")(demo.demo_command)
app.add_typer(problems.app, name="problem")
app.add_typer(database.app, name="db")
app.add_typer(users.app, name="user")
app.add_typer(inginious.app, name="course")

__all__ = ["Runtime", "app"]
