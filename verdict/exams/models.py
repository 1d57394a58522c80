"""Exam tables (Jutge exams; an exam with ``contest`` set is ranked ICPC-style)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verdict.db import Base, enum_type, utcnow


class Protection(StrEnum):
    OPEN = "open"  # no exam password
    SAMECODE = "samecode"  # one password for every student (Exam.password)
    RANDOM = "random"  # one password per student (ExamStudent.password)


class Exam(Base):
    __tablename__ = "exams"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))  # Jutge: "owner:name"
    # The exam as an INGInious course (/api/v0/courses/<slug>): globally unique, like Course.slug.
    slug: Mapped[str | None] = mapped_column(sa.String(150), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    start: Mapped[datetime]  # expected start
    running_time: Mapped[int]  # minutes
    protection: Mapped[Protection] = mapped_column(
        enum_type(Protection, "protection"), default=Protection.OPEN
    )
    # "samecode": the code is checked against its hash; staff read it back (GET .../passwords)
    # from its sealed form (encrypted with a key derived from Settings.secret_key).
    password: Mapped[str | None] = mapped_column(sa.String(200))  # sealed
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    compilers: Mapped[list[Any]] = mapped_column(default=list)  # allowed compiler ids; empty: any
    contest: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime | None]  # set by actions/start
    # Contest freeze: submissions in the last freeze_minutes are hidden from students' view of
    # the ranking until staff unfreeze (unfrozen_at set). 0: no freeze.
    freeze_minutes: Mapped[int] = mapped_column(default=0)
    unfrozen_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    problems: Mapped[list[ExamProblem]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="ExamProblem.position"
    )
    students: Mapped[list[ExamStudent]] = relationship(back_populates="exam", cascade="all, delete-orphan")

    @property
    def started(self) -> bool:
        return self.started_at is not None


class ExamProblem(Base):
    __tablename__ = "exam_problems"

    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[str] = mapped_column(sa.ForeignKey("problems.id", ondelete="RESTRICT"), index=True)
    caption: Mapped[str] = mapped_column(sa.String(100), default="")
    icon: Mapped[str] = mapped_column(sa.String(200), default="")
    weight: Mapped[float] = mapped_column(default=1.0)

    exam: Mapped[Exam] = relationship(back_populates="problems")


class ExamStudent(Base):
    __tablename__ = "exam_students"
    __table_args__ = (sa.UniqueConstraint("exam_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(sa.ForeignKey("exams.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))  # lower-cased
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited: Mapped[bool] = mapped_column(default=False)  # contest: shown but not ranked
    password: Mapped[str | None] = mapped_column(sa.String(200))  # protection "random", sealed
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    extra_minutes: Mapped[int] = mapped_column(default=0)  # staff-given extra time
    closed_at: Mapped[datetime | None]  # staff closed the exam early for this student
    entered_at: Mapped[datetime | None]  # first time the student entered with the password

    exam: Mapped[Exam] = relationship(back_populates="students")
