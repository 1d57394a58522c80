"""C and the languages gcc-like drivers compile to one executable: Jutge's GCC, Clang, G++ (and
its standards), P1++, Clang++17, GFortran, F2C, GObjC, GDC and GNAT, with jutge-driver-std's
commands and flags (``std/compilers.py``).

Where we depart from the driver:

- The driver compiles a C++ program twice (the second time wrapped with its ``normal.cc`` stub,
  which only matters to its function problems); we compile it once, with its first flags. For P1++
  that is the point: the beginners' warnings are errors on the student's own source.
- G++20 is no id of jutge-driver-std (Jutge's site offers it): its flags follow G++17's,
  with ``-std=c++20``.
- GObjC also links ``-lobjc``: without the runtime a program with a class cannot link (the driver's
  ``gcc program.m`` links none), and a program without one links the same.
- The driver throws away some compilers' standard output (``1> /dev/null``); we show both streams.
- Every compiler is named by its absolute path (the sandbox execs without a PATH search): the
  driver's ``cc`` for F2C is ``/usr/bin/gcc``.
"""

from __future__ import annotations

from dataclasses import replace

from verdict.judge.toolchains.base import Language, host_output, native

SUM_C = (
    '#include <stdio.h>\nint main(void){long a,b;if(scanf("%ld %ld",&a,&b)!=2)return 1;'
    'printf("%ld\\n",a+b);return 0;}\n'
)
SUM_CPP = '#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}\n'
SUM_CPP20 = (
    "#include <iostream>\n#include <span>\n#include <vector>\n"
    "int main(){long long a,b;std::cin>>a>>b;std::vector<long long> v{a,b};"
    'std::span<long long> s(v);long long t=0;for(auto x:s)t+=x;std::cout<<t<<"\\n";}\n'
)
# Fixed form, as Jutge's GFortran and F2C read .f files: statements from column 7. F2C knows
# Fortran 77 only (no INTEGER*8, no I0 edit descriptor): list-directed output, leading blanks.
SUM_FORTRAN = (
    "      PROGRAM SUM\n      INTEGER*8 A, B\n      READ(*,*) A, B\n      WRITE(*,'(I0)') A+B\n      END\n"
)
SUM_FORTRAN77 = (
    "      PROGRAM SUM\n      INTEGER A, B\n      READ(*,*) A, B\n      PRINT *, A + B\n      END\n"
)
SUM_D = 'import std.stdio;\nvoid main(){long a,b;readf(" %d %d", &a, &b);writeln(a+b);}\n'
SUM_ADA = (
    "with Ada.Integer_Text_IO; use Ada.Integer_Text_IO;\n"
    "procedure Main is\n   A, B : Integer;\nbegin\n"
    "   Get (A);\n   Get (B);\n   Put (A + B, Width => 0);\nend Main;\n"
)
CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".c++")
# P1++: the driver's flags for beginners; any of these warnings fails the compile.
BEGINNERS_WARNINGS = ("-Wall", "-Wextra", "-Werror", "-Wno-sign-compare", "-Wshadow")
# What a program says when an allocation fails (where RLIMIT_AS, not the cgroup, stops it): C++'s
# exception, gfortran's ALLOCATE, D's error, GNAT's STORAGE_ERROR message when `new` fails.
CXX_MEMORY_ERRORS = ("std::bad_alloc",)
FORTRAN_MEMORY_ERRORS = ("Allocation would exceed memory limit",)
D_MEMORY_ERRORS = ("OutOfMemoryError",)
ADA_MEMORY_ERRORS = ("heap exhausted",)


def c_language(
    id: str,
    name: str,
    compiler: str,
    ext: tuple[str, ...],
    selftest: str,
    options: tuple[str, ...] = (),
    libs: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
) -> Language:
    """C or C++ with the driver's flags, plus a standard or warnings where the id has them."""
    return native(
        id,
        name,
        compiler,
        ext,
        selftest,
        options=options,
        libs=libs,
        memory_errors=CXX_MEMORY_ERRORS if compiler.endswith("++") else (),
        flags=options,
        aliases=aliases,
        function_assembly="c",
    )


def gcc_part(program: str) -> str:
    """Where gcc keeps one of its front ends (cc1obj...), or the bare name when it has none."""
    return host_output(["/usr/bin/gcc", f"-print-prog-name={program}"]) or program


