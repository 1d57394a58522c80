"""Which of a problem's statement languages to show: the first of the reader's preferences (their
choice, then their browser's Accept-Language) the problem has, else its original language."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


def primary(tag: str) -> str:
    """``ca-ES`` / ``pt_BR`` -> ``ca`` / ``pt``: statements are per language, not per region."""
    return re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()


def parse_accept_language(header: str | None) -> list[str]:
    """An Accept-Language header's languages, most wanted first (``q=0`` ones dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or tag == "*" or not re.fullmatch(r"[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*", tag):
            continue
        quality = 1.0
        if m := re.search(r"q\s*=\s*([^\s;]*)", params):
            try:
                quality = float(m.group(1))
            except ValueError:
                continue
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(
    available: Iterable[str],
    preferences: Sequence[str | None] = (),
    original: str | None = None,
) -> str | None:
    """The statement language to show: the first preference the problem has (exactly, then by
    primary subtag: ``ca-ES`` finds ``ca``), else the problem's original language, else English,
    else the first in alphabetical order; None when the problem has no statement."""
    languages = sorted(set(available))
    if not languages:
        return None
    by_primary: dict[str, str] = {}
    for language in languages:
        by_primary.setdefault(primary(language), language)
    for wanted in preferences:
        if not wanted:
            continue
        if wanted in languages:
            return wanted
        if (found := by_primary.get(primary(wanted))) is not None:
            return found
    if original in languages:
        return original
    return "en" if "en" in languages else languages[0]
