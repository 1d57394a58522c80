#!/usr/bin/env python3
"""Interactive Kattis validator for "Guess the Number".

Usage: interactor.py input_file answer_file feedback_dir < submission_stdout > submission_stdin
The secret number is the first integer of input_file. At most 10 guesses are allowed.
Exit 42 when the submission guesses right, 43 on a wrong protocol or too many guesses.
"""

import os
import sys

ACCEPT, REJECT = 42, 43
MAX_GUESSES = 10


def finish(feedback_dir: str, code: int, message: str) -> None:
    with open(os.path.join(feedback_dir, "judgemessage.txt"), "a") as handle:
        handle.write(message + "\n")
    sys.exit(code)


def reply(word: str) -> None:
    try:
        sys.stdout.write(word + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # the submission is gone; its next read decides nothing any more


def main() -> None:
    input_file, _answer_file, feedback_dir = sys.argv[1:4]
    with open(input_file) as handle:
        secret = int(handle.read().split()[0])
    for count in range(1, MAX_GUESSES + 1):
        line = sys.stdin.readline()
        if not line:
            finish(feedback_dir, REJECT, f"end of output before guessing {secret} ({count - 1} guesses)")
        try:
            guess = int(line.strip())
        except ValueError:
            finish(feedback_dir, REJECT, f"guess {count} is not an integer: {line.strip()[:30]!r}")
        if guess == secret:
            reply("correct")
            finish(feedback_dir, ACCEPT, f"guessed {secret} in {count} guesses")
        reply("lower" if secret < guess else "higher")
    finish(feedback_dir, REJECT, f"no correct guess within {MAX_GUESSES} guesses (secret {secret})")


if __name__ == "__main__":
    main()
