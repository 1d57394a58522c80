"""Submission tables. A submission row is the source of truth for grading: the queue only wakes
workers, a worker claims a row with a lease (``lease_owner``, ``lease_expires_at``) and a sweeper
returns rows whose lease expired."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verdict.db import Base, enum_type, utcnow
from verdict.judge.verdicts import Verdict


class SubmissionStatus(StrEnum):
    WAITING = "waiting"  # committed, not claimed (or lease expired and put back)
    GRADING = "grading"  # claimed by a worker holding a lease
    DONE = "done"  # graded (whatever the verdict)
    ERROR = "error"  # could not be graded (internal error, missing package ...)


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        # The queue's claim: oldest waiting work first, by priority.
        sa.Index("ix_submissions_status_priority_id", "status", "priority", "id"),
        sa.Index("ix_submissions_user_id_task_id", "user_id", "task_id"),
        sa.Index("ix_submissions_user_id_problem_id", "user_id", "problem_id"),
        sa.Index("ix_submissions_lease_expires_at", "lease_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # Quiz-only INGInious tasks have no judge problem.
    problem_id: Mapped[str | None] = mapped_column(sa.ForeignKey("problems.id", ondelete="RESTRICT"))
    # The exact package graded, so re-importing a problem does not change old submissions.
    problem_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("problem_versions.id", ondelete="RESTRICT"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    exam_id: Mapped[int | None] = mapped_column(sa.ForeignKey("exams.id", ondelete="SET NULL"), index=True)
    language: Mapped[str | None] = mapped_column(sa.String(50))  # compiler id, e.g. "G++17"
    # The statement language submitted to (P12345_en): a per-language package grades with its tests.
    variant: Mapped[str | None] = mapped_column(sa.String(10))
    source: Mapped[str | None] = mapped_column(sa.Text)  # program text, when small and textual
    source_blob_hash: Mapped[str | None] = mapped_column(sa.ForeignKey("blobs.hash", ondelete="RESTRICT"))
    input: Mapped[dict[str, Any]] = mapped_column(default=dict)  # INGInious form; files base64
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_type(SubmissionStatus, "submission_status"), default=SubmissionStatus.WAITING
    )
    priority: Mapped[int] = mapped_column(default=0)  # lower is graded first
    verdict: Mapped[Verdict | None] = mapped_column(enum_type(Verdict, "verdict"))
    score: Mapped[float | None]  # points (Jutge scores.yml / Kattis scoring)
    grade: Mapped[float | None]  # 0-100
    feedback: Mapped[str] = mapped_column(sa.Text, default="")  # text/HTML for the student
    problems_feedback: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What an INGInious run script set besides its feedback: feedback-custom values, tag-set tags
    # (the task's tests), and feedback-state (given back to the student's next submission).
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(sa.Text, default="")
    compiler_output: Mapped[str] = mapped_column(sa.Text, default="")
    error_reason: Mapped[str] = mapped_column(sa.Text, default="")  # why status is error
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    graded_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(sa.String(200))
    lease_expires_at: Mapped[datetime | None]
    # What the grading is doing now ("compiling", "test 3/10": verdict.submissions.progress), written
    # by the worker holding the lease; NULL when not being graded or when its kind publishes none.
    progress: Mapped[str | None] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(default=0)  # claims so far (gives up after a few)
    grading_count: Mapped[int] = mapped_column(default=0)  # completed gradings (should stay <= 1)

    tests: Mapped[list[SubmissionTest]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="SubmissionTest.position"
    )


class SubmissionTest(Base):
    __tablename__ = "submission_tests"

    submission_id: Mapped[int] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    test_name: Mapped[str] = mapped_column(sa.String(300))
    verdict: Mapped[Verdict] = mapped_column(enum_type(Verdict, "test_verdict"))
    time: Mapped[float | None]  # CPU seconds
    memory: Mapped[int | None] = mapped_column(sa.BigInteger)  # peak bytes
    message: Mapped[str] = mapped_column(sa.Text, default="")

    submission: Mapped[Submission] = relationship(back_populates="tests")
