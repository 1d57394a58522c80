"""The security tests reuse the face tests' helpers (tests/faces/*_support.py: the demo course,
users, request helpers) rather than copying them."""

from __future__ import annotations

import sys
from pathlib import Path

FACES = Path(__file__).resolve().parent.parent / "faces"
if str(FACES) not in sys.path:
    sys.path.insert(0, str(FACES))
