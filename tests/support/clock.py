"""A clock a test moves by hand, for deadlines (``bootstrap(clock=...)``): never ``sleep``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from verdict.db import utcnow


@dataclass
class ManualClock:
    """Stands still until told: ``clock.advance(minutes=5)``, ``clock.set(when)``."""

    now: datetime = field(default_factory=lambda: utcnow().replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, when: datetime) -> datetime:
        self.now = when
        return self.now
