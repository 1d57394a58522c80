"""The handler.yml keys of Jutge's graphic problems (``handler: graphic``).

Jutge's graphic driver (jutge-org/jutge-driver-graphic, ``judge.py`` and ``checkers.py``) runs
the program, takes the ``output.png`` it wrote in its working directory as the test's output and
compares it with ``<test>.cor``, the image the golden solution wrote (the toolkit's make renames
the golden solution's ``output.png`` to ``<test>.cor``). Its one option of its own is
``tolerance``: a normalized root-mean-square error up to which a differing image is still
accepted (no tolerance: only an image of identical pixels is). ``checker`` is not read by that
driver, and neither is it here.
"""

from __future__ import annotations

from verdict.judge.packages.common import Fields
from verdict.judge.problem import GraphicSpec

HANDLER = "graphic"


def graphic_spec(handler: Fields) -> GraphicSpec:
    """The graphic options of a handler.yml whose handler is ``graphic``."""
    tolerance = handler.number("tolerance")
    if tolerance is not None and not 0 <= tolerance <= 1:
        raise handler.error("tolerance", "must be a number from 0 to 1 (a normalized RMSE)")
    return GraphicSpec(tolerance=tolerance)
