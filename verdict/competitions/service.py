"""Competitions: create or replace, read (owner-only fields hidden from others), delete, the
participants, the rounds' matches, and the actions start, next, undo and finish.

Each action is refused in the wrong state with Conflict (409) and a message saying why. The
participants are, until the start, every user with an accepted player (a submission to the game
problem) — each with their latest one; the start freezes them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.competitions import rounds, tournament
from verdict.competitions.matches import DUMMY
from verdict.competitions.models import (
    Competition,
    CompetitionStatus,
    Match,
    MatchStatus,
    Participant,
    Round,
    RoundStatus,
    Seat,
)
from verdict.courses.access import check_can_create
from verdict.courses.models import Course, CourseMember
from verdict.courses.names import check_name, find_owned
from verdict.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from verdict.judge.games.build import player_name
from verdict.judge.verdicts import Verdict
from verdict.problems.models import Problem, ProblemVersion
from verdict.problems.store import (
    ProblemNotFound,
    fetch_package,
    get_blob_data,
    get_problem,
    parse_problem_ref,
)
from verdict.submissions.models import Submission, SubmissionStatus

GAME_TYPE = "game"


@dataclass
class CompetitionSpec:
    name: str
    title: str = ""
    description: str = ""
    annotation: str = ""
    course: str = ""  # a course name of the owner's
    problem: str = ""  # a game problem id, or a language variant (G00001_en)
    expected_start: datetime | None = None


# --------------------------------------------------------------------------- lookups


def find(session: Session, owner: str, name: str) -> Competition:
    found = session.scalar(
        sa.select(Competition)
        .join(User, User.id == Competition.owner_id)
        .where(User.username == owner, Competition.name == name)
    )
    if found is None:
        raise NotFound(f"no competition {owner}:{name}")
    return found


def owned(user: User | None, competition: Competition) -> bool:
    return user is not None and (user.is_admin or competition.owner_id == user.id)


def check_owner(user: User, competition: Competition) -> None:
    if not owned(user, competition):
        raise PermissionDenied("only the competition's owner may do this")


def owned_titles(session: Session, user: User) -> dict[str, str]:
    rows = session.execute(
        sa.select(Competition.name, Competition.title)
        .where(Competition.owner_id == user.id)
        .order_by(Competition.name)
    )
    return {f"{user.username}:{name}": title for name, title in rows}


# --------------------------------------------------------------------------- the game


def is_game_version(session: Session, version: ProblemVersion, cache: Path) -> bool:
    """A game problem: its version's meta says ``type: game`` (what the game import records);
    for a version imported before that, the package's handler.yml says ``handler: game``."""
    if version.meta.get("type") == GAME_TYPE:
        return True
    handler = fetch_package(session, version.blob_hash, cache) / "handler.yml"
    if not handler.is_file():
        return False
    try:
        data = yaml.safe_load(handler.read_text(errors="replace"))
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and data.get("handler") == GAME_TYPE


def _game_problem(session: Session, ref: str, cache: Path) -> tuple[Problem, str | None]:
    problem_id, language = parse_problem_ref(ref)
    try:
        problem = get_problem(session, ref)
    except ProblemNotFound:
        raise InvalidInput(f"problem: no problem {ref}", field="problem") from None
    version = problem.current_version
    if version is None or not is_game_version(session, version, cache):
        raise InvalidInput(f"problem: {problem_id} is not a game problem (handler: game)", field="problem")
    if language and problem.languages and language not in problem.languages:
        raise InvalidInput(f"problem: {problem_id} has no statement in {language!r}", field="problem")
    return problem, language


# --------------------------------------------------------------------------- create, read, delete


