"""The languages of the web interface: English, Catalan and Spanish, with gettext catalogs.

The catalogs are the ``.po`` files under ``locales/<lang>/LC_MESSAGES/messages.po``, read at
start-up by Babel and compiled in memory: no ``.mo`` files, so no build step and nothing generated
to forget to commit. A message without a translation (or a fuzzy one) shows in English.

A new message in a template (``{{ _("...") }}``) or in the code (``page._("...")``) needs its
entry in both ``.po`` files: ``tests/faces/html/test_security.py`` extracts every message with
Babel and names those missing. Translations must not contain markup: Jinja2 inserts them as
trusted text.

The language of a request: the ``verdict_lang`` cookie set by the switch on every page, else the
browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"
LANG_COOKIE = "verdict_lang"
DEFAULT = "en"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the switch shows it


LANGUAGES = (Language("en", "English"), Language("ca", "Català"), Language("es", "Español"))
CODES = tuple(language.code for language in LANGUAGES)


def load_translations(code: str, locales: Path = LOCALES) -> Translations:
    """The catalog of ``code`` compiled from its ``.po`` (English has none: the messages are English)."""
    path = locales / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return Translations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=code, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def parse_accept_language(header: str) -> list[str]:
    """The primary language subtags of an ``Accept-Language`` header, most wanted first
    (``q=0`` dropped; equal weights keep their order)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:50]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary and quality > 0:
            weighted.append((-quality, position, primary))
    return [primary for _, _, primary in sorted(weighted)]


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in CODES:
        return str(cookie)
    for primary in parse_accept_language(accept_language or ""):
        if primary in CODES:
            return primary
    return DEFAULT
