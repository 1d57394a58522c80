"""Functional and Lisp-family languages Jutge offers."""

from __future__ import annotations

from verdict.judge.toolchains.base import Language


def build() -> list[Language]:
    return []
