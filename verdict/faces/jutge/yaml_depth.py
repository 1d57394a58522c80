"""How deeply a YAML document nests, measured by a small scanner of our own.

It runs before any YAML parser sees the text, so that a document nested too deeply gets our
message whatever the installed PyYAML or libyaml does: libyaml 0.2.5's composer recursed in C and
crashed the process on a few kilobytes of ``[[[[...``; newer releases stop at 1000 levels with a
message of their own, found while *scanning ahead*, before any event reaches us.

The scanner follows the structure only: block collections by indentation (``- `` entries and
``key:`` lines, compact ``- - -`` included), flow collections by brackets outside quotes and
comments, and skips block scalars (``|``, ``>``) and quoted text. It may count one level too many
on a document that is not valid YAML anyway; it never needs more than one pass over the text.
"""

from __future__ import annotations

import re

_PLAIN = r"(?:[^\#]|(?<![ \t])\#)*?"  # plain text, where "#" after a space starts a comment
# A block mapping key, up to its ":" (followed by a space or the end of the line).
_KEY = re.compile(
    r"""(?: "(?:[^"\\]|\\.)*"            # a double-quoted key
          | '(?:[^']|'')*'                # a single-quoted key
          | [^ \t#'"\[\]{},&!*|>%@`-]{_PLAIN}  # a plain key, which cannot start with an indicator
          | -[^ \t#]{_PLAIN}                 # ... but may start with "-" not followed by a space
        ):(?:[ \t]|$)""".replace("{_PLAIN}", _PLAIN),
    re.VERBOSE,
)
_PROPERTIES = re.compile(r"(?:[!&][^ \t]*[ \t]+)*")  # tags and anchors before a value
_TOKEN_STARTS = ("", "[", "{", ",", ":", "?")
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?$")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML 1.1's, as PyYAML reads them


class _Scanner:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.deepest = 0
        # The open block collections: column, and whether a sequence ("-") or a mapping.
        self.blocks: list[tuple[int, str]] = []
        self.flow = 0  # open flow collections
        self.quote = ""  # the quote character of a quoted scalar running on to the next line
        self.block_scalar_parent: int | None = None  # lines indented more than this are text
        self.last = ""  # the last character of flow syntax seen, outside quotes and spaces

    def over(self) -> bool:
        return self.deepest > self.limit

    def note(self) -> None:
        self.deepest = max(self.deepest, len(self.blocks) + self.flow)

    def line(self, line: str) -> None:
        indent = len(line) - len(line.lstrip(" "))
        content = line[indent:].rstrip()
        if self.block_scalar_parent is not None:
            if not content or indent > self.block_scalar_parent:
                return
            self.block_scalar_parent = None
        if self.flow or self.quote:
            self.inline(line, indent)
            return
        if not content or content.startswith("#") or content.startswith("%"):
            return
        if content.startswith(("---", "...")) and indent == 0 and content[3:4] in ("", " ", "\t"):
            self.blocks.clear()
            self.value(line, 3)
            return
        while self.blocks and self.blocks[-1][0] > indent:
            self.blocks.pop()
        if self.blocks and self.blocks[-1] == (indent, "-") and not _is_entry(content):
            self.blocks.pop()  # the end of a sequence written at its key's indentation
        self.node(line, indent)

    def open_block(self, column: int, kind: str) -> None:
        top = self.blocks[-1] if self.blocks else None
        # YAML lets a mapping's value be a sequence at the key's own indentation.
        if top is None or top[0] < column or (top[0] == column and top[1] == ":" and kind == "-"):
            self.blocks.append((column, kind))
            self.note()

    def node(self, line: str, column: int) -> None:
        """A block node starting at ``column``: entries and keys open collections."""
        while True:
            rest = line[column:]
            if _is_entry(rest) or (rest[:1] in ("?", ":") and rest[1:2] in ("", " ", "\t")):
                self.open_block(column, "-" if _is_entry(rest) else ":")
                column += 1
                column += len(line[column:]) - len(line[column:].lstrip(" \t"))
                if column >= len(line.rstrip()):
                    return
                continue
            key = _KEY.match(rest)
            if key:
                self.open_block(column, ":")
                self.value(line, column + key.end(), parent=column)
                return
            self.value(line, column, parent=column)
            return

    def value(self, line: str, column: int, parent: int | None = None) -> None:
        rest = line[column:].lstrip(" \t")
        column = len(line) - len(rest)
        column += _PROPERTIES.match(rest).end()  # type: ignore[union-attr]  # always matches
        rest = line[column:]
        if _BLOCK_SCALAR.match(rest):
            self.block_scalar_parent = parent if parent is not None else -1
        elif rest[:1] in ("[", "{", '"', "'"):
            self.last = ""
            self.inline(line, column)

    def inline(self, line: str, start: int) -> None:
        """Flow brackets and quotes from ``start`` to the end of the line."""
        i = start
        while i < len(line):
            char = line[i]
            if self.quote:
                if char == "\\" and self.quote == '"':
                    i += 1
                elif char == self.quote:
                    if self.quote == "'" and line[i + 1 : i + 2] == "'":
                        i += 1
                    else:
                        self.quote = ""
                        if not self.flow:
                            return
            elif char in "\"'" and self.last in _TOKEN_STARTS:
                self.quote = char  # a quote opens a scalar only where a token starts
            elif char == "#" and (i == 0 or line[i - 1] in " \t"):
                return
            elif char in " \t":
                i += 1
                continue
            elif char in "[{":
                self.flow += 1
                self.note()
                if self.over():
                    return
            elif char in "]}":
                self.flow = max(0, self.flow - 1)
                if not self.flow:
                    return
            self.last = "" if self.quote else char
            i += 1


def _is_entry(text: str) -> bool:
    return text[:1] == "-" and text[1:2] in ("", " ", "\t")


def nesting_depth(text: str, limit: int) -> int:
    """The document's deepest nesting of collections; counting stops once past ``limit``."""
    scanner = _Scanner(limit)
    for line in _LINE_BREAK.split(text):
        scanner.line(line.replace("\t", " ") if scanner.flow == 0 and not scanner.quote else line)
        if scanner.over():
            break
    return scanner.deepest
