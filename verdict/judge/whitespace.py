"""A Whitespace 0.3 interpreter for Jutge's WS, which runs Edwin Brady's reference ``wspace``.

Usage (inside the sandbox, as ``python3 -S``, so standard library only):
    python3 whitespace.py --check main.ws    parse only: the compile step (exit 1 on a parse error)
    python3 whitespace.py main.ws            parse and run, reading stdin, writing stdout

Only space, tab and line feed mean anything; every other character is a comment. The semantics
are the reference's: integers of any size; division and modulo round towards minus infinity
(Haskell's ``div`` and ``mod``); ``slide n`` keeps the top and drops up to n items below it; the
heap is a list that a store extends with zeros, so retrieving past its end is an error; labels
are strings of spaces and tabs (``S`` and ``SS`` differ) and the first mark of a label wins; a
jump to an unknown label fails when it is taken; ``read number`` reads a whole line; reading at
the end of input is an error; running off the end of the program (no ``end``) is an error.

What departs from ``wspace``:
- A parse error is found before anything runs, by ``--check`` (so it is a compile error, CE);
  the reference parses lazily and fails only when execution reaches the bad instruction.
- A negative heap address is an error (the reference loops until memory runs out on a store).
- Characters are written and read as UTF-8 (a byte that is no UTF-8 reads as its own value).
Run-time errors print one line to stderr and exit with status 1 (an execution error, EE);
memory exhaustion prints ``out of memory`` (the language's memory error: MLE).
"""

from __future__ import annotations

import re
import sys
from typing import BinaryIO

# Part of the compile cache's key: change it with anything that changes what --check accepts.
VERSION = "Whitespace 0.3 (Verdict's interpreter, 1)"

# Opcodes. Their order is the dispatch order of `run` (the most frequent first).
(
    PUSH,
    DUP,
    JUMP,
    JZ,
    JN,
    ADD,
    SUB,
    SWAP,
    DROP,
    STORE,
    RETRIEVE,
    CALL,
    RET,
    MUL,
    DIV,
    MOD,
    COPY,
    SLIDE,
    OUTCHAR,
    OUTNUM,
    READCHAR,
    READNUM,
    MARK,
    END,
    FELL_OFF,
) = range(25)

# Instruction (IMP + command, S = space, T = tab, L = line feed) -> (opcode, name, argument kind).
INSTRUCTIONS: dict[str, tuple[int, str, str]] = {
    "SS": (PUSH, "push", "number"),
    "SLS": (DUP, "duplicate", ""),
    "STS": (COPY, "copy", "number"),
    "SLT": (SWAP, "swap", ""),
    "SLL": (DROP, "discard", ""),
    "STL": (SLIDE, "slide", "number"),
    "TSSS": (ADD, "add", ""),
    "TSST": (SUB, "subtract", ""),
    "TSSL": (MUL, "multiply", ""),
    "TSTS": (DIV, "divide", ""),
    "TSTT": (MOD, "modulo", ""),
    "TTS": (STORE, "store", ""),
    "TTT": (RETRIEVE, "retrieve", ""),
    "LSS": (MARK, "mark", "label"),
    "LST": (CALL, "call", "label"),
    "LSL": (JUMP, "jump", "label"),
    "LTS": (JZ, "jump if zero", "label"),
    "LTT": (JN, "jump if negative", "label"),
    "LTL": (RET, "return", ""),
    "LLL": (END, "end", ""),
    "TLSS": (OUTCHAR, "output character", ""),
    "TLST": (OUTNUM, "output number", ""),
    "TLTS": (READCHAR, "read character", ""),
    "TLTT": (READNUM, "read number", ""),
}
PREFIXES = {key[:i] for key in INSTRUCTIONS for i in range(1, len(key))}
TOKENS = {" ": "S", "\t": "T", "\n": "L"}
# Haskell's `read :: Integer` as the reference's `read number` uses it: decimal, 0x.., 0o...
NUMBER = re.compile(r"\s*(-?)\s*(0[xX][0-9a-fA-F]+|0[oO][0-7]+|[0-9]+)\s*")


class WhitespaceError(Exception):
    """A parse error (CE) or a run-time error (EE), with where it happened."""


Instruction = tuple[int, "int | str | None", str]  # opcode, argument, name


