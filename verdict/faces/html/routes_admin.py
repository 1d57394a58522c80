"""The administrators' pages: the users (search, create, role, password reset) and the grading
status, live.

Every page is for platform administrators only: anyone else gets 403 (and a visitor without a
session, the login page). The forms carry the CSRF token like every other form
(:data:`~verdict.faces.html.pages.FormPage`).

* ``/admin/users``: the users, searched by username, email or name (and filtered by role), a page
  at a time.
* ``/admin/users/new``: a new user; without a password typed, one is generated and shown once.
* ``/admin/users/<id>``: one user, its role, a password reset (the new password shown once). An
  administrator cannot change their own role here (the last administrator must not lock
  everybody out by a slip), nor reset their own password (it would log them out: the password
  page does it). There is no disabling of accounts: the users table has no such state yet.
* ``/admin/status``: the figures of :mod:`.admin_status`, whose part ``/admin/status/figures``
  htmx fetches again every few seconds (``hx-trigger="every 5s"``: no script of ours).
* ``/admin/status.json``: the same figures for monitoring, for an administrator's session, HTTP
  Basic credentials or API token (errors in JSON too).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from verdict.accounts import service as accounts
from verdict.accounts.errors import AccountError
from verdict.accounts.models import Role, User
from verdict.errors import NotFound, PermissionDenied
from verdict.faces.html.admin_status import Status, read_status
from verdict.faces.html.pages import FormPage, Page, PageContext, parse_id, signed_in
from verdict.platform import Platform
from verdict.settings import Settings, sandbox_config
from verdict.web.deps import CurrentUser, DbSession, Now, PlatformDep
from verdict.web.errors import ErrorReport

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
GENERATED_PASSWORD_BYTES = 12  # 16 URL-safe characters
FormText = Annotated[str, Form()]
ROLES = tuple(role.value for role in Role)


def admin(page: PageContext) -> User:
    """The page's user, who must be an administrator (401 without a session, else 403)."""
    user = signed_in(page)
    if not user.is_admin:
        raise PermissionDenied(page._("This page is for administrators only."))
    return user


def generated_password() -> str:
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


# --------------------------------------------------------------------------- users


@dataclass(frozen=True)
class UserList:
    users: list[User]
    query: str
    role: str  # "" for every role
    page: int
    pages: int
    total: int


