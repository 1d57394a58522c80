"""Clang, GFortran, GObjC, GDC, Ruby, PHP and Lua as Jutge grades them: a syntax error is CE with the
interpreter's message (its syntax check is the compile step), a crash at run time is RE."""

from __future__ import annotations

import pytest

from tests.support.paths import APLUSB
from verdict.judge.grader import Grader
from verdict.judge.languages import availability, get_language
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.sandbox import SandboxConfig
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.integration

PROGRAMS = {
    # language: (accepted A+B, a syntax error, a crash at run time)
    "Clang": (
        '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);}\n',
        "int main(void) { return 0 }\n",
        "#include <stdlib.h>\nint main(void){abort();}\n",
    ),
    "Clang++17": (
        "#include <iostream>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n",
        "int main() { return 0 }\n",
        "#include <cstdlib>\nint main(){std::abort();}\n",
    ),
    "GFortran": (
        "      PROGRAM S\n      INTEGER*8 A, B\n      READ(*,*) A, B\n      WRITE(*,'(I0)') A+B\n      END\n",
        "      PROGRAM S\n      X = (1 + \n      END\n",
        "      PROGRAM S\n      CALL ABORT()\n      END\n",
    ),
    "GObjC": (
        '#include <stdio.h>\nint main(void){long a,b;scanf("%ld %ld",&a,&b);'
        'printf("%ld\\n",a+b);return 0;}\n',
        "int main(void) { return 0 }\n",
        "#include <stdlib.h>\nint main(void){abort();}\n",
    ),
    "GDC": (
        'import std.stdio;\nvoid main(){long a,b;readf(" %d %d", &a, &b);writeln(a+b);}\n',
        "void main() { int x = }\n",
        "void main(){ int[] a; a[3] = 1; }\n",
    ),
    "Ruby": ("a, b = STDIN.read.split.map(&:to_i)\nputs a + b\n", "def f(\n", "raise 'boom'\n"),
    "PHP": (
        '<?php\nfscanf(STDIN, "%d %d", $a, $b);\necho $a + $b, "\\n";\n',
        "<?php\necho (1 + ;\n",
        "<?php\nthrow new Exception('boom');\n",
    ),
    "Lua": (
        'local a, b = io.read("n", "n")\nprint(string.format("%d", a + b))\n',
        "print((1 +)\n",
        "error('boom')\n",
    ),
}


@pytest.fixture(scope="module")
def grader(sandbox_config: SandboxConfig) -> Grader:
    return prepared_grader(load_package(APLUSB), sandbox_config)


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_each_language_is_accepted_refuses_syntax_errors_and_reports_crashes(
    grader: Grader, language: str
) -> None:
    available, why = availability(get_language(language))
    if not available:
        pytest.skip(f"{language} toolchain missing: {why}")
    accepted, syntax_error, crash = PROGRAMS[language]
    assert grader.grade(accepted.encode(), language).verdict == Verdict.AC
    compile_error = grader.grade(syntax_error.encode(), language)
    assert compile_error.verdict == Verdict.CE and compile_error.compile_output.strip()
    assert grader.grade(crash.encode(), language).verdict == Verdict.RE


def test_time_classes_follow_jutge() -> None:
    classes = {name: get_language(name).time_class for name in PROGRAMS}
    assert classes == {
        "Clang": "fast",
        "Clang++17": "fast",
        "GFortran": "fast",
        "GObjC": "fast",
        "GDC": "fast",
        "Ruby": "slow",
        "PHP": "slow",
        "Lua": "slow",
    }
