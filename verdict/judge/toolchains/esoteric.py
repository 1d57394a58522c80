"""Esoteric languages Jutge offers: Brainf*ck (BEEF), translated to C by our own bf2c."""

from __future__ import annotations

from pathlib import Path

from verdict.judge.bwrap import Mount
from verdict.judge.toolchains.base import Language

BF2C = Path(__file__).parent.parent / "bf2c.py"
# Brainf*ck has no numbers: the self-test reads one character and prints it incremented.
SELFTEST_BF = ",+.\n"


def build() -> list[Language]:
    return [
        Language(
            id="BEEF",
            time_class="slow",
            name="Brainf*ck (translated to C)",
            extensions=(".bf", ".b"),
            source_name="main.bf",
            compile=(
                "/bin/sh",
                "-c",
                "/usr/bin/python3 -S /opt/verdict/bf2c.py main.bf > main.c && "
                "/usr/bin/gcc -O2 -o main main.c && rm main.c",
            ),
            run=lambda limits: ["./main"],
            artifacts=("main",),
            version_command=("/usr/bin/gcc", "-dumpfullversion"),
            toolchain="/usr/bin/gcc",
            selftest_source=SELFTEST_BF,
            selftest_input="A",
            selftest_output="B",
            mounts=(Mount(str(BF2C), "/opt/verdict/bf2c.py", shared=True),),
            aliases=("BF", "BRAINFUCK"),
        ),
    ]
