"""What the competition pages show, read through the competitions' services
(``verdict.competitions.service``): the competitions a user may see, and one competition with its
participants, rounds (matches by turns, standings, eliminations) and final ranking.

Owner-only facts (emails, the annotation, CPU times, match errors) are read here for every viewer
but the templates show them only when :attr:`CompetitionPage.full` is set, which is
``service.owned``: the owner or an administrator, as in ``/services/competitions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.competitions import rounds, service, tournament
from verdict.competitions.models import Competition, Round, RoundStatus
from verdict.courses.models import Course, CourseMember
from verdict.errors import InvalidInput

WHEN_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


@dataclass(frozen=True)
class Listed:
    owner: str
    competition: Competition

    @property
    def url(self) -> str:
        return competition_url(self.owner, self.competition.name)


def competition_url(owner: str, name: str) -> str:
    return f"/competitions/{owner}/{name}"


def visible(session: Session, user: User | None) -> list[Listed]:
    """The competitions a user is shown in the list: everyone sees those of no course, members
    those of their courses, owners their own, administrators all (any competition's page opens
    for anyone with its address, as its documents do in the Jutge face)."""
    query = sa.select(Competition, User.username).join(User, User.id == Competition.owner_id)
    if user is None:
        query = query.where(Competition.course_id.is_(None))
    elif not user.is_admin:
        member_of = sa.select(CourseMember.course_id).where(CourseMember.user_id == user.id)
        query = query.where(
            sa.or_(
                Competition.course_id.is_(None),
                Competition.course_id.in_(member_of),
                Competition.owner_id == user.id,
            )
        )
    rows = session.execute(query.order_by(Competition.created_at.desc(), Competition.id.desc()).limit(500))
    return [Listed(owner, competition) for competition, owner in rows]


@dataclass
class RoundPage:
    played: Round
    turns: list[tuple[int, list[service.MatchView]]]
    standing: list[tournament.Standing]
    eliminated: list[str]

    @property
    def playing(self) -> bool:
        return self.played.status == RoundStatus.PLAYING


@dataclass
class CompetitionPage:
    competition: Competition
    owner: str
    full: bool  # the owner's (or an administrator's) view
    mine: bool  # the user's own: only they edit it
    document: dict[str, Any]  # service.spec_of: status, winner, ranking...
    entrants: list[service.Entrant]
    rounds: list[RoundPage]
    course: Course | None

    @property
    def url(self) -> str:
        return competition_url(self.owner, self.competition.name)

    @property
    def ident(self) -> str:
        return f"{self.owner}:{self.competition.name}"

    @property
    def services(self) -> str:
        """The Jutge face's address of this competition (its matches' output and viewer)."""
        return f"/services/competitions/{self.ident}"

    @property
    def playing(self) -> bool:
        """A round is being played: the page polls its rounds."""
        return bool(self.rounds) and self.rounds[-1].playing

    @property
    def editable(self) -> bool:
        """Only the owner edits (``put_competition`` writes the caller's own competition), not an
        administrator, who may still run its actions."""
        return self.mine


def competition_page(session: Session, owner: str, name: str, user: User | None) -> CompetitionPage:
    competition = service.find(session, owner, name)
    full = service.owned(user, competition)
    course = session.get(Course, competition.course_id) if competition.course_id else None
    played = session.scalars(
        sa.select(Round).where(Round.competition_id == competition.id).order_by(Round.number)
    ).all()
    return CompetitionPage(
        competition=competition,
        owner=owner,
        full=full,
        mine=user is not None and user.id == competition.owner_id,
        document=service.spec_of(session, competition, full=full),
        entrants=service.participants(session, competition),
        rounds=[round_page(session, competition, item) for item in played],
        course=course,
    )


def round_page(session: Session, competition: Competition, played: Round) -> RoundPage:
    turns: dict[int, list[service.MatchView]] = {}
    for view in service.round_matches(session, played):
        turns.setdefault(view.turn, []).append(view)
    return RoundPage(
        played,
        sorted(turns.items()),
        rounds.standings(session, played),
        service.eliminated_in(session, competition, played),
    )


def owned_courses(session: Session, user: User) -> list[str]:
    """The names of the user's courses, which a competition may belong to."""
    return list(
        session.scalars(sa.select(Course.name).where(Course.owner_id == user.id).order_by(Course.name))
    )


def exists(session: Session, user: User, name: str) -> bool:
    found = session.scalar(
        sa.select(Competition.id).where(Competition.owner_id == user.id, Competition.name == name)
    )
    return found is not None


def read_when(text: str) -> datetime | None:
    """The form's expected start (``datetime-local``: ``YYYY-MM-DDTHH:MM``, taken as UTC)."""
    text = text.strip()
    if not text:
        return None
    for form in WHEN_FORMATS:
        try:
            return datetime.strptime(text, form).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise InvalidInput(
        f"expected_start: {text[:40]!r} is not a date and time (YYYY-MM-DD HH:MM)", field="expected_start"
    )


def form_of(page: CompetitionPage) -> dict[str, str]:
    """The edit form's fields, filled from the competition."""
    competition = page.competition
    problem = competition.problem_id or ""
    if problem and competition.problem_language:
        problem = f"{problem}_{competition.problem_language}"
    when = competition.expected_start
    return {
        "name": competition.name,
        "title": competition.title,
        "description": competition.description,
        "annotation": competition.annotation,
        "course": page.course.name if page.course else "",
        "problem": problem,
        "expected_start": when.strftime("%Y-%m-%dT%H:%M") if when else "",
    }


def blank_form() -> dict[str, str]:
    fields = ("name", "title", "description", "annotation", "course", "problem", "expected_start")
    return dict.fromkeys(fields, "")
