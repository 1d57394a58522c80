"""Functional and Lisp-family languages Jutge offers: GHC and RunHaskell, OCaml, Erlang, CLISP and
the Schemes (Guile, Chicken, Stalin), with the commands of jutge-driver-std's ``compilers.py``.

Where this departs from Jutge's driver:

* GHC links with ``-rtsopts`` and runs with ``+RTS -M<heap>``, the heap sized from the memory
  limit: a program that exhausts it gets GHC's own "Heap exhausted" (MLE), not the cgroup's kill.
* RunHaskell builds and compiles each test's program at run time, inside the test's run, from the
  expressions on its standard input (see `verdict.judge.runhaskell`): the test's time and memory
  count ghc's work too (about 0.5 s of CPU and 130 MB here), where Jutge's driver compiled
  before starting the clock. The time limit follows, since the golden solution runs the same way.
* Guile gets a syntax check (``compile-file``) as its compile step, so that an unreadable program
  is CE as for every other language here; Jutge's driver had no check (it ran the file as it came).
* OCaml is not in jutge-driver-std; its id is the one Jutge's own tests use (``OCaml``), compiled
  natively by ocamlopt.
* Erlang keeps Jutge's file name (``program.erl``, so the module is ``program``) and runs with one
  scheduler, no async threads and no crash dump (the box is small); it ends with ``erlang halt``,
  not Jutge's ``init stop``, which idles a second per test.
* Chicken runs with ``-:hm<heap>`` (its heap bounded as GHC's). Stalin is told the machine's
  architecture (its wrapper asks dpkg-architecture, which the sandbox lacks), and its C links
  with Debian's Boehm GC (``-lgc``), which Jutge's ``gcc -O2 program.c -lm`` left implicit.
* Time classes outside Jutge's list (problem-anatomy.md): OCaml, Chicken and Stalin are native
  code (fast); RunHaskell compiles at run time, so it is slow.

The first language claiming ``.scm`` is Guile: it is the Scheme Jutge's current toolkit names
(its medium time class); Chicken and Stalin are chosen by their ids.
"""

from __future__ import annotations

import platform
from pathlib import Path

from verdict.judge.bwrap import Mount
from verdict.judge.sandbox import Limits
from verdict.judge.toolchains.base import Language

RUNHASKELL = Path(__file__).parent.parent / "runhaskell.py"
RUNHASKELL_TARGET = "/opt/verdict/runhaskell.py"

# GHC's package database lives in /var/lib/ghc (/usr/lib/ghc/package.conf.d links there); ghc also
# wants a HOME for its per-user directory (it finds none and carries on) and a TMPDIR.
GHC_MOUNTS = (Mount("/var/lib/ghc"),)
GHC_ENV = (("HOME", "/tmp"), ("TMPDIR", "/tmp"))
GHC_MEMORY_ERRORS = ("Heap exhausted", "heap overflow")

SUM_HASKELL = (
    "main :: IO ()\nmain = do\n  [a, b] <- map read . words <$> getLine\n  print (a + b :: Integer)\n"
)
SUM_RUNHASKELL = "add :: Integer -> Integer -> Integer\nadd a b = a + b\n"
SUM_OCAML = 'let () = Scanf.scanf " %d %d" (fun a b -> Printf.printf "%d\\n" (a + b))\n'
SUM_ERLANG = (
    "-module(program).\n-export([start/0]).\n\n"
    'start() ->\n    {ok, [A, B]} = io:fread("", "~d ~d"),\n    io:format("~w~n", [A + B]).\n'
)
SUM_LISP = '(let ((a (read)) (b (read)))\n  (format t "~D~%" (+ a b)))\n'
SUM_SCHEME = "(let* ((a (read)) (b (read)))\n  (display (+ a b))\n  (newline))\n"


