"""Jutge compiler ids Verdict knows but cannot offer, each with the precise reason, so that
``verdict languages`` lists them and a submission naming one is told why (not "unknown language").

Two kinds. No toolchain in Debian 12 or on PyPI (checked with ``apt-cache policy`` and PyPI's
index): FBC, Julia, GPC, P2C, GCJ. A toolchain exists only as an unofficial repackaging on PyPI,
not installed nor vetted here: Codon. And not offered for want of the problem
format they need: PRO2 and MakePRO2 build the submission with a project that the problem ships as
tar archives, which Verdict's packages do not carry.

Commands, file names and toolchain paths are Jutge's (jutge-driver-std ``std/compilers.py``),
kept as the record of what offering the id would mean; the paths do not exist here.
A family that comes to offer one of these ids must remove it from here (the registry keeps the
last definition of an id, and this family comes last).
"""

from __future__ import annotations

from verdict.judge.sandbox import Limits
from verdict.judge.toolchains.base import Language


def _unavailable(
    id: str,
    name: str,
    extension: str,
    compile: tuple[str, ...] | None,
    run: tuple[str, ...],
    toolchain: str,
    reason: str,
    time_class: str,
) -> Language:
    source = f"main{extension}"

    def argv(limits: Limits) -> list[str]:
        return list(run)

    return Language(
        id=id,
        name=name,
        extensions=(extension,),
        source_name=source,
        compile=compile,
        run=argv,
        artifacts=("main",),
        version_command=(toolchain, "--version"),
        toolchain=toolchain,
        time_class=time_class,
        unavailable=reason,
    )


def build() -> list[Language]:
    return [
        _unavailable(
            "FBC",
            "FreeBASIC",
            ".bas",
            ("/usr/bin/fbc", "main.bas"),
            ("./main",),
            "/usr/bin/fbc",
            "FreeBASIC is packaged in neither Debian 12 (no freebasic package) nor PyPI "
            "(PyPI's 'fbc' is an unrelated file browser client)",
            "medium",  # Jutge's table puts FreeBASIC in the medium class
        ),
        _unavailable(
            "Julia",
            "Julia",
            ".jl",
            None,
            ("/usr/bin/julia", "main.jl"),
            "/usr/bin/julia",
            "Julia is not in Debian 12 (julia is a name without an installable version) and PyPI "
            "only has bridges and installers (julia, juliacall, julialang, jill) that download "
            "Julia's binaries at run time, which a judging host cannot do",
            "slow",  # interpreted (JIT-compiled at run time)
        ),
        _unavailable(
            "Codon",
            "Codon (compiled Python)",
            ".codon",
            ("/usr/bin/codon", "build", "-exe", "-release", "main.codon"),
            ("./main",),
            "/usr/bin/codon",
            "Codon is not in Debian 12 and has no official PyPI package (PyPI's 'codon' is an "
            "unrelated biology library); an unofficial repackaging of Codon 0.18 exists on PyPI "
            "(codon-compiler-demo, 'experimental', 63 MB; it compiles a test program) but it is "
            "not installed nor vetted here",
            "fast",  # compiled to native code
        ),
        _unavailable(
            "GPC",
            "GNU Pascal",
            ".pas",
            ("/usr/bin/gpc", "-D_JUDGE_", "-DNDEBUG", "-O2", "-c", "main.pas"),
            ("./main",),
            "/usr/bin/gpc",
            "GNU Pascal is no longer maintained and is packaged in neither Debian 12 (no gpc "
            "package) nor PyPI; Free Pascal (FPC) is the Pascal offered",
            "fast",
        ),
        _unavailable(
            "P2C",
            "Pascal to C translator",
            ".pas",
            ("/usr/bin/p2c", "-a", "main.pas"),
            ("./main",),
            "/usr/bin/p2c",
            "p2c (the 1993 Pascal-to-C translator) is packaged in neither Debian 12 nor PyPI "
            "(PyPI's 'p2c' is an unrelated project); Free Pascal (FPC) is the Pascal offered",
            "fast",
        ),
        _unavailable(
            "GCJ",
            "GNU Java Compiler",
            ".java",
            ("/usr/bin/gcj", "--main=Main", "-O2", "main.java", "-o", "main"),
            ("./main",),
            "/usr/bin/gcj",
            "GCJ was removed from GCC in version 7: Debian 12 has no gcj package (gcj-jdk has no "
            "installable version) and PyPI none; Java is offered as JDK",
            "fast",
        ),
        _unavailable(
            "PRO2",
            "PRO2 - GNU C++ Compiler",
            ".cc",
            None,
            ("./main",),
            "/usr/bin/g++",
            "not offered: PRO2 compiles the submission together with the problem's project "
            "(public.tar and private.tar, then again with Jutge's stub), which Verdict's "
            "problem packages do not carry; g++ itself is installed (use G++ or P1++)",
            "fast",
        ),
        _unavailable(
            "MakePRO2",
            "Make for PRO2",
            ".tar",
            None,
            ("./main",),
            "/usr/bin/make",
            "not offered: the submission is a tar archive built by make together with the "
            "problem's project (public.tar and private.tar); Verdict grades a single source file",
            "fast",
        ),
    ]
