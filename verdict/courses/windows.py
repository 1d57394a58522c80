"""Accessibility windows of INGInious courses and tasks.

INGInious ``accessible`` values are ``true``, ``false``, ``"START"``, ``"/END"``, ``"START/END"``
and ``"START/SOFT/END"`` (:func:`parse_window`). Naive dates are UTC; a date alone means midnight
(INGInious does the same), so ``"/2024-06-01"`` closes when June 1st starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H", "%Y-%m-%d")
DISPLAY_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Window:
    """An accessibility window. ``start``/``end`` None mean unbounded; ``soft_end`` is the
    deadline shown to students (submissions are accepted until ``end``)."""

    start: datetime | None = None
    end: datetime | None = None
    soft_end: datetime | None = None
    never: bool = False

    def has_started(self, now: datetime) -> bool:
        return not self.never and (self.start is None or now >= self.start)

    def is_open(self, now: datetime) -> bool:
        return self.has_started(now) and (self.end is None or now < self.end)

    @property
    def deadline(self) -> datetime | None:
        return self.soft_end or self.end

    def deadline_text(self) -> str:
        """The deadline as ``YYYY-MM-DD HH:MM:SS`` (UTC), or "" when there is none."""
        deadline = self.deadline
        return deadline.strftime(DISPLAY_FORMAT) if deadline and not self.never else ""


ALWAYS = Window()
NEVER = Window(never=True)


def parse_date(text: str) -> datetime:
    """``YYYY-MM-DD[ HH[:MM[:SS]]]`` (or ISO 8601) as an aware datetime; naive means UTC."""
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    else:
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"invalid date {text!r}: use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def normalise_accessibility(value: Any) -> bool | str:
    """An INGInious ``accessible`` value as stored: True, False or a "START/SOFT/END" string.

    YAML turns unquoted dates into date/datetime objects: they become strings again. Raises
    ValueError for anything else (and for unparsable dates).
    """
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        return _from_period(value)
    if isinstance(value, datetime | date):
        value = _date_text(value)
    if not isinstance(value, str):
        raise TypeError(f'invalid accessibility {value!r}: true, false or "START/SOFT/END" dates')
    text = value.strip()
    if text.lower() in ("true", "yes", "on", ""):
        return True
    if text.lower() in ("false", "no", "off"):
        return False
    parse_window(text)  # validates
    return text


def _from_period(period: Mapping[Any, Any]) -> bool | str:
    """INGInious's newer form, ``{start, soft_end, end}`` (its task dispensers' config), as a
    "START/SOFT/END" value. Year 1 and year 9999 are its unbounded ends; a start in year 9999 is
    how it writes a closed task."""
    unknown = set(map(str, period)) - {"start", "soft_end", "end"}
    if unknown:
        raise ValueError(
            f"invalid accessibility {dict(period)!r}: unknown key(s) {', '.join(sorted(unknown))}"
        )
    parts: list[str | None] = []
    for key in ("start", "soft_end", "end"):
        raw = period.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            parts.append(None)
            continue
        if not isinstance(raw, str | date):
            raise TypeError(f"invalid accessibility {key}: {raw!r} is not a date")
        moment = raw if isinstance(raw, date) else parse_date(raw)
        if moment.year >= 9999 and key == "start":
            return False
        parts.append(None if moment.year <= 1 or moment.year >= 9999 else _date_text(moment))
    if parts == [None, None, None]:
        return True
    start, soft, end = ("" if part is None else part for part in parts)
    return normalise_accessibility(f"{start}/{soft}/{end}" if soft else f"{start}/{end}")


def _date_text(value: date) -> str:
    if isinstance(value, datetime):
        return value.strftime(DISPLAY_FORMAT)
    return value.strftime("%Y-%m-%d")


def parse_window(value: Any) -> Window:
    """The window of an accessibility value; ValueError for a malformed one.

    ``"START"`` opens at START; ``"/END"`` closes at END; ``"START/END"``; ``"START/SOFT/END"``
    with SOFT the deadline shown (clamped to END). Empty parts are unbounded.
    """
    if value is None or value is True:
        return ALWAYS
    if value is False:
        return NEVER
    if isinstance(value, datetime | date):
        value = _date_text(value)
    if not isinstance(value, str):
        raise TypeError(f"invalid accessibility {value!r}")
    parts = value.split("/")
    if len(parts) > 3:
        raise ValueError(f"invalid accessibility {value!r}: at most START/SOFT/END")
    dates = [parse_date(part) if part.strip() else None for part in parts]
    start = dates[0]
    end = dates[-1] if len(dates) > 1 else None
    soft = dates[1] if len(dates) == 3 else None
    # INGInious's normalisations (its AccessibleTime): a soft deadline after the hard one is the
    # hard one; an end before the start is kept, so the task shows from its start but never opens.
    if soft and end and soft > end:
        soft = end
    return Window(start=start, end=end, soft_end=soft)


def window_of(value: Any) -> Window:
    """Like :func:`parse_window`, but a stored value that does not parse closes (fail closed)."""
    try:
        return parse_window(value)
    except (TypeError, ValueError):
        return NEVER
