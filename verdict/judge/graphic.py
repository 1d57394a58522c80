"""Graphic problems: the image a program draws, judged against the golden solution's.

How Jutge does it (jutge-org/jutge-driver-graphic, ``judge.py`` and ``checkers.py``): each test
runs the program in a fresh directory; the ``output.png`` it leaves there is the test's output
(none: the driver's ``notfound.png`` stands in, which then fails the comparison); the expected
output is ``<test>.cor``, the golden solution's own ``output.png`` renamed by the toolkit's make
(jutge-org/jutge-toolkit ``lib/maker.ts``). ``checkers.graphic`` says AC for identical files, IC
for images of different sizes, and otherwise asks ImageMagick's ``compare -metric RMSE``: AC for
0 or within the handler's ``tolerance``, PE up to 0.05 ("similar", a value its comment says was
found empirically in five minutes), WA beyond; it also writes a difference image,
``<test>.dif.png``.

Here, those rules on Pillow, in the host, on bounded input (the image is the untrusted program's
output), with the two departures said under Verdicts:

- The file is read from the box with a cap (MAX_IMAGE_BYTES), decoded as PNG only (the name says
  PNG; no other decoder is exposed), and refused beyond MAX_IMAGE_PIXELS before any pixel is
  decoded, far below Pillow's own decompression-bomb limit (which would raise too). Only an image
  of the expected size is ever decoded.
- The RMSE is ImageMagick's normalized one: the root of the mean, over pixels and channels (RGB,
  or RGBA when either image has transparency), of the squared difference over 255.
- Verdicts: AC for identical pixels or an RMSE within ``tolerance``, WA otherwise. Jutge's PE up
  to 0.05 is not followed: the RMSE of a thin drawing on a big canvas is small whatever it is
  (a triangle drawn for the fixture's 100-pixel square has an RMSE of 0.043, a "PE"), so the
  verdict would tell a wrong drawing from a right one by its size, not by its correctness. Where
  Jutge says IC (another size), Verdict says WA with both sizes: IC means an invalid character
  here. No image at all is a WA that says so. Crashes and time-outs are the run's verdicts (TLE,
  RE, MLE: Jutge's EE), as for any problem.
- Feedback: the share of differing pixels and the RMSE in the message, and a difference image
  (the expected image faded, the differing pixels in red, at most DIFFERENCE_SIDE pixels a side)
  as a PNG ``data:`` URL on the check, `ImageCheck.image`: small enough to travel inside the
  result and the feedback HTML, with no file to store or serve. It shows the expected image, so
  the grader keeps it only for tests the student may see.
"""

from __future__ import annotations

import base64
import io
import math
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from verdict.judge.check_result import CheckResult
from verdict.judge.problem import GraphicSpec
from verdict.judge.sandbox import MiB, Sandbox
from verdict.judge.verdicts import Verdict

MAX_IMAGE_BYTES = 16 * MiB
MAX_IMAGE_PIXELS = 4096 * 4096
DIFFERENCE_SIDE = 512
MAX_DIFFERENCE_URL = 256 * 1024  # characters of the data URL; a bigger one is left out
FADED = 200  # the expected image's darkest grey in the difference image
MARK = (220, 0, 0)
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, zlib.error, Image.DecompressionBombError)
ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")


class ImageError(Exception):
    """An image that cannot be judged: not a PNG, broken, or too big."""


@dataclass
class ImageCheck(CheckResult):
    """A check of an image: the difference image as a PNG data URL ("" when identical)."""

    image: str = ""


@dataclass(frozen=True)
class Comparison:
    """How two images of the same size differ."""

    differing: int  # pixels with any channel different
    total: int
    rmse: float  # ImageMagick's normalized RMSE, 0..1

    @property
    def share(self) -> float:
        return self.differing / self.total if self.total else 0.0


# -- the box ------------------------------------------------------------------------------------------
def clear_image(box: Sandbox, spec: GraphicSpec) -> None:
    """Before each run: no image left by the previous test may count for this one."""
    box.remove(spec.image_name)


def check_image(spec: GraphicSpec, box: Sandbox, answer: Path) -> ImageCheck:
    """Judges the image the program left in the box against the test's expected image."""
    written = box.read_file(spec.image_name, MAX_IMAGE_BYTES + 1)
    return judge_image(written, answer.read_bytes(), spec)


