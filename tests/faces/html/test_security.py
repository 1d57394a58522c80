"""The pieces of the face's defences and languages on their own: CSRF tokens, safe redirects,
Accept-Language, the catalogs (every message of the templates and the code translated in Catalan
and Spanish), and the asset manifest's integrity check."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from verdict.faces.html import assets
from verdict.faces.html.i18n import LOCALES, choose_language, load_translations, parse_accept_language
from verdict.faces.html.security import csrf_token, csrf_valid, safe_next
from verdict.settings import Settings

pytestmark = pytest.mark.unit

HTML = Path(assets.__file__).parent


def test_csrf_token_is_tied_to_browser_session_and_key(settings: Settings) -> None:
    token = csrf_token(settings, "browser-1", "session-a")
    assert csrf_valid(settings, "browser-1", "session-a", token)
    assert not csrf_valid(settings, "browser-2", "session-a", token)
    assert not csrf_valid(settings, "browser-1", "session-b", token)  # logged in or out since
    assert not csrf_valid(settings, "browser-1", None, token)
    assert not csrf_valid(settings, "browser-1", "session-a", "")
    assert not csrf_valid(settings, "browser-1", "session-a", "tökén")
    assert not csrf_valid(settings, None, "session-a", token)
    other_key = settings.model_copy(update={"secret_key": "another-secret-key-0123456789abcdef"})
    assert not csrf_valid(other_key, "browser-1", "session-a", token)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/course/demo/t?load=3", "/course/demo/t?load=3"),
        ("/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next_stays_on_the_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_accept_language() -> None:
    assert parse_accept_language("es-ES,es;q=0.9,ca;q=0.8,en;q=0.5") == ["es", "es", "ca", "en"]
    assert parse_accept_language("en;q=0.2, ca") == ["ca", "en"]
    assert parse_accept_language("fr, *;q=0.1, es;q=0") == ["fr", "*"]
    assert parse_accept_language("ca;q=nonsense, es") == ["es"]
    assert choose_language(None, "fr-FR, ca;q=0.5") == "ca"
    assert choose_language(None, "de, fr") == "en"
    assert choose_language("es", "ca") == "es"  # the switch wins over the browser
    assert choose_language("xx", "ca") == "ca"
    assert choose_language(None, None) == "en"


def extracted_messages() -> set[str]:
    template_options = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(HTML),
            method_map=[("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")],
            options_map={"templates/**.html": template_options},
            keywords={"_": None},
        )
    }


@pytest.mark.parametrize("code", ["ca", "es"])
def test_every_message_is_translated(code: str) -> None:
    messages = extracted_messages()
    assert len(messages) > 50
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=code)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert messages - translated == set(), f"untranslated in {code}"
    assert load_translations(code).gettext("Log in") != "Log in"
    for message in catalog:
        # Jinja2 inserts translations unescaped (they are trusted, the variables are escaped):
        # markup in a message would become HTML.
        assert "<" not in str(message.string) and "<" not in str(message.id), message.id
        # Placeholders survive translation.
        if message.id and "%(" in str(message.id):
            assert sorted(_placeholders(str(message.id))) == sorted(_placeholders(str(message.string)))


def _placeholders(text: str) -> list[str]:
    return [part.split(")")[0] for part in text.split("%(")[1:]]


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_asset_integrity_and_extraction(tmp_path: Path) -> None:
    tarball = _tarball({"dist/lib.min.js": b"lib()", "dist/other.js": b"other()"})
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    package = assets.Package("lib", "1.0.0", integrity, {"dist/lib.min.js": "lib.min.js"})
    assets.check_integrity(tarball, integrity)
    with pytest.raises(assets.AssetError, match="integrity mismatch"):
        assets.check_integrity(tarball + b"x", integrity)
    with pytest.raises(assets.AssetError, match="only sha512"):
        assets.check_integrity(tarball, "sha1-abc")
    assets.extract(package, tarball, tmp_path / "lib")
    assert [p.name for p in (tmp_path / "lib").iterdir()] == ["lib.min.js"]  # listed files only
    missing = assets.Package("lib", "1.0.0", integrity, {"dist/nothere.js": "x.js"})
    with pytest.raises(assets.AssetError, match="no file"):
        assets.extract(missing, tarball, tmp_path / "x")
    escaping = assets.Package("lib", "1.0.0", integrity, {"dist/lib.min.js": "../evil.js"})
    with pytest.raises(assets.AssetError, match="plain file name"):
        assets.extract(escaping, tarball, tmp_path / "y")


def test_manifest_pins_every_package() -> None:
    packages = assets.read_manifest()
    assert {p.name for p in packages} >= {"htmx.org", "htmx-ext-sse"}
    for package in packages:
        assert package.integrity.startswith("sha512-") and package.version[0].isdigit()
        assert package.tarball_url.startswith("https://registry.npmjs.org/")
