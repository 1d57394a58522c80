"""One reader of yes/no values for package files, checker options and Jutge documents."""

from __future__ import annotations

import pytest

from verdict.judge.flags import FALSE_WORDS, TRUE_WORDS, read_flag

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("value", "flag"), [(True, True), (False, False), (1, True), (0, False)])
def test_booleans_and_zero_one_are_flags(value: object, flag: bool) -> None:
    assert read_flag(value, not flag) is flag


def test_missing_is_the_default_and_anything_else_is_none() -> None:
    assert read_flag(None, True) is True and read_flag(None, False) is False
    for value in (2, -1, 0.5, "true", [], {}):
        assert read_flag(value, True) is None  # words only where the caller allows them


def test_words_are_read_only_when_allowed() -> None:
    words = TRUE_WORDS + FALSE_WORDS
    assert [read_flag(f" {w.upper()} ", False, words=words) for w in TRUE_WORDS] == [True] * 4
    assert [read_flag(w, True, words=words) for w in FALSE_WORDS] == [False] * 4
    assert read_flag("yes", False, words=("0", "1", "true", "false")) is None
    assert read_flag("maybe", False, words=words) is None
