"""Rounds: drawn from their seed (``tournament``), closed when their last match is stored
(standings, eliminations), undone by deleting them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.competitions import tournament
from verdict.competitions.models import Match, MatchStatus, Participant, Round, RoundStatus, Seat
from verdict.db import utcnow

OPEN_MATCHES = (MatchStatus.WAITING, MatchStatus.PLAYING)


def remaining(session: Session, competition_id: int) -> list[Participant]:
    """The participants not eliminated, by id."""
    return list(
        session.scalars(
            sa.select(Participant)
            .where(Participant.competition_id == competition_id, Participant.eliminated_round.is_(None))
            .order_by(Participant.id)
        )
    )


def create_round(
    session: Session, competition_id: int, number: int, competition_seed: int, version_id: int | None
) -> tuple[Round, int]:
    """Adds round ``number`` of the remaining players with its matches waiting; returns the round
    and how many matches were made (the caller commits, then wakes that many graders)."""
    seed = tournament.round_seed(competition_seed, number)
    played = Round(competition_id=competition_id, number=number, seed=seed, problem_version_id=version_id)
    session.add(played)
    session.flush()
    drawn = tournament.draw([p.id for p in remaining(session, competition_id)], seed)
    for item in drawn:
        match = Match(round_id=played.id, turn=item.turn, position=item.position, seed=item.seed)
        session.add(match)
        session.flush()
        for number_in_match, participant_id in enumerate(item.seats):
            session.add(Seat(match_id=match.id, seat=number_in_match, participant_id=participant_id))
    session.flush()
    return played, len(drawn)


def standings(session: Session, played: Round) -> list[tournament.Standing]:
    """The round's standing of its players, best first (match points, score, name)."""
    rows: dict[int, tournament.Standing] = {}
    query = (
        sa.select(Seat, Participant.player_name)
        .join(Match, Match.id == Seat.match_id)
        .join(Participant, Participant.id == Seat.participant_id)
        .where(Match.round_id == played.id)
    )
    for seat, name in session.execute(query):
        assert seat.participant_id is not None
        row = rows.setdefault(seat.participant_id, tournament.Standing(seat.participant_id, name))
        row.points += seat.points or 0
        row.score += seat.score or 0
        row.matches += 1
    return tournament.standings(list(rows.values()))


def close_if_played(session: Session, round_id: int) -> bool:
    """Closes the round when none of its matches is waiting or playing: records who is
    eliminated. In the caller's write transaction; the round row is locked first so that of two
    graders storing its last two matches at once, the second one closes it."""
    played = session.get(Round, round_id, with_for_update=True, populate_existing=True)
    if played is None or played.status == RoundStatus.DONE:
        return False
    open_count = session.scalar(
        sa.select(sa.func.count()).where(Match.round_id == round_id, Match.status.in_(OPEN_MATCHES))
    )
    if open_count:
        return False
    ranked = standings(session, played)
    out = tournament.eliminated_count(len(ranked))
    for row in ranked[len(ranked) - out :] if out else []:
        participant = session.get(Participant, row.participant_id)
        assert participant is not None
        participant.eliminated_round = played.number
    played.status = RoundStatus.DONE
    played.finished_at = utcnow()
    return True


def undo(session: Session, played: Round) -> None:
    """Deletes the round, its matches and results, and gives its eliminated players back."""
    session.execute(
        sa.update(Participant)
        .where(
            Participant.competition_id == played.competition_id, Participant.eliminated_round == played.number
        )
        .values(eliminated_round=None)
        .execution_options(synchronize_session=False)
    )
    match_ids = sa.select(Match.id).where(Match.round_id == played.id).scalar_subquery()
    session.execute(sa.delete(Seat).where(Seat.match_id.in_(match_ids)))
    session.execute(sa.delete(Match).where(Match.round_id == played.id))
    session.delete(played)
    session.flush()


def final_ranking(session: Session, competition_id: int) -> list[tournament.Standing]:
    """Everyone who played, best first: the last round's standing, then the players eliminated
    before it, by the standing of the round that eliminated them (later rounds first)."""
    played = session.scalars(
        sa.select(Round)
        .where(Round.competition_id == competition_id, Round.status == RoundStatus.DONE)
        .order_by(Round.number.desc())
    ).all()
    ranking: list[tournament.Standing] = []
    seen: set[int] = set()
    for item in played:
        for row in standings(session, item):
            if row.participant_id not in seen:
                seen.add(row.participant_id)
                ranking.append(row)
    return ranking
