"""``/services/competitions``: game competitions (issue 16). See ``verdict.competitions``.

A competition document (what PUT takes; GET gives it back plus status fields)::

    name: demo
    title: A Demo Competition
    description: This is an awesome competition
    annotation: My private annotation      # the owner's only
    course: demo                           # a course of the owner's (optional)
    problem: G00001_en                     # a game problem, or one of its language variants
    expected_start: 2014-06-22 12:00

Reading a competition, its participants, its matches and a match's output or viewer needs no
login; emails, the annotation, CPU times and errors are shown to the owner only. The actions
(``PUT .../actions/start|next|undo|finish``) answer 409 with a message in the wrong state.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, RedirectResponse, Response

from verdict.accounts.models import User
from verdict.competitions import rounds, service
from verdict.competitions.models import Competition, MatchStatus, Round
from verdict.courses.names import parse_ident
from verdict.errors import InvalidInput, NotFound
from verdict.faces.jutge.common import Document, InputDocument, ServicesUser, start_writing
from verdict.faces.jutge.courses import PUT_BODY
from verdict.faces.jutge.errors import render
from verdict.web.deps import DbSession, Now, PlatformDep, current_user_optional

router = APIRouter(tags=["jutge: competitions"])
BASE = "/competitions"
VIEWER_HEADERS = {"Content-Security-Policy": "sandbox allow-scripts", "X-Content-Type-Options": "nosniff"}
WHEN_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def read_when(value: Any) -> datetime | None:
    """``expected_start``: ``YYYY-MM-DD HH:MM`` (UTC), as Jutge writes it; null for none."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        for form in WHEN_FORMATS:
            try:
                return datetime.strptime(value.strip(), form).replace(tzinfo=UTC)
            except ValueError:
                continue
    raise InvalidInput(
        f"expected_start: {value!r} is not a date and time (YYYY-MM-DD HH:MM)", field="expected_start"
    )


def read_competition(doc: Any) -> service.CompetitionSpec:
    document = Document(doc)
    return service.CompetitionSpec(
        name=document.text("name", required=True),
        title=document.text("title"),
        description=document.text("description"),
        annotation=document.text("annotation"),
        course=document.text("course"),
        problem=document.text("problem"),
        expected_start=read_when(document.raw("expected_start")),
    )


def _user(request: Request, session: DbSession, platform: PlatformDep) -> User | None:
    return current_user_optional(request, session, platform)


def _find(session: DbSession, ident: str, user: User | None) -> Competition:
    return service.find(session, *parse_ident(ident, user))


def _cache(platform: PlatformDep) -> Any:
    return platform.settings.data_dir / "packages"


@router.get(BASE, summary="The competitions the user created (owner:name -> title)")
def list_competitions(request: Request, user: ServicesUser, session: DbSession) -> Response:
    return render(request, service.owned_titles(session, user))


@router.put(BASE, summary="Create or replace a competition", openapi_extra=PUT_BODY)
def put_competition(
    request: Request, user: ServicesUser, doc: InputDocument, session: DbSession, platform: PlatformDep
) -> Response:
    spec = read_competition(doc)
    start_writing(session)
    competition, created = service.put_competition(session, user, spec, _cache(platform))
    answer = service.spec_of(session, competition, full=True)
    session.commit()
    return render(request, answer, 201 if created else 200)


@router.get(BASE + "/{ident}", summary="A competition: its document and status (no login needed)")
def get_competition(request: Request, ident: str, session: DbSession, platform: PlatformDep) -> Response:
    user = _user(request, session, platform)
    competition = _find(session, ident, user)
    return render(request, service.spec_of(session, competition, full=service.owned(user, competition)))


@router.delete(BASE + "/{ident}", summary="Delete a competition without rounds played")
def delete_competition(request: Request, ident: str, user: ServicesUser, session: DbSession) -> Response:
    start_writing(session)
    service.delete(session, user, _find(session, ident, user))
    session.commit()
    return render(request, {"deleted": ident})


@router.get(BASE + "/{ident}/participants", summary="Who plays, with their latest accepted player")
def get_participants(request: Request, ident: str, session: DbSession, platform: PlatformDep) -> Response:
    user = _user(request, session, platform)
    competition = _find(session, ident, user)
    full = service.owned(user, competition)
    rows = []
    for entrant in service.participants(session, competition):
        row: dict[str, Any] = {
            "name": entrant.user.full_name or entrant.user.username,
            "player": entrant.player,
            "submission": entrant.submission.id,
        }
        if full:
            row["email"] = entrant.user.email
        rows.append(row)
    return render(request, rows)


def _match_urls(request: Request, ident: str, played: Round, number: int) -> dict[str, str]:
    base = str(request.base_url).rstrip("/") + f"/services{BASE}/{ident}/matches/{played.number}/{number}"
    return {"viewer": f"{base}/viewer", "output": f"{base}/output"}


