"""Course and list services: create-or-replace, look-up, visibility, deletion, progress, and the
tasks a course shows through the INGInious face.

A course is identified by its owner and name (Jutge ``owner:name``); it is made of the owner's
lists, each an ordered sequence of problem ids, headers and ignored items. Students and tutors
are course members named by email: an email without an account yet is kept as an invitation
(``user_id`` empty) and linked when the account is created.

Functions take a session and flush; committing is the caller's unit of work. Refusals raise
:mod:`verdict.errors` exceptions naming the offending field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from verdict.accounts.models import User
from verdict.accounts.passwords import verify_password
from verdict.courses.models import (
    Course,
    CourseList,
    CourseMember,
    ListItem,
    ListItemKind,
    MemberRole,
    ProblemList,
    Task,
)
from verdict.db import utcnow
from verdict.errors import InvalidInput, NotFound, PermissionDenied
from verdict.problems.models import Problem
from verdict.problems.store import PROBLEM_REF_RE, parse_problem_ref
from verdict.submissions.models import Submission, SubmissionStatus

# Names appear in URLs as "owner:name": no ":" or "/", no spaces.
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_TITLE = 300
MAX_ITEM = 500
MAX_EMAIL = 254
MAX_SLUG = 150
ACCEPTED = "AC"
# Count caps on every repeated field of a document (issue 10, "Documents"): one PUT of 400,000
# items held SQLite's write lock for 42 s. Each is far above what a real course uses.
MAX_LIST_ITEMS = 2_000
MAX_MEMBERS = 2_000  # students, and tutors, of one course each
MAX_COURSE_LISTS = 200
MAX_DOCUMENTS = 200
MAX_PASSWORDS = 200  # problem passwords given with one list


# --------------------------------------------------------------------------- specifications


@dataclass
class CourseSpec:
    """A course as the instructor describes it (the Jutge course document)."""

    name: str
    title: str
    description: str = ""
    annotation: str = ""
    public: bool = False
    official: bool = False
    lists: list[str] = field(default_factory=list)  # names of the owner's lists, in order
    documents: list[str] = field(default_factory=list)
    students: list[str] = field(default_factory=list)  # emails
    tutors: list[str] = field(default_factory=list)


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


@dataclass
class Visible:
    """What a user sees: ("owner:name", title) pairs sorted by owner then name."""

    own: list[tuple[str, str]]
    enrolled: list[tuple[str, str]]
    public: list[tuple[str, str]]


@dataclass
class Progress:
    problems_solved: dict[str, list[str]]  # enrolled student email -> problem refs accepted
    not_enrolled: list[str]  # invited student emails without an account yet


# --------------------------------------------------------------------------- identifiers


def parse_ident(ident: str, user: User | None = None) -> tuple[str, str]:
    """``"owner:name"`` -> ``("owner", "name")``. A bare ``"name"`` means the user's own."""
    owner, colon, name = ident.partition(":")
    if not colon:
        if user is None:
            raise InvalidInput(f"{ident!r} is not an identifier of the form owner:name")
        owner, name = user.username, ident
    if not owner or not name:
        raise InvalidInput(f"{ident!r} is not an identifier of the form owner:name")
    return owner, name


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


def check_can_create(user: User, what: str) -> None:
    if not user.is_instructor:
        raise PermissionDenied(f"only instructors and administrators may create {what}")


def _check_official(user: User, wanted: bool, current: bool) -> None:
    # Keeping an official flag an administrator set is fine; setting it is for administrators.
    if wanted and not current and not user.is_admin:
        raise PermissionDenied("official: only administrators may make official objects", field="official")


def check_count(values: Sized, what: str, cap: int) -> None:
    """A clear 400 for a repeated field with more than ``cap`` entries."""
    if len(values) > cap:
        raise InvalidInput(f"{what}: {len(values)} entries, at most {cap} allowed", field=what)


def check_course_counts(spec: CourseSpec) -> None:
    check_count(spec.lists, "lists", MAX_COURSE_LISTS)
    check_count(spec.documents, "documents", MAX_DOCUMENTS)
    check_count(spec.students, "students", MAX_MEMBERS)
    check_count(spec.tutors, "tutors", MAX_MEMBERS)


