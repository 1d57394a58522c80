"""Logging in and out, the password, the API tokens, and the language switch.

Logging in sets the same session cookie as ``POST /api/v0/authentication``
(:mod:`verdict.accounts.sessions`: HttpOnly, SameSite=Lax, Secure over HTTPS), so a browser
logged in here is logged in to the API too, and the other way round. Every POST carries the page's
CSRF token (:data:`~verdict.faces.html.pages.FormPage`) and answers See Other to a page, except
creating a token, whose page shows the secret that one time.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from verdict.accounts import service as accounts
from verdict.accounts.errors import AccountError, InvalidCredentials, LoginRateLimited
from verdict.accounts.passwords import verify_password
from verdict.accounts.sessions import clear_session_cookie, set_session_cookie
from verdict.errors import NotFound
from verdict.faces.html.i18n import CODES, LANG_COOKIE
from verdict.faces.html.pages import FormPage, Page, parse_id, signed_in
from verdict.faces.html.security import safe_next
from verdict.web.deps import DbSession, PlatformDep, client_ip

router = APIRouter(include_in_schema=False)

LANG_MAX_AGE = 365 * 24 * 3600
FormText = Annotated[str, Form()]


# --------------------------------------------------------------------------- login, logout


@router.get("/login")
def login_page(page: Page, next: str = "/") -> Response:
    if page.user is not None:
        return page.redirect(safe_next(next))
    return page.render("login.html", next=safe_next(next), login="", error=None)


@router.post("/login")
def login(
    page: FormPage,
    session: DbSession,
    platform: PlatformDep,
    login: FormText = "",
    password: FormText = "",
    next: FormText = "/",
) -> Response:
    target = safe_next(next)
    try:
        user = accounts.authenticate(session, login, password, ip=client_ip(page.request))
    except LoginRateLimited as error:
        limited = page.render("login.html", status=429, next=target, login=login, error=error.message)
        limited.headers["Retry-After"] = str(error.retry_after)
        return limited
    except InvalidCredentials:
        error_text = page._("Wrong username, email or password.")
        return page.render("login.html", status=401, next=target, login=login, error=error_text)
    response = page.redirect(target)
    set_session_cookie(response, platform.settings, user, secure=page.secure)
    return response


@router.post("/logout")
def logout(page: FormPage) -> Response:
    response = page.redirect("/")
    clear_session_cookie(response)
    return response


# --------------------------------------------------------------------------- password


@router.get("/account/password")
def password_page(page: Page, done: bool = False) -> Response:
    signed_in(page)
    return page.render("password.html", error=None, done=done)


@router.post("/account/password")
def change_password(
    page: FormPage,
    session: DbSession,
    platform: PlatformDep,
    current: FormText = "",
    new: FormText = "",
    confirm: FormText = "",
) -> Response:
    user = signed_in(page)
    error = None
    if not verify_password(user.password_hash, current):
        error = page._("The current password is wrong.")
    elif new != confirm:
        error = page._("The two new passwords differ.")
    else:
        try:
            accounts.set_password(session, user, new)
        except AccountError:
            error = page._("The new password must have between 8 and 1024 characters.")
    if error is not None:
        session.rollback()
        return page.render("password.html", status=400, error=error, done=False)
    session.commit()
    # The old cookie was signed with the old hash: it no longer works. This browser stays in.
    response = page.redirect("/account/password?done=true")
    set_session_cookie(response, platform.settings, user, secure=page.secure)
    return response


# --------------------------------------------------------------------------- API tokens


@router.get("/account/tokens")
def tokens_page(page: Page, session: DbSession) -> Response:
    user = signed_in(page)
    return page.render("tokens.html", tokens=accounts.list_tokens(session, user), new_secret=None)


@router.post("/account/tokens")
def create_token(page: FormPage, session: DbSession, name: FormText = "") -> Response:
    user = signed_in(page)
    new = accounts.create_token(session, user, name.strip())
    session.commit()
    tokens = accounts.list_tokens(session, user)
    return page.render("tokens.html", status=201, tokens=tokens, new_secret=new.secret, new_name=name)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(page: FormPage, session: DbSession, token_id: str) -> Response:
    user = signed_in(page)
    number = parse_id(token_id)
    try:
        if number is None:
            raise AccountError(token_id)
        accounts.revoke_token(session, user, number)
    except AccountError:
        raise NotFound(page._("No such token.")) from None
    session.commit()
    return page.redirect("/account/tokens")


# --------------------------------------------------------------------------- language


@router.post("/language")
def switch_language(page: FormPage, lang: FormText = "", next: FormText = "/") -> Response:
    response = page.redirect(safe_next(next))
    if lang in CODES:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=LANG_MAX_AGE, httponly=True, samesite="lax", secure=page.secure
        )
    return response
