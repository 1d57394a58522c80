"""The judge's fixtures (real sandbox config) for the grading tests that run the judge directly."""

from __future__ import annotations

from tests.judge.conftest import sandbox_config

__all__ = ["sandbox_config"]
