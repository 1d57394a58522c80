"""The Java entry point read from the source: the file name it gets and the class that runs."""

from __future__ import annotations

import pytest

from verdict.judge.java_source import JavaEntry, JavaSourceError, java_entry, strip_comments_and_literals

pytestmark = pytest.mark.unit

MAIN = "public static void main(String[] args) { }"


def test_the_public_class_names_the_file_and_runs() -> None:
    assert java_entry(f"public class Hello {{ {MAIN} }}") == JavaEntry("Hello.java", "Hello")


def test_main_keeps_working() -> None:
    assert java_entry(f"import java.util.*;\npublic class Main {{ {MAIN} }}") == JavaEntry(
        "Main.java", "Main"
    )


def test_the_submissions_file_name_is_kept() -> None:
    assert java_entry(f"class Hello {{ {MAIN} }}", "solution.java") == JavaEntry("solution.java", "Hello")
    # A public class that disagrees with the file name is javac's compile error, as on Kattis.
    assert java_entry(f"public class Hello {{ {MAIN} }}", "Other.java") == JavaEntry("Other.java", "Hello")


@pytest.mark.parametrize("name", ["my file.java", "1st.java", "Hello.txt", "", "../x.java"])
def test_a_file_name_that_is_no_class_name_is_ignored(name: str) -> None:
    assert java_entry(f"public class Hello {{ {MAIN} }}", name) == JavaEntry("Hello.java", "Hello")


def test_main_in_a_non_public_class() -> None:
    source = f"public class Util {{ static int f() {{ return 1; }} }}\nclass Runner {{ {MAIN} }}"
    assert java_entry(source) == JavaEntry("Util.java", "Runner")


def test_without_a_public_class_the_file_is_named_after_main() -> None:
    assert java_entry(f"class Helper {{ }}\nfinal class Prog {{ {MAIN} }}") == JavaEntry("Prog.java", "Prog")


def test_comments_and_strings_are_not_code() -> None:
    source = (
        "// public class Fake { public static void main(String[] a) {} }\n"
        "/* public class Fake2 { */\n"
        'class Real { static String s = "public class Str { public static void main(";\n'
        '  static char c = \'{\'; static String t = "\\"}";\n'
        '  static String block = """\n    public class Block { }\n    """;\n'
        f"  {MAIN}\n}}\n"
    )
    assert java_entry(source) == JavaEntry("Real.java", "Real")


def test_nested_classes_do_not_count() -> None:
    source = f"public class Outer {{ static class Inner {{ {MAIN} }} }}\nclass Top {{ {MAIN} }}"
    assert java_entry(source) == JavaEntry("Outer.java", "Top")


@pytest.mark.parametrize(
    "header",
    [
        "public final class Solve",
        "public abstract class Solve",
        '@SuppressWarnings("unchecked") public class Solve',
        "public class Solve<T extends Comparable<T>> extends Object implements Runnable",
        "public interface Solve",
        "public enum Solve",
        "public record Solve(int x, int y)",
    ],
)
def test_modifiers_generics_and_kinds_of_type(header: str) -> None:
    assert java_entry(f"import java.util.*;\n{header} {{ {MAIN} }}") == JavaEntry("Solve.java", "Solve")


def test_main_must_be_static_and_void() -> None:
    source = (
        "public class A { void main(String[] a) {} }\nclass B { public static void main(String... a) {} }"
    )
    assert java_entry(source).main_class == "B"
    assert java_entry("public class C { static public final void main(String[] a) {} }").main_class == "C"


def test_no_class_at_all_falls_back_to_main() -> None:
    assert java_entry("this is not java") == JavaEntry("Main.java", "Main")


def test_a_package_declaration_is_refused_clearly() -> None:
    with pytest.raises(JavaSourceError, match=r"package declarations are not supported.*'package foo\.bar;'"):
        java_entry(f"/* header */\npackage foo . bar;\npublic class A {{ {MAIN} }}")
    # The word in a comment or a string is no declaration.
    assert (
        java_entry(f'// package foo;\npublic class A {{ String p = "package x;"; {MAIN} }}').main_class == "A"
    )


def test_stripping_keeps_positions_and_lines() -> None:
    source = 'a /* b\nc */ "d\\"e" \'f\' // g\nh'
    stripped = strip_comments_and_literals(source)
    assert len(stripped) == len(source) and stripped.count("\n") == source.count("\n")
    assert stripped.split() == ["a", "h"]
