"""Rendering a page: the templates (one Jinja2 environment per language, autoescaped), and what
every page knows about its request (:class:`PageContext`: the user, the language, the CSRF token).

Routes take a :data:`Page` (any request) or a :data:`FormPage` (a POST whose CSRF token was
checked first) and answer ``page.render("name.html", ...)``; every HTML answer goes through
:meth:`PageContext.respond`, which adds the security headers and the cookies the page needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Form, Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from verdict.accounts.errors import InvalidCredentials
from verdict.accounts.models import User
from verdict.accounts.sessions import SESSION_COOKIE, read_session_cookie
from verdict.errors import InvalidInput, PermissionDenied
from verdict.faces.html.editor_modes import editor_mode
from verdict.faces.html.i18n import CODES, LANG_COOKIE, LANGUAGES, choose_language, load_translations
from verdict.faces.html.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    SECURITY_HEADERS,
    csrf_token,
    csrf_valid,
    new_browser_id,
)
from verdict.settings import Settings
from verdict.web.deps import DbSession, PlatformDep

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
R = TypeVar("R", bound=Response)
MAX_ID = 2**63 - 1  # the largest id a database integer column holds


class Pages:
    """The template environments of one application, one per language (kept on ``app.state``)."""

    def __init__(self, templates: Path = TEMPLATES) -> None:
        self.environments: dict[str, Environment] = {}
        self.translations = {code: load_translations(code) for code in CODES}
        for code in CODES:
            environment = Environment(
                loader=FileSystemLoader(templates),
                autoescape=select_autoescape(["html"]),
                undefined=StrictUndefined,  # a misspelt variable fails the tests, not the page
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            environment.install_gettext_translations(  # type: ignore[attr-defined]
                self.translations[code], newstyle=True
            )
            environment.globals["editor_mode"] = editor_mode  # the code editor's mode of a compiler
            self.environments[code] = environment

    def gettext(self, lang: str, message: str) -> str:
        """``message`` in ``lang``, for text made outside templates (flash messages)."""
        return self.translations[lang].gettext(message)


def pages_of(request: Request) -> Pages:
    pages: Pages = request.app.state.html_pages
    return pages


@dataclass
class PageContext:
    """One request as its page sees it."""

    request: Request
    pages: Pages
    settings: Settings
    user: User | None
    lang: str = field(init=False)
    browser_id: str = field(init=False)
    new_browser: bool = field(init=False)

    def __post_init__(self) -> None:
        self.lang = choose_language(
            self.request.cookies.get(LANG_COOKIE), self.request.headers.get("accept-language")
        )
        existing = self.request.cookies.get(CSRF_COOKIE)
        self.new_browser = not existing or len(existing) > 100
        self.browser_id = new_browser_id() if self.new_browser else str(existing)

    @property
    def secure(self) -> bool:
        """Served over HTTPS: cookies get the Secure flag."""
        return self.request.url.scheme == "https"

    def csrf_token(self) -> str:
        return csrf_token(self.settings, self.browser_id, self.request.cookies.get(SESSION_COOKIE))

    def check_csrf(self, token: str) -> None:
        if self.new_browser or not csrf_valid(
            self.settings, self.browser_id, self.request.cookies.get(SESSION_COOKIE), token
        ):
            raise PermissionDenied(
                self._("This form has expired or did not come from this site: reload the page and try again.")
            )

    def _(self, message: str) -> str:
        return self.pages.gettext(self.lang, message)

    def render(self, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        environment = self.pages.environments[self.lang]
        html = environment.get_template(template).render(
            user=self.user,
            lang=self.lang,
            languages=LANGUAGES,
            csrf_field=CSRF_FIELD,
            csrf_token=self.csrf_token(),
            here=self.here(),
            **context,
        )
        return self.respond(HTMLResponse(html, status))

    def here(self) -> str:
        """This page's address (path and query), where the language switch comes back to."""
        query = self.request.url.query
        return self.request.url.path + ("?" + query if query else "")

    def redirect(self, url: str) -> RedirectResponse:
        """See Other: after a POST, the browser GETs ``url`` (a reload does not post again)."""
        return self.respond(RedirectResponse(url, 303))

    def respond(self, response: R) -> R:
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-store"  # pages are personal: no shared cache
        if self.new_browser:
            response.set_cookie(
                CSRF_COOKIE, self.browser_id, httponly=True, samesite="lax", secure=self.secure, path="/"
            )
        return response


def session_user(request: Request, session: DbSession, platform: PlatformDep) -> User | None:
    """The user of the session cookie (pages use the cookie only, never Basic or bearer tokens:
    those are for the APIs)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return read_session_cookie(session, platform.settings, cookie) if cookie else None


def page_context(
    request: Request, platform: PlatformDep, user: Annotated[User | None, Depends(session_user)]
) -> PageContext:
    page = PageContext(request, pages_of(request), platform.settings, user)
    refuse_nul(page, [*request.path_params.items(), *request.query_params.multi_items()])
    return page


def refuse_nul(page: PageContext, fields: list[tuple[str, Any]]) -> None:
    """400 for a NUL in a field's name or text: PostgreSQL refuses one in a text column, and a
    NUL typed into a login, a title or a URL must not end in a 500."""
    for name, value in fields:
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            shown = name.replace("\x00", "")[:60]
            raise InvalidInput(
                page._("%(field)s: a text may not contain a NUL character.") % {"field": shown}
            )


Page = Annotated[PageContext, Depends(page_context)]


async def checked_page(page: Page, csrf: Annotated[str, Form()] = "") -> PageContext:
    """The page of a form POST, once its CSRF token is checked (403 otherwise) and its fields are
    text a database can store (400 otherwise, :func:`refuse_nul`)."""
    page.check_csrf(csrf)
    form = await page.request.form()  # the one FastAPI has parsed: starlette keeps it
    refuse_nul(page, form.multi_items())
    return page


FormPage = Annotated[PageContext, Depends(checked_page)]


def signed_in(page: PageContext) -> User:
    """The page's user. A page for users only raises 401 without one, which the face answers with
    a redirection to the login page (:mod:`verdict.faces.html.errors`)."""
    if page.user is None:
        raise InvalidCredentials("authentication required")
    return page.user


def parse_id(text: str | None) -> int | None:
    """A database id in ASCII digits, or None (``"²".isdigit()`` is True; 2**63 overflows)."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ID else None
