"""Graphic problems graded in the real sandbox: the fixture graphic.pbm (made as Jutge's toolkit
makes it: the golden solution's output.png kept as each test's .cor) and programs that draw right,
close, wrong, elsewhere, nothing, or crash. tests/judge/test_grading.py grades the same programs
for their verdicts alone; this module checks what each result says."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.judge.conftest import CompileFn
from tests.support.paths import PROGRAMS, good_package
from verdict.cli import app
from verdict.judge import graphic
from verdict.judge.compiler import program_sandbox, run_program
from verdict.judge.grader import Grader, GradeResult
from verdict.judge.packages import load_package
from verdict.judge.preparation import prepared_grader
from verdict.judge.python_libraries import TARGET
from verdict.judge.sandbox import Limits, SandboxConfig
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.integration

PACKAGE = good_package("graphic.pbm")
SAMPLES = ("sample-1", "sample-2")
HIDDEN = "1"

# Draws only when the side is 100 (sample-1): the next tests must not see that image again.
ONCE = """\
from turtle_pil import *
side = int(input())
if side == 100:
    for _ in range(4):
        forward(side)
        left(90)
    done()
"""
# output.png as something else than a file: a link to a host file, a directory, a FIFO. None is
# followed or read (verdict.judge.boxfs), and each is removed before the next test's run.
NOT_A_FILE = """\
import os
side = int(input())
if side == 100:
    os.symlink("/etc/passwd", "output.png")
elif side == 50:
    os.mkdir("output.png")
else:
    os.mkfifo("output.png")
"""
LOOPS = "from turtle_pil import *\nwhile True:\n    forward(1)\n"
ALIASED = """\
import turtle
from turtle import forward, done
print(turtle.__file__, turtle.window_width(), forward.__module__)
"""


@pytest.fixture(scope="module")
def grader(sandbox_config: SandboxConfig) -> Grader:
    return prepared_grader(load_package(PACKAGE), sandbox_config)


def grade(grader: Grader, source: str | Path) -> GradeResult:
    code = source.read_bytes() if isinstance(source, Path) else source.encode()
    return grader.grade(code, "Python3")


def program(name: str) -> Path:
    return PROGRAMS / "graphic" / name


def outcomes(result: GradeResult) -> dict[str, tuple[Verdict, str]]:
    return {t.name: (t.verdict, t.message) for t in result.tests}


def picture(url: str) -> Image.Image:
    data = base64.b64decode(url.removeprefix("data:image/png;base64,"))
    return Image.open(io.BytesIO(data), formats=["PNG"])


def test_the_golden_solution_and_the_right_drawings_are_accepted(grader: Grader) -> None:
    for source in (PACKAGE / "solution.py", program("ac_import_turtle.py"), program("ac_pil.py")):
        result = grade(grader, source)
        assert result.verdict == Verdict.AC, (source.name, result.tests)
        assert all(t.message == "" and t.image == "" for t in result.tests), source.name  # same pixels


def test_a_close_drawing_is_accepted_within_the_tolerance(grader: Grader) -> None:
    result = grade(grader, program("ac_near_black.py"))
    assert result.verdict == Verdict.AC
    _, message = outcomes(result)["sample-1"]
    assert message == "0.16% of the pixels differ from the expected image (RMSE 0.0025, tolerance 0.01)"


def test_a_wrong_drawing_shows_the_difference_on_the_samples_only(grader: Grader) -> None:
    result = grade(grader, program("wa_triangle.py"))
    assert result.verdict == Verdict.WA and len(result.tests) == 3  # Jutge judges every test
    by_name = {t.name: t for t in result.tests}
    for name in SAMPLES:
        test = by_name[name]
        assert test.verdict == Verdict.WA and "of the pixels differ from the expected image" in test.message
        image = picture(test.image)
        assert image.size == (501, 501) and graphic.MARK in {colour for _, colour in image.getcolors(1 << 16)}
    hidden = by_name[HIDDEN]
    assert (hidden.verdict, hidden.message, hidden.image) == (Verdict.WA, "wrong answer", "")
    assert "of the pixels differ" in hidden.judge_message  # the detail stays with staff


def test_beyond_the_tolerance_is_a_wrong_answer(grader: Grader) -> None:
    result = grade(grader, program("wa_grey.py"))
    verdicts = {name: verdict for name, (verdict, _) in outcomes(result).items()}
    # The smallest square's few grey pixels stay within the tolerance; the bigger ones do not.
    assert (result.verdict, verdicts) == (Verdict.WA, {"sample-1": "WA", "sample-2": "AC", "1": "WA"})


def test_no_image_says_so(grader: Grader) -> None:
    result = grade(grader, program("wa_no_image.py"))
    assert result.verdict == Verdict.WA
    assert outcomes(result)["sample-1"] == (Verdict.WA, "no image: the program did not write output.png")
    assert "wrong answer" in result.cause and "did not write output.png" in result.cause


def test_an_image_of_another_size_says_both(grader: Grader) -> None:
    result = grade(grader, program("wa_size.py"))
    assert outcomes(result)["sample-2"] == (Verdict.WA, "the image is 301×301 pixels; expected 501×501")


def test_an_image_left_by_an_earlier_test_does_not_count(grader: Grader) -> None:
    result = grade(grader, ONCE)
    assert {name: verdict for name, (verdict, _) in outcomes(result).items()} == {
        "sample-1": Verdict.AC,
        "sample-2": Verdict.WA,
        "1": Verdict.WA,
    }
    assert outcomes(result)["sample-2"][1] == "no image: the program did not write output.png"


def test_an_output_png_that_is_not_a_file_is_no_image(grader: Grader) -> None:
    result = grade(grader, NOT_A_FILE)
    assert [t.verdict for t in result.tests] == [Verdict.WA] * 3
    for test in result.tests[:2]:
        assert test.message == "no image: the program did not write output.png", test.name
    assert "root:" not in repr(result)


def test_crashes_and_endless_drawings_are_execution_errors(grader: Grader) -> None:
    crashed = grade(grader, program("re_crash.py"))
    assert crashed.verdict == Verdict.RE  # although its image is right
    assert grade(grader, LOOPS).verdict == Verdict.TLE


def test_import_turtle_is_turtle_pil(compile_program: CompileFn, sandbox_config: SandboxConfig) -> None:
    compiled = compile_program(ALIASED, "Python3")
    with program_sandbox(compiled, sandbox_config) as box:
        result = run_program(box, compiled, Limits(cpu_time=10, memory_mb=512))
    assert result.ok, result.stderr.decode(errors="replace")
    assert result.stdout.decode().split() == [f"{TARGET}/turtle.py", "501", "turtle"]


def test_problem_check_on_the_fixture(sandbox_config: SandboxConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERDICT_DATA_DIR", str(sandbox_config.cache_dir.parent / "data"))
    outcome = CliRunner().invoke(app, ["problem", "check", str(PACKAGE)])
    assert outcome.exit_code == 0, outcome.output
    assert "solution.py" in outcome.output and "NO" not in outcome.output
    assert "Every bundled submission gets its expected verdict." in outcome.output
