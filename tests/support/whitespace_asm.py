"""A tiny Whitespace assembler for tests: one mnemonic a line (``push 72``, ``outchar``,
``label loop``, ``jz loop``...), each instruction preceded by its mnemonic as a comment (Whitespace
ignores every other character), so the programs stay readable."""

from __future__ import annotations

CODES = {
    "push": "SS",
    "dup": "SLS",
    "copy": "STS",
    "swap": "SLT",
    "drop": "SLL",
    "slide": "STL",
    "add": "TSSS",
    "sub": "TSST",
    "mul": "TSSL",
    "div": "TSTS",
    "mod": "TSTT",
    "store": "TTS",
    "retrieve": "TTT",
    "label": "LSS",
    "call": "LST",
    "jump": "LSL",
    "jz": "LTS",
    "jn": "LTT",
    "ret": "LTL",
    "end": "LLL",
    "outchar": "TLSS",
    "outnum": "TLST",
    "readchar": "TLTS",
    "readnum": "TLTT",
}
NUMBERED = {"push", "copy", "slide"}
LABELLED = {"label", "call", "jump", "jz", "jn"}
WHITE = {"S": " ", "T": "\t", "L": "\n"}


def number(value: int) -> str:
    return ("S" if value >= 0 else "T") + format(abs(value), "b").replace("0", "S").replace("1", "T") + "L"


def label(name: str, names: dict[str, str]) -> str:
    """A label's code: the binary of its order of appearance (1, 10, 11...) as tabs and spaces."""
    code = names.setdefault(name, format(len(names) + 1, "b").replace("0", "S").replace("1", "T"))
    return code + "L"


def assemble(text: str, comments: bool = True) -> str:
    """Whitespace source for the mnemonics in text (``#`` starts a comment; a character in
    single quotes is its code: ``push 'H'``)."""
    names: dict[str, str] = {}
    out = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        op, *rest = words
        tokens = CODES[op]
        if op in NUMBERED:
            argument = rest[0]
            value = ord(argument[1]) if argument.startswith("'") else int(argument)
            tokens += number(value)
        elif op in LABELLED:
            tokens += label(rest[0], names)
        code = "".join(WHITE[token] for token in tokens)
        note = "_".join(words).replace(" ", "").replace("'", "").replace("\t", "")
        out.append(f"{note}{code}" if comments else code)
    return "".join(out)


def print_text(text: str) -> str:
    """Mnemonics printing text, a character at a time."""
    return "".join(f"push {ord(char)}\noutchar\n" for char in text)
