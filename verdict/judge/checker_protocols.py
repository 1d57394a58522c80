"""Custom checker programs: interpreting what they leave behind.

Kattis output validators (exit code, feedback files), testlib checkers (exit code, what they
print) and Jutge external checkers (a verdict code first). Pure functions: running the programs
is the sandbox's business (`verdict.judge.checker_programs`).
"""

from __future__ import annotations

import math
import os
import re
import stat
from pathlib import Path

from verdict.judge.check_result import CheckResult, make_result
from verdict.judge.output_text import parse_float
from verdict.judge.verdicts import Verdict

FEEDBACK_CAP = 64 * 1024  # bytes read from any checker-produced text
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_TESTLIB_POINTS_RE = re.compile(rf"\bpoints\s+({_NUMBER})")
_TESTLIB_PARTIAL_RE = re.compile(rf"partially correct\s*\(\s*({_NUMBER})\s*\)")


def _read_feedback(path: Path) -> str | None:
    """Text of a checker-written file, capped at FEEDBACK_CAP bytes; None when absent.

    Only regular files are read, never through a symlink: the directory is written by a program
    and its contents may be shown to students, so it must not be able to point at host files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, FEEDBACK_CAP + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    text = data[:FEEDBACK_CAP].decode("utf-8", errors="replace")
    return text + "\n[truncated]" if len(data) > FEEDBACK_CAP else text


def _cap(text: str) -> str:
    return text if len(text) <= FEEDBACK_CAP else text[:FEEDBACK_CAP] + "\n[truncated]"


def interpret_kattis_validator(exit_code: int, feedback_dir: Path) -> CheckResult:
    """Result of a Kattis output validator: exit 42 accepted, 43 wrong answer, else judge error.

    teammessage.txt becomes the student message, judgemessage.txt the staff message, and
    score.txt (a number) the score; an unreadable score on an accepted run is a judge error."""
    feedback_dir = Path(feedback_dir)
    judge_text = (_read_feedback(feedback_dir / "judgemessage.txt") or "").strip()
    team_text = (_read_feedback(feedback_dir / "teammessage.txt") or "").strip()
    score_text = _read_feedback(feedback_dir / "score.txt")
    if exit_code not in (42, 43):
        return make_result(
            Verdict.IE,
            None,
            f"output validator exited with code {exit_code}" + (f"\n{judge_text}" if judge_text else ""),
        )
    verdict = Verdict.AC if exit_code == 42 else Verdict.WA
    result = make_result(verdict, team_text or None, judge_text)
    if score_text is not None:
        result.score = parse_float(score_text.strip().encode())
        if result.score is None and verdict == Verdict.AC:
            return make_result(
                Verdict.IE, None, f"output validator wrote an invalid score.txt: {score_text[:100]!r}"
            )
    return result


def _testlib_points(text: str) -> float | None:
    """The score testlib printed: "points 0.5 ..." (quitp) or "partially correct (50) ..."."""
    match = _TESTLIB_POINTS_RE.search(text) or _TESTLIB_PARTIAL_RE.search(text)
    if match is None:
        return None
    value = float(match.group(1))
    return value if math.isfinite(value) else None


def interpret_testlib(exit_code: int, stdout_stderr: str) -> CheckResult:
    """Result of a testlib checker from its exit code and what it printed.

    0 ok → AC; 1 wrong answer → WA; 2 wrong output format → PE; 3 FAIL → IE; 4 dirt (extra
    output) → WA; 7 points → the printed score, AC when positive (like a Kattis scoring validator
    accepting with a score) and WA when zero or less; 8 unexpected EOF (testlib's
    ENABLE_UNEXPECTED_EOF) → PE, since testlib reports it as a format error of the contestant's
    output; anything else → IE. testlib messages often quote the expected answer, so they only go
    to judge_message and the student gets a neutral message."""
    text = _cap(stdout_stderr)
    simple = {0: Verdict.AC, 1: Verdict.WA, 2: Verdict.PE, 3: Verdict.IE, 4: Verdict.WA, 8: Verdict.PE}
    if exit_code in simple:
        verdict = simple[exit_code]
        prefix = "checker failed (FAIL): " if verdict == Verdict.IE else ""
        return make_result(verdict, None, prefix + text)
    if exit_code == 7:
        points = _testlib_points(text)
        if points is None:
            return make_result(
                Verdict.IE, None, f"testlib checker exited 7 (points) without a readable score: {text}"
            )
        result = make_result(Verdict.AC if points > 0 else Verdict.WA, "partially correct", text)
        result.score = points
        return result
    return make_result(Verdict.IE, None, f"testlib checker exited with code {exit_code}: {text}")


def interpret_jutge_external(exit_code: int, stdout: str) -> CheckResult:
    """Result of a Jutge external checker: the verdict code (AC, WA, PE, IC) is its first token.

    A non-zero exit, no output, IE, or an unknown code is a judge error. The rest of what it
    printed goes to staff only."""
    text = _cap(stdout)
    tokens = text.split(maxsplit=1)
    if exit_code != 0:
        return make_result(Verdict.IE, None, f"external checker exited with code {exit_code}: {text}")
    code = tokens[0].upper() if tokens else ""
    if code not in (Verdict.AC, Verdict.WA, Verdict.PE, Verdict.IC):
        return make_result(Verdict.IE, None, f"external checker printed no known verdict: {text[:200]!r}")
    return make_result(Verdict(code), None, text)
