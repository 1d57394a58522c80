"""YAML in and out for the Jutge web services.

Input documents are YAML (JSON, being YAML, is accepted too), loaded safely with the C loader and
two forgiving rules that make the reference's own examples parse:

* an unknown tag is text, never an error: ``- !This is a header`` reads as the string
  ``"!This is a header"`` (YAML sees the tag ``!This`` and the value ``is a header``), a bare
  ``- !`` as ``"!"``, ``!!python/object:x y`` as the harmless string ``"!!python/object:x y"``;
* ``- #P83390`` is a comment: the item is null (the services treat null items as ignored).

Answers are YAML (block style, UTF-8, keys in the services' order) unless ``?format=json``.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from verdict.errors import InvalidInput
from verdict.faces.jutge.yaml_depth import nesting_depth

YAML_MEDIA_TYPE = "application/yaml"
JSON_MEDIA_TYPE = "application/json"
_YAML_PREFIX = "tag:yaml.org,2002:"
MAX_DEPTH = 64  # the services' documents nest three levels at most
_TOO_DEEP = f"not a valid document: nested deeper than {MAX_DEPTH} levels"


class JutgeLoader(yaml.CSafeLoader):
    """The C safe loader, with unknown tags read as text (see the module docstring)."""

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # Only a scalar with the non-specific tag "!" and no implicit resolution gets here with
        # (False, False) — libyaml sends a bare "- !": keep it as the text "!".
        if kind is ScalarNode and implicit == (False, False):
            return "!"
        return str(super().resolve(kind, value, implicit))  # type: ignore[no-untyped-call]


def _tag_text(tag: str) -> str:
    if tag.startswith(_YAML_PREFIX):
        return "!!" + tag[len(_YAML_PREFIX) :]
    if tag.startswith("!"):
        return tag
    return f"!<{tag}>"


def _unknown_tag(loader: JutgeLoader, _suffix: str, node: Node) -> Any:
    if isinstance(node, ScalarNode):
        text = _tag_text(node.tag)
        return f"{text} {node.value}" if node.value else text
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise yaml.constructor.ConstructorError(
        None, None, f"unexpected node {type(node).__name__}", node.start_mark
    )


JutgeLoader.add_multi_constructor(None, _unknown_tag)


def load_document(data: bytes | str) -> Any:
    """Parse one YAML (or JSON) document; :class:`InvalidInput` explains what is wrong."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InvalidInput(f"the document is not UTF-8 text (byte {error.start})") from None
    else:
        text = data
    if "\x00" in text:
        raise InvalidInput("the document contains a NUL character")
    if nesting_depth(text, MAX_DEPTH) > MAX_DEPTH:  # JSON and YAML alike, before either parser
        raise InvalidInput(_TOO_DEEP)
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:  # JSON proper (tabs and all), before its YAML reading
            return json.loads(stripped)
        except (ValueError, RecursionError):
            pass
    try:
        return _load(text)
    except InvalidInput as first:
        # Headers YAML cannot read as tags ("- !Introducció", "- !Part 1 #x" ...): quoted, they read.
        quoted = _quote_headers(text)
        if quoted == text:
            raise
        try:
            return _load(quoted)
        except InvalidInput:
            raise first from None


def _load(text: str) -> Any:
    try:
        _check_depth(text)
        return yaml.load(text, Loader=JutgeLoader)  # a CSafeLoader subclass: safe
    except yaml.MarkedYAMLError as error:
        where = ""
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = error.problem or error.context or "invalid YAML"
        raise InvalidInput(f"not a valid YAML document: {problem}{where}") from None
    except yaml.YAMLError as error:
        raise InvalidInput(f"not a valid YAML document: {error}") from None
    except RecursionError:
        raise InvalidInput("not a valid YAML document: nested too deeply") from None
    except (ValueError, OverflowError) as error:
        # What a constructor makes of a well-formed scalar: an int over Python's 4,300-digit
        # limit, an impossible date (2024-99-99, 2024-02-30 10:00:00).
        raise InvalidInput(
            f"not a valid YAML document: a value cannot be read ({str(error)[:120]})"
        ) from None


_HEADER_ITEM = re.compile(r"^(?P<lead>[ \t]*-[ \t]+)(?P<text>!(?![!<])[^\n]*?)[ \t]*$", re.MULTILINE)


def _quote_headers(text: str) -> str:
    """Block sequence items starting with a single ``!`` written as quoted strings (a trailing
    `` #comment`` dropped): a tag may only hold URI characters, headers hold any text."""

    def quote(match: re.Match[str]) -> str:
        header = re.split(r"[ \t]#", match["text"], maxsplit=1)[0].rstrip()
        return match["lead"] + json.dumps(header, ensure_ascii=False)

    return _HEADER_ITEM.sub(quote, text)


def _check_depth(text: str) -> None:
    """Refuse documents nested deeper than :data:`MAX_DEPTH` before parsing them.

    :func:`load_document` has asked our own scanner first, so the message is ours whatever PyYAML
    does. This event count is a second guard, for a document the scanner might undercount:
    libyaml's composer recurses in C, and a few kilobytes of ``[[[[...`` crash the process where
    no limit of its own stops it.
    """
    loader = JutgeLoader(text)
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise InvalidInput(_TOO_DEEP)
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def dump_yaml(data: Any) -> str:
    """A YAML document in block style, like the reference's examples (``---`` first)."""
    return str(
        yaml.dump(
            data,
            Dumper=yaml.CSafeDumper,
            default_flow_style=False,
            allow_unicode=True,
            sort_keys=False,
            explicit_start=True,
            width=1 << 30,  # one line per value: long titles are not folded
        )
    )


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
