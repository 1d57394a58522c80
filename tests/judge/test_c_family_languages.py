"""The C family as jutge-driver-std compiles it, where the labelled corpus cannot show it: P1++'s
beginners' warnings are errors (G++ accepts the same source), the flags each id gives (``-D_JUDGE_``,
``-DNDEBUG``, a strict ``-std=c++NN`` or none), F2C's and GNAT's messages naming the student's line,
and GNAT taking Jutge's ``.ada`` source whatever its main procedure is called."""

from __future__ import annotations

import pytest

from tests.support.paths import FIXTURES
from verdict.judge.grader import Grader, GradeResult
from verdict.judge.languages import availability, get_language, language_for_file
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict

HELLO = FIXTURES / "languages" / "hello.pbm"
C_AND_CXX = ("GCC", "Clang", "G++", "P1++", "G++11", "G++17", "G++20", "Clang++17")
FAMILY = (*C_AND_CXX, "GFortran", "F2C", "GObjC", "GDC", "GNAT")

UNUSED_VARIABLE = """#include <iostream>
using namespace std;

int main() {
    int count = 0;
    cout << "Hello world!" << endl;
}
"""
SHADOWING = """#include <iostream>
#include <string>
using namespace std;

int main() {
    string greeting = "Hello world!";
    {
        string greeting = "Hello world!";
        cout << greeting << endl;
    }
}
"""
SIGN_COMPARE = """#include <iostream>
#include <string>
using namespace std;

int main() {
    string greeting = "Hello world!";
    for (int i = 0; i < greeting.size(); ++i) cout << greeting[i];
    cout << endl;
}
"""
# Both flags the driver gives every C and C++ id: _JUDGE_ defined, assert() disabled.
JUDGE_FLAGS_C = """#include <assert.h>
#include <stdio.h>

int main(void) {
    assert(0);
#ifdef _JUDGE_
    printf("Hello world!\\n");
#endif
    return 0;
}
"""
JUDGE_FLAGS_CXX = """#include <cassert>
#include <iostream>

int main() {
    assert(false);
#ifdef _JUDGE_
    std::cout << "Hello world!" << std::endl;
#endif
}
"""
MAKE_UNIQUE = """#include <iostream>
#include <memory>
#include <string>

int main() {
    auto greeting = std::make_unique<std::string>("Hello world!");
    std::cout << *greeting << std::endl;
}
"""
GNU_TYPEOF = """#include <iostream>

int main() {
    const char* greeting = "Hello world!";
    typeof(greeting) copy = greeting;
    std::cout << copy << std::endl;
}
"""
F2C_SYNTAX_ERROR = """      PROGRAM HELLO
      INTEGER N
      N = (1 + 2
      WRITE (*, '(A)') 'Hello world!'
      END
"""
GNAT_TYPE_ERROR = """with Ada.Text_IO; use Ada.Text_IO;

procedure Main is
   Count : Integer := 0;
begin
   Count := "Hello world!";
   Put_Line ("Hello world!");
end Main;
"""
GNAT_OTHER_MAIN = """with Ada.Text_IO; use Ada.Text_IO;

procedure Hello is
begin
   Put_Line ("Hello world!");
end Hello;
"""


@pytest.fixture(scope="module")
def hello(sandbox_config: SandboxConfig) -> Grader:
    return prepared_grader(load_package(HELLO), sandbox_config)


def grade(hello: Grader, source: str, compiler: str) -> GradeResult:
    available, why = availability(get_language(compiler))
    if not available:
        pytest.skip(f"{compiler} unavailable: {why}")
    return hello.grade(source.encode(), compiler)


@pytest.mark.integration
@pytest.mark.parametrize("source", [UNUSED_VARIABLE, SHADOWING], ids=["unused", "shadowing"])
def test_p1xx_refuses_what_g_xx_only_warns_about(hello: Grader, source: str) -> None:
    assert grade(hello, source, "G++").verdict == Verdict.AC
    refused = grade(hello, source, "P1++")
    assert refused.verdict == Verdict.CE
    assert "main.cc:" in refused.compile_output and "-Werror" in refused.compile_output


@pytest.mark.integration
def test_p1xx_leaves_signed_and_unsigned_comparisons_alone(hello: Grader) -> None:
    assert grade(hello, SIGN_COMPARE, "P1++").verdict == Verdict.AC


@pytest.mark.integration
@pytest.mark.parametrize(("compiler", "source"), [("GCC", JUDGE_FLAGS_C), ("Clang", JUDGE_FLAGS_C)])
def test_c_gets_the_drivers_defines(hello: Grader, compiler: str, source: str) -> None:
    assert grade(hello, source, compiler).verdict == Verdict.AC


@pytest.mark.integration
@pytest.mark.parametrize("compiler", ["G++", "P1++", "G++11", "G++17", "G++20", "Clang++17"])
def test_cxx_gets_the_drivers_defines(hello: Grader, compiler: str) -> None:
    assert grade(hello, JUDGE_FLAGS_CXX, compiler).verdict == Verdict.AC


@pytest.mark.integration
def test_g_xx11_is_cxx11_without_later_libraries(hello: Grader) -> None:
    assert grade(hello, MAKE_UNIQUE, "G++").verdict == Verdict.AC
    refused = grade(hello, MAKE_UNIQUE, "G++11")
    assert refused.verdict == Verdict.CE and "make_unique" in refused.compile_output


@pytest.mark.integration
@pytest.mark.parametrize("compiler", ["G++11", "G++17", "Clang++17"])
def test_a_numbered_standard_is_iso_without_gnu_extensions(hello: Grader, compiler: str) -> None:
    """The driver's -std=c++NN, not gnu++NN: G++ (no -std, the compiler's gnu++ default) has
    typeof, the numbered ids do not."""
    assert grade(hello, GNU_TYPEOF, "G++").verdict == Verdict.AC
    assert grade(hello, GNU_TYPEOF, compiler).verdict == Verdict.CE


@pytest.mark.integration
def test_f2c_names_the_students_line(hello: Grader) -> None:
    refused = grade(hello, F2C_SYNTAX_ERROR, "F2C")
    assert refused.verdict == Verdict.CE
    assert "line 3 of main.f" in refused.compile_output


@pytest.mark.integration
def test_gnat_names_the_students_line(hello: Grader) -> None:
    refused = grade(hello, GNAT_TYPE_ERROR, "GNAT")
    assert refused.verdict == Verdict.CE
    assert "main.ada:6:" in refused.compile_output


@pytest.mark.integration
def test_gnat_takes_any_main_procedure_from_the_ada_file(hello: Grader) -> None:
    assert grade(hello, GNAT_OTHER_MAIN, "GNAT").verdict == Verdict.AC


@pytest.mark.unit
def test_the_family_is_in_jutges_fast_class() -> None:
    """Jutge's problem anatomy: Ada, C, C++, D and Fortran are fast; Objective-C, compiled to a
    native program like C, is fast too."""
    assert {get_language(name).time_class for name in FAMILY} == {"fast"}


@pytest.mark.unit
def test_fortran_sources_go_to_gfortran_and_ada_sources_to_gnat() -> None:
    """F2C shares .f with GFortran; GFortran, listed first, claims it. P1++ is asked for by name."""
    assert language_for_file("x.f").id == "GFortran"
    assert language_for_file("x.ada").id == "GNAT"
    assert language_for_file("x.cc").id == "G++17"
