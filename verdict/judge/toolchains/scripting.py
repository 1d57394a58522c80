"""Interpreted languages of Jutge's slow class: Perl, Ruby, PHP, Lua, JavaScript (nodejs),
TypeScript and R.

How jutge-driver-std decides CE, language by language, and what we do:

* Perl: ``perl -c``; the program compiles only when its stderr is exactly "program.pl syntax OK",
  so a compile-time warning (``use warnings`` and a redeclared variable) is CE too. Same here: a
  small sh script runs ``perl -c`` and fails unless that is all it said.
* Ruby: ``ruby -c`` must print "Syntax OK"; it does exactly when it exits 0.
* PHP: ``php --syntax-check`` must print "No syntax errors detected"; it does exactly when it
  exits 0. PHP runs with Debian's /etc/php mounted, as on Jutge's host: its CLI php.ini sends
  warnings to stderr (not into the program's output) and its conf.d loads ctype, iconv, posix...
  Departure: ``memory_limit`` is the run's memory limit (Jutge's php.ini has none), so that PHP's
  own "Allowed memory size exhausted" is the MLE it means.
* Lua: ``luac`` compiles to bytecode (program.luac) and ``lua`` runs the bytecode, as Jutge does.
* nodejs: Jutge has no check (compile returns True), so there a syntax error is EE on every test.
  Departure: we keep ``node --check`` as the compile step, so a syntax error is CE with node's
  message naming the line (the score is 0 either way; CE tells the student why). The heap is
  sized from the memory limit (``--max-old-space-size``) so that running out of it is V8's
  "heap out of memory", which is MLE; Jutge gives node a fixed 1 GB.
* Typescript: Jutge builds the program with Bun (``bun build --compile program.ts``), which
  transpiles without type-checking: only what its parser rejects (a syntax error, an early error
  of JavaScript such as a redeclared ``let``) fails the build, a type error does not. Bun is not in
  Debian 12, so we transpile with Debian's TypeScript compiler (node-typescript, tsc 4.8) the way
  Bun does, file by file and unchecked: its ``transpileModule`` (what ``tsc --isolatedModules``
  does per file) reports the syntax errors, which are CE with tsc's message (``main.ts(2,1): error
  TS1005``), and writes main.mjs; ``node --check main.mjs`` then makes JavaScript's early errors
  CE as Bun's parser does. A type error (``const n: number = "1"``) is not CE: the program runs,
  as on Jutge. (Running the whole ``tsc`` and failing on any error would be stricter than Jutge,
  and ``require`` would not even type-check: Node's declarations, @types/node, are not in Debian
  12.) main.mjs is an ES module, as Bun's build makes it (format esm): strict mode, top-level
  ``await``, ``import``; a first line gives it a global ``require`` (node's ``createRequire``),
  which Bun's modules have too. Departure: node runs it like nodejs (heap from the memory limit), where Jutge
  gives Bun's executable a fixed 2 GB.
* R: Jutge wraps the program in a function and sources it with Rscript (codetools' checkUsage
  writes to stdout, which it discards): only a parse error reaches stderr, and that is CE. We
  parse the program with R's own ``parse()`` (codetools is not in r-base-core, and the message
  then names main.R's own lines). Jutge runs it through executer.R, which SIGKILLs R on an
  error; we run ``Rscript main.R`` directly: an error exits 1, which is RE (EE to Jutge alike).
"""

from __future__ import annotations

from dataclasses import replace

from verdict.judge.bwrap import Mount
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
SUM_R = 'x <- scan(file("stdin"), quiet = TRUE)\ncat(sum(x), "\\n", sep = "")\n'

# Jutge's Perl check: anything perl -c says besides "syntax OK" (an error or a warning) is CE.
PERL_CHECK = (
    'out=$(/usr/bin/perl -c main.pl 2>&1 >/dev/null); [ "$out" = "main.pl syntax OK" ] && exit 0; '
    'printf "%s\\n" "$out" >&2; exit 1'
)
R_PARSE = 'invisible(parse(file = "main.R"))'

SUM_TS = (
    "const [a, b]: number[] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
    "console.log(a + b);\n"
)
# Bun's build, with Debian's TypeScript: transpile main.ts alone, unchecked; a syntax error is CE
# with tsc's message. The program is an ES module, as Bun's, with require as Bun's modules have it
# (a global, so that a program declaring its own require still compiles).
TS_TRANSPILE = """
const ts = require('/usr/share/nodejs/typescript');
const fs = require('fs');
const out = ts.transpileModule(fs.readFileSync('main.ts', 'utf8'), {
  fileName: 'main.ts',
  reportDiagnostics: true,
  compilerOptions: {target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022},
});
const errors = out.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
if (errors.length > 0) {
  const host = {getCanonicalFileName: (f) => f, getCurrentDirectory: () => '', getNewLine: () => '\\n'};
  process.stderr.write(ts.formatDiagnostics(errors, host));
  process.exit(1);
}
const require_ = 'import { createRequire as verdict_createRequire } from "module"; '
  + 'globalThis.require = verdict_createRequire(import.meta.url);';
fs.writeFileSync('main.mjs', require_ + '\\n' + out.outputText);
"""
# Then JavaScript's early errors (a redeclared let), which Bun's parser rejects too, are CE.
TS_COMPILE = '/usr/bin/node -e "$1" && exec /usr/bin/node --check main.mjs'


