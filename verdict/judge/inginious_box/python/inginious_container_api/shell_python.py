"""Runs a run script as INGInious runs a ``run`` file that has no shebang: as Python with the whole
container API in its global namespace, and IPython's shell escapes: a line ``!command`` runs
the command with /bin/sh, and ``name = !command`` keeps its output lines in ``name``. The command
is a Python f-string, so ``{expression}`` is replaced by its value, as IPython does (``$name``
is left to the shell). IPython itself is not needed: the lines are rewritten before running.

    python3 -m inginious_container_api.shell_python SCRIPT
"""

import re
import subprocess
import sys

ESCAPE = re.compile(
    r"^(?P<indent>[ \t]*)(?:(?P<target>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*)?!(?P<command>.*)$"
)


class LineList(list):
    """IPython's SList, as far as scripts use it: the lines, and ``.s``, ``.n``, ``.l``."""

    @property
    def s(self):
        return " ".join(self)

    @property
    def n(self):
        return "\n".join(self)

    @property
    def l(self):  # noqa: E743
        return list(self)


def _shell(command):
    sys.stdout.flush()
    sys.stderr.flush()
    return subprocess.run(command, shell=True, check=False).returncode


def _shell_lines(command):
    done = subprocess.run(command, shell=True, check=False, stdout=subprocess.PIPE)
    return LineList(done.stdout.decode("utf-8", "replace").splitlines())


def _fstring(command):
    """The command as a raw f-string literal: {expressions} evaluated, backslashes kept."""
    for quote in ('"""', "'''"):
        if quote not in command and not command.endswith(quote[0]):
            return "rf" + quote + command + quote
    return repr(command)  # no expression then


def rewrite(source):
    """The script with its shell escapes made Python calls."""
    lines = []
    for line in source.splitlines():
        match = ESCAPE.match(line)
        if match is None:
            lines.append(line)
            continue
        command = _fstring(match["command"])
        if match["target"]:
            lines.append(f"{match['indent']}{match['target']} = __inginious_shell_lines({command})")
        else:
            lines.append(f"{match['indent']}__inginious_shell({command})")
    return "\n".join(lines) + "\n"


def namespace(path):
    scope = {"__name__": "__main__", "__file__": path}
    exec(
        "from inginious_container_api.feedback import *\n"
        "from inginious_container_api.input import *\n"
        "from inginious_container_api.rst import *\n"
        "from inginious_container_api.run_student import *\n"
        "from inginious_container_api import feedback, input, rst, utils\n",
        scope,
    )
    scope["__inginious_shell"] = _shell
    scope["__inginious_shell_lines"] = _shell_lines
    return scope


def main():
    path = sys.argv[1]
    with open(path, encoding="utf-8") as file:
        code = compile(rewrite(file.read()), path, "exec")
    sys.argv = sys.argv[1:]
    exec(code, namespace(path))


if __name__ == "__main__":
    main()
