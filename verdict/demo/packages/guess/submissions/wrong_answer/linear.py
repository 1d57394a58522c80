# Guesses 1, 2, 3, ...: needs more than 10 guesses for most secrets, so the interactor rejects it.
import sys

try:
    for guess in range(1, 1001):
        print(guess, flush=True)
        if input().strip() == "correct":
            break
except (EOFError, BrokenPipeError):
    sys.exit(0)  # the interactor gave up on us; leave quietly so the verdict is WA, not RE
