"""Problem lists (the Jutge face's ``/services/lists``): create-or-replace, look-up, visibility,
deletion. A list is an ordered sequence of problem ids, headers and ignored items; the courses
using a list follow its changes (:mod:`verdict.courses.sync`).

Functions take a session and flush; committing is the caller's unit of work. Refusals raise
:mod:`verdict.errors` exceptions naming the offending field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from verdict.accounts.models import User
from verdict.accounts.passwords import verify_password
from verdict.courses.access import check_can_change_list, check_can_create, check_official
from verdict.courses.models import (
    Course,
    CourseList,
    CourseMember,
    ListItem,
    ListItemKind,
    MemberRole,
    ProblemList,
)
from verdict.courses.names import MAX_TITLE, Visible, check_count, check_name, check_text, find_owned, titles
from verdict.courses.sync import sync_course_tasks, sync_courses_of_lists
from verdict.errors import InvalidInput
from verdict.problems.models import Problem
from verdict.problems.store import PROBLEM_REF_RE, parse_problem_ref

MAX_ITEM = 500
# Count caps (issue 10, "Documents"): one PUT of 400,000 items held SQLite's write lock for 42 s.
MAX_LIST_ITEMS = 2_000
MAX_PASSWORDS = 200  # problem passwords given with one list


@dataclass(frozen=True)
class Item:
    """One list item: a problem reference (``P12345`` or ``P12345_en``), a header's text, or an
    ignored (commented-out) item."""

    kind: ListItemKind
    value: str = ""


@dataclass
class ListSpec:
    name: str
    title: str
    description: str = ""
    annotation: str = ""
    public: bool = False
    official: bool = False
    items: list[Item] = field(default_factory=list)
    # Problem id -> its password, for problems of other instructors (write-only: never read back).
    passwords: dict[str, str] = field(default_factory=dict)


def get_list(session: Session, owner: str, name: str) -> ProblemList:
    return find_owned(session, ProblemList, owner, name)


def check_list_counts(spec: ListSpec) -> None:
    check_count(spec.items, "items", MAX_LIST_ITEMS)
    check_count(spec.passwords, "passwords", MAX_PASSWORDS)


def verified_problems(session: Session, spec: ListSpec) -> set[str]:
    """The problems whose password ``spec.passwords`` gives rightly.

    Runs argon2 (a quarter of a second each): call it before the write lock is taken, and pass
    the result to :func:`put_list`."""
    check_list_counts(spec)
    if not spec.passwords:
        return set()
    rows = session.execute(
        sa.select(Problem.id, Problem.password_hash).where(Problem.id.in_(list(spec.passwords)))
    )
    return {
        problem_id
        for problem_id, password_hash in rows
        if password_hash and verify_password(password_hash, spec.passwords[problem_id])
    }


def put_list(
    session: Session, user: User, spec: ListSpec, *, verified: set[str] | None = None
) -> tuple[ProblemList, bool]:
    """Create ``user``'s list ``spec.name`` or replace it; the courses using it follow.

    ``verified``: what :func:`verified_problems` found (computed here when not given)."""
    check_can_create(user, "lists")
    check_name(spec.name)
    check_text(spec.title, "title", MAX_TITLE)
    check_list_counts(spec)
    if verified is None:
        verified = verified_problems(session, spec)
    plist = session.scalar(
        sa.select(ProblemList).where(ProblemList.owner_id == user.id, ProblemList.name == spec.name)
    )
    check_official(user, spec.official, plist.official if plist else False)
    listed = (
        {parse_problem_ref(i.value)[0] for i in plist.items if i.kind == ListItemKind.PROBLEM}
        if plist
        else set()
    )
    _check_items(session, spec.items, ProblemAccess(user, verified, listed))
    created = plist is None
    if plist is None:
        plist = ProblemList(owner_id=user.id, name=spec.name)
        session.add(plist)
    plist.title = spec.title
    plist.description = spec.description
    plist.annotation = spec.annotation
    plist.public = spec.public
    plist.official = spec.official
    items_changed = [(item.kind, item.value) for item in plist.items] != [
        (i.kind, i.value) for i in spec.items
    ]
    if items_changed:
        plist.items.clear()
        session.flush()
        plist.items.extend(
            ListItem(position=i, kind=item.kind, value=item.value) for i, item in enumerate(spec.items)
        )
    session.flush()
    if items_changed and not created:
        sync_courses_of_lists(session, [plist.id])
    return plist, created


@dataclass(frozen=True)
class ProblemAccess:
    """Which problems ``user`` may put in a list (issue 10, M3).

    Their own problems (all of them for administrators), catalogue problems without a password,
    problems already in the list being replaced, and problems whose password they gave. Another
    instructor's problem without a password is private to its owner."""

    user: User
    verified: set[str]  # problems whose password was given rightly
    listed: set[str]  # problems already in the list (accepted before)

    def allows(self, problem_id: str, owner_id: int | None, password_hash: str | None) -> bool:
        if self.user.is_admin or owner_id == self.user.id:
            return True
        if problem_id in self.listed or problem_id in self.verified:
            return True
        return owner_id is None and password_hash is None


