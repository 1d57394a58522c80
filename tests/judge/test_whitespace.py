"""The Whitespace interpreter on its own (`verdict.judge.whitespace`): the 0.3 instruction set with
the reference ``wspace``'s semantics, parse errors found before anything runs, and run-time errors
that name the instruction."""

from __future__ import annotations

import io

import pytest

from tests.support.whitespace_asm import assemble, print_text
from verdict.judge.whitespace import WhitespaceError, parse, run

pytestmark = pytest.mark.unit


def execute(text: str, stdin: bytes = b"") -> bytes:
    """The output of the program the mnemonics assemble to."""
    out = io.BytesIO()
    run(parse(assemble(text)), io.BytesIO(stdin), out)
    return out.getvalue()


def failure(text: str, stdin: bytes = b"") -> str:
    with pytest.raises(WhitespaceError) as error:
        execute(text, stdin)
    return str(error.value)


def test_hello_world_with_comments_everywhere() -> None:
    source = assemble(print_text("Hello world!\n") + "end\n")
    assert any(char.isalpha() for char in source)  # the mnemonics are comments
    out = io.BytesIO()
    run(parse(source), io.BytesIO(), out)
    assert out.getvalue() == b"Hello world!\n"


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("push 7\npush 3\nsub\noutnum", b"4"),  # the first pushed is the left operand
        ("push 7\npush 3\nmul\noutnum", b"21"),
        ("push -7\npush 2\ndiv\noutnum", b"-4"),  # Haskell's div: towards minus infinity
        ("push -7\npush 2\nmod\noutnum", b"1"),  # Haskell's mod: the divisor's sign
        ("push 7\npush -2\nmod\noutnum", b"-1"),
        ("push 1\npush 2\nswap\noutnum\noutnum", b"12"),
        ("push 5\ndup\nadd\noutnum", b"10"),
        ("push 1\npush 2\ndrop\noutnum", b"1"),
        ("push 1\npush 2\npush 3\ncopy 2\noutnum", b"1"),  # 0 is the top
        ("push 1\npush 2\npush 3\nslide 1\noutnum\noutnum", b"31"),
        ("push 1\npush 2\npush 3\nslide 9\noutnum\npush 0\njz done\npush 9\nlabel done", b"3"),
        ("push 2\npush 100\nmul\ndup\nmul\ndup\nmul\ndup\nmul\noutnum", str(200**8).encode()),
        ("push 10\npush 65\nstore\npush 10\nretrieve\noutchar", b"A"),
        ("push 3\npush 1\nstore\npush 0\nretrieve\noutnum", b"0"),  # below a store: zero
        ("push 233\noutchar", "é".encode()),  # characters are written as UTF-8
        ("push -3\njn neg\npush 0\noutnum\nend\nlabel neg\npush 1\noutnum", b"1"),
        ("push 0\njz zero\npush 0\noutnum\nend\nlabel zero\npush 1\noutnum", b"1"),
    ],
)
def test_instructions(program: str, expected: bytes) -> None:
    assert execute(program + "\nend\n") == expected


def test_subroutines_and_loops() -> None:
    countdown = """
        push 3
        label loop
        dup
        jz done
        dup
        call show
        push 1
        sub
        jump loop
        label done
        end
        label show
        outnum
        push 32
        outchar
        ret
    """
    assert execute(countdown) == b"3 2 1 "


def test_the_first_mark_of_a_label_wins() -> None:
    assert execute("jump x\nlabel x\npush 1\noutnum\nend\nlabel x\npush 2\noutnum\nend") == b"1"


def test_input_characters_and_numbers() -> None:
    echo = (
        "push 0\nreadchar\npush 0\nretrieve\noutchar\n"
        "push 1\nreadnum\npush 1\nretrieve\npush 1\nadd\noutnum\nend"
    )
    assert execute(echo, b"x 41 \n") == b"x42"
    assert execute("push 0\nreadnum\npush 0\nretrieve\noutnum\nend", b"-0x1F\n") == b"-31"
    assert execute("push 0\nreadchar\npush 0\nretrieve\noutnum\nend", "é".encode()) == b"233"


@pytest.mark.parametrize(
    ("program", "stdin", "message"),
    [
        ("add", b"", "the stack has too few items"),
        ("push 1\npush 0\ndiv", b"", "division by zero"),
        ("push 5\nretrieve", b"", "never reached by a store"),
        ("push -1\npush 5\nstore", b"", "negative heap address"),
        ("ret", b"", "return outside a subroutine"),
        ("jump nowhere", b"", "marked nowhere"),
        ("push 0\nreadchar", b"", "end of input"),
        ("push 0\nreadnum", b"12a\n", "is no integer"),
        ("push -1\noutchar", b"", "is no character"),
        ("push 1\ncopy 3", b"", "no stack item 3"),
    ],
)
def test_run_time_errors(program: str, stdin: bytes, message: str) -> None:
    assert message in failure(program + "\nend\n", stdin)


def test_a_run_time_error_names_the_instruction() -> None:
    assert failure("push 1\npush 2\nadd\nadd\nend").startswith("instruction 4 (add)")


def test_running_off_the_end_is_an_error() -> None:
    assert "no end instruction" in failure("push 1\noutnum")


def test_a_jump_to_an_unknown_label_fails_only_when_taken() -> None:
    assert execute("push 1\njz nowhere\nend") == b""


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("\t\n\n", "unknown instruction [T][L][L]"),
        (" ", "incomplete instruction [S] at the end"),
        ("   \t", "number not ended by a line feed"),  # a push without its line feed
        ("  \n", "a number needs a sign"),
        ("\n  \t", "label not ended by a line feed"),
        ("\t\t\n", "unknown instruction [T][T][L]"),
    ],
)
def test_parse_errors(source: str, message: str) -> None:
    with pytest.raises(WhitespaceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse(source)


def test_a_parse_error_says_where() -> None:
    with pytest.raises(WhitespaceError, match="line 2, column 3"):
        parse("   \t\nxx\t\n\n")  # push 1, then [T][L][L] on line 2


def test_the_reference_number_encoding() -> None:
    # sign then bits, most significant first: [S][T][S][T][L] is +5, [T][T][L] is -1, [S][L] is 0
    program = parse("   \t \t\n" + "\t\n \t" + "  \t\t\n" + "\t\n \t" + "   \n" + "\t\n \t" + "\n\n\n")
    out = io.BytesIO()
    run(program, io.BytesIO(), out)
    assert out.getvalue() == b"5-10"
