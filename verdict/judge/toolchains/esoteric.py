"""Jutge's remaining interpreters and virtual machines: Brainf*ck (BEEF), Whitespace (WS), C# on
Mono (MonoCS) and Verilog (Icarus).

What departs from Jutge's driver:
- BEEF runs Debian's ``beef``, the interpreter Jutge runs, on the source as it is (Jutge copies it to
  /tmp first, a workaround of its own sandbox). Beef has no compile step, so unbalanced brackets are
  an execution error (EE: beef refuses to start), as on Jutge: BEEF has no CE. Beef's semantics
  are Jutge's by construction: byte cells that wrap, a tape without bounds either way, a read at
  the end of input stores 0, '!' ends the code (what follows is the program's input), and output
  goes through GLib as text (a NUL byte is dropped, a byte above 127 becomes "[Invalid UTF-8] \\xff").
- WS runs our own interpreter (`verdict.judge.whitespace`), Debian having no Whitespace package;
  Jutge runs the reference ``wspace``. A parse error is found by a parse-only compile step, so it is
  CE, where Jutge (no compile step) gives EE when execution reaches the bad instruction.
- MonoCS bounds Mono's heap (``--gc-params=max-heap-size``) below the memory limit, so a program
  that allocates without end gets ``OutOfMemoryException`` (MLE) rather than a cgroup kill.
- Verilog runs Debian's Icarus Verilog 11 where Jutge names iverilog-0.8 (/usr/local/bin).

Time classes: BEEF and WS are Jutge's slow class; MonoCS (C#) medium; Verilog is not in Jutge's
table: vvp interprets its compiled netlist, so slow.
"""

from __future__ import annotations

from pathlib import Path

from verdict.judge.bwrap import Mount
from verdict.judge.sandbox import Limits
from verdict.judge.toolchains.base import Language

WHITESPACE = Path(__file__).parent.parent / "whitespace.py"
WHITESPACE_IN_BOX = "/opt/verdict/whitespace.py"

# Brainf*ck has no numbers: the self-test reads one character and prints it incremented.
SELFTEST_BF = ",+.\n"
# Whitespace: read a character, add one, print it ("A" -> "B"). The words are comments.
SELFTEST_WS = "push_0   \nreadchar\t\n\t push_0   \nretrieve\t\t\tpush_1   \t\nadd\t   outchar\t\n  end\n\n\n"
SUM_CS = """using System;
class Program {
    static void Main() {
        string[] parts = Console.ReadLine().Split(' ');
        Console.WriteLine(int.Parse(parts[0]) + int.Parse(parts[1]));
    }
}
"""
# Verilog reads its input with $fscanf on standard input (file descriptor 0x8000_0000).
SUM_V = """module main;
  integer a, b, n;
  initial begin
    n = $fscanf(32'h8000_0000, "%d %d", a, b);
    $display("%0d", a + b);
  end
endmodule
"""
MONO_ENV = (("HOME", "/tmp"), ("XDG_CONFIG_HOME", "/tmp"), ("MONO_GAC_PREFIX", "/usr"))


def _mono_run(limits: Limits) -> list[str]:
    # Three quarters of the limit for the managed heap: the rest is Mono's own (JIT, stacks).
    heap = max(limits.memory_mb * 3 // 4, 16)
    return ["/usr/bin/mono", f"--gc-params=max-heap-size={heap}m", "main.exe"]


def _beef() -> Language:
    return Language(
        id="BEEF",
        time_class="slow",
        name="Brainf*ck (beef)",
        extensions=(".bf", ".b"),
        source_name="main.bf",
        compile=None,  # Jutge's BEEF has none: beef checks the brackets when it starts
        run=lambda limits: ["/usr/bin/beef", "main.bf"],
        artifacts=("main.bf",),
        version_command=("/usr/bin/dpkg-query", "-W", "-f=beef ${Version}\\n", "beef"),
        toolchain="/usr/bin/beef",
        selftest_source=SELFTEST_BF,
        selftest_input="A",
        selftest_output="B",
        aliases=("BF", "BRAINFUCK"),
    )


def _whitespace() -> Language:
    return Language(
        id="WS",
        time_class="slow",
        name="Whitespace",
        extensions=(".ws",),
        source_name="main.ws",
        compile=("/usr/bin/python3", "-S", WHITESPACE_IN_BOX, "--check", "main.ws"),
        run=lambda limits: ["/usr/bin/python3", "-S", WHITESPACE_IN_BOX, "main.ws"],
        artifacts=("main.ws",),
        version_command=("/usr/bin/python3", "-S", str(WHITESPACE), "--version"),
        toolchain="/usr/bin/python3",
        selftest_source=SELFTEST_WS,
        selftest_input="A",
        selftest_output="B",
        mounts=(Mount(str(WHITESPACE), WHITESPACE_IN_BOX, shared=True),),
        memory_errors=("out of memory",),
        aliases=("WHITESPACE", "WSPACE"),
    )


def _mono() -> Language:
    return Language(
        id="MonoCS",
        time_class="medium",
        name="C# (Mono)",
        extensions=(".cs",),
        source_name="main.cs",
        compile=("/usr/bin/mcs", "main.cs"),
        run=_mono_run,
        artifacts=("main.exe",),
        version_command=("/usr/bin/mcs", "--version"),
        toolchain="/usr/bin/mcs",
        selftest_source=SUM_CS,
        processes=32,  # Mono's GC, finalizer and thread-pool threads
        env=MONO_ENV,
        # Mono's dllmap (System.Native -> libmono-native.so) and machine.config live in /etc/mono.
        mounts=(Mount("/etc/mono"),),
        memory_errors=("OutOfMemoryException",),
        aliases=("CSHARP", "C#", "MCS", "MONO"),
    )


def _verilog() -> Language:
    return Language(
        id="Verilog",
        time_class="slow",
        name="Verilog (Icarus)",
        extensions=(".v",),
        source_name="main.v",
        compile=("/usr/bin/iverilog", "-o", "main.vvp", "-t", "vvp", "main.v"),
        run=lambda limits: ["/usr/bin/vvp", "main.vvp"],
        artifacts=("main.vvp",),
        version_command=("/usr/bin/iverilog", "-V"),
        toolchain="/usr/bin/iverilog",
        selftest_source=SUM_V,
        aliases=("IVERILOG",),
    )


def build() -> list[Language]:
    return [_beef(), _whitespace(), _mono(), _verilog()]
