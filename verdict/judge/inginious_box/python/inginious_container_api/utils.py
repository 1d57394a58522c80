"""Helpers run scripts import from INGInious's utils (parse_template is input's, re-exported)."""

import os
import stat
import subprocess

from inginious_container_api.input import parse_template  # noqa: F401


def set_executable(filename):
    os.chmod(filename, os.stat(filename).st_mode | stat.S_IEXEC)


def execute_process(args, stdin_string="", internal_command=False, user="worker"):
    """Runs a command in the run script's own box; returns (stdout, stderr) as bytes."""
    args = args if isinstance(args, list) else [args]
    if not internal_command:
        set_executable(args[0])
    done = subprocess.run(args, input=stdin_string.encode("utf-8"), capture_output=True, check=False)
    return done.stdout, done.stderr
