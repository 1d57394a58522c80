"""Competition tables (Jutge game competitions). Rounds and matches come with the game runner."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from verdict.db import Base, enum_type, utcnow


class CompetitionStatus(StrEnum):
    OPEN = "open"  # players may still enter
    STARTED = "started"  # no new participants; rounds are played
    FINISHED = "finished"  # no more rounds


class Competition(Base):
    __tablename__ = "competitions"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))  # Jutge: "owner:name"
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    annotation: Mapped[str] = mapped_column(sa.Text, default="")
    course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="SET NULL"), index=True
    )
    problem_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("problems.id", ondelete="RESTRICT"), index=True
    )
    problem_language: Mapped[str | None] = mapped_column(sa.String(10))  # "G00001_en" -> "en"
    expected_start: Mapped[datetime | None]
    status: Mapped[CompetitionStatus] = mapped_column(
        enum_type(CompetitionStatus, "competition_status"), default=CompetitionStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
