"""The languages a test needs, skipped with the reason where this host cannot offer them (CI
installs every toolchain, so none skips there)."""

from __future__ import annotations

import pytest

from verdict.judge.languages import Language, availability, get_language


def offered(compiler: str) -> Language:
    """The compiler id's language; skips the test when this host lacks its toolchain."""
    language = get_language(compiler)
    available, why = availability(language)
    if not available:
        pytest.skip(f"{compiler} unavailable: {why}")
    return language