def _check_text(value: str, what: str, limit: int | None = None) -> str:
    if limit is not None and len(value) > limit:
        raise InvalidInput(f"{what}: longer than {limit} characters", field=what)
    return value


def _user_by_name(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


# --------------------------------------------------------------------------- courses


def get_course(session: Session, owner: str, name: str) -> Course:
    course = session.scalar(
        sa.select(Course)
        .join(User, User.id == Course.owner_id)
        .where(User.username == owner, Course.name == name)
    )
    if course is None:
        raise NotFound(f"no course {owner}:{name}")
    return course


def is_course_owner(user: User, course: Course) -> bool:
    return user.is_admin or course.owner_id == user.id


def is_tutor(session: Session, user: User, course: Course) -> bool:
    return (
        session.scalar(
            sa.select(CourseMember.id).where(
                CourseMember.course_id == course.id,
                CourseMember.user_id == user.id,
                CourseMember.role.in_([MemberRole.TUTOR, MemberRole.ADMIN]),
            )
        )
        is not None
    )


def check_can_read_course(session: Session, user: User, course: Course) -> bool:
    """Whether ``user`` may read the course document, and whether they see all of it (owner,
    administrators, course staff) or a redacted copy (other instructors, public courses only)."""
    if is_course_owner(user, course) or is_tutor(session, user, course):
        return True
    if course.public and user.is_instructor:
        return False
    raise PermissionDenied(f"course {ident_of(session, course)} belongs to another user")


def may_read_annotation(user: User, course: Course) -> bool:
    """A course's annotation is the owner's private note: administrators read it too, tutors not."""
    return is_course_owner(user, course)


def check_can_see_progress(session: Session, user: User, course: Course) -> None:
    """The owner, administrators and the course's tutors see the students' progress."""
    if not (is_course_owner(user, course) or is_tutor(session, user, course)):
        raise PermissionDenied(f"course {ident_of(session, course)} belongs to another user")


def check_can_change_course(session: Session, user: User, course: Course) -> None:
    if not is_course_owner(user, course):
        raise PermissionDenied(f"course {ident_of(session, course)} belongs to another user")


def put_course(session: Session, user: User, spec: CourseSpec) -> tuple[Course, bool]:
    """Create ``user``'s course ``spec.name``, or replace it. Returns (course, created)."""
    check_can_create(user, "courses")
    check_name(spec.name)
    _check_text(spec.title, "title", MAX_TITLE)
    check_course_counts(spec)
    course = session.scalar(sa.select(Course).where(Course.owner_id == user.id, Course.name == spec.name))
    _check_official(user, spec.official, course.official if course else False)
    lists = _owned_lists(session, user, spec.lists)
    members = _members(spec)
    created = course is None
    if course is None:
        course = Course(owner_id=user.id, name=spec.name, slug=_free_slug(session, user.username, spec.name))
        session.add(course)
    course.title = spec.title
    course.description = spec.description
    course.annotation = spec.annotation
    course.public = spec.public
    course.official = spec.official
    course.documents = list(spec.documents)
    session.flush()
    _replace_course_lists(session, course, lists)
    _replace_members(session, course, members)
    sync_course_tasks(session, course)
    return course, created


def _owned_lists(session: Session, user: User, names: Sequence[str]) -> list[ProblemList]:
    found: dict[str, ProblemList] = {}
    if names:
        found = {
            plist.name: plist
            for plist in session.scalars(
                sa.select(ProblemList).where(
                    ProblemList.owner_id == user.id, ProblemList.name.in_(set(names))
                )
            )
        }
    result: list[ProblemList] = []
    for index, name in enumerate(names):
        plist = found.get(name)
        if plist is None:
            raise InvalidInput(
                f"lists[{index}]: {user.username} has no list {name!r}", field=f"lists[{index}]"
            )
        if plist not in result:
            result.append(plist)
    return result


def _members(spec: CourseSpec) -> list[tuple[str, MemberRole]]:
    members: dict[str, MemberRole] = {}
    for what, role, emails in (
        ("students", MemberRole.STUDENT, spec.students),
        ("tutors", MemberRole.TUTOR, spec.tutors),
    ):
        for index, raw in enumerate(emails):
            email = raw.strip().lower()
            where = f"{what}[{index}]"
            if not EMAIL_RE.match(email) or len(email) > MAX_EMAIL:
                raise InvalidInput(f"{where}: {raw!r} is not an email address", field=where)
            if members.get(email, role) != role:
                raise InvalidInput(f"{where}: {email} is both a student and a tutor", field=where)
            members[email] = role
    return list(members.items())


def _replace_course_lists(session: Session, course: Course, lists: list[ProblemList]) -> None:
    if [link.list_id for link in course.course_lists] == [plist.id for plist in lists]:
        return
    course.course_lists.clear()
    session.flush()  # the old rows go before new ones take their primary keys
    course.course_lists.extend(CourseList(position=i, list_id=plist.id) for i, plist in enumerate(lists))
    session.flush()


def _replace_members(session: Session, course: Course, members: list[tuple[str, MemberRole]]) -> None:
    """Students and tutors become exactly ``members``, in that order (rows are re-created so that
    their ids keep the document's order; join dates are kept). INGInious course admins not named
    in the document stay."""
    wanted = [email for email, _role in members]
    current = [(m.email, m.role) for m in course.members if m.role != MemberRole.ADMIN or m.email in wanted]
    if current == members:
        return
    users = (
        dict(session.execute(sa.select(User.email, User.id).where(User.email.in_(wanted))).all())
        if wanted
        else {}
    )
    joined = {m.email: m.created_at for m in course.members}
    accepted = {m.email: m.accepted_at for m in course.members if m.user_id is not None}
    kept = [m for m in course.members if m.role == MemberRole.ADMIN and m.email not in wanted]
    taken = {m.user_id for m in kept}
    course.members[:] = kept
    session.flush()
    for email, role in members:
        user_id = users.get(email)
        course.members.append(
            CourseMember(
                email=email,
                role=role,
                user_id=user_id if user_id not in taken else None,
                created_at=joined.get(email) or utcnow(),
                # A student the teacher names is invited, not enrolled, until they accept (M3).
                accepted_at=accepted.get(email) if role == MemberRole.STUDENT else utcnow(),
            )
        )
    session.flush()


def _free_slug(session: Session, username: str, name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_.\-]", "_", f"{username}-{name}")[: MAX_SLUG - 6]
    taken = set(session.scalars(sa.select(Course.slug).where(Course.slug.like(f"{base}%"))))
    slug, counter = base, 1
    while slug in taken:
        counter += 1
        slug = f"{base}-{counter}"
    return slug


def course_spec(course: Course, *, full: bool = True, annotation: bool | None = None) -> CourseSpec:
    """The course as a specification (what ``put_course`` takes). ``full`` False leaves out the
    members (for other instructors reading a public course); ``annotation`` (default: ``full``)
    says whether the private annotation is shown: to the owner and administrators only, not to
    tutors (issue 10, L2), see :func:`may_read_annotation`."""
    members = sorted(course.members, key=lambda m: m.id) if full else []
    show_annotation = full if annotation is None else annotation
    return CourseSpec(
        name=course.name,
        title=course.title,
        description=course.description,
        annotation=course.annotation if show_annotation else "",
        public=course.public,
        official=course.official,
        lists=[link.list.name for link in course.course_lists],
        documents=[str(doc) for doc in course.documents],
        students=[m.email for m in members if m.role == MemberRole.STUDENT],
        tutors=[m.email for m in members if m.role == MemberRole.TUTOR],
    )


def delete_course(session: Session, user: User, course: Course) -> None:
    check_can_change_course(session, user, course)
    session.delete(course)
    session.flush()


def visible_courses(session: Session, user: User) -> Visible:
    """Courses ``user`` owns, is enrolled in as a student, and the public ones."""
    enrolled = sa.select(CourseMember.course_id).where(
        CourseMember.user_id == user.id, CourseMember.role == MemberRole.STUDENT
    )
    return Visible(
        own=_titles(session, Course, Course.owner_id == user.id),
        enrolled=_titles(session, Course, Course.id.in_(enrolled)),
        public=_titles(session, Course, Course.public.is_(True)),
    )


def _titles(session: Session, model: Any, condition: sa.ColumnElement[bool]) -> list[tuple[str, str]]:
    rows = session.execute(
        sa.select(User.username, model.name, model.title)
        .join(User, User.id == model.owner_id)
        .where(condition)
    )
    # Sorted here, not by the database: collations differ between backends.
    return [(f"{username}:{name}", title) for username, name, title in sorted(rows)]


def course_problem_refs(session: Session, course: Course) -> list[str]:
    """The problem references of the course's lists, in order, each once."""
    rows = session.execute(
        sa.select(ListItem.value)
        .join(CourseList, CourseList.list_id == ListItem.list_id)
        .where(CourseList.course_id == course.id, ListItem.kind == ListItemKind.PROBLEM)
        .order_by(CourseList.position, ListItem.position)
    ).scalars()
    return list(dict.fromkeys(rows))


def course_progress(session: Session, course: Course) -> Progress:
    """Which problems of the course each student who accepted the enrolment has solved, counting
    only submissions made in this course, and which invited students have not joined.

    Issue 10, M3: a teacher used to see problems solved anywhere, by anyone whose email they put
    in a course, and ``not_enrolled`` told which emails had no account. Now a student shows only
    after saying yes, and ``not_enrolled`` lists every student who has not (account or not)."""
    students = [m for m in sorted(course.members, key=lambda m: m.id) if m.role == MemberRole.STUDENT]
    joined = [m for m in students if m.user_id is not None and m.accepted]
    by_base: dict[str, str] = {}
    for ref in course_problem_refs(session, course):
        by_base.setdefault(parse_problem_ref(ref)[0], ref)
    solved = _solved_in_course(session, course, [m.user_id for m in joined if m.user_id], list(by_base))
    problems_solved = {
        member.email: [ref for base, ref in by_base.items() if base in solved.get(member.user_id or 0, set())]
        for member in joined
    }
    return Progress(problems_solved, [m.email for m in students if m not in joined])


def _solved_in_course(
    session: Session, course: Course, user_ids: list[int], problem_ids: list[str]
) -> dict[int, set[str]]:
    solved: dict[int, set[str]] = {}
    if not user_ids or not problem_ids:
        return solved
    rows = session.execute(
        sa.select(Submission.user_id, Submission.problem_id)
        .where(
            Submission.course_id == course.id,
            Submission.user_id.in_(user_ids),
            Submission.problem_id.in_(problem_ids),
            Submission.status == SubmissionStatus.DONE,
            Submission.verdict == ACCEPTED,
        )
        .distinct()
    )
    for user_id, problem_id in rows:
        solved.setdefault(user_id, set()).add(str(problem_id))
    return solved


def accept_invitation(session: Session, course: Course, user: User, now: datetime | None = None) -> bool:
    """The student says yes to the course's invitation (idempotent). False when there is none."""
    member = session.scalar(
        sa.select(CourseMember).where(
            CourseMember.course_id == course.id,
            sa.or_(CourseMember.user_id == user.id, CourseMember.email == user.email),
            CourseMember.role == MemberRole.STUDENT,
        )
    )
    if member is None:
        return False
    if member.user_id is None:
        member.user_id = user.id
    if member.accepted_at is None:
        member.accepted_at = now or utcnow()
    session.flush()
    return True


# --------------------------------------------------------------------------- tasks (INGInious face)


def sync_course_tasks(session: Session, course: Course) -> None:
    """Make the course's tasks follow its lists: one task per problem of the lists (slug = the
    problem reference, a single ``code`` sub-problem), positioned in list order, before any other
    task. Tasks of problems no longer in the lists are hidden (``accessibility`` False), never
    deleted: their submissions stay."""
    refs = course_problem_refs(session, course)
    problems = (
        {
            problem.id: problem
            for problem in session.scalars(
                sa.select(Problem).where(Problem.id.in_({parse_problem_ref(ref)[0] for ref in refs}))
            )
        }
        if refs
        else {}
    )
    tasks = {task.slug: task for task in course.tasks}
    position = 0
    listed: set[str] = set()
    for ref in refs:
        base, language = parse_problem_ref(ref)
        problem = problems.get(base)
        if problem is None:  # removed since the list was written
            continue
        title = problem.title(language)
        task = tasks.get(ref)
        if task is None:
            task = Task(
                slug=ref, problem_id=base, name=title, problems=_code_problem(title), accessibility=True
            )
            course.tasks.append(task)
        elif _is_list_task(task):
            task.name = title
            if set(task.problems) <= {"code"}:
                task.problems = _code_problem(title)
            if task.accessibility is False:
                task.accessibility = True
        task.position = position
        position += 1
        listed.add(ref)
    others = sorted((t for t in tasks.values() if t.slug not in listed), key=lambda t: (t.position, t.id))
    for task in others:
        task.position = position
        position += 1
        if _is_list_task(task):
            task.accessibility = False
    session.flush()


def _is_list_task(task: Task) -> bool:
    """A task made by :func:`sync_course_tasks` (its slug is the reference of its problem)."""
    return (
        task.problem_id is not None
        and bool(PROBLEM_REF_RE.match(task.slug))
        and parse_problem_ref(task.slug)[0] == task.problem_id
    )


def _code_problem(title: str) -> dict[str, Any]:
    return {"code": {"type": "code", "name": title, "language": ""}}


def sync_courses_of_lists(session: Session, list_ids: Iterable[int]) -> None:
    ids = list(list_ids)
    if not ids:
        return
    courses = session.scalars(
        sa.select(Course).where(
            Course.id.in_(sa.select(CourseList.course_id).where(CourseList.list_id.in_(ids)))
        )
    ).all()
    for course in courses:
        session.refresh(course, ["course_lists", "tasks"])
        sync_course_tasks(session, course)


def sync_courses_of_problem(session: Session, problem_id: str) -> None:
    """After a problem changed (its titles): the tasks of the courses listing it."""
    list_ids = session.scalars(
        sa.select(ListItem.list_id)
        .where(
            ListItem.kind == ListItemKind.PROBLEM,
            sa.or_(ListItem.value == problem_id, ListItem.value.like(f"{problem_id}\\_%", escape="\\")),
        )
        .distinct()
    ).all()
    sync_courses_of_lists(session, list_ids)


# --------------------------------------------------------------------------- lists


def get_list(session: Session, owner: str, name: str) -> ProblemList:
    plist = session.scalar(
        sa.select(ProblemList)
        .join(User, User.id == ProblemList.owner_id)
        .where(User.username == owner, ProblemList.name == name)
    )
    if plist is None:
        raise NotFound(f"no list {owner}:{name}")
    return plist


def is_list_owner(user: User, plist: ProblemList) -> bool:
    return user.is_admin or plist.owner_id == user.id


def check_can_read_list(session: Session, user: User, plist: ProblemList) -> bool:
    """Whether ``user`` may read the list, and whether all of it (owner, administrators) or
    without the private annotation (public lists, lists of courses the user belongs to)."""
    if is_list_owner(user, plist):
        return True
    if plist.public or _in_users_course(session, user, plist):
        return False
    raise PermissionDenied(f"list {ident_of(session, plist)} belongs to another user")


def _in_users_course(session: Session, user: User, plist: ProblemList) -> bool:
    return (
        session.scalar(
            sa.select(CourseList.course_id)
            .join(CourseMember, CourseMember.course_id == CourseList.course_id)
            .where(CourseList.list_id == plist.id, CourseMember.user_id == user.id)
            .limit(1)
        )
        is not None
    )


def check_can_change_list(session: Session, user: User, plist: ProblemList) -> None:
    if not is_list_owner(user, plist):
        raise PermissionDenied(f"list {ident_of(session, plist)} belongs to another user")


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
    _check_text(spec.title, "title", MAX_TITLE)
    check_list_counts(spec)
    if verified is None:
        verified = verified_problems(session, spec)
    plist = session.scalar(
        sa.select(ProblemList).where(ProblemList.owner_id == user.id, ProblemList.name == spec.name)
    )
    _check_official(user, spec.official, plist.official if plist else False)
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
        _check_text(item.value, where, MAX_ITEM)
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
    check_can_change_list(session, user, plist)
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
        own=_titles(session, ProblemList, ProblemList.owner_id == user.id),
        enrolled=_titles(session, ProblemList, ProblemList.id.in_(in_courses)),
        public=_titles(session, ProblemList, ProblemList.public.is_(True)),
    )
