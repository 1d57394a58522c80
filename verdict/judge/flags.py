"""Reading a yes/no value the way package files and documents write it: ``true``/``false``, the
integers 0 and 1 (Jutge writes its flags so), and, where words are allowed, ``"yes"``, ``"on"``,
``"1"`` and their opposites as text. Every reader of a flag says what it accepts through here."""

from __future__ import annotations

from collections.abc import Collection

TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")


def read_flag(value: object, default: bool, *, words: Collection[str] = ()) -> bool | None:
    """``value`` as a flag: ``default`` when missing (None), the flag when it is one, None when it
    is not (the caller names the error). ``words`` are the texts accepted, of TRUE_WORDS and
    FALSE_WORDS, compared without case or surrounding space."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in words:
        return value.strip().lower() in TRUE_WORDS
    return None
