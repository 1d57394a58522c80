"""Brainf*ck to C translator (Jutge's BEEF). Runs inside the compile sandbox.

Usage: python3 bf2c.py main.bf > main.c
A 1 MiB tape of unsigned bytes, cells wrap; ',' at end of input leaves the cell unchanged.
Runs of + - < > are folded so the C compiler gets compact code.
"""

import sys

HEADER = """#include <stdio.h>
static unsigned char tape[1 << 20];
int main(void) {
    unsigned char *p = tape;
    int c;
"""


def translate(source: str) -> str:
    code = [ch for ch in source if ch in "+-<>.,[]"]
    out = [HEADER]
    depth = 1
    i = 0
    while i < len(code):
        ch = code[i]
        run = 1
        while ch in "+-<>" and i + run < len(code) and code[i + run] == ch:
            run += 1
        pad = "    " * depth
        if ch == "+":
            out.append(f"{pad}*p += {run};\n")
        elif ch == "-":
            out.append(f"{pad}*p -= {run};\n")
        elif ch == ">":
            out.append(f"{pad}p += {run};\n")
        elif ch == "<":
            out.append(f"{pad}p -= {run};\n")
        elif ch == ".":
            out.append(f"{pad}putchar(*p);\n")
        elif ch == ",":
            out.append(f"{pad}if ((c = getchar()) != EOF) *p = (unsigned char)c;\n")
        elif ch == "[":
            out.append(f"{pad}while (*p) {{\n")
            depth += 1
        elif ch == "]":
            if depth == 1:
                raise SyntaxError("unmatched ']'")
            depth -= 1
            out.append("    " * depth + "}\n")
        i += run
    if depth != 1:
        raise SyntaxError("unmatched '['")
    out.append("    return 0;\n}\n")
    return "".join(out)


def main() -> int:
    try:
        with open(sys.argv[1], encoding="latin-1") as file:
            sys.stdout.write(translate(file.read()))
    except SyntaxError as error:
        print(f"main.bf: {error.msg}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
