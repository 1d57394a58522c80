"""Names of Jutge courses and lists: ``owner:name`` identifiers, the checks every document field
shares (names, text lengths, counts of repeated fields), and the ``("owner:name", title)``
listings of what a user sees."""

from __future__ import annotations

import re
from collections.abc import Sized
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.models import Course, ProblemList
from verdict.errors import InvalidInput, NotFound

# Names appear in URLs as "owner:name": no ":" or "/", no spaces.
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")
MAX_TITLE = 300


@dataclass
class Visible:
    """What a user sees: ("owner:name", title) pairs sorted by owner then name."""

    own: list[tuple[str, str]]
    enrolled: list[tuple[str, str]]
    public: list[tuple[str, str]]


def parse_ident(ident: str, user: User | None = None) -> tuple[str, str]:
    """``"owner:name"`` -> ``("owner", "name")``. A bare ``"name"`` means the user's own."""
    if any(ord(char) < 32 for char in ident):  # PostgreSQL refuses NUL in text: never a 500
        raise InvalidInput(f"{ident!r} is not an identifier of the form owner:name")
    owner, colon, name = ident.partition(":")
    if not colon:
        if user is None:
            raise InvalidInput(f"{ident!r} is not an identifier of the form owner:name")
        owner, name = user.username, ident
    if not owner or not name:
        raise InvalidInput(f"{ident!r} is not an identifier of the form owner:name")
    return owner, name


Owned = TypeVar("Owned", Course, ProblemList)


def find_owned(session: Session, model: type[Owned], owner: str, name: str) -> Owned:
    """The course or list ``owner:name``; NotFound names it."""
    found = session.scalar(
        sa.select(model)
        .join(User, User.id == model.owner_id)
        .where(User.username == owner, model.name == name)
    )
    if found is None:
        what = "course" if model is Course else "list"
        raise NotFound(f"no {what} {owner}:{name}")
    return found


def ident_of(session: Session, obj: Course | ProblemList) -> str:
    """``"owner:name"`` of a course or list."""
    owner = session.scalar(sa.select(User.username).where(User.id == obj.owner_id))
    return f"{owner}:{obj.name}"


def check_name(name: str, what: str = "name") -> str:
    if not NAME_RE.match(name):
        raise InvalidInput(
            f"{what}: {name!r} is not a valid name: use 1-100 letters, digits, '_', '-' or '.', "
            "not starting with '-' or '.'",
            field=what,
        )
    return name


def check_count(values: Sized, what: str, cap: int) -> None:
    """A clear 400 for a repeated field with more than ``cap`` entries."""
    if len(values) > cap:
        raise InvalidInput(f"{what}: {len(values)} entries, at most {cap} allowed", field=what)


def check_text(value: str, what: str, limit: int | None = None) -> str:
    if limit is not None and len(value) > limit:
        raise InvalidInput(f"{what}: longer than {limit} characters", field=what)
    return value


def titles(
    session: Session, model: type[Course] | type[ProblemList], condition: sa.ColumnElement[bool]
) -> list[tuple[str, str]]:
    """``("owner:name", title)`` of the courses or lists meeting ``condition``, sorted."""
    rows = session.execute(
        sa.select(User.username, model.name, model.title)
        .join(User, User.id == model.owner_id)
        .where(condition)
    )
    # Sorted here, not by the database: collations differ between backends.
    return [(f"{username}:{name}", title) for username, name, title in sorted(rows)]
