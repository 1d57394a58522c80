"""The code editor's mode of each compiler (:mod:`verdict.faces.html.editor_modes`): every offered
language is decided (a mode, or plain text on purpose), every mode's scripts are files the pinned
CodeMirror package ships, and the last of them defines the MIME type the option names."""

from __future__ import annotations

import pytest

from verdict.faces.html import assets
from verdict.faces.html.editor_modes import MODES, PLAIN, PLAIN_LANGUAGES, EditorMode, editor_mode
from verdict.judge.languages import all_languages

pytestmark = pytest.mark.unit


def shipped() -> set[str]:
    (codemirror,) = [p for p in assets.read_manifest() if p.name == "codemirror"]
    return set(codemirror.files.values())


def test_every_language_that_can_be_offered_has_a_mode_or_is_plain_on_purpose() -> None:
    offerable = {lang.id for lang in all_languages().values() if lang.unavailable is None}
    undecided = offerable - set(MODES) - PLAIN_LANGUAGES
    assert not undecided, f"give these compilers a mode or put them in PLAIN_LANGUAGES: {undecided}"
    assert not set(MODES) & PLAIN_LANGUAGES
    assert set(MODES) | PLAIN_LANGUAGES <= set(all_languages())  # no misspelt compiler id


def test_every_mode_script_is_shipped_and_defines_its_mime_type() -> None:
    files = shipped()
    for compiler, mode in MODES.items():
        assert mode.scripts, compiler
        missing = set(mode.scripts) - files
        assert not missing, f"{compiler}: {missing} not in assets.toml's codemirror files"
    if not assets.up_to_date():
        pytest.skip("front-end assets not fetched: run ./dev (python -m verdict.faces.html.assets)")
    for compiler, mode in MODES.items():
        source = (assets.VENDOR / "codemirror" / mode.scripts[-1]).read_text()
        assert f'"{mode.mime}"' in source or f"'{mode.mime}'" in source, (compiler, mode)


def test_a_compiler_by_id_or_alias_and_an_unknown_one() -> None:
    cpp = EditorMode("text/x-c++src", ("mode/clike.js",))
    assert editor_mode("G++17") == cpp
    assert editor_mode("cpp") == cpp  # a Kattis id, as an exam or a problem may name it
    assert editor_mode("python3").mime == "text/x-python"
    assert editor_mode("Rust").scripts == ("simple.js", "mode/rust.js")  # the addon first
    assert editor_mode("PHP").scripts == ("mode/clike.js", "mode/php.js")
    assert editor_mode("WS") == PLAIN
    assert editor_mode("no such compiler") == PLAIN
