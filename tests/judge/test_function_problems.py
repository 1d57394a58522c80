"""Jutge function problems without the sandbox: what handler.yml's source_modifier, func_name,
invisible_main and the main.<ext> files load into, and how each language's files are assembled."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.paths import good_package
from verdict.judge import function_problems as fp
from verdict.judge.errors import PackageError
from verdict.judge.languages import get_language
from verdict.judge.packages import load_package
from verdict.judge.problem import FunctionInterface
from verdict.judge.sandbox import Limits

pytestmark = pytest.mark.unit

GCD = b"int gcd(int a, int b) {\n    return b ? gcd(b, a % b) : a;\n}\n"
MAIN_C = b'#include <stdio.h>\nint gcd(int, int);\nint main() { printf("%d\\n", gcd(4, 6)); }\n'


def package_with(tmp_path: Path, source: str, handler: str, drop: tuple[str, ...] = ()) -> Path:
    """A copy of a fixture package with another handler.yml and without some files."""
    root = tmp_path / source
    shutil.copytree(good_package(source), root)
    (root / "handler.yml").write_text(handler)
    for name in drop:
        (root / name).unlink()
    return root


# --- loading ------------------------------------------------------------------------------------------


def test_the_fixtures_load_as_function_problems() -> None:
    expected = {
        "func_c.pbm": ("gcd", ["c"], False),
        "func_cpp.pbm": ("is_prime", ["cc"], True),
        "func_java.pbm": ("reverse", ["java"], False),
        "func_py.pbm": ("digit_sum", ["py"], False),
    }
    for name, (function, mains, invisible) in expected.items():
        problem = load_package(good_package(name))
        assert problem.function is not None, name
        assert problem.function.modifier == "no_main"
        assert (
            problem.function.function_name,
            list(problem.function.mains),
            problem.function.invisible_main,
        ) == (
            function,
            mains,
            invisible,
        )
        # The mains are the problem's, not solutions: only solution.<ext> is a bundled submission.
        assert [s.path.name for s in problem.submissions] == [f"solution.{mains[0]}"]


def test_whole_program_packages_have_no_function() -> None:
    assert load_package(good_package("pe_ic.pbm")).function is None
    assert load_package(good_package("elastic.pbm")).function is None


def test_source_modifier_none_and_structs(tmp_path: Path) -> None:
    none = package_with(tmp_path / "a", "func_c.pbm", "solution: C\nsource_modifier: none\n")
    assert load_package(none).function is None
    structs = package_with(tmp_path / "b", "func_c.pbm", "solution: C\nsource_modifier: structs\n")
    interface = load_package(structs).function
    assert interface is not None and interface.modifier == "structs" and interface.function_name is None


@pytest.mark.parametrize(
    ("handler", "drop", "message"),
    [
        ("solution: C\nsource_modifier: no_mian\n", (), "'source_modifier' has unknown value 'no_mian'"),
        ("solution: C\nsource_modifier: no_main\n", ("main.c",), "needs the problem's main program"),
        ("solution: C\nsource_modifier: no_main\ninvisible_main: maybe\n", (), "'invisible_main' must be"),
    ],
)
def test_bad_function_handlers_are_package_errors(
    tmp_path: Path, handler: str, drop: tuple[str, ...], message: str
) -> None:
    with pytest.raises(PackageError, match=message):
        load_package(package_with(tmp_path, "func_c.pbm", handler, drop))


def test_a_golden_solution_without_its_main_is_a_package_error(tmp_path: Path) -> None:
    root = package_with(tmp_path, "func_c.pbm", "solution: C\nsource_modifier: no_main\n")
    (root / "main.c").rename(root / "main.py")
    with pytest.raises(PackageError, match=r"the golden solution solution\.c has no main\.c"):
        load_package(root)


def test_cpp_extensions_share_one_main(tmp_path: Path) -> None:
    interface = FunctionInterface("no_main", {"cpp": tmp_path / "main.cpp"})
    assert interface.main_for("cc") == interface.main_for("cxx") == tmp_path / "main.cpp"
    assert interface.main_for("c") is None


# --- assembling -------------------------------------------------------------------------------------------


def test_c_program_names_each_part_by_its_own_file_and_renames_a_students_main() -> None:
    text = fp.c_program(GCD.rstrip(b"\n"), MAIN_C, "c").decode()
    lines = text.splitlines()
    assert lines[0] == "#define main jutge__replaced__main"
    assert lines[1] == '#line 1 "program.c"'
    assert lines[2:5] == GCD.decode().splitlines()  # a missing final newline is added
    assert lines[5:7] == ["#undef main", '#line 1 "main.c"']
    assert lines[7:] == MAIN_C.decode().splitlines()


def test_haskell_and_rust_programs() -> None:
    haskell = fp.haskell_program(b"double x = 2 * x", b"main = print (double 21)\n").decode()
    assert haskell.splitlines() == [
        '{-# LINE 1 "program.hs" #-}',
        "double x = 2 * x",
        '{-# LINE 1 "main.hs" #-}',
        "main = print (double 21)",
    ]
    # The include comes last: the main's own lines keep their numbers.
    rust = fp.rust_program(b'fn main() { println!("{}", double(21)); }').decode()
    assert rust.splitlines() == ['fn main() { println!("{}", double(21)); }', 'include!("program.rs");']


def test_each_language_gets_its_files(tmp_path: Path) -> None:
    mains = {}
    for ext in ("c", "cc", "java", "py", "rs", "hs"):
        mains[ext] = tmp_path / f"main.{ext}"
        mains[ext].write_bytes(f"main in {ext}\n".encode())
    interface = FunctionInterface("no_main", mains)
    c = fp.assemble(interface, get_language("GCC"), GCD)
    assert c.language.source_name == "program.c" and c.source == GCD
    assert set(c.extra_files) == {"jutge_program.c", "main.c"}
    assert c.language.compile is not None and "jutge_program.c" in c.language.compile
    assert "main.c" not in c.language.compile and c.language.artifacts == ("main",)
    cpp = fp.assemble(interface, get_language("G++17"), b"bool f();\n")
    assert cpp.language.source_name == "program.cc" and set(cpp.extra_files) == {
        "jutge_program.cc",
        "main.cc",
    }
    java = fp.assemble(interface, get_language("JDK"), b"public class Solution {}\n")
    assert java.extra_files == {"Main.java": b"main in java\n"}
    assert java.language.compile is not None and java.language.compile[-2:] == ("{source}", "Main.java")
    assert java.language.entry(java.source, "whatever.java") == ("Solution.java", "Main")
    python = fp.assemble(interface, get_language("Python3"), b"def f(): pass\n")
    assert set(python.extra_files) == {"main.py", "jutge_program.py"}
    assert python.language.compile is not None and python.language.compile[-2:] == ("program.py", "main.py")
    assert python.language.run_argv(Limits())[-1] == "jutge_program.py"
    rust = fp.assemble(interface, get_language("Rust"), b"fn f() {}\n")
    assert rust.language.source_name == "program.rs"
    assert rust.extra_files == {"main.rs": b'main in rs\ninclude!("program.rs");\n'}


def test_an_invisible_main_is_not_put_beside_the_program(tmp_path: Path) -> None:
    (tmp_path / "main.cc").write_bytes(b"int main() {}\n")
    interface = FunctionInterface("no_main", {"cc": tmp_path / "main.cc"}, invisible_main=True)
    assembly = fp.assemble(interface, get_language("G++17"), b"\n")
    assert set(assembly.extra_files) == {"jutge_program.cc"}
    assert b'#line 1 "main.cc"\nint main() {}\n' in assembly.extra_files["jutge_program.cc"]


@pytest.mark.parametrize(
    ("source", "name"),
    [
        (b"public class Words { }\n", "Words.java"),
        (b"class Solution { }\nclass Helper { }\n", "Solution.java"),
        (b"class Helper { }\n", "Solution.java"),  # no public class: not Main.java, the problem's
        (b"public class Main { }\n", "Solution.java"),  # then javac says a public Main needs Main.java
    ],
)
def test_the_java_submissions_file_name(source: bytes, name: str) -> None:
    assert fp.java_file_name(source) == name


def test_languages_without_a_main_are_refused_with_the_ones_there_are(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_bytes(b"print(f())\n")
    interface = FunctionInterface("no_main", {"py": tmp_path / "main.py"}, function_name="f")
    for language in ("Perl", "GCC"):
        with pytest.raises(fp.NoMainForLanguage, match=r"the function f.*only in Python \(main.py\)"):
            fp.assemble(interface, get_language(language), b"")


def test_structs_applies_where_jutge_applies_it(tmp_path: Path) -> None:
    structs = FunctionInterface("structs", {"c": tmp_path / "main.c"})
    assert fp.applies(structs, get_language("GCC")) and fp.applies(structs, get_language("Python3"))
    assert not fp.applies(structs, get_language("JDK"))  # jutge-driver-std compiles it whole
    assert fp.applies(FunctionInterface("no_main", {}), get_language("JDK"))
    assert fp.applies(structs, get_language("Perl"))  # no assembly at all: refused, not run whole


def test_variants_are_built_once_per_language() -> None:
    # The compile cache and the toolchain's version probe key on the Language: one per language.
    assert fp.compiled_variant(get_language("GCC")) is fp.compiled_variant(get_language("GCC"))
    assert fp.python_variant(get_language("Python3")) is fp.python_variant(get_language("Python3"))
    assert fp.java_variant(get_language("JDK")) is fp.java_variant(get_language("JDK"))