def ghc_heap_mb(limits: Limits) -> int:
    """GHC's heap bound: three quarters of the memory limit, the rest for the RTS, the code and
    the C heap (the cgroup's limit stays the backstop)."""
    return max(limits.memory_mb * 3 // 4, 16)


def _ghc_run(limits: Limits) -> list[str]:
    return ["./main", "+RTS", f"-M{ghc_heap_mb(limits)}m", "-RTS"]


def _runhaskell_run(limits: Limits) -> list[str]:
    return ["/usr/bin/python3", "-S", RUNHASKELL_TARGET, "run", "main.hs", str(ghc_heap_mb(limits))]


def _ghc() -> Language:
    return Language(
        id="GHC",
        function_assembly="haskell",
        name="Haskell (GHC)",
        extensions=(".hs", ".lhs"),
        source_name="main.hs",  # verdict.judge.function_problems swaps it for its assembled module
        compile=("/usr/bin/ghc", "-O3", "-rtsopts", "main.hs", "-o", "main"),
        run=_ghc_run,
        artifacts=("main",),
        version_command=("/usr/bin/ghc", "--version"),
        toolchain="/usr/bin/ghc",
        selftest_source=SUM_HASKELL,
        mounts=GHC_MOUNTS,
        env=GHC_ENV,
        memory_errors=GHC_MEMORY_ERRORS,
        aliases=("HASKELL", "HS"),
    )


def _runhaskell() -> Language:
    """Jutge's "GHC with tweaks for testing": each test's input lines are expressions to print."""
    return Language(
        id="RunHaskell",
        name="Haskell (GHC, expressions as tests)",
        extensions=(".hs",),
        source_name="main.hs",
        compile=("/usr/bin/python3", "-S", RUNHASKELL_TARGET, "check", "main.hs"),
        run=_runhaskell_run,
        artifacts=("main.hs",),
        version_command=("/usr/bin/ghc", "--version"),
        toolchain="/usr/bin/ghc",
        selftest_source=SUM_RUNHASKELL,
        selftest_input="add 2 3\n",
        processes=64,  # ghc at run time, with gcc, as and ld
        mounts=(*GHC_MOUNTS, Mount(str(RUNHASKELL), RUNHASKELL_TARGET, shared=True)),
        env=GHC_ENV,
        memory_errors=GHC_MEMORY_ERRORS,
        time_class="slow",
        problem_files=("judge.hs",),
    )


def _ocaml() -> Language:
    return Language(
        id="OCaml",
        name="OCaml (ocamlopt)",
        extensions=(".ml",),
        source_name="main.ml",
        compile=("/usr/bin/ocamlopt", "main.ml", "-o", "main"),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=("/usr/bin/ocamlopt", "-version"),
        toolchain="/usr/bin/ocamlopt",
        selftest_source=SUM_OCAML,
        memory_errors=("Out_of_memory",),
    )


def _erlang() -> Language:
    return Language(
        id="Erlang",
        name="Erlang",
        extensions=(".erl",),
        source_name="program.erl",  # the module is `program`, as in Jutge
        compile=("/usr/lib/erlang/bin/erlc", "program.erl"),
        run=lambda limits: [
            "/usr/lib/erlang/bin/erl",
            *("+S", "1:1", "+SDcpu", "1:1", "+SDio", "1", "+A", "1", "+sbwt", "none"),
            # Jutge ends with `-s init stop`, an orderly shutdown that idles about 1 s of wall time
            # per run here; erlang:halt/0 flushes the output and ends at once, with the same exit.
            *("-noshell", "-s", "program", "start", "-s", "erlang", "halt"),
        ],
        artifacts=("program.beam",),
        version_command=("/usr/lib/erlang/bin/erl", "+V"),
        toolchain="/usr/lib/erlang/bin/erl",
        selftest_source=SUM_ERLANG,
        processes=64,
        env=(("HOME", "/tmp"), ("ERL_CRASH_DUMP_SECONDS", "0")),
        memory_errors=("Cannot allocate",),
        time_class="slow",
    )


def _clisp() -> Language:
    return Language(
        id="CLISP",
        name="Common Lisp (GNU CLISP)",
        extensions=(".lisp", ".lsp", ".cl"),
        source_name="main.lisp",
        compile=("/usr/bin/clisp", "-q", "-c", "main.lisp"),
        run=lambda limits: ["/usr/bin/clisp", "-q", "main.fas"],
        artifacts=("main.fas",),
        version_command=("/usr/bin/clisp", "--version"),
        toolchain="/usr/bin/clisp",
        selftest_source=SUM_LISP,
        memory_errors=("No more room for LISP objects",),
        time_class="slow",
        aliases=("LISP", "COMMONLISP"),
    )


def _guile() -> Language:
    return Language(
        id="Guile",
        name="Scheme (GNU Guile)",
        extensions=(".scm", ".ss"),
        source_name="main.scm",
        compile=(
            "/usr/bin/guile",
            "--no-auto-compile",
            "-c",
            '(compile-file "main.scm" #:output-file "/tmp/main.go")',
        ),
        run=lambda limits: ["/usr/bin/guile", "--no-auto-compile", "main.scm"],
        artifacts=("main.scm",),
        version_command=("/usr/bin/guile", "--version"),
        toolchain="/usr/bin/guile",
        selftest_source=SUM_SCHEME,
        env=(("HOME", "/tmp"), ("XDG_CACHE_HOME", "/tmp")),
        memory_errors=("Out of Memory", "out-of-memory"),
        time_class="medium",
        aliases=("SCHEME",),
    )


def _chicken() -> Language:
    return Language(
        id="Chicken",
        name="Scheme (CHICKEN)",
        extensions=(".scm",),
        source_name="main.scm",
        compile=("/usr/bin/csc", "main.scm", "-o", "main"),
        run=lambda limits: ["./main", f"-:hm{max(limits.memory_mb * 3 // 4, 16)}M"],
        artifacts=("main",),
        version_command=("/usr/bin/csc", "-release"),
        toolchain="/usr/bin/csc",
        selftest_source=SUM_SCHEME,
        mounts=(Mount("/var/lib/chicken"),),  # its import libraries and types.db
        memory_errors=("out of memory",),
    )


def _stalin_architecture() -> str:
    """Stalin's name for this machine: its wrapper asks dpkg-architecture, which the sandbox lacks."""
    return {"x86_64": "amd64", "aarch64": "arm64", "i686": "IA32"}.get(platform.machine(), "amd64")


def _stalin() -> Language:
    return Language(
        id="Stalin",
        name="Scheme (Stalin)",
        extensions=(".scm",),
        source_name="main.scm",
        compile=(
            "/bin/sh",
            "-c",
            f"/usr/bin/stalin -architecture {_stalin_architecture()} -c -On main.scm && "
            "/usr/bin/gcc -O2 -I/usr/lib/stalin -I/usr/include/gc main.c -lm -lgc -o main && rm main.c",
        ),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=("/usr/bin/stalin", "-version"),
        toolchain="/usr/bin/stalin",
        selftest_source=SUM_SCHEME,
    )


def build() -> list[Language]:
    return [_ghc(), _runhaskell(), _ocaml(), _erlang(), _clisp(), _guile(), _chicken(), _stalin()]