@router.get(BASE + "/{ident}/matches/{round_number}", summary="A round's matches, by turns")
def get_matches(
    request: Request, ident: str, round_number: int, session: DbSession, platform: PlatformDep
) -> Response:
    user = _user(request, session, platform)
    competition = _find(session, ident, user)
    full = service.owned(user, competition)
    played = service.get_round(session, competition, round_number)
    turns: dict[int, list[dict[str, Any]]] = {}
    for view in service.round_matches(session, played):
        item: dict[str, Any] = {
            "match": view.number,
            "status": view.match.status.value,
            "seed": view.match.seed,
            "players": [seat.player for seat in view.seats],
        }
        if view.match.status == MatchStatus.DONE:
            item["scores"] = [seat.score for seat in view.seats]
            item["points"] = [seat.points for seat in view.seats]
            item["dead"] = {seat.player: seat.reason for seat in view.seats if seat.dead}
            item.update(_match_urls(request, ident, played, view.number))
            if full:
                item["cpu"] = [seat.cpu_seconds for seat in view.seats]
        if full and view.match.error_reason:
            item["error"] = view.match.error_reason
        turns.setdefault(view.turn, []).append(item)
    standing = [
        {"player": row.name, "points": row.points, "score": row.score}
        for row in rounds.standings(session, played)
    ]
    document = {
        "round": played.number,
        "status": played.status.value,
        "seed": played.seed,
        "turns": [{"turn": turn, "matches": items} for turn, items in sorted(turns.items())],
        "standing": standing,
        "eliminated": service.eliminated_in(session, competition, played),
    }
    return render(request, document)


def _view(session: DbSession, ident: str, round_number: int, match: int, user: User | None) -> Any:
    competition = _find(session, ident, user)
    played = service.get_round(session, competition, round_number)
    return played, service.get_match(session, played, match)


@router.get(BASE + "/{ident}/matches/{round_number}/{match}/output", summary="A played match's output")
def get_output(
    request: Request, ident: str, round_number: int, match: int, session: DbSession, platform: PlatformDep
) -> Response:
    _, view = _view(session, ident, round_number, match, _user(request, session, platform))
    # Public, and read by the viewer from its sandboxed (opaque) origin: CORS for everyone.
    headers = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
    return Response(
        service.match_output(session, view), media_type="text/plain; charset=utf-8", headers=headers
    )


@router.get(BASE + "/{ident}/matches/{round_number}/{match}/viewer", summary="The game's viewer on a match")
def get_viewer(
    request: Request, ident: str, round_number: int, match: int, session: DbSession, platform: PlatformDep
) -> Response:
    view = _view(session, ident, round_number, match, _user(request, session, platform))[1]
    service.match_output(session, view)  # 404 for a match not played yet
    base = f"/services{BASE}/{ident}/matches/{round_number}/{match}"
    return RedirectResponse(f"{base}/viewer/viewer.html?game={base}/output", status_code=307)


@router.get(
    BASE + "/{ident}/matches/{round_number}/{match}/viewer/{asset}", summary="The game viewer's files"
)
def get_viewer_asset(
    request: Request,
    ident: str,
    round_number: int,
    match: int,
    asset: str,
    session: DbSession,
    platform: PlatformDep,
) -> Response:
    played, _ = _view(session, ident, round_number, match, _user(request, session, platform))
    folder = service.viewer_folder(session, played, _cache(platform))
    found = {path.name: path for path in folder.iterdir() if path.is_file()}
    if asset not in found:
        raise NotFound(f"the viewer has no file {asset!r}")
    # The viewer is the game author's HTML and script: served in a sandbox (an opaque origin),
    # it cannot read the platform's cookies or call the services as the visitor.
    return FileResponse(found[asset], headers=VIEWER_HEADERS)


@router.put(BASE + "/{ident}/actions/{action}", summary="start, next, undo or finish")
def put_action(
    request: Request,
    ident: str,
    action: str,
    user: ServicesUser,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
) -> Response:
    start_writing(session)
    competition = _find(session, ident, user)
    wake = 0
    answer: dict[str, Any] = {"action": action}
    if action == "start":
        service.start(session, user, competition, now)
    elif action == "next":
        played, wake = service.next_round(session, user, competition)
        answer.update(round=played.number, matches=wake)
    elif action == "undo":
        answer["round"] = service.undo(session, user, competition)
    elif action == "finish":
        service.finish(session, user, competition, now)
    else:
        raise NotFound(f"no action {action!r}: use start, next, undo or finish")
    answer["status"] = competition.status.value
    session.commit()
    if wake:
        platform.queue.wake(wake)  # after the commit: graders must see the matches
    return render(request, answer)