def tokenize(source: str) -> tuple[str, list[int]]:
    """The program's tokens (S, T, L) and each one's offset in the source (for messages)."""
    tokens, offsets = [], []
    for offset, char in enumerate(source):
        token = TOKENS.get(char)
        if token is not None:
            tokens.append(token)
            offsets.append(offset)
    return "".join(tokens), offsets


def where(source: str, offset: int) -> str:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def visible(tokens: str) -> str:
    return "".join(f"[{token}]" for token in tokens)


def parse(source: str) -> list[Instruction]:
    """The program's instructions; raises WhitespaceError at the first thing that is none."""
    tokens, offsets = tokenize(source)
    program: list[Instruction] = []
    position = 0
    while position < len(tokens):
        start = position
        key = ""
        while key not in INSTRUCTIONS:
            if position == len(tokens):
                raise WhitespaceError(
                    f"{where(source, offsets[start])}: incomplete instruction {visible(key)} at the end"
                )
            key += tokens[position]
            position += 1
            if key not in INSTRUCTIONS and key not in PREFIXES:
                raise WhitespaceError(f"{where(source, offsets[start])}: unknown instruction {visible(key)}")
        opcode, name, kind = INSTRUCTIONS[key]
        argument: int | str | None = None
        if kind:
            end = tokens.find("L", position)
            if end < 0:
                raise WhitespaceError(
                    f"{where(source, offsets[start])}: {name}: {kind} not ended by a line feed"
                )
            text, position = tokens[position:end], end + 1
            if kind == "label":
                argument = text
            elif not text:
                raise WhitespaceError(f"{where(source, offsets[start])}: {name}: a number needs a sign")
            else:
                magnitude = int(text[1:].replace("S", "0").replace("T", "1") or "0", 2)
                argument = magnitude if text[0] == "S" else -magnitude
        program.append((opcode, argument, name))
    return program