# -- judging ------------------------------------------------------------------------------------------
def judge_image(written: bytes | None, expected: bytes, spec: GraphicSpec) -> ImageCheck:
    """The verdict on the image a program wrote (None: it wrote none) against the expected one."""
    name = spec.image_name
    if written is None:
        return ImageCheck(Verdict.WA, f"no image: the program did not write {name}", judge_message="no image")
    if len(written) > MAX_IMAGE_BYTES:
        return ImageCheck(Verdict.WA, f"{name} is over {MAX_IMAGE_BYTES // MiB} MiB")
    if written == expected:
        return ImageCheck(Verdict.AC)
    try:
        want = open_png(expected)
        want.load()
    except (ImageError, *DECODE_ERRORS) as error:
        return ImageCheck(Verdict.IE, "judge error", judge_message=f"the expected image: {describe(error)}")
    try:
        got = open_png(written)
        if got.size != want.size:
            return ImageCheck(Verdict.WA, f"the image is {size(got)} pixels; expected {size(want)}")
        got.load()
    except (ImageError, *DECODE_ERRORS) as error:
        return ImageCheck(Verdict.WA, f"{name} is not a readable PNG image: {describe(error)}")
    return _verdict(got, want, spec)


def _verdict(got: Image.Image, want: Image.Image, spec: GraphicSpec) -> ImageCheck:
    alpha = has_alpha(got) or has_alpha(want)
    mask, comparison = compare(got, want, alpha)
    if comparison.differing == 0:
        return ImageCheck(Verdict.AC)
    within = spec.tolerance is not None and comparison.rmse <= spec.tolerance
    verdict = Verdict.AC if within else Verdict.WA
    message = (
        f"{comparison.share:.2%} of the pixels differ from the expected image (RMSE {comparison.rmse:.4f}"
        + (f", tolerance {spec.tolerance:g})" if spec.tolerance is not None else ")")
    )
    image = difference_image(want, mask)
    judge_message = message if image else f"{message}; the difference image is too big to keep"
    return ImageCheck(verdict, message, judge_message=judge_message, image=image)


def open_png(data: bytes) -> Image.Image:
    """A PNG image, its header read and its size checked; its pixels are not decoded yet."""
    try:
        image = Image.open(io.BytesIO(data), formats=["PNG"])
    except DECODE_ERRORS as error:
        raise ImageError(describe(error)) from None
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageError(f"{width}×{height} pixels is over the {MAX_IMAGE_PIXELS} an image may have")
    return image


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ALPHA_MODES or "transparency" in image.info


def compare(got: Image.Image, want: Image.Image, alpha: bool) -> tuple[Image.Image, Comparison]:
    """The mask of differing pixels (L: 255 where any channel differs) and the figures."""
    mode = "RGBA" if alpha else "RGB"
    difference = ImageChops.difference(got.convert(mode), want.convert(mode))
    bands = difference.split()
    strongest = bands[0]
    for band in bands[1:]:
        strongest = ImageChops.lighter(strongest, band)
    mask = strongest.point([0] + [255] * 255)
    width, height = difference.size
    rms = ImageStat.Stat(difference).rms
    rmse = math.sqrt(sum(value * value for value in rms) / len(rms)) / 255
    return mask, Comparison(differing=mask.histogram()[255], total=width * height, rmse=rmse)


def difference_image(want: Image.Image, mask: Image.Image) -> str:
    """The expected image faded, the differing pixels in red: a PNG data URL ("" if too big)."""
    base = on_white(want).convert("L").point([FADED + v * (255 - FADED) // 255 for v in range(256)])
    picture = base.convert("RGB")
    picture.paste(Image.new("RGB", picture.size, MARK), mask=mask)
    picture.thumbnail((DIFFERENCE_SIDE, DIFFERENCE_SIDE), Image.Resampling.BOX)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return url if len(url) <= MAX_DIFFERENCE_URL else ""


def on_white(image: Image.Image) -> Image.Image:
    """The image over a white background (transparent pixels would turn black in grey)."""
    if not has_alpha(image):
        return image
    rgba = image.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)


def size(image: Image.Image) -> str:
    return f"{image.size[0]}×{image.size[1]}"


def describe(error: BaseException) -> str:
    text = str(error).strip()
    return text[:200] if text else type(error).__name__
