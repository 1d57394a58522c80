"""Course tables: courses, memberships, problem lists and tasks.

One course is both a Jutge course (identified as ``owner:name``, made of lists) and an INGInious
course (identified by ``slug``, made of tasks).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verdict.db import Base, enum_type, utcnow


class Registration(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    PASSWORD = "password"


class MemberRole(StrEnum):
    STUDENT = "student"
    TUTOR = "tutor"
    ADMIN = "admin"  # INGInious course admins (besides the owner)


class ListItemKind(StrEnum):
    PROBLEM = "problem"  # a problem id, e.g. "P68688"
    HEADER = "header"  # Jutge "!This is a header"
    IGNORED = "ignored"  # Jutge "#P83390": kept but not shown


class Evaluate(StrEnum):
    BEST = "best"
    LAST = "last"


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))  # Jutge: "owner:name"
    # The INGInious course id ([A-Za-z0-9_.-]+, globally unique): Jutge names are only unique
    # per owner and ":" is not allowed in INGInious ids.
    slug: Mapped[str] = mapped_column(sa.String(150), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    annotation: Mapped[str] = mapped_column(sa.Text, default="")  # private to the owner
    public: Mapped[bool] = mapped_column(default=False)  # other instructors may see and copy it
    official: Mapped[bool] = mapped_column(default=False)  # anybody may join (admins only)
    registration: Mapped[Registration] = mapped_column(
        enum_type(Registration, "registration"), default=Registration.CLOSED
    )
    registration_password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    allow_unregister: Mapped[bool] = mapped_column(default=True)
    # INGInious ``registration: "START/END"``: when registration opens and closes (None: unbounded).
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    # INGInious "accessible": true/false, "START", "/END", "START/END", "START/SOFT/END".
    accessible: Mapped[Any] = mapped_column(sa.JSON, default=True)
    documents: Mapped[list[Any]] = mapped_column(default=list)  # Jutge document names
    # The INGInious table of contents: [{id, title, config, sections: [...]} or {id, title, config,
    # tasks: [task ids]}], nested as the descriptor nests them (verdict.courses.inginious_dispenser).
    sections: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[CourseMember]] = relationship(back_populates="course", cascade="all, delete-orphan")
    course_lists: Mapped[list[CourseList]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseList.position"
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="Task.position"
    )


class CourseMember(Base):
    """A student or tutor. ``user_id`` is empty for someone invited by email who has no account
    yet; the account is linked when it is created with that email. A student enrolled by the
    teacher is invited until ``accepted_at`` is set."""

    __tablename__ = "course_members"
    __table_args__ = (
        sa.UniqueConstraint("course_id", "email"),
        sa.UniqueConstraint("course_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)  # lower-cased
    role: Mapped[MemberRole] = mapped_column(enum_type(MemberRole, "member_role"), default=MemberRole.STUDENT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the student said yes (registered, submitted in the course, or accepted the invitation).
    # Until then a teacher's enrolment is only an invitation: the teacher sees nothing of them
    # (issue 10, M3). Tutors and course admins need no acceptance.
    accepted_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship(back_populates="members")

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None


class ProblemList(Base):
    """A Jutge list of problems and headers, identified as ``owner:name``."""

    __tablename__ = "lists"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    annotation: Mapped[str] = mapped_column(sa.Text, default="")
    public: Mapped[bool] = mapped_column(default=False)
    official: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[ListItem]] = relationship(
        back_populates="list", cascade="all, delete-orphan", order_by="ListItem.position"
    )


class ListItem(Base):
    __tablename__ = "list_items"

    list_id: Mapped[int] = mapped_column(sa.ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ListItemKind] = mapped_column(enum_type(ListItemKind, "list_item_kind"))
    # Problem id for problems (not a foreign key: lists may name problems not imported yet),
    # header text for headers, the text after "#" for ignored items.
    value: Mapped[str] = mapped_column(sa.String(500))

    list: Mapped[ProblemList] = relationship(back_populates="items")


class CourseList(Base):
    """The lists of a course, in order."""

    __tablename__ = "course_lists"
    __table_args__ = (sa.UniqueConstraint("course_id", "list_id"),)

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("lists.id", ondelete="CASCADE"), index=True)

    course: Mapped[Course] = relationship(back_populates="course_lists")
    list: Mapped[ProblemList] = relationship()


class Task(Base):
    """An INGInious task: a page of sub-problems inside a course.

    A task whose code is graded by the judge points at a problem (``problem_id``); quiz-only tasks
    have none. ``problems`` is the task.yaml sub-problem definition *including answers* (match
    answers, multiple-choice ``valid`` and feedback): faces must filter it before showing it.
    """

    __tablename__ = "tasks"
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(sa.String(150))  # the INGInious task id
    problem_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("problems.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(300), default="")
    context: Mapped[str] = mapped_column(sa.Text, default="")  # RST
    authors: Mapped[list[Any]] = mapped_column(default=list)
    contact_url: Mapped[str] = mapped_column(sa.String(500), default="")
    accessibility: Mapped[Any] = mapped_column(sa.JSON, default=True)  # bool or "START/SOFT/END"
    submission_limit: Mapped[dict[str, Any]] = mapped_column(default=lambda: {"amount": -1, "period": -1})
    evaluate: Mapped[Evaluate] = mapped_column(enum_type(Evaluate, "evaluate"), default=Evaluate.BEST)
    weight: Mapped[float] = mapped_column(default=1.0)
    position: Mapped[int] = mapped_column(default=0)
    problems: Mapped[dict[str, Any]] = mapped_column(default=dict)
    limits: Mapped[dict[str, Any]] = mapped_column(default=dict)  # time, hard_time, memory
    # INGInious ``groups: true`` (or the dispenser's ``group_submission``): submitted by groups.
    group_submission: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(back_populates="tasks")


class CourseGroup(Base):
    """An INGInious group of a course: students who submit together to group tasks
    (``Task.group_submission``), with its tutors (usernames of course staff) and its size."""

    __tablename__ = "course_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    size: Mapped[int] = mapped_column(default=2)
    tutors: Mapped[list[Any]] = mapped_column(default=list)  # usernames

    students: Mapped[list[CourseGroupStudent]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="CourseGroupStudent.position"
    )


class CourseGroupStudent(Base):
    """A student of a group; a student is in at most one group per course."""

    __tablename__ = "course_group_students"
    __table_args__ = (sa.UniqueConstraint("course_id", "user_id"),)

    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The group's course, repeated so that "one group per student and course" is a constraint.
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)

    group: Mapped[CourseGroup] = relationship(back_populates="students")


class SubmissionStudent(Base):
    """The students a group submission is for: the submitter's group when it was made (INGInious
    keeps them as the submission's ``username`` list). Each of them sees it and gets its grade."""

    __tablename__ = "submission_students"

    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
