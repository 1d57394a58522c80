"""Jutge courses (``/services/courses``): create-or-replace, look-up, deletion, what a user sees,
the students' progress.

A course is identified by its owner and name (Jutge ``owner:name``); it is made of the owner's
lists (:mod:`verdict.courses.lists`). Students and tutors are course members named by email: an
email without an account yet is kept as an invitation (``user_id`` empty) and linked when the
account is created. Who may do what is :mod:`verdict.courses.access`; the INGInious tasks of a
course follow its lists (:mod:`verdict.courses.sync`).

Functions take a session and flush; committing is the caller's unit of work. Refusals raise
:mod:`verdict.errors` exceptions naming the offending field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.access import check_can_change_course, check_can_create, check_official
from verdict.courses.models import Course, CourseList, CourseMember, MemberRole, ProblemList
from verdict.courses.names import MAX_TITLE, Visible, check_count, check_name, check_text, find_owned, titles
from verdict.courses.sync import course_problem_refs, sync_course_tasks
from verdict.db import utcnow
from verdict.errors import InvalidInput
from verdict.problems.store import parse_problem_ref
from verdict.submissions.models import Submission, SubmissionStatus

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_EMAIL = 254
MAX_SLUG = 150
ACCEPTED = "AC"
# Count caps on every repeated field of a document (issue 10, "Documents"): one PUT of 400,000
# items held SQLite's write lock for 42 s. Each is far above what a real course uses.
MAX_MEMBERS = 2_000  # students, and tutors, of one course each
MAX_COURSE_LISTS = 200
MAX_DOCUMENTS = 200


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


@dataclass
class Progress:
    problems_solved: dict[str, list[str]]  # enrolled student email -> problem refs accepted
    not_enrolled: list[str]  # invited student emails without an account yet


def check_course_counts(spec: CourseSpec) -> None:
    check_count(spec.lists, "lists", MAX_COURSE_LISTS)
    check_count(spec.documents, "documents", MAX_DOCUMENTS)
    check_count(spec.students, "students", MAX_MEMBERS)
    check_count(spec.tutors, "tutors", MAX_MEMBERS)


def get_course(session: Session, owner: str, name: str) -> Course:
    return find_owned(session, Course, owner, name)


def put_course(session: Session, user: User, spec: CourseSpec) -> tuple[Course, bool]:
    """Create ``user``'s course ``spec.name``, or replace it. Returns (course, created)."""
    check_can_create(user, "courses")
    check_name(spec.name)
    check_text(spec.title, "title", MAX_TITLE)
    check_course_counts(spec)
    course = session.scalar(sa.select(Course).where(Course.owner_id == user.id, Course.name == spec.name))
    check_official(user, spec.official, course.official if course else False)
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
    tutors (issue 10, L2), see :func:`verdict.courses.access.may_read_annotation`."""
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
    check_can_change_course(session, course, user)
    session.delete(course)
    session.flush()


def visible_courses(session: Session, user: User) -> Visible:
    """Courses ``user`` owns, is enrolled in as a student, and the public ones."""
    enrolled = sa.select(CourseMember.course_id).where(
        CourseMember.user_id == user.id, CourseMember.role == MemberRole.STUDENT
    )
    return Visible(
        own=titles(session, Course, Course.owner_id == user.id),
        enrolled=titles(session, Course, Course.id.in_(enrolled)),
        public=titles(session, Course, Course.public.is_(True)),
    )


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
