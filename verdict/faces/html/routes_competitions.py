"""The competition pages (Jutge game competitions, ``verdict.competitions``), over the same
services as ``/services/competitions``.

* ``/competitions``: the competitions the user is shown (:func:`.competitions.visible`), and for
  instructors a link to create one.
* ``/competitions/new`` and ``/competitions/<owner>/<name>/edit``: the competition's form (name,
  title, description, annotation, course, problem, expected start), saved by
  ``service.put_competition``, the use case of ``PUT /services/competitions``. Only the owner edits
  (the use case writes the caller's own competition); the name is fixed once created.
* ``/competitions/<owner>/<name>``: the competition, its participants, every round's matches by
  turns (scores, dead players with the reason, a link to watch the match in the game's viewer and
  one to its raw output, both the Jutge face's), the standing per round, the eliminations, the
  winner and the final ranking. While a round is being played, htmx fetches
  ``.../rounds`` again every few seconds (``hx-trigger="every 3s"``) until it is done.
* ``POST /competitions/<owner>/<name>/actions/<start|next|undo|finish>``: the owner's actions. A
  refused one shows the service's message on the page with its status (409). Undo deletes a
  round's results for good: it asks first (``GET .../undo``), and the POST needs ``confirm=yes``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form
from sqlalchemy.orm import Session
from starlette.responses import Response

from verdict.accounts.models import User
from verdict.competitions import service
from verdict.competitions.models import Competition
from verdict.db import begin_write
from verdict.errors import Conflict, NotFound, PermissionDenied, ServiceError
from verdict.faces.html.competitions import (
    CompetitionPage,
    blank_form,
    competition_page,
    exists,
    form_of,
    owned_courses,
    read_when,
    visible,
)
from verdict.faces.html.pages import FormPage, Page, PageContext, signed_in
from verdict.platform import Platform
from verdict.settings import Settings
from verdict.web.deps import DbSession, Now, PlatformDep, body_limits

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form()]
BASE = "/competitions"
ONE = BASE + "/{owner}/{name}"
ACTIONS = ("start", "next", "undo", "finish")
DONE = ("created", "saved", *ACTIONS)
FORM_BYTES = 256 * 1024  # a description and an annotation of some length


def install(app: FastAPI) -> None:
    """Caps the forms' bodies (the router itself is included by the face's ``install``)."""
    limits = body_limits(app)
    for path in (BASE + "/new", ONE + "/edit", ONE + "/actions/{action}"):
        limits.cap("POST", path, _form_cap)


def _form_cap(_settings: Settings) -> int:
    return FORM_BYTES


def _writing(session: Session) -> None:
    """Start the write transaction (after the reads of authentication), as the services' faces do."""
    if session.in_transaction():
        session.commit()
    begin_write(session)


def _cache(platform: Platform) -> Path:
    return platform.settings.data_dir / "packages"


def _load(page: PageContext, session: Session, owner: str, name: str) -> CompetitionPage:
    try:
        return competition_page(session, owner, name, page.user)
    except NotFound:
        raise NotFound(page._("Competition not found.")) from None


def _creator(page: PageContext) -> User:
    user = signed_in(page)
    if not user.is_instructor:
        raise PermissionDenied(page._("Only instructors and administrators may create competitions."))
    return user


# --------------------------------------------------------------------------- reading


@router.get(BASE)
def list_page(page: Page, session: DbSession) -> Response:
    return page.render("competitions/list.html", listed=visible(session, page.user))


@router.get(ONE)
def competition(page: Page, session: DbSession, owner: str, name: str, done: str = "") -> Response:
    shown = _load(page, session, owner, name)
    return page.render("competitions/competition.html", c=shown, done=done if done in DONE else "", error="")


@router.get(ONE + "/rounds")
def rounds_part(page: Page, session: DbSession, owner: str, name: str) -> Response:
    """The rounds alone: what the page's polling swaps in while a round is played."""
    return page.render("competitions/rounds.html", c=_load(page, session, owner, name))


# --------------------------------------------------------------------------- the form


@router.get(BASE + "/new")
def new_page(page: Page, session: DbSession) -> Response:
    user = _creator(page)
    return _form(page, session, user, blank_form(), None, "")


def _form(
    page: PageContext,
    session: Session,
    user: User,
    form: dict[str, str],
    shown: CompetitionPage | None,
    error: str,
    status: int = 200,
) -> Response:
    return page.render(
        "competitions/form.html",
        status=status,
        form=form,
        c=shown,
        courses=owned_courses(session, user),
        error=error,
    )


def _spec(form: dict[str, str]) -> service.CompetitionSpec:
    return service.CompetitionSpec(
        name=form["name"],
        title=form["title"],
        description=form["description"],
        annotation=form["annotation"],
        course=form["course"],
        problem=form["problem"],
        expected_start=read_when(form["expected_start"]),
    )