def f2c() -> Language:
    """Fortran 77 translated to C by f2c, then compiled with ``-lf2c`` (libf2c provides main).

    Both steps run in one shell, as the driver runs them one after the other: f2c's errors
    ("Error on line 3 of main.f: ...") are the compile's message and its failure stops the C
    step. F2C shares ``.f`` with GFortran, which claims the extension first.
    """
    translate = "/usr/bin/f2c main.f && /usr/bin/gcc -O2 main.c -lf2c -lm -o main"
    return replace(
        native("F2C", "Fortran 77 (f2c)", "/usr/bin/f2c", (".f",), SUM_FORTRAN77),
        compile=("/bin/sh", "-c", translate),
        version_command=("/usr/bin/f2c", "-v"),
    )


def gnat() -> Language:
    """Ada by ``gnat make -O2`` on Jutge's one-file source.

    Jutge's source is ``program.ada``; gnatmake compiles any file name given on its command line
    (with ``-x ada``), warning only that the name does not match the unit's, and binds and links
    whatever main procedure the file holds, so no gnatchop or naming pragma is needed. ``-q``
    silences gnatmake's listing of the commands it runs (the driver throws stdout away).
    """
    return replace(
        native(
            "GNAT", "Ada (gnat)", "/usr/bin/gnat", (".ada", ".adb"), SUM_ADA, memory_errors=ADA_MEMORY_ERRORS
        ),
        compile=("/usr/bin/gnat", "make", "-q", "-O2", "main.ada", "-o", "main"),
        version_command=("/usr/bin/gnat", "--version"),
        flags=("-O2",),
    )


def build() -> list[Language]:
    # No -std where the driver gives none (GCC, Clang, G++, P1++): the compiler's default, gnu17
    # for gcc 12 and clang 14, gnu++17 for g++ 12. A numbered id is ISO, as the driver's
    # -std=c++11 and -std=c++17: no GNU extensions (typeof), no later library (make_unique).
    return [
        c_language("GCC", "C (gcc)", "/usr/bin/gcc", (".c",), SUM_C, libs=("-lm",), aliases=("C",)),
        c_language("G++", "C++ (g++)", "/usr/bin/g++", CXX_SUFFIXES, SUM_CPP),
        c_language(
            "P1++",
            "C++ for beginners (g++, warnings are errors)",
            "/usr/bin/g++",
            (".cc",),
            SUM_CPP,
            options=BEGINNERS_WARNINGS,
        ),
        c_language("G++11", "C++11 (g++)", "/usr/bin/g++", (".cc", ".cpp"), SUM_CPP, options=("-std=c++11",)),
        c_language(
            "G++17",
            "C++17 (g++)",
            "/usr/bin/g++",
            (".cc", ".cpp"),
            SUM_CPP,
            options=("-std=c++17",),
            aliases=("C++", "CPP", "CC", "CPP17", "C++17"),
        ),
        c_language(
            "G++20",
            "C++20 (g++)",
            "/usr/bin/g++",
            (".cc", ".cpp"),
            SUM_CPP20,
            options=("-std=c++20",),
            aliases=("CPP20", "C++20"),
        ),
        c_language("Clang", "C (clang)", "/usr/bin/clang", (".c",), SUM_C, libs=("-lm",)),
        c_language(
            "Clang++17",
            "C++17 (clang++)",
            "/usr/bin/clang++",
            (".cc", ".cpp"),
            SUM_CPP,
            options=("-std=c++17",),
        ),
        native(
            "GFortran",
            "Fortran (gfortran)",
            "/usr/bin/gfortran",
            (".f", ".for"),
            SUM_FORTRAN,
            memory_errors=FORTRAN_MEMORY_ERRORS,
        ),
        f2c(),
        # gcc without gobjc has no Objective-C front end: its cc1obj tells whether it is there.
        native(
            "GObjC",
            "Objective-C (gcc)",
            "/usr/bin/gcc",
            (".m",),
            SUM_C,
            libs=("-lobjc",),
            toolchain=gcc_part("cc1obj"),
        ),
        native("GDC", "D (gdc)", "/usr/bin/gdc", (".d",), SUM_D, memory_errors=D_MEMORY_ERRORS),
        gnat(),
    ]