def put_competition(
    session: Session, user: User, spec: CompetitionSpec, cache: Path
) -> tuple[Competition, bool]:
    """Creates ``user``'s competition ``spec.name`` or replaces its fields; (competition, created).
    Once started, its game cannot change."""
    check_can_create(user, "competitions")
    check_name(spec.name)
    course = _own_course(session, user, spec.course) if spec.course else None
    problem, language = _game_problem(session, spec.problem, cache) if spec.problem else (None, None)
    competition = session.scalar(
        sa.select(Competition).where(Competition.owner_id == user.id, Competition.name == spec.name)
    )
    created = competition is None
    if competition is None:
        competition = Competition(owner_id=user.id, name=spec.name)
        session.add(competition)
    elif competition.status != CompetitionStatus.OPEN and competition.problem_id != (problem and problem.id):
        raise Conflict(f"competition {spec.name} has started: its problem cannot change")
    competition.title = spec.title
    competition.description = spec.description
    competition.annotation = spec.annotation
    competition.course_id = course.id if course else None
    competition.problem_id = problem.id if problem else None
    competition.problem_language = language
    competition.expected_start = spec.expected_start
    session.flush()
    return competition, created


def _own_course(session: Session, user: User, name: str) -> Course:
    try:
        return find_owned(session, Course, user.username, name)
    except NotFound:
        raise InvalidInput(f"course: you have no course {name!r}", field="course") from None


def delete(session: Session, user: User, competition: Competition) -> None:
    check_owner(user, competition)
    played = session.scalar(sa.select(sa.func.count()).where(Round.competition_id == competition.id))
    if played:
        raise Conflict(
            f"competition {competition.name} has {played} round(s) played: undo them before deleting it"
        )
    session.execute(sa.delete(Participant).where(Participant.competition_id == competition.id))
    session.delete(competition)
    session.flush()


def spec_of(session: Session, competition: Competition, *, full: bool) -> dict[str, object]:
    """The document PUT takes, plus the status fields; the annotation only when ``full``."""
    course = session.get(Course, competition.course_id) if competition.course_id else None
    problem = competition.problem_id or ""
    if problem and competition.problem_language:
        problem = f"{problem}_{competition.problem_language}"
    played = session.scalars(
        sa.select(Round).where(Round.competition_id == competition.id).order_by(Round.number)
    ).all()
    document: dict[str, object] = {
        "name": competition.name,
        "title": competition.title,
        "description": competition.description,
        "course": course.name if course else "",
        "problem": problem,
        "expected_start": _when(competition.expected_start),
        "status": competition.status.value,
        "started_at": _when(competition.started_at),
        "finished_at": _when(competition.finished_at),
        "participants": len(participants(session, competition)),
        "rounds": len(played),
        "round_status": played[-1].status.value if played else None,
        "remaining": [p.player_name for p in rounds.remaining(session, competition.id)] if played else [],
        "final_played": bool(played) and _final_played(session, competition),
        "winner": _winner(session, competition),
        "ranking": [
            {"rank": rank, "player": row.name}
            for rank, row in enumerate(rounds.final_ranking(session, competition.id), 1)
        ],
    }
    if full:
        document["annotation"] = competition.annotation
    return document


