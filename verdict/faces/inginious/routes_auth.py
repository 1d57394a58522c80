"""``/api/v0/auth_methods`` and ``/api/v0/authentication``: logging in, and who is logged in.

Authentication is the session cookie set by ``POST /api/v0/authentication``, HTTP Basic or a bearer
token (:mod:`verdict.web.deps`); without any, the authenticated pages answer 401.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from verdict.accounts import service as accounts
from verdict.accounts.errors import AuthError
from verdict.accounts.models import User
from verdict.accounts.sessions import set_session_cookie
from verdict.faces.inginious import schemas
from verdict.faces.inginious.forms import Login, login_fields
from verdict.faces.inginious.negotiation import render
from verdict.web.deps import DbSession, PlatformDep, client_ip, current_user_optional
from verdict.web.openapi import form_fields, request_body

AUTH_METHOD_ID = "db"

router = APIRouter(prefix=schemas.PREFIX, tags=schemas.TAGS)


@router.get(
    "/auth_methods",
    summary="List the authentication methods",
    description="The methods a client may log in with, and the inputs each takes.",
    response_model=None,
    responses=schemas.ok(list[schemas.AuthMethod]),
)
def auth_methods(request: Request) -> Response:
    return render(
        request,
        [
            {
                "id": AUTH_METHOD_ID,
                "name": "Verdict account",
                "input": [
                    {"id": "login", "name": "Login", "type": "text"},
                    {"id": "password", "name": "Password", "type": "password"},
                ],
            }
        ],
    )


def _lenient_user(request: Request, session: DbSession, platform: PlatformDep) -> User | None:
    try:
        return current_user_optional(request, session, platform)
    except AuthError:  # bad credentials count as none here
        return None


@router.get(
    "/authentication",
    summary="Who is authenticated",
    description='`{"authenticated": false}` or `{"authenticated": true, "username": ...}`; always 200.',
    response_model=None,
    responses=schemas.ok(schemas.AuthenticationStatus),
)
def get_authentication(request: Request, user: Annotated[User | None, Depends(_lenient_user)]) -> Response:
    if user is None:
        return render(request, {"authenticated": False})
    return render(request, {"authenticated": True, "username": user.username})


LOGIN_BODY = request_body(
    {
        media_type: form_fields(
            {
                "login": {"type": "string", "description": "Username or email."},
                "password": {"type": "string", "format": "password"},
            },
            ["login", "password"],
        )
        for media_type in ("application/x-www-form-urlencoded", "multipart/form-data", "application/json")
    }
)


@router.post(
    "/authentication",
    summary="Log in",
    description='Takes `login` and `password` (form fields, or JSON). 200 `{"status": "success"}` with a '
    'session cookie, or 403 `{"status": "error"}` (wrong credentials, or too many failed attempts).',
    response_model=None,
    responses={
        **schemas.ok(schemas.LoginStatus),
        403: {"model": schemas.LoginStatus, "description": "Login failed."},
    },
    openapi_extra=LOGIN_BODY,
)
def post_authentication(
    request: Request,
    session: DbSession,
    platform: PlatformDep,
    login: Annotated[Login | None, Depends(login_fields)],
) -> Response:
    if login is None:
        return render(request, {"status": "error"}, 403)
    try:
        user = accounts.authenticate(session, login.login, login.password, ip=client_ip(request))
    except AuthError:  # wrong credentials or rate limited
        return render(request, {"status": "error"}, 403)
    response = render(request, {"status": "success"})
    set_session_cookie(response, platform.settings, user, secure=request.url.scheme == "https")
    return response
