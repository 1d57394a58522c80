"""The comparison of graphic problems (verdict.judge.graphic) on images made here, and the loading
of ``handler: graphic`` packages: no sandbox."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.support.paths import good_package
from verdict.judge import graphic
from verdict.judge.errors import PackageError
from verdict.judge.graphic import MAX_IMAGE_BYTES, judge_image
from verdict.judge.packages import load_package
from verdict.judge.problem import GraphicSpec
from verdict.judge.verdicts import Verdict

pytestmark = pytest.mark.unit

STRICT = GraphicSpec()


def png(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def square(size: int = 101, colour: str | tuple[int, int, int] = "black", offset: int = 0) -> Image.Image:
    image = Image.new("RGB", (size, size), "white")
    ImageDraw.Draw(image).rectangle([20 + offset, 20, 80 + offset, 80], outline=colour)
    return image


def decoded(url: str) -> Image.Image:
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(url[len(prefix) :])), formats=["PNG"])


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height RGB pixels, with one tiny IDAT: a pixel bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


# --- verdicts --------------------------------------------------------------------------------------


def test_the_same_file_is_accepted_without_decoding() -> None:
    data = png(square())
    check = judge_image(data, data, STRICT)
    assert (check.verdict, check.message, check.image) == (Verdict.AC, "", "")


def test_the_same_pixels_in_another_encoding_are_accepted() -> None:
    expected = png(square())
    palette = png(square().convert("P"), optimize=True)
    assert palette != expected
    check = judge_image(palette, expected, STRICT)
    assert (check.verdict, check.image) == (Verdict.AC, "")


def test_other_pixels_are_a_wrong_answer_with_the_share_and_a_difference_image() -> None:
    check = judge_image(png(square(offset=5)), png(square()), STRICT)
    assert check.verdict == Verdict.WA
    # The vertical sides moved and the horizontal ones slid: 256 of the 101 × 101 pixels.
    assert check.message == "2.51% of the pixels differ from the expected image (RMSE 0.1584)"
    picture = decoded(check.image)
    assert picture.size == (101, 101)
    assert picture.getpixel((20, 50)) == graphic.MARK  # the expected side the program missed
    assert picture.getpixel((25, 50)) == graphic.MARK  # the side it drew instead
    assert picture.getpixel((50, 20)) == (graphic.FADED,) * 3  # a common pixel, faded
    assert picture.getpixel((5, 5)) == (255, 255, 255)


def test_the_tolerance_accepts_a_close_image_and_not_a_farther_one() -> None:
    expected = png(square())
    close = png(square(colour=(16, 16, 16)))
    far = png(square(colour=(120, 120, 120)))
    assert judge_image(close, expected, STRICT).verdict == Verdict.WA  # no tolerance: pixels must match
    tolerant = GraphicSpec(tolerance=0.02)
    accepted = judge_image(close, expected, tolerant)
    assert accepted.verdict == Verdict.AC and "tolerance 0.02" in accepted.message and accepted.image
    assert judge_image(far, expected, tolerant).verdict == Verdict.WA


def test_the_rmse_is_imagemagicks_normalized_one() -> None:
    # One pixel of 4 differs by 255 in each of R, G, B: sqrt(3 / (4 × 3)) = 0.5.
    black = Image.new("RGB", (2, 2), "white")
    black.putpixel((0, 0), (0, 0, 0))
    _, comparison = graphic.compare(black, Image.new("RGB", (2, 2), "white"), alpha=False)
    assert (comparison.differing, comparison.total, comparison.rmse) == (1, 4, pytest.approx(0.5))


def test_transparency_counts() -> None:
    clear = Image.new("RGBA", (10, 10), (255, 255, 255, 0))
    opaque = Image.new("RGBA", (10, 10), (255, 255, 255, 255))
    check = judge_image(png(clear), png(opaque), STRICT)
    assert check.verdict == Verdict.WA and check.message.startswith("100.00% of the pixels differ")
    assert decoded(check.image).getpixel((0, 0)) == graphic.MARK


def test_no_image_is_a_clear_wrong_answer() -> None:
    check = judge_image(None, png(square()), STRICT)
    assert (check.verdict, check.message) == (Verdict.WA, "no image: the program did not write output.png")


def test_another_size_is_a_wrong_answer_naming_both_sizes() -> None:
    check = judge_image(png(square(size=60)), png(square()), STRICT)
    assert (check.verdict, check.message) == (Verdict.WA, "the image is 60×60 pixels; expected 101×101")


@pytest.mark.parametrize(
    ("written", "why"),
    [
        (b"not an image at all", "output.png is not a readable PNG image"),
        (b"GIF89a" + bytes(40), "output.png is not a readable PNG image"),  # another format: refused
        (png(square())[:120], "output.png is not a readable PNG image"),  # cut short
    ],
)
def test_anything_but_a_whole_png_is_a_wrong_answer(written: bytes, why: str) -> None:
    check = judge_image(written, png(square()), STRICT)
    assert check.verdict == Verdict.WA and check.message.startswith(why), check.message


def test_a_jpeg_is_refused_even_with_the_right_pixels() -> None:
    buffer = io.BytesIO()
    square().save(buffer, "JPEG", quality=100)
    assert judge_image(buffer.getvalue(), png(square()), STRICT).verdict == Verdict.WA


@pytest.mark.parametrize(
    ("side", "why"),
    [
        (5000, "5000×5000 pixels is over the 16777216 an image may have"),  # our cap
        (100_000, "could be decompression bomb"),  # far beyond: Pillow's own limit says it first
    ],
)
def test_a_pixel_bomb_is_refused_from_its_header(side: int, why: str) -> None:
    bomb = png_header(side, side)
    assert len(bomb) < 100
    check = judge_image(bomb, png(square()), STRICT)
    assert check.verdict == Verdict.WA and why in check.message, check.message


def test_an_image_of_the_expected_size_over_the_byte_cap_is_refused() -> None:
    check = judge_image(bytes(MAX_IMAGE_BYTES + 1), png(square()), STRICT)
    assert (check.verdict, check.message) == (Verdict.WA, "output.png is over 16 MiB")


def test_a_broken_expected_image_is_a_judge_error() -> None:
    check = judge_image(png(square()), b"broken", STRICT)
    assert check.verdict == Verdict.IE and check.judge_message.startswith("the expected image:")


def test_the_difference_image_is_bounded() -> None:
    big = Image.new("RGB", (2000, 1000), "white")
    other = Image.new("RGB", (2000, 1000), "black")
    check = judge_image(png(other), png(big), STRICT)
    assert decoded(check.image).size == (512, 256)
    assert len(check.image) <= graphic.MAX_DIFFERENCE_URL


# --- the package ---------------------------------------------------------------------------------------


def test_the_graphic_fixture_loads_as_the_toolkit_writes_it() -> None:
    problem = load_package(good_package("graphic.pbm"))
    assert problem.graphic == GraphicSpec(image_name="output.png", tolerance=0.01)
    assert [t.name for t in problem.tests] == ["sample-1", "sample-2", "1"]
    assert problem.golden_solution is not None and problem.golden_solution.name == "solution.py"
    for test in problem.tests:  # the golden solution's images, as the toolkit's make renames them
        with Image.open(test.answer_path, formats=["PNG"]) as image:
            assert image.size == (501, 501)


def graphic_package(tmp_path: Path, handler: str) -> Path:
    root = tmp_path / "g.pbm"
    root.mkdir()
    (root / "handler.yml").write_text(handler)
    (root / "problem.en.yml").write_text("title: G\n")
    (root / "sample.inp").write_text("")
    (root / "sample.cor").write_bytes(png(square()))
    (root / "solution.py").write_text("")
    return root


def test_a_std_package_is_not_graphic_and_tolerance_defaults_to_none(tmp_path: Path) -> None:
    assert load_package(good_package("epsilon.pbm")).graphic is None
    problem = load_package(graphic_package(tmp_path, "handler: graphic\nsolution: Python3\n"))
    assert problem.graphic == GraphicSpec(tolerance=None)


@pytest.mark.parametrize("tolerance", ["-0.1", "2", "lots", "[0.1]"])
def test_a_bad_tolerance_is_a_package_error(tmp_path: Path, tolerance: str) -> None:
    root = graphic_package(tmp_path, f"handler: graphic\nsolution: Python3\ntolerance: {tolerance}\n")
    with pytest.raises(PackageError, match="tolerance"):
        load_package(root)
