"""Matches as jobs of the grading queue: waiting → claimed under a lease → done (or error).

The same pattern as submissions (``verdict.grading.service``): a grader claims a waiting match
with a compare-and-set UPDATE, renews its lease while the match is played, and stores the result
only if it still holds the lease; the sweeper puts back matches whose lease expired (a killed
worker), and they are replayed from their seed. The last match of a round to be stored closes
the round: standings and eliminations (``verdict.competitions.rounds``).

:class:`CompetitionMatches` is what the grading engine calls (``verdict.grading.graders.MatchJobs``)
when no submission waits: one queue, one pipeline, submissions first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from verdict.competitions import rounds
from verdict.competitions.matches import (
    DUMMY,
    GameRef,
    MatchFailed,
    MatchOutcome,
    MatchRunner,
    PlayerRef,
)
from verdict.competitions.models import Match, MatchStatus, Participant, Round, Seat
from verdict.competitions.tournament import match_points
from verdict.db import begin_write, utcnow
from verdict.problems.models import ProblemVersion
from verdict.problems.store import fetch_package, put_blob
from verdict.submissions.models import Submission

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # claims of one match before it is given up as an error


# --------------------------------------------------------------------------- the lease


def _changed(session: Session, statement: sa.Update) -> int:
    result = session.execute(statement)
    assert isinstance(result, sa.CursorResult)
    return result.rowcount


def claim_match(
    session: Session, owner: str, lease_seconds: float, now: datetime | None = None
) -> int | None:
    """Claims the oldest waiting match for ``owner``; its id, or None when none waits."""
    for _ in range(20):
        begin_write(session)
        candidate = session.scalar(
            sa.select(Match.id).where(Match.status == MatchStatus.WAITING).order_by(Match.id).limit(1)
        )
        if candidate is None:
            session.rollback()
            return None
        claimed = _changed(
            session,
            sa.update(Match)
            .where(Match.id == candidate, Match.status == MatchStatus.WAITING)
            .values(
                status=MatchStatus.PLAYING,
                lease_owner=owner,
                lease_expires_at=(now or utcnow()) + timedelta(seconds=lease_seconds),
                attempts=Match.attempts + 1,
            )
            .execution_options(synchronize_session=False),
        )
        session.commit()
        if claimed:
            return candidate
    return None


def _held(match_id: int, owner: str) -> sa.ColumnElement[bool]:
    return sa.and_(Match.id == match_id, Match.lease_owner == owner, Match.status == MatchStatus.PLAYING)


def renew_match_lease(session: Session, match_id: int, owner: str, lease_seconds: float) -> bool:
    begin_write(session)
    renewed = _changed(
        session,
        sa.update(Match)
        .where(_held(match_id, owner))
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False),
    )
    session.commit()
    return bool(renewed)


def complete_match(session: Session, match_id: int, owner: str, outcome: MatchOutcome) -> bool:
    """Stores the outcome if ``owner`` still holds the lease (else False: another grader owns the
    match now, or its round was undone, and this result is dropped). Closes the round when this
    was its last match."""
    begin_write(session)
    output = put_blob(session, outcome.output)
    stored = _changed(
        session,
        sa.update(Match)
        .where(_held(match_id, owner))
        .values(
            status=MatchStatus.DONE,
            output_hash=output.hash,
            played_at=utcnow(),
            lease_owner=None,
            lease_expires_at=None,
            error_reason="",
        )
        .execution_options(synchronize_session=False),
    )
    if not stored:
        session.rollback()
        return False
    seats = list(session.scalars(sa.select(Seat).where(Seat.match_id == match_id).order_by(Seat.seat)))
    points = match_points([result.score for result in outcome.seats])
    for seat, result, earned in zip(seats, outcome.seats, points, strict=True):
        seat.score, seat.points = result.score, earned
        seat.dead, seat.dead_reason = result.dead, result.reason[:2000]
        seat.cpu_seconds = result.cpu_seconds
    _close_round_of(session, match_id)
    session.commit()
    return True


def fail_match(session: Session, match_id: int, owner: str, why: str) -> bool:
    """A match its grader could not play (MatchFailed or a bug): back to waiting, or given up as
    an error after MAX_ATTEMPTS claims (no points for anyone). Only under ``owner``'s lease.
    True when it was put back to waiting."""
    begin_write(session)
    match = session.get(Match, match_id, with_for_update=True, populate_existing=True)
    if match is None or match.status != MatchStatus.PLAYING or match.lease_owner != owner:
        session.rollback()
        return False
    requeued = _put_back(match, why)
    if not requeued:
        _close_round_of(session, match_id)
    session.commit()
    return requeued


def _put_back(match: Match, why: str) -> bool:
    match.lease_owner = None
    match.lease_expires_at = None
    if match.attempts >= MAX_ATTEMPTS:
        match.status = MatchStatus.ERROR
        match.error_reason = f"given up after {match.attempts} attempts: {why}"[:2000]
        match.played_at = utcnow()
        return False
    match.status = MatchStatus.WAITING
    match.error_reason = why[:2000]
    return True


def _close_round_of(session: Session, match_id: int) -> None:
    round_id = session.scalar(sa.select(Match.round_id).where(Match.id == match_id))
    if round_id is not None:
        rounds.close_if_played(session, round_id)


def sweep_expired_matches(
    session: Session, now: datetime | None = None, is_dead: Callable[[str], bool] | None = None
) -> list[int]:
    """Puts back matches whose lease expired (their grader was killed or lost), or at once those
    whose lease owner ``is_dead`` (a worker of this machine killed): they are played again from
    their seed. Returns the ids put back to waiting."""
    now = now or utcnow()
    begin_write(session)
    playing = session.scalars(sa.select(Match).where(Match.status == MatchStatus.PLAYING)).all()
    expired = [
        match
        for match in playing
        if (match.lease_expires_at is not None and match.lease_expires_at < now)
        or (is_dead is not None and match.lease_owner is not None and is_dead(match.lease_owner))
    ]
    requeued = []
    for match in expired:
        if _put_back(match, "its grader was lost (lease expired or process dead)"):
            requeued.append(match.id)
        else:
            session.flush()
            rounds.close_if_played(session, match.round_id)
    session.commit()
    return requeued


def waiting_matches(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).where(Match.status == MatchStatus.WAITING)) or 0


# --------------------------------------------------------------------------- the job


@dataclass(frozen=True)
class MatchJob:
    game: GameRef
    players: list[PlayerRef]
    seed: int


def load_job(session: Session, match_id: int, cache: Path) -> MatchJob:
    """What a grader needs to play match ``match_id``: the game package (fetched by hash), the
    players' sources in seat order, the seed."""
    match = session.get(Match, match_id)
    if match is None:
        raise MatchFailed(f"no match {match_id}")
    played = session.get(Round, match.round_id)
    version = (
        session.get(ProblemVersion, played.problem_version_id)
        if played and played.problem_version_id
        else None
    )
    if version is None:
        raise MatchFailed(f"match {match_id}: its round has no game version")
    package = fetch_package(session, version.blob_hash, cache)
    players = []
    for seat in session.scalars(sa.select(Seat).where(Seat.match_id == match_id).order_by(Seat.seat)):
        participant = session.get(Participant, seat.participant_id) if seat.participant_id else None
        if participant is None:
            players.append(PlayerRef(DUMMY))
            continue
        submission = session.get(Submission, participant.submission_id) if participant.submission_id else None
        if submission is None or submission.source is None:
            raise MatchFailed(f"match {match_id}: the player {participant.player_name} has no source")
        players.append(PlayerRef(participant.player_name, submission.source, submission.language))
    return MatchJob(GameRef(version.problem_id, version.id, package), players, match.seed)


