"""Where the tests' data lives.

The packages that the demo ships are used from ``verdict/demo`` itself, not kept as copies:
tests/fixtures holds what the demo lacks (more Kattis and Jutge packages, failing ones, the Jutge
reference's documents, programs of known verdicts) and the INGInious course under the folder name
``demo`` (the importer takes the course id from it; see tests/support/inginious.py).
"""

from __future__ import annotations

from pathlib import Path

import verdict.demo

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures"
FIXTURE_PACKAGES = FIXTURES / "packages"  # kattis/ and jutge/ (good ones), bad/
PROGRAMS = FIXTURES / "programs"  # submissions of known verdicts, per Jutge package
JUTGE_REFERENCE = FIXTURES / "jutge"  # the Jutge reference's example documents, verbatim

DEMO = Path(verdict.demo.__file__).resolve().parent
DEMO_PACKAGES = DEMO / "packages"  # Kattis aplusb and guess, Jutge pe_ic.pbm and scored.pbm, game orchard.pbm
APLUSB = DEMO_PACKAGES / "aplusb"
# Game packages import like the others, but a submission is a player judged by matches
# (tests/judge/test_game_matches.py), not a program judged on tests: not among GOOD_PACKAGES.
GAME_PACKAGES = sorted(DEMO_PACKAGES / name for name in verdict.demo.GAME_PACKAGES)
ORCHARD = DEMO_PACKAGES / "orchard.pbm"

GOOD_PACKAGES = sorted(
    [
        *(p for p in DEMO_PACKAGES.iterdir() if p not in GAME_PACKAGES),
        *FIXTURE_PACKAGES.glob("kattis/*"),
        *FIXTURE_PACKAGES.glob("jutge/*.pbm"),
    ],
    key=lambda package: (package.suffix != ".pbm", package.name),  # Jutge ones first, then Kattis
)
"""Every package that loads and grades as its submissions say: the demo's and the fixtures'."""


def good_package(name: str) -> Path:
    """One of GOOD_PACKAGES by name (``aplusb``, ``pe_ic.pbm``, ``elastic.pbm``...)."""
    [package] = [package for package in GOOD_PACKAGES if package.name == name]
    return package
