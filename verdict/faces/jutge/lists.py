"""``/services/lists``: problem lists (problem ids, headers and commented-out items).

A list document (what PUT takes and GET gives back)::

    name: Demo                 # with the owner's username, the identifier (required)
    title: Demo list           # (required)
    description: ...
    annotation: ...            # private to the owner
    public: 1                  # 0 or 1
    official: 1                # 0 or 1, administrators only
    items:
      - P68688                 # a problem id (or a statement language variant, P68688_en)
      - !This is a header      # a header: "!" then its text (read back as "!This is a header")
      - #P83390                # a comment: an ignored item (read back as null)
    passwords:                 # (Verdict) passwords of other instructors' problems: never read back
      P83390: secret

At most ``list_service.MAX_LIST_ITEMS`` items and ``list_service.MAX_PASSWORDS`` passwords (400 beyond).
An item naming a problem that does not exist and one naming a problem the user may not use get
the same answer, so that problem ids cannot be enumerated (issue 10, M3).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from verdict.courses import access
from verdict.courses import lists as list_service
from verdict.courses.models import ListItemKind
from verdict.courses.names import check_count, parse_ident
from verdict.errors import InvalidInput
from verdict.faces.jutge.common import (
    Document,
    InputDocument,
    ServicesUser,
    check_clean_text,
    scalar_text,
    start_writing,
    visible_document,
)
from verdict.faces.jutge.courses import PUT_BODY
from verdict.faces.jutge.errors import render
from verdict.web.deps import DbSession

router = APIRouter(tags=["jutge: lists"])


def read_list(doc: Any) -> list_service.ListSpec:
    document = Document(doc)
    raw_items = document.items("items")
    check_count(raw_items, "items", list_service.MAX_LIST_ITEMS)  # before reading each one
    return list_service.ListSpec(
        name=document.text("name", required=True),
        title=document.text("title", required=True),
        description=document.text("description"),
        annotation=document.text("annotation"),
        public=document.flag("public"),
        official=document.flag("official"),
        items=[read_item(item, index) for index, item in enumerate(raw_items)],
        passwords=read_passwords(document.raw("passwords")),
    )


def read_passwords(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput("passwords: must be a mapping of problem id to password", field="passwords")
    check_count(value, "passwords", list_service.MAX_PASSWORDS)
    passwords = {}
    for key, password in value.items():
        where = f"passwords.{key}"
        problem_id, secret = scalar_text(key, "passwords"), scalar_text(password, where)
        check_clean_text(secret, where)
        passwords[problem_id] = secret
    return passwords


def read_item(value: Any, index: int) -> list_service.Item:
    where = f"items[{index}]"
    if value is None:
        return list_service.Item(ListItemKind.IGNORED)
    if isinstance(value, dict) and len(value) == 1:
        # "- !Part 1: loops" reads as the mapping {"!Part 1": "loops"}: a header with a colon.
        ((key, rest),) = value.items()
        if isinstance(key, str) and key.startswith("!") and not isinstance(rest, list | dict):
            value = f"{key}:" if rest is None else f"{key}: {scalar_text(rest, where)}"
    if isinstance(value, str):
        check_clean_text(value, where)
        if value.startswith("!"):
            return list_service.Item(ListItemKind.HEADER, value[1:])
        return list_service.Item(ListItemKind.PROBLEM, value.strip())
    hint = " (quote it: - '!Part 1: loops')" if isinstance(value, dict) else ""
    raise InvalidInput(f"{where}: must be a problem id or a header starting with '!'{hint}", field=where)


def item_value(item: list_service.Item) -> str | None:
    if item.kind == ListItemKind.HEADER:
        return "!" + item.value
    if item.kind == ListItemKind.IGNORED:
        return None
    return item.value


def list_document(spec: list_service.ListSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "title": spec.title,
        "description": spec.description,
        "annotation": spec.annotation,
        "public": int(spec.public),
        "official": int(spec.official),
        "items": [item_value(item) for item in spec.items],
    }


@router.get("/lists", summary="Lists the user owns, lists of their courses, public lists")
def list_lists(request: Request, user: ServicesUser, session: DbSession) -> Response:
    return render(request, visible_document(list_service.visible_lists(session, user)))


@router.put("/lists", summary="Create or replace a list", openapi_extra=PUT_BODY)
def put_list(request: Request, user: ServicesUser, doc: InputDocument, session: DbSession) -> Response:
    spec = read_list(doc)
    # Parsing and password checks (argon2) happen before the write lock is taken (issue 10, H3).
    verified = list_service.verified_problems(session, spec)
    start_writing(session)
    plist, created = list_service.put_list(session, user, spec, verified=verified)
    answer = list_document(list_service.list_spec(plist))
    session.commit()
    return render(request, answer, 201 if created else 200)


@router.get("/lists/{ident}", summary="A list document (owner:name)")
def get_list(request: Request, ident: str, user: ServicesUser, session: DbSession) -> Response:
    plist = list_service.get_list(session, *parse_ident(ident, user))
    full = access.check_can_read_list(session, plist, user)
    return render(request, list_document(list_service.list_spec(plist, full=full)))


@router.delete("/lists/{ident}", summary="Delete a list")
def delete_list(request: Request, ident: str, user: ServicesUser, session: DbSession) -> Response:
    start_writing(session)
    owner, name = parse_ident(ident, user)
    plist = list_service.get_list(session, owner, name)
    list_service.delete_list(session, user, plist)
    session.commit()
    return render(request, {"deleted": f"{owner}:{name}"})