def search_users(session: Session, query: str, page: int, role: str = "") -> UserList:
    """Users whose username, email or full name contains ``query`` (any case), of ``role`` if
    one is given, by username."""
    condition: sa.ColumnElement[bool] = sa.true()
    if role in ROLES:
        condition = User.role == Role(role)
    if query:
        condition &= sa.or_(
            User.username.icontains(query, autoescape=True),
            User.email.icontains(query, autoescape=True),
            User.full_name.icontains(query, autoescape=True),
        )
    total = session.scalar(sa.select(sa.func.count()).select_from(User).where(condition)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    users = session.scalars(
        sa.select(User)
        .where(condition)
        .order_by(User.username)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return UserList(list(users), query, role if role in ROLES else "", page, pages, total)


@router.get("/admin")
def admin_home(page: Page) -> Response:
    admin(page)
    return page.redirect("/admin/status")


@router.get("/admin/users")
def users_page(page: Page, session: DbSession, q: str = "", role: str = "", p: str = "1") -> Response:
    admin(page)
    found = search_users(session, q.strip()[:200], parse_id(p) or 1, role)
    return page.render("admin/users.html", found=found, roles=ROLES)


@router.get("/admin/users/new")
def new_user_page(page: Page) -> Response:
    admin(page)
    return page.render("admin/user_new.html", error=None, form=_blank_form(), roles=ROLES)


def _blank_form() -> dict[str, str]:
    return {"username": "", "email": "", "full_name": "", "role": Role.STUDENT.value}


@router.post("/admin/users/new")
def create_user(
    page: FormPage,
    session: DbSession,
    username: FormText = "",
    email: FormText = "",
    full_name: FormText = "",
    role: FormText = Role.STUDENT.value,
    password: FormText = "",
) -> Response:
    admin(page)
    form = {
        "username": username.strip(),
        "email": email.strip(),
        "full_name": full_name.strip(),
        "role": role,
    }
    chosen = password or generated_password()
    try:
        user = accounts.create_user(
            session, form["username"], form["email"], chosen, role=role, full_name=form["full_name"][:200]
        )
    except AccountError as error:
        session.rollback()
        message = page._("The user was not created: %(reason)s") % {"reason": error.message}
        return page.render("admin/user_new.html", status=400, error=message, form=form, roles=ROLES)
    session.commit()
    shown = None if password else chosen
    return page.render(
        "admin/user.html", status=201, shown=user, roles=ROLES, new_password=shown, done="created"
    )


def _user_or_404(page: PageContext, session: Session, user_id: str) -> User:
    number = parse_id(user_id)
    user = session.get(User, number) if number is not None else None
    if user is None:
        raise NotFound(page._("User not found."))
    return user


@router.get("/admin/users/{user_id}")
def user_page(page: Page, session: DbSession, user_id: str, done: str = "") -> Response:
    admin(page)
    shown = _user_or_404(page, session, user_id)
    done = done if done in ("role",) else ""
    return page.render("admin/user.html", shown=shown, roles=ROLES, new_password=None, done=done)


@router.post("/admin/users/{user_id}/role")
def change_role(page: FormPage, session: DbSession, user_id: str, role: FormText = "") -> Response:
    me = admin(page)
    shown = _user_or_404(page, session, user_id)
    if shown.id == me.id:
        raise PermissionDenied(page._("You cannot change your own role: ask another administrator."))
    if role not in ROLES:
        return page.render(
            "admin/user.html",
            status=400,
            shown=shown,
            roles=ROLES,
            new_password=None,
            done="",
            error=page._("Choose a role among student, instructor and admin."),
        )
    accounts.set_role(session, shown, role)
    session.commit()
    return page.redirect(f"/admin/users/{shown.id}?done=role")


@router.post("/admin/users/{user_id}/password")
def reset_password(page: FormPage, session: DbSession, user_id: str) -> Response:
    me = admin(page)
    shown = _user_or_404(page, session, user_id)
    if shown.id == me.id:  # it would log this browser out: the password page keeps it in
        raise PermissionDenied(page._("Change your own password on the password page."))
    password = generated_password()
    accounts.set_password(session, shown, password)
    session.commit()
    return page.render("admin/user.html", shown=shown, roles=ROLES, new_password=password, done="password")


# --------------------------------------------------------------------------- status


def lock_dir(settings: Settings) -> Path:
    """Where the sandbox slots are locked on this machine (a function: tests point it elsewhere)."""
    return sandbox_config(settings).lock_dir


def current_status(session: Session, platform: Platform, now: Now) -> Status:
    settings = platform.settings
    return read_status(session, now, slots_total=settings.sandbox_slots, lock_dir=lock_dir(settings))


@router.get("/admin/status")
def status_page(page: Page, session: DbSession, platform: PlatformDep, now: Now) -> Response:
    admin(page)
    return page.render("admin/status.html", figures=current_status(session, platform, now))


@router.get("/admin/status/figures")
def status_figures(page: Page, session: DbSession, platform: PlatformDep, now: Now) -> Response:
    """The figures alone: what the status page's polling swaps in. When the session ends (logged
    out elsewhere, password changed), htmx is told to open the login page (``HX-Redirect``)
    rather than swapping the login page into the figures."""
    if page.user is None and page.request.headers.get("hx-request") == "true":
        return page.respond(Response(status_code=204, headers={"HX-Redirect": "/login?next=/admin/status"}))
    admin(page)
    return page.render("admin/status_figures.html", figures=current_status(session, platform, now))


@router.get("/admin/status.json")
def status_json(user: CurrentUser, session: DbSession, platform: PlatformDep, now: Now) -> Response:
    if not user.is_admin:
        raise PermissionDenied("the status is for administrators only")
    response = JSONResponse(current_status(session, platform, now).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


def render_json_error(_request: Request, report: ErrorReport) -> Response:
    """Errors of ``/admin/status.json``: JSON for the monitoring tools, not a page."""
    return JSONResponse({"error": report.message}, report.status, report.headers or None)
