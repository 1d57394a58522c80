"""Jutge compiler ids whose toolchain neither Debian 12 nor PyPI provides: listed, with the reason."""

from __future__ import annotations

from verdict.judge.toolchains.base import Language


def build() -> list[Language]:
    return []