def _node_run(limits: Limits) -> list[str]:
    return ["/usr/bin/node", f"--max-old-space-size={max(limits.memory_mb * 3 // 4, 16)}", "main.js"]


def _typescript_run(limits: Limits) -> list[str]:
    return [*_node_run(limits)[:-1], "main.mjs"]


def _php_run(limits: Limits) -> list[str]:
    return ["/usr/bin/php", "-d", f"memory_limit={limits.memory_mb}M", "main.php"]


def build() -> list[Language]:
    return [_ruby(), _php(), _lua(), _node(), _typescript(), _perl(), _r()]


def _ruby() -> Language:
    ruby = interpreted("Ruby", "Ruby", ".rb", ("/usr/bin/ruby", "-c"), ("/usr/bin/ruby",), SUM_RUBY)
    # "failed to allocate memory (NoMemoryError)" where malloc fails before the cgroup kills.
    return replace(ruby, memory_errors=("failed to allocate memory",))


def _php() -> Language:
    php = interpreted("PHP", "PHP", ".php", ("/usr/bin/php", "--syntax-check"), ("/usr/bin/php",), SUM_PHP)
    return replace(
        php,
        run=_php_run,
        mounts=(Mount("/etc/php"),),
        memory_errors=("Allowed memory size of",),
    )


def _lua() -> Language:
    return Language(
        id="Lua",
        time_class="slow",
        name="Lua 5.4",
        extensions=(".lua",),
        source_name="main.lua",
        compile=("/usr/bin/luac5.4", "-o", "main.luac", "main.lua"),
        run=lambda limits: ["/usr/bin/lua5.4", "main.luac"],
        artifacts=("main.luac",),
        version_command=("/usr/bin/lua5.4", "-v"),
        toolchain="/usr/bin/lua5.4",
        selftest_source=SUM_LUA,
        memory_errors=("not enough memory",),
    )


def _node() -> Language:
    return Language(
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
    )


def _typescript() -> Language:
    return Language(
        id="Typescript",
        time_class="slow",  # JavaScript's class: it runs on node
        name="TypeScript (tsc, Node.js)",
        extensions=(".ts",),
        source_name="main.ts",
        compile=("/usr/bin/sh", "-c", TS_COMPILE, "sh", TS_TRANSPILE),
        run=_typescript_run,
        artifacts=("main.mjs",),
        version_command=("/usr/bin/tsc", "--version"),
        toolchain="/usr/bin/tsc",
        selftest_source=SUM_TS,
        processes=32,
        memory_errors=("heap out of memory",),
        aliases=("TS",),
    )


def _perl() -> Language:
    return Language(
        id="Perl",
        time_class="slow",
        name="Perl 5",
        extensions=(".pl",),
        source_name="main.pl",
        compile=("/usr/bin/sh", "-c", PERL_CHECK),
        run=lambda limits: ["/usr/bin/perl", "main.pl"],
        artifacts=("main.pl",),
        version_command=("/usr/bin/perl", "-e", "print $^V"),
        toolchain="/usr/bin/perl",
        selftest_source=SUM_PERL,
        memory_errors=("Out of memory",),
    )


def _r() -> Language:
    return Language(
        id="R",
        function_assembly="r",
        time_class="slow",
        name="R",
        extensions=(".R", ".r"),
        source_name="main.R",
        compile=("/usr/bin/Rscript", "-e", R_PARSE),
        run=lambda limits: ["/usr/bin/Rscript", "main.R"],
        artifacts=("main.R",),
        version_command=("/usr/bin/R", "--version"),
        toolchain="/usr/bin/Rscript",
        selftest_source=SUM_R,
        # R_HOME/etc links into /etc/R (Renviron: the library paths R starts with).
        mounts=(Mount("/etc/R"),),
        # R wants 1024 open files and dies when it cannot have 167 (Jutge gives it --maxfiles=500).
        open_files=512,
        # A BLAS alternative (OpenBLAS) may start a thread per core: room for them, and one is enough.
        processes=32,
        env=(("OMP_NUM_THREADS", "1"), ("OPENBLAS_NUM_THREADS", "1")),
        memory_errors=("cannot allocate vector",),
    )
