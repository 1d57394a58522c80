"""Plumbing shared by the Jutge services: the authenticated user, input documents and their
fields, size-capped bodies and forms, identifiers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException

from verdict.accounts.errors import AuthError
from verdict.accounts.models import User
from verdict.courses.names import Visible
from verdict.db import begin_write
from verdict.errors import InvalidInput, TooLarge
from verdict.faces.jutge.yaml_io import load_document
from verdict.judge.flags import read_flag
from verdict.settings import Settings
from verdict.web import body_limits
from verdict.web.deps import DbSession, PlatformDep, current_user_optional

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around an upload
URL_FORM_BYTES = 64 * 1024  # the form of add-url / update-url: one URL


# --------------------------------------------------------------------------- the user


def services_user(request: Request, session: DbSession, platform: PlatformDep) -> User:
    """The user of HTTP Basic (``https://user:password@host/services/...``), a bearer token or
    a session cookie; 401 without one."""
    user = current_user_optional(request, session, platform)
    if user is None:
        raise AuthError("authentication required: use HTTP Basic (https://user:password@host/services/...)")
    return user


ServicesUser = Annotated[User, Depends(services_user)]


def visible_document(visible: Visible) -> dict[str, dict[str, str]]:
    """What a user sees of courses or lists: ``own``, ``enrolled``, ``public``, each ref → title."""
    return {"own": dict(visible.own), "enrolled": dict(visible.enrolled), "public": dict(visible.public)}


def start_writing(session: Session) -> None:
    """Begin the unit of work of a request that reads then writes (after authentication, which
    may have read already): on SQLite it takes the write lock up front (``db.begin_write``)."""
    if session.in_transaction():
        session.commit()
    begin_write(session)


# --------------------------------------------------------------------------- bodies


def document_cap(settings: Settings) -> int:
    """The most a Jutge document may weigh: parsed YAML takes many times its size in memory."""
    return min(settings.max_document_bytes, settings.max_upload_bytes)


def upload_cap(settings: Settings) -> int:
    return settings.max_package_bytes + MULTIPART_SLACK


def url_form_cap(_settings: Settings) -> int:
    return URL_FORM_BYTES


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 beyond ``limit`` bytes (before reading it all).

    verdict.web.body_limits has counted it against the same cap already; this says it in the
    document's own words."""
    _check_declared_length(request, limit)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"the document is larger than the {limit} bytes allowed")
            chunks.append(chunk)
    except body_limits.BodyTooLarge:
        raise TooLarge(f"the document is larger than the {limit} bytes allowed") from None
    return b"".join(chunks)


def _check_declared_length(request: Request, limit: int, shown: int | None = None) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the request is larger than the {limit if shown is None else shown} bytes allowed")


async def input_document(request: Request, platform: PlatformDep) -> Any:
    """The YAML (or JSON) document sent as the body of a PUT (``curl -T file.yml``)."""
    data = await read_body(request, document_cap(platform.settings))
    if not data.strip():
        raise InvalidInput("empty document: send it as the request body (curl -T file.yml URL)")
    return load_document(data)


InputDocument = Annotated[Any, Depends(input_document)]


async def read_form(request: Request, limit: int) -> FormData:
    """The multipart or urlencoded form, refused with 413 when a part passes ``limit`` or the
    body passes it plus room for the multipart framing (verdict.web.body_limits counts the body as
    it arrives; every part is capped before it is written to its spooled file)."""
    _check_declared_length(request, limit + MULTIPART_SLACK, limit)
    too_large = f"the upload is larger than the {limit} bytes allowed"
    try:
        return await body_limits.read_form(request, max_files=4, max_fields=20, max_part_size=limit)
    except (body_limits.PartTooLarge, body_limits.BodyTooLarge):
        raise TooLarge(too_large) from None
    except MultiPartException as error:
        raise InvalidInput(f"malformed form: {error.message}") from None


# --------------------------------------------------------------------------- documents


class Document:
    """Typed access to the fields of an input document; errors name the field.

    Unknown fields are ignored (a document read back with GET may carry extra information).
    """

    def __init__(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise InvalidInput("the document must be a mapping of fields (name: ..., title: ...)")
        self.data = data

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        """A text field. ``key:`` with nothing (null) is the default (empty text); numbers and
        dates written unquoted are taken as their text."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise InvalidInput(f"{key}: missing required field", field=key)
            return default
        text = scalar_text(value, key)
        if required and not text.strip():
            raise InvalidInput(f"{key}: must not be empty", field=key)
        return text

    def flag(self, key: str, default: bool = False) -> bool:
        """A 0/1 field (``true``/``false`` are accepted too); missing or null is ``default``."""
        value = self.data.get(key)
        flag = read_flag(value, default)
        if flag is None:
            raise InvalidInput(f"{key}: must be 0 or 1, not {_show(value)}", field=key)
        return flag

    def strings(self, key: str) -> list[str]:
        """A list of texts; missing or null is empty; null items (``- #commented out``) are
        skipped."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidInput(f"{key}: must be a list, not {_show(value)}", field=key)
        return [scalar_text(item, f"{key}[{index}]") for index, item in enumerate(value) if item is not None]

    def items(self, key: str) -> list[Any]:
        """A list whose items the caller interprets (null items kept)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidInput(f"{key}: must be a list, not {_show(value)}", field=key)
        return value


def scalar_text(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | date):
        hint = " (quote it)" if isinstance(value, bool | float | dict) else ""
        raise InvalidInput(f"{where}: must be text, not {_show(value)}{hint}", field=where)
    text = value.isoformat() if isinstance(value, datetime | date) else str(value)
    check_clean_text(text, where)
    return text


def check_clean_text(text: str, where: str) -> None:
    if "\x00" in text:
        raise InvalidInput(f"{where}: contains a NUL character", field=where)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{where}: is not valid Unicode text", field=where) from None


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return repr(value[:60])
    return f"{type(value).__name__} {value!r}"[:80]