def _check_items(session: Session, items: Sequence[Item], access: ProblemAccess) -> None:
    refs: set[str] = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        check_text(item.value, where, MAX_ITEM)
        if item.kind == ListItemKind.PROBLEM:
            if not PROBLEM_REF_RE.match(item.value):
                hint = (
                    " (a header starts with '!' directly followed by its text)" if " " in item.value else ""
                )
                raise InvalidInput(f"{where}: {item.value!r} is not a problem id{hint}", field=where)
            refs.add(parse_problem_ref(item.value)[0])
    if not refs:
        return
    rows = session.execute(
        sa.select(Problem.id, Problem.languages, Problem.owner_id, Problem.password_hash).where(
            Problem.id.in_(list(refs))
        )
    )
    usable = {pid: languages for pid, languages, owner, secret in rows if access.allows(pid, owner, secret)}
    for index, item in enumerate(items):
        if item.kind == ListItemKind.PROBLEM:
            _check_item_problem(item, f"items[{index}]", usable)


def _check_item_problem(item: Item, where: str, usable: dict[str, list[Any] | None]) -> None:
    base, language = parse_problem_ref(item.value)
    if base not in usable:
        # One answer whether the id is unknown or forbidden: ids cannot be enumerated (M3).
        raise InvalidInput(
            f"{where}: no problem {item.value} you may use (unknown, or another instructor's: give "
            "its password under 'passwords')",
            field=where,
        )
    if language is not None and language not in (usable[base] or []):
        raise InvalidInput(
            f"{where}: problem {base} has no statement in {language!r} "
            f"(it has {', '.join(usable[base] or []) or 'none'})",
            field=where,
        )


def list_spec(plist: ProblemList, *, full: bool = True) -> ListSpec:
    return ListSpec(
        name=plist.name,
        title=plist.title,
        description=plist.description,
        annotation=plist.annotation if full else "",
        public=plist.public,
        official=plist.official,
        items=[Item(item.kind, item.value) for item in plist.items],
    )


def delete_list(session: Session, user: User, plist: ProblemList) -> None:
    """Delete a list; the courses that used it lose it (and hide its problems' tasks)."""
    check_can_change_list(session, plist, user)
    course_ids = session.scalars(sa.select(CourseList.course_id).where(CourseList.list_id == plist.id)).all()
    session.execute(sa.delete(CourseList).where(CourseList.list_id == plist.id))
    session.delete(plist)
    session.flush()
    for course in session.scalars(sa.select(Course).where(Course.id.in_(course_ids))):
        session.refresh(course, ["course_lists", "tasks"])
        sync_course_tasks(session, course)


def visible_lists(session: Session, user: User) -> Visible:
    """Lists ``user`` owns, lists of the courses they are enrolled in, public lists."""
    enrolled_courses = sa.select(CourseMember.course_id).where(
        CourseMember.user_id == user.id, CourseMember.role == MemberRole.STUDENT
    )
    link = aliased(CourseList)
    in_courses = sa.select(link.list_id).where(link.course_id.in_(enrolled_courses))
    return Visible(
        own=titles(session, ProblemList, ProblemList.owner_id == user.id),
        enrolled=titles(session, ProblemList, ProblemList.id.in_(in_courses)),
        public=titles(session, ProblemList, ProblemList.public.is_(True)),
    )
