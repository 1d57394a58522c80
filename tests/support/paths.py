"""Where the tests' data lives."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures"
FIXTURE_PACKAGES = FIXTURES / "packages"  # kattis/, jutge/ (good ones), bad/
PROGRAMS = FIXTURES / "programs"  # submissions per verdict for the Jutge packages
JUTGE_REFERENCE = FIXTURES / "jutge"  # the Jutge reference's example documents, verbatim