class Input:
    """Standard input, read whole at the first read (judging is never interactive)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.data: bytes | None = None
        self.position = 0

    def _bytes(self) -> bytes:
        if self.data is None:
            self.data = self.stream.read()
        return self.data

    def char(self) -> int:
        data = self._bytes()
        if self.position >= len(data):
            raise WhitespaceError("read character: end of input")
        first = data[self.position]
        length = 1 if first < 0xC0 else 2 if first < 0xE0 else 3 if first < 0xF0 else 4
        chunk = data[self.position : self.position + length]
        try:
            value = ord(chunk.decode("utf-8"))
        except UnicodeDecodeError:
            value, length = first, 1
        self.position += length
        return value

    def line(self) -> int:
        data = self._bytes()
        if self.position >= len(data):
            raise WhitespaceError("read number: end of input")
        end = data.find(b"\n", self.position)
        end = len(data) if end < 0 else end
        text = data[self.position : end].decode("utf-8", errors="replace")
        self.position = end + 1
        match = NUMBER.fullmatch(text)
        if match is None:
            raise WhitespaceError(f"read number: {text[:40]!r} is no integer")
        return int(match.group(1) + match.group(2), 0 if match.group(2)[1:2].isalpha() else 10)


def resolve(program: list[Instruction]) -> list[int]:
    """Each instruction's number: a push's value, a copy's or slide's count, a jump's target (the
    index after the label's first mark, or -1 when the label is marked nowhere: an error when the
    jump is taken), 0 for the others."""
    marks: dict[str, int] = {}
    for index, (opcode, argument, _) in enumerate(program):
        if opcode == MARK and isinstance(argument, str):
            marks.setdefault(argument, index + 1)
    numbers = []
    for _, argument, _ in program:
        if isinstance(argument, str):
            numbers.append(marks.get(argument, -1))
        else:
            numbers.append(argument or 0)
    return numbers


def store(heap: list[int], address: int, value: int) -> None:
    if address < 0:
        raise WhitespaceError(f"store: negative heap address {address}")
    if address >= len(heap):
        heap.extend([0] * (address - len(heap) + 1))  # the reference's heap: a list padded with zeros
    heap[address] = value


def retrieve(heap: list[int], address: int) -> int:
    if not 0 <= address < len(heap):
        raise WhitespaceError(f"retrieve: heap address {address} was never reached by a store")
    return heap[address]


def write_char(out: BinaryIO, code: int) -> None:
    try:
        out.write(chr(code).encode("utf-8"))
    except (ValueError, OverflowError, UnicodeEncodeError):
        raise WhitespaceError(f"output character: {code} is no character") from None


def run(program: list[Instruction], stdin: BinaryIO, out: BinaryIO) -> None:
    """Runs the program to its end instruction; raises WhitespaceError on a run-time error,
    naming the instruction (its number from 1, and what it is)."""
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)  # numbers of any size are printed and read whole
    try:
        _execute(program, stdin, out)
    except _Failure as failure:
        pc, error = failure.args
        name = program[pc - 1][2] if 0 < pc <= len(program) else "end of program"
        raise WhitespaceError(f"instruction {pc} ({name}): {error}") from None


class _Failure(Exception):
    """(the program counter after the failing instruction, the reason)"""


def _execute(program: list[Instruction], stdin: BinaryIO, out: BinaryIO) -> None:  # noqa: C901
    """One flat loop over opcodes kept in local lists: the interpreter's speed is the student's
    time limit, so no function call per instruction where it can be helped."""
    opcodes = [opcode for opcode, _, _ in program] + [FELL_OFF]
    numbers = [*resolve(program), 0]
    stack: list[int] = []
    calls: list[int] = []
    heap: list[int] = []
    reader = Input(stdin)
    push, pop = stack.append, stack.pop
    pc = 0
    try:
        while True:
            opcode = opcodes[pc]
            pc += 1
            if opcode == PUSH:
                push(numbers[pc - 1])
            elif opcode == DUP:
                push(stack[-1])
            elif opcode <= JN:  # JUMP, JZ, JN
                if opcode == JUMP or (opcode == JZ and pop() == 0) or (opcode == JN and pop() < 0):
                    pc = _target(program, numbers, pc)
            elif opcode == ADD:
                right = pop()
                stack[-1] += right
            elif opcode == SUB:
                right = pop()
                stack[-1] -= right
            elif opcode == SWAP:
                stack[-1], stack[-2] = stack[-2], stack[-1]
            elif opcode == DROP:
                pop()
            elif opcode == STORE:
                value = pop()
                store(heap, pop(), value)
            elif opcode == RETRIEVE:
                push(retrieve(heap, pop()))
            elif opcode == CALL:
                calls.append(pc)
                pc = _target(program, numbers, pc)
            elif opcode == RET:
                if not calls:
                    raise WhitespaceError("return outside a subroutine")
                pc = calls.pop()
            elif opcode == MUL:
                right = pop()
                stack[-1] *= right
            elif opcode in (DIV, MOD):
                right = pop()
                if right == 0:
                    raise WhitespaceError("division by zero")
                if opcode == DIV:
                    stack[-1] //= right
                else:
                    stack[-1] %= right
            elif opcode == COPY:
                index = numbers[pc - 1]
                if not 0 <= index < len(stack):
                    raise WhitespaceError(f"no stack item {index}")
                push(stack[-1 - index])
            elif opcode == SLIDE:
                top = pop()
                if numbers[pc - 1] > 0:
                    del stack[max(len(stack) - numbers[pc - 1], 0) :]
                push(top)
            elif opcode == OUTCHAR:
                write_char(out, pop())
            elif opcode == OUTNUM:
                out.write(str(pop()).encode())
            elif opcode == READCHAR:
                address = pop()
                store(heap, address, reader.char())
            elif opcode == READNUM:
                address = pop()
                store(heap, address, reader.line())
            elif opcode == MARK:
                pass
            elif opcode == END:
                return
            else:
                raise WhitespaceError("the program ran off its end (no end instruction)")
    except IndexError:
        raise _Failure(pc, "the stack has too few items") from None
    except WhitespaceError as error:
        raise _Failure(pc, str(error)) from None


def _target(program: list[Instruction], numbers: list[int], pc: int) -> int:
    target = numbers[pc - 1]
    if target < 0:
        raise WhitespaceError(f"label {visible(str(program[pc - 1][1]))} is marked nowhere")
    return target


def main(argv: list[str]) -> int:
    if argv[1:] == ["--version"]:
        print(VERSION)
        return 0
    check = argv[1:2] == ["--check"]
    path = argv[2] if check else argv[1]
    with open(path, encoding="utf-8", errors="replace") as file:
        source = file.read()
    try:
        program = parse(source)
    except WhitespaceError as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1
    if check:
        return 0
    out = sys.stdout.buffer
    try:
        run(program, sys.stdin.buffer, out)
    except WhitespaceError as error:
        out.flush()
        print(f"{path}: run-time error: {error}", file=sys.stderr)
        return 1
    except (MemoryError, OverflowError):
        print(f"{path}: out of memory", file=sys.stderr)
        return 1
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
