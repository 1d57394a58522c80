"""Competition tables (Jutge game competitions): the competition, its participants (frozen at the
start), its rounds, their matches (jobs on the grading queue, with a lease like submissions) and
each match's seats (a participant or a Dummy, with the score, status and CPU time)."""

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


class RoundStatus(StrEnum):
    PLAYING = "playing"  # some of its matches are not done yet
    DONE = "done"  # every match done: ranked, eliminations recorded


class MatchStatus(StrEnum):
    WAITING = "waiting"  # on the queue, for any grader
    PLAYING = "playing"  # claimed by a grader, under its lease
    DONE = "done"  # played: seats and output stored
    ERROR = "error"  # given up (the runner failed MAX_ATTEMPTS times): no points for anyone


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
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Drawn at the start; every round's seed derives from it and the round's number, so that a
    # round undone and played again draws the same matches with the same seeds.
    seed: Mapped[int | None] = mapped_column(sa.BigInteger)


class Participant(Base):
    """A user playing a competition with their latest accepted player before the start."""

    __tablename__ = "competition_participants"
    __table_args__ = (
        sa.UniqueConstraint("competition_id", "user_id"),
        sa.UniqueConstraint("competition_id", "player_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submissions.id", ondelete="SET NULL"), index=True
    )
    player_name: Mapped[str] = mapped_column(sa.String(50))  # PLAYER_NAME of the source
    # The round after which the participant was eliminated (None: still playing, or the winner).
    eliminated_round: Mapped[int | None]


class Round(Base):
    __tablename__ = "competition_rounds"
    __table_args__ = (sa.UniqueConstraint("competition_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]  # 1, 2, ...
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    # The game's version the round is played with (kept when the problem is updated meanwhile).
    problem_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("problem_versions.id", ondelete="SET NULL")
    )
    status: Mapped[RoundStatus] = mapped_column(
        enum_type(RoundStatus, "round_status"), default=RoundStatus.PLAYING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class Match(Base):
    """One game played by four seats: a job of the grading queue (claimed under a lease, as a
    submission is), replayed from its seed when its grader is lost."""

    __tablename__ = "competition_matches"
    __table_args__ = (sa.UniqueConstraint("round_id", "turn", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competition_rounds.id", ondelete="CASCADE"), index=True
    )
    turn: Mapped[int]  # 1, 2, ... within the round
    position: Mapped[int]  # 1, 2, ... within the turn
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[MatchStatus] = mapped_column(
        enum_type(MatchStatus, "match_status"), default=MatchStatus.WAITING, index=True
    )
    lease_owner: Mapped[str | None] = mapped_column(sa.String(200))
    lease_expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    output_hash: Mapped[str | None] = mapped_column(sa.ForeignKey("blobs.hash", ondelete="RESTRICT"))
    error_reason: Mapped[str] = mapped_column(sa.Text, default="")
    played_at: Mapped[datetime | None]


class Seat(Base):
    """A seat of a match: a participant, or a Dummy (participant_id None)."""

    __tablename__ = "competition_seats"

    match_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competition_matches.id", ondelete="CASCADE"), primary_key=True
    )
    seat: Mapped[int] = mapped_column(primary_key=True)  # 0..3, the game's player number
    participant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("competition_participants.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int | None]
    points: Mapped[int | None]  # the match points its rank in the match gives (README)
    dead: Mapped[bool] = mapped_column(default=False)
    dead_reason: Mapped[str] = mapped_column(sa.Text, default="")
    cpu_seconds: Mapped[float | None]