class CompetitionMatches:
    """The match jobs a grading engine plays when no submission waits (MatchJobs)."""

    def __init__(self, runner: MatchRunner, package_cache: Path) -> None:
        self.runner = runner
        self.package_cache = package_cache

    def play_next(self, sessions: sessionmaker[Session], owner: str, lease_seconds: float) -> int | None:
        """Claims, plays and stores one match; its id, or None when no match waits."""
        with sessions() as session:
            match_id = claim_match(session, owner, lease_seconds)
        if match_id is None:
            return None
        result = self._supervised(sessions, match_id, owner, lease_seconds)
        with sessions() as session:
            if isinstance(result, MatchOutcome):
                if not complete_match(session, match_id, owner, result):
                    log.warning("lease on match %s lost: result dropped", match_id)
            else:
                fail_match(session, match_id, owner, result)
        return match_id

    def _supervised(
        self, sessions: sessionmaker[Session], match_id: int, owner: str, lease_seconds: float
    ) -> MatchOutcome | str:
        """Plays in a thread while this one renews the lease. A lost lease leaves the match to
        its new owner (whose result alone is stored: complete_match checks the lease)."""
        results: list[MatchOutcome | str] = []
        player = threading.Thread(
            target=lambda: results.append(self._play(sessions, match_id)),
            name=f"verdict-match-{match_id}",
            daemon=True,
        )
        player.start()
        while True:
            player.join(timeout=max(lease_seconds / 3, 0.01))
            if not player.is_alive():
                return results[0]
            with sessions() as session:
                if not renew_match_lease(session, match_id, owner, lease_seconds):
                    return "its lease was lost"

    def _play(self, sessions: sessionmaker[Session], match_id: int) -> MatchOutcome | str:
        try:
            with sessions() as session:
                job = load_job(session, match_id, self.package_cache)
            outcome = self.runner.play(job.game, job.players, job.seed)
            if len(outcome.seats) != len(job.players):
                return f"the runner gave {len(outcome.seats)} results for {len(job.players)} seats"
            return outcome
        except MatchFailed as error:
            log.warning("match %s could not be played: %s", match_id, error)
            return str(error)
        except Exception as error:  # a bug: recorded on the match, not lost with the thread
            log.exception("playing match %s failed", match_id)
            return repr(error)[:2000]

    def sweep(self, session: Session, is_dead: Callable[[str], bool]) -> list[int]:
        return sweep_expired_matches(session, is_dead=is_dead)

    def waiting(self, session: Session) -> int:
        return waiting_matches(session)
