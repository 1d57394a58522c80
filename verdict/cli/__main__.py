"""``python -m verdict.cli``: the `verdict` command (the tests and benchmarks start it so)."""

from verdict.cli import app

app()
