"""Helpers shared by the package loaders.

Package files are written by hand, so every reading step turns a surprise (bad YAML, a list where a
number belongs, an unreadable file) into a PackageError that names the file and the key, instead of
letting a KeyError or a yaml exception escape into the grader.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from verdict.judge.errors import PackageError
from verdict.judge.flags import read_flag

# The C loader is much faster on big packages; the pure-Python one gives the same results.
YamlLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Package YAML files (problem.yaml, handler.yml, scores.yml, ...) are a few hundred bytes. Aliases
# let a 1.7 KB file stand for billions of nodes ("billion laughs"): loading shares them, but any
# later walk (a repr in a message, a copy into JSON) expands them. So the expanded size is counted
# on the composed graph, before any Python object is built.
MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_NODES = 100_000  # after expanding aliases
MAX_YAML_DEPTH = 64
MESSAGE_VALUE_CHARS = 200  # how much of a user's value an error message may quote

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key putting "2" before "10": test names are numbered by hand without zero padding."""
    parts = (p for p in _DIGITS.split(name) if p)
    return tuple((0, int(p), p) if p.isdigit() else (1, 0, p) for p in parts)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file of the package, reporting unreadable files as package errors."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(path, f"not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise PackageError(path, f"cannot read file: {exc.strerror}") from None


def brief(value: object, limit: int = MESSAGE_VALUE_CHARS) -> str:
    """``repr(value)`` cut to about ``limit`` characters, for quoting user data in a message.

    reprlib stops early on long strings and big or deep collections, so a huge value costs no
    more than its first few items (a plain ``repr`` would walk all of it first).
    """
    shortener = reprlib.Repr()
    shortener.maxstring = shortener.maxother = limit
    shortener.maxlevel = 4
    text = shortener.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_yaml(path: Path) -> object:
    """Parse a YAML file safely; syntax errors are reported with their line and column.

    Files over MAX_YAML_BYTES, documents that expand (aliases included) to more than
    MAX_YAML_NODES nodes, nest deeper than MAX_YAML_DEPTH or contain a recursive alias are refused.
    """
    _check_yaml_size(path)
    text = read_text(path)
    try:
        return _load_bounded(path, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = exc.problem or exc.context or "syntax error"
        raise PackageError(path, f"invalid YAML at {where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise PackageError(path, f"invalid YAML: {brief(str(exc))}") from None


def _check_yaml_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackageError(path, f"cannot read file: {exc.strerror}") from None
    if size > MAX_YAML_BYTES:
        raise PackageError(path, f"too large for a YAML file: {size} bytes (at most {MAX_YAML_BYTES})")


def _load_bounded(path: Path, text: str) -> object:
    loader = YamlLoader(text)  # a SafeLoader: no arbitrary objects
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(path, node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_expanded_size(path: Path, root: yaml.Node) -> None:
    """Count the nodes of the document as if every alias were copied out, without copying.

    The composed graph shares an aliased node between its uses, so the expanded size of each node
    is computed once (post-order, iteratively: no recursion limit to hit) and reused.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            on_path.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[id(node)] > MAX_YAML_NODES:
                raise PackageError(
                    path, f"the YAML expands to more than {MAX_YAML_NODES} values (through aliases?)"
                )
            continue
        if id(node) in on_path:
            raise PackageError(path, "the YAML contains a recursive alias")
        on_path.add(id(node))
        if len(on_path) > MAX_YAML_DEPTH:
            raise PackageError(path, f"the YAML nests deeper than {MAX_YAML_DEPTH} levels")
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def type_name(value: object) -> str:
    """The YAML-ish name of a value's type, for error messages read by problem setters."""
    if value is None:
        return "nothing"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def load_mapping(path: Path) -> Fields:
    """Load a YAML file whose top level must be a mapping (an empty file counts as an empty one)."""
    data = load_yaml(path)
    if data is None:
        data = {}
    return Fields.of(path, data, "")


@dataclass(frozen=True)
class Fields:
    """A YAML mapping read with type checks, so that every error names the file and the key."""

    path: Path
    data: Mapping[str, object]
    prefix: str = ""  # dotted location of this mapping inside the file, for messages

    @classmethod
    def of(cls, path: Path, value: object, where: str) -> Fields:
        """Wrap value, which must be a mapping with string keys."""
        if not isinstance(value, dict):
            label = f"'{where}'" if where else "the top level"
            raise PackageError(path, f"{label} must be a mapping, got {type_name(value)}")
        for key in value:
            if not isinstance(key, str):
                raise PackageError(path, f"key {brief(key)} in {where or 'the top level'} must be a string")
        return cls(path, value, f"{where}." if where else "")

    def label(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str) -> object:
        return self.data.get(key)

    def error(self, key: str, message: str) -> PackageError:
        return PackageError(self.path, f"'{self.label(key)}' {message}")

    def string(self, key: str, default: str | None = None) -> str | None:
        """A text value; plain numbers are accepted since YAML turns `part: 1` into an int."""
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise self.error(key, f"must be a string, got {type_name(value)}")

    def required_string(self, key: str) -> str:
        value = self.string(key)
        if value is None:
            raise self.error(key, "is missing")
        return value

    def number(self, key: str, default: float | None = None) -> float | None:
        """A number; strings like "1e-6" are accepted because YAML 1.1 reads them as strings."""
        value = self.data.get(key)
        if value is None:
            return default
        return to_number(value, lambda msg: self.error(key, msg))

    def positive(self, key: str, default: float | None = None) -> float | None:
        value = self.number(key, default)
        if value is not None and value <= 0:
            raise self.error(key, f"must be positive, got {value:g}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        """A flag; Jutge writes flags as 0/1, so those integers are accepted too."""
        value = self.data.get(key)
        flag = read_flag(value, default, words=("0", "1", "true", "false"))
        if flag is None:
            raise self.error(key, f"must be a boolean (true/false or 1/0), got {brief(value)}")
        return flag

    def mapping(self, key: str) -> Fields:
        value = self.data.get(key)
        return Fields.of(self.path, {} if value is None else value, self.label(key))

    def words(self, key: str) -> list[str] | None:
        """A list of words, given either as a YAML list or as one space-separated string."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            return [str(v) for v in value]
        raise self.error(key, f"must be a string or a list of strings, got {type_name(value)}")


def to_number(value: object, fail: Callable[[str], PackageError]) -> float:
    """Convert a YAML scalar to a finite float; fail(message) builds the error otherwise."""
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise fail(f"must be a number, got {brief(value)}")
    return number
