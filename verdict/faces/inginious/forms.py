"""Request bodies of the INGInious face, decoded: the login fields, and a submission's answers.

A submission comes as form fields (a key repeated for several values, files as multipart parts)
or as a JSON object (lists for several values, files as ``{filename, value (base64)}``). Either
way the use case receives decoded answers: text, or an :class:`~verdict.courses.submission_rules.Upload`.
Text must be UTF-8 encodable and without NUL (:func:`is_text`); anything else is a 400 here.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, TypeGuard

from fastapi import Request
from starlette.datastructures import UploadFile

from verdict.courses.submission_rules import Answer, Upload
from verdict.errors import InvalidInput, TooLarge
from verdict.settings import Settings
from verdict.web.body_limits import BodyTooLarge, PartTooLarge, read_form
from verdict.web.deps import CurrentUser, PlatformDep

MAX_FORM_FIELDS = 1000
FORM_OVERHEAD = 64 * 1024  # multipart headers and boundaries on top of the upload cap


def is_text(value: Any) -> TypeGuard[str]:
    """A string the database and argon2 can take: UTF-8 encodable (no lone surrogate such as
    JSON's ``"\\ud800"``) and without NUL (which PostgreSQL refuses)."""
    if not isinstance(value, str) or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --------------------------------------------------------------------------- login


@dataclass(frozen=True)
class Login:
    login: str  # username or email, stripped
    password: str


async def login_fields(request: Request) -> Login | None:
    """The ``login`` and ``password`` of a login body (form fields or JSON); None when either is
    missing or not text: a failed login, whatever the body was."""
    fields = await _login_body(request)
    login, password = fields.get("login"), fields.get("password")
    if not is_text(login) or not is_text(password) or not login.strip():
        return None
    return Login(login.strip(), password)


async def _login_body(request: Request) -> dict[str, object]:
    # The body was capped (Settings.max_login_bytes) by verdict.web.body_limits as it arrived.
    try:
        if "json" in request.headers.get("content-type", ""):
            data = json.loads(await request.body())
            return data if isinstance(data, dict) else {}
        form = await read_form(request, max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=4096)
        return {key: value for key, value in form.items() if isinstance(value, str)}
    except BodyTooLarge:
        raise
    except Exception:  # any malformed body is a failed login
        return {}


# --------------------------------------------------------------------------- registration


REGISTER_PASSWORD_FIELDS = ("password", "register_password")  # ours, and INGInious's page's name


async def registration_password(request: Request, user: CurrentUser) -> str | None:
    """The registration password of a register body (form fields or JSON; ``password``, or
    ``register_password`` as INGInious's register page names it), or None when there is none.
    A ``courseid`` (or ``register_courseid``) field, optional, must name the course of the address."""
    del user  # declared so that authentication is checked before the body is read
    fields = await _registration_body(request)
    for name in ("courseid", "register_courseid"):
        value = fields.get(name)
        if value is not None and value != request.path_params.get("courseid"):
            raise InvalidInput(f"{name}: {str(value)[:60]!r} is not the course of the address", field=name)
    for name in REGISTER_PASSWORD_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if not is_text(value):
            raise InvalidInput(f"{name}: expected text", field=name)
        return value
    return None


async def _registration_body(request: Request) -> dict[str, object]:
    # The body was capped (Settings.max_login_bytes) by verdict.web.body_limits as it arrived.
    try:
        if "json" in request.headers.get("content-type", ""):
            body = await request.body()
            data = json.loads(body) if body.strip() else {}
            if not isinstance(data, dict):
                raise InvalidInput("the JSON body must be an object")
            return data
        form = await read_form(request, max_files=0, max_fields=MAX_FORM_FIELDS, max_part_size=4096)
    except (BodyTooLarge, InvalidInput):
        raise
    except Exception as error:  # malformed JSON, starlette's MultiPartException and parser errors
        raise InvalidInput(f"malformed body: {error}") from None
    return {key: value for key, value in form.items() if isinstance(value, str)}


# --------------------------------------------------------------------------- submissions


def submission_body_cap(settings: Settings) -> int:
    """The most a submission body may carry: base64 inflates JSON files by 4/3."""
    return 2 * settings.max_upload_bytes + FORM_OVERHEAD


async def submission_fields(
    request: Request, user: CurrentUser, platform: PlatformDep
) -> dict[str, list[Answer]]:
    """The submitted fields: form fields (a key repeated for several values, files as multipart
    parts), or a JSON object (lists for several values, files as {filename, value (base64)})."""
    del user  # declared so that authentication is checked before the body is read
    # The whole body was capped (submission_body_cap) by verdict.web.body_limits as it arrived.
    if "json" in request.headers.get("content-type", ""):
        return _json_fields(await request.body())
    return await _form_fields(request, platform.settings.max_upload_bytes)


def _json_fields(body: bytes) -> dict[str, list[Answer]]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # ints over 4,300 digits are a ValueError too
        raise InvalidInput("malformed JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("the JSON body must be an object: problem id -> answer")
    fields: dict[str, list[Answer]] = {}
    for key, value in data.items():
        _check_text(key, key)
        fields[key] = [_json_value(key, item) for item in (value if isinstance(value, list) else [value])]
    return fields


async def _form_fields(request: Request, limit: int) -> dict[str, list[Answer]]:
    try:
        form = await read_form(
            request, max_files=MAX_FORM_FIELDS, max_fields=MAX_FORM_FIELDS, max_part_size=limit
        )
    except PartTooLarge as error:
        raise TooLarge(f"{error.message} (the upload limit)") from None
    except BodyTooLarge:
        raise
    except Exception as error:  # starlette's MultiPartException and parser errors
        raise InvalidInput(f"malformed form data: {error}") from None
    fields: dict[str, list[Answer]] = {}
    try:
        for key, value in form.multi_items():
            _check_text(key, key)
            if isinstance(value, UploadFile):
                data_bytes = await value.read(limit + 1)
                fields.setdefault(key, []).append(Upload(value.filename or "", data_bytes))
            else:
                _check_text(key, value)
                fields.setdefault(key, []).append(value)
    finally:
        await form.close()
    return fields


def _check_text(key: str, value: str) -> None:
    if not is_text(value):
        raise InvalidInput(f"{key[:60]!r}: not valid text (NUL or a lone surrogate)")


def _json_value(key: str, value: Any) -> Answer:
    if isinstance(value, dict) and set(value) >= {"filename", "value"}:
        filename = str(value["filename"])
        _check_text(key, filename)
        try:
            return Upload(filename, base64.b64decode(str(value["value"]), validate=True))
        except (binascii.Error, ValueError):  # ValueError: non-ASCII characters in the value
            raise InvalidInput(f"{key}: the file value is not base64") from None
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise InvalidInput(f"{key}: expected a string, a number or a file")
    text = str(value)
    _check_text(key, text)
    return text
