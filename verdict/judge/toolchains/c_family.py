"""C, C++ and the other languages gcc-like drivers compile to one executable: Jutge's GCC, Clang,
G++ (and its standards), Clang++17, GFortran, GObjC and GDC, with the driver's flags."""

from __future__ import annotations

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
# Fixed form, as Jutge's GFortran reads .f files: statements from column 7.
SUM_FORTRAN = (
    "      PROGRAM SUM\n      INTEGER*8 A, B\n      READ(*,*) A, B\n      WRITE(*,'(I0)') A+B\n      END\n"
)
SUM_D = 'import std.stdio;\nvoid main(){long a,b;readf(" %d %d", &a, &b);writeln(a+b);}\n'
CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".c++")


def c_language(
    id: str,
    name: str,
    compiler: str,
    std: str,
    ext: tuple[str, ...],
    selftest: str,
    libs: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
) -> Language:
    """C and C++, with a language standard."""
    return native(
        id,
        name,
        compiler,
        ext,
        selftest,
        options=(f"-std={std}",),
        libs=libs,
        memory_errors=("std::bad_alloc",),
        flags=(std,),
        aliases=aliases,
    )


def gcc_part(program: str) -> str:
    """Where gcc keeps one of its front ends (cc1obj...), or the bare name when it has none."""
    return host_output(["/usr/bin/gcc", f"-print-prog-name={program}"]) or program


def build() -> list[Language]:
    return [
        c_language("GCC", "C11 (gcc)", "/usr/bin/gcc", "gnu11", (".c",), SUM_C, ("-lm",), aliases=("C",)),
        c_language("G++", "C++17 (g++)", "/usr/bin/g++", "gnu++17", CXX_SUFFIXES, SUM_CPP),
        c_language("G++11", "C++11 (g++)", "/usr/bin/g++", "gnu++11", (".cc", ".cpp"), SUM_CPP),
        c_language(
            "G++17",
            "C++17 (g++)",
            "/usr/bin/g++",
            "gnu++17",
            (".cc", ".cpp"),
            SUM_CPP,
            aliases=("C++", "CPP", "CC", "CPP17", "C++17"),
        ),
        c_language(
            "G++20",
            "C++20 (g++)",
            "/usr/bin/g++",
            "gnu++20",
            (".cc", ".cpp"),
            SUM_CPP20,
            aliases=("CPP20", "C++20"),
        ),
        c_language("Clang", "C11 (clang)", "/usr/bin/clang", "gnu11", (".c",), SUM_C, ("-lm",)),
        c_language("Clang++17", "C++17 (clang++)", "/usr/bin/clang++", "c++17", (".cc", ".cpp"), SUM_CPP),
        native("GFortran", "Fortran (gfortran)", "/usr/bin/gfortran", (".f", ".for"), SUM_FORTRAN),
        # gcc without gobjc has no Objective-C front end: its cc1obj tells whether it is there.
        native("GObjC", "Objective-C (gcc)", "/usr/bin/gcc", (".m",), SUM_C, toolchain=gcc_part("cc1obj")),
        native("GDC", "D (gdc)", "/usr/bin/gdc", (".d",), SUM_D),
    ]
