"""Interpreted languages of Jutge's slow class: Perl, Ruby, PHP, Lua and JavaScript (nodejs). The
syntax check is the compile step, so a syntax error is CE as Jutge's driver makes it."""

from __future__ import annotations

from verdict.judge.sandbox import Limits
from verdict.judge.toolchains.base import Language, interpreted

SUM_JS = (
    "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
    "console.log(a + b);\n"
)
SUM_PERL = 'my ($a, $b) = split " ", <STDIN>;\nprint $a + $b, "\\n";\n'
SUM_RUBY = "a, b = STDIN.read.split.map(&:to_i)\nputs a + b\n"
SUM_PHP = '<?php\nfscanf(STDIN, "%d %d", $a, $b);\necho $a + $b, "\\n";\n'
SUM_LUA = 'local a, b = io.read("n", "n")\nprint(string.format("%d", a + b))\n'


def _node_run(limits: Limits) -> list[str]:
    return ["/usr/bin/node", f"--max-old-space-size={max(limits.memory_mb * 3 // 4, 16)}", "main.js"]


def build() -> list[Language]:
    return [
        interpreted("Ruby", "Ruby", ".rb", ("/usr/bin/ruby", "-c"), ("/usr/bin/ruby",), SUM_RUBY),
        interpreted("PHP", "PHP", ".php", ("/usr/bin/php", "--syntax-check"), ("/usr/bin/php",), SUM_PHP),
        interpreted("Lua", "Lua 5.4", ".lua", ("/usr/bin/luac5.4", "-p"), ("/usr/bin/lua5.4",), SUM_LUA),
        Language(
            id="nodejs",
            time_class="slow",
            name="JavaScript (Node.js)",
            extensions=(".js",),
            source_name="main.js",
            compile=("/usr/bin/node", "--check", "main.js"),
            run=_node_run,
            artifacts=("main.js",),
            version_command=("/usr/bin/node", "--version"),
            toolchain="/usr/bin/node",
            selftest_source=SUM_JS,
            processes=32,
            memory_errors=("heap out of memory",),
            aliases=("JAVASCRIPT", "NODE", "JS"),
        ),
        Language(
            id="Perl",
            time_class="slow",
            name="Perl 5",
            extensions=(".pl",),
            source_name="main.pl",
            compile=("/usr/bin/perl", "-c", "main.pl"),
            run=lambda limits: ["/usr/bin/perl", "main.pl"],
            artifacts=("main.pl",),
            version_command=("/usr/bin/perl", "-e", "print $^V"),
            toolchain="/usr/bin/perl",
            selftest_source=SUM_PERL,
            memory_errors=("Out of memory",),
        ),
    ]