def _save(
    page: PageContext,
    session: Session,
    platform: Platform,
    user: User,
    form: dict[str, str],
    shown: CompetitionPage | None,
) -> Response:
    """``put_competition`` with the form; the form again, with the reason, when it is refused."""
    try:
        _writing(session)
        if shown is None and exists(session, user, form["name"]):
            message = page._("You already have a competition with this name: choose another one.")
            raise Conflict(message)
        saved, created = service.put_competition(session, user, _spec(form), _cache(platform))
    except ServiceError as error:
        session.rollback()
        reason = page._("The competition was not saved: %(reason)s") % {"reason": error.message}
        return _form(page, session, user, form, shown, reason, error.status)
    session.commit()
    done = "created" if created else "saved"
    return page.redirect(f"/competitions/{user.username}/{saved.name}?done={done}")


@router.post(BASE + "/new")
def create(
    page: FormPage,
    session: DbSession,
    platform: PlatformDep,
    name: FormText = "",
    title: FormText = "",
    description: FormText = "",
    annotation: FormText = "",
    course: FormText = "",
    problem: FormText = "",
    expected_start: FormText = "",
) -> Response:
    user = _creator(page)
    form = {
        "name": name.strip(),
        "title": title.strip(),
        "description": description,
        "annotation": annotation,
        "course": course.strip(),
        "problem": problem.strip(),
        "expected_start": expected_start.strip(),
    }
    return _save(page, session, platform, user, form, None)


def _own(page: PageContext, session: Session, owner: str, name: str) -> tuple[User, CompetitionPage]:
    user = signed_in(page)
    shown = _load(page, session, owner, name)
    if shown.competition.owner_id != user.id:
        raise PermissionDenied(page._("Only the competition's owner may edit it."))
    return user, shown


@router.get(ONE + "/edit")
def edit_page(page: Page, session: DbSession, owner: str, name: str) -> Response:
    user, shown = _own(page, session, owner, name)
    return _form(page, session, user, form_of(shown), shown, "")


@router.post(ONE + "/edit")
def edit(
    page: FormPage,
    session: DbSession,
    platform: PlatformDep,
    owner: str,
    name: str,
    title: FormText = "",
    description: FormText = "",
    annotation: FormText = "",
    course: FormText = "",
    problem: FormText = "",
    expected_start: FormText = "",
) -> Response:
    user, shown = _own(page, session, owner, name)
    form = {
        "name": shown.competition.name,
        "title": title.strip(),
        "description": description,
        "annotation": annotation,
        "course": course.strip(),
        "problem": problem.strip(),
        "expected_start": expected_start.strip(),
    }
    return _save(page, session, platform, user, form, shown)


# --------------------------------------------------------------------------- actions


@router.get(ONE + "/undo")
def undo_page(page: Page, session: DbSession, owner: str, name: str) -> Response:
    """The confirmation step of undo: which round goes, and that its results go for good."""
    user = signed_in(page)
    shown = _load(page, session, owner, name)
    service.check_owner(user, shown.competition)
    return page.render("competitions/undo.html", c=shown)


@router.post(ONE + "/actions/{action}")
def act(
    page: FormPage,
    session: DbSession,
    platform: PlatformDep,
    now: Now,
    owner: str,
    name: str,
    action: str,
    confirm: FormText = "",
) -> Response:
    user = signed_in(page)
    if action not in ACTIONS:
        raise NotFound(page._("No such action."))
    if action == "undo" and confirm != "yes":
        return page.redirect(f"/competitions/{owner}/{name}/undo")
    wake = 0
    try:
        _writing(session)
        target = service.find(session, owner, name)
        wake = _perform(session, user, target, action, now)
    except NotFound:
        session.rollback()
        raise NotFound(page._("Competition not found.")) from None
    except PermissionDenied:
        session.rollback()
        raise PermissionDenied(page._("Only the competition's owner may do this.")) from None
    except ServiceError as error:
        session.rollback()
        shown = _load(page, session, owner, name)
        reason = page._("The action was refused: %(reason)s") % {"reason": error.message}
        return page.render(
            "competitions/competition.html", status=error.status, c=shown, done="", error=reason
        )
    session.commit()
    if wake:
        platform.queue.wake(wake)  # after the commit: the graders must see the matches
    return page.redirect(f"/competitions/{owner}/{name}?done={action}")


def _perform(session: Session, user: User, target: Competition, action: str, now: datetime) -> int:
    """Runs ``action``; the number of graders to wake."""
    if action == "start":
        service.start(session, user, target, now)
    elif action == "next":
        return service.next_round(session, user, target)[1]
    elif action == "undo":
        service.undo(session, user, target)
    else:
        service.finish(session, user, target, now)
    return 0