def _when(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M") if value else None


# --------------------------------------------------------------------------- participants


@dataclass
class Entrant:
    user: User
    submission: Submission
    player: str


def participants(session: Session, competition: Competition) -> list[Entrant]:
    """Who plays: frozen at the start; before it, every user (of the course, when it has one)
    with an accepted player, with their latest accepted player."""
    if competition.status != CompetitionStatus.OPEN:
        rows = session.execute(
            sa.select(Participant, User, Submission)
            .join(User, User.id == Participant.user_id)
            .join(Submission, Submission.id == Participant.submission_id)
            .where(Participant.competition_id == competition.id)
            .order_by(Participant.id)
        )
        return [Entrant(user, submission, p.player_name) for p, user, submission in rows]
    if competition.problem_id is None:
        return []
    query = (
        sa.select(Submission, User)
        .join(User, User.id == Submission.user_id)
        .where(
            Submission.problem_id == competition.problem_id,
            Submission.status == SubmissionStatus.DONE,
            Submission.verdict == Verdict.AC,
        )
        .order_by(Submission.id.desc())
    )
    if competition.course_id is not None:
        query = query.where(
            Submission.user_id.in_(
                sa.select(CourseMember.user_id).where(CourseMember.course_id == competition.course_id)
            )
        )
    latest: dict[int, Entrant] = {}
    for submission, user in session.execute(query):
        name, _ = player_name(submission.source or "")  # the judge's rule: an accepted player has one
        if user.id not in latest and name:
            latest[user.id] = Entrant(user, submission, name)
    return sorted(latest.values(), key=lambda entrant: entrant.submission.id)


def _check_names(entrants: list[Entrant]) -> None:
    taken: dict[str, str] = {}
    for entrant in entrants:
        if entrant.player == DUMMY:  # the game's own player, which pads matches
            raise Conflict(
                f"the player of {entrant.user.username} is named {DUMMY!r}: that is the game's own player"
            )
        if entrant.player in taken:
            raise Conflict(
                f"players of {taken[entrant.player]} and {entrant.user.username} are both named "
                f"{entrant.player!r}: names must be unique in a competition"
            )
        taken[entrant.player] = entrant.user.username


# --------------------------------------------------------------------------- actions


def _last_round(session: Session, competition: Competition) -> Round | None:
    return session.scalar(
        sa.select(Round).where(Round.competition_id == competition.id).order_by(Round.number.desc()).limit(1)
    )


def _final_played(session: Session, competition: Competition) -> bool:
    last = _last_round(session, competition)
    if last is None:
        return False
    players = session.scalar(
        sa.select(sa.func.count(sa.distinct(Seat.participant_id)))
        .join(Match, Match.id == Seat.match_id)
        .where(Match.round_id == last.id, Seat.participant_id.is_not(None))
    )
    return tournament.is_final(players or 0)


def _winner(session: Session, competition: Competition) -> str | None:
    last = _last_round(session, competition)
    if last is None or last.status != RoundStatus.DONE or not _final_played(session, competition):
        return None
    ranking = rounds.standings(session, last)
    return ranking[0].name if ranking else None


def start(session: Session, user: User, competition: Competition, now: datetime) -> None:
    check_owner(user, competition)
    if competition.status != CompetitionStatus.OPEN:
        raise Conflict(f"competition {competition.name} has started already")
    if competition.problem_id is None:
        raise Conflict(f"competition {competition.name} has no problem: set its game problem first")
    entrants = participants(session, competition)
    _check_names(entrants)
    for entrant in entrants:
        session.add(
            Participant(
                competition_id=competition.id,
                user_id=entrant.user.id,
                submission_id=entrant.submission.id,
                player_name=entrant.player,
            )
        )
    competition.status = CompetitionStatus.STARTED
    competition.started_at = now
    competition.seed = secrets.randbelow(tournament.SEED_LIMIT - 1) + 1
    session.flush()


def _check_playing(competition: Competition, action: str) -> None:
    if competition.status == CompetitionStatus.OPEN:
        raise Conflict(f"competition {competition.name} has not started: start it before {action}")
    if competition.status == CompetitionStatus.FINISHED:
        raise Conflict(f"competition {competition.name} is finished: no more rounds")


def next_round(session: Session, user: User, competition: Competition) -> tuple[Round, int]:
    """Adds the next round, its matches waiting; (round, matches): the caller commits, then
    wakes that many graders."""
    check_owner(user, competition)
    _check_playing(competition, "playing a round")
    last = _last_round(session, competition)
    if last is not None and last.status != RoundStatus.DONE:
        raise Conflict(f"round {last.number} is still being played: wait until its matches are done")
    if last is not None and _final_played(session, competition):
        raise Conflict(f"the final (round {last.number}) has been played: finish the competition")
    if not rounds.remaining(session, competition.id):
        raise Conflict(f"competition {competition.name} has no participants: no round to play")
    problem = session.get(Problem, competition.problem_id) if competition.problem_id else None
    assert competition.seed is not None
    return rounds.create_round(
        session,
        competition.id,
        (last.number if last else 0) + 1,
        competition.seed,
        problem.current_version_id if problem else None,
    )


def undo(session: Session, user: User, competition: Competition) -> int:
    """Deletes the last round and its results for good; its number."""
    check_owner(user, competition)
    _check_playing(competition, "undoing a round")
    last = _last_round(session, competition)
    if last is None:
        raise Conflict(f"competition {competition.name} has no round to undo")
    rounds.undo(session, last)
    return last.number


def finish(session: Session, user: User, competition: Competition, now: datetime) -> None:
    check_owner(user, competition)
    _check_playing(competition, "finishing it")
    last = _last_round(session, competition)
    if last is not None and last.status != RoundStatus.DONE:
        raise Conflict(f"round {last.number} is still being played: wait for it, or undo it, first")
    competition.status = CompetitionStatus.FINISHED
    competition.finished_at = now
    session.flush()


# --------------------------------------------------------------------------- matches


MAX_ROUND = 1000  # far beyond any tournament (64 players end in 5 rounds); keeps ids in range


def get_round(session: Session, competition: Competition, number: int) -> Round:
    if not 1 <= number <= MAX_ROUND:
        raise NotFound(f"competition {competition.name} has no round {number}")
    found = session.scalar(
        sa.select(Round).where(Round.competition_id == competition.id, Round.number == number)
    )
    if found is None:
        raise NotFound(f"competition {competition.name} has no round {number}")
    return found


@dataclass
class SeatView:
    player: str
    score: int | None
    points: int | None
    dead: bool
    reason: str
    cpu_seconds: float | None


@dataclass
class MatchView:
    number: int  # 1-based within the round, by (turn, position)
    turn: int
    match: Match
    seats: list[SeatView]


def round_matches(session: Session, played: Round) -> list[MatchView]:
    names = {
        row.id: row.player_name
        for row in session.execute(
            sa.select(Participant.id, Participant.player_name).where(
                Participant.competition_id == played.competition_id
            )
        )
    }
    matches = session.scalars(
        sa.select(Match).where(Match.round_id == played.id).order_by(Match.turn, Match.position)
    ).all()
    views = []
    for number, match in enumerate(matches, 1):
        seats = session.scalars(sa.select(Seat).where(Seat.match_id == match.id).order_by(Seat.seat)).all()
        views.append(
            MatchView(
                number,
                match.turn,
                match,
                [
                    SeatView(
                        names.get(seat.participant_id, DUMMY) if seat.participant_id else DUMMY,
                        seat.score,
                        seat.points,
                        seat.dead,
                        seat.dead_reason,
                        seat.cpu_seconds,
                    )
                    for seat in seats
                ],
            )
        )
    return views


def get_match(session: Session, played: Round, number: int) -> MatchView:
    for view in round_matches(session, played):
        if view.number == number:
            return view
    raise NotFound(f"round {played.number} has no match {number}")


def match_output(session: Session, view: MatchView) -> bytes:
    if view.match.status != MatchStatus.DONE or view.match.output_hash is None:
        raise NotFound(f"match {view.number} has not been played yet")
    return get_blob_data(session, view.match.output_hash)


def viewer_folder(session: Session, played: Round, cache: Path) -> Path:
    """The game's Viewer/ folder, from the package of the version the round was played with."""
    version = session.get(ProblemVersion, played.problem_version_id) if played.problem_version_id else None
    if version is None:
        raise NotFound("the game of this round is gone")
    folder = fetch_package(session, version.blob_hash, cache) / "Viewer"
    if not folder.is_dir():
        raise NotFound("the game has no viewer (no Viewer/ folder in its package)")
    return folder


def eliminated_in(session: Session, competition: Competition, played: Round) -> list[str]:
    """The players eliminated after round ``played``, by name."""
    return list(
        session.scalars(
            sa.select(Participant.player_name)
            .where(
                Participant.competition_id == competition.id, Participant.eliminated_round == played.number
            )
            .order_by(Participant.player_name)
        )
    )
