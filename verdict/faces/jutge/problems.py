"""``/services/problems``: an instructor's problems and their packages.

* ``GET /services/problems`` -> ``{P12345: [ca, en], ...}``: the user's problems and their
  statement languages.
* ``PUT /services/problems`` with ``{path, password, languages}``: import a package directory or
  archive from the user's import directory on the server (``user@host:problems/dir/x.pbm`` names
  ``<import_root>/<user>/problems/dir/x.pbm``). Putting the same package again updates it.
* ``GET /services/problems/P12345/update``: import again from the recorded path.
* ``POST /services/problems/add-upload`` / ``P12345/update-upload``: multipart field ``file``
  (``.tgz``, ``.tar.gz``, ``.zip`` ...), at most ``max_package_bytes``.
* ``POST /services/problems/add-url`` / ``P12345/update-url``: form field ``url``, fetched only
  from the hosts of ``url_import_hosts``.

Imports answer (201 for a new problem, 200 for an update)::

    problem: P12345          # the problem id (P + 5 digits)
    title: Hello world
    languages: [ca, en]      # statement languages offered (P12345_en names one)
    created: true            # a new problem
    changed: true            # a new version (false: the package was identical)
    report:                  # what the import found (verdict.problems.service.import_report)
      format: jutge
      tests: 12
      golden: [solution.cc]  # accepted, or the import is refused with a setter error (SE)
      made_outputs: 10       # expected outputs made by the golden solution
      time_limits: {all: {fast: 0.5, medium: 0.5, slow: 0.8}}
      solutions: [...]       # every bundled solution: expected and got
      warnings: [...]        # a failing alternate solution, a language this host lacks
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from verdict.errors import InvalidInput
from verdict.faces.jutge.common import (
    URL_FORM_BYTES,
    Document,
    InputDocument,
    ServicesUser,
    read_form,
    start_writing,
)
from verdict.faces.jutge.courses import PUT_BODY
from verdict.faces.jutge.errors import render
from verdict.problems import service
from verdict.problems.models import Problem
from verdict.settings import Settings
from verdict.web.deps import DbSession, PlatformDep
from verdict.web.openapi import form_fields, request_body

router = APIRouter(tags=["jutge: problems"])

UPLOAD_BODY = request_body(
    {"multipart/form-data": form_fields({"file": {"type": "string", "format": "binary"}}, ["file"])}
)
URL_BODY = request_body(
    {
        media_type: form_fields({"url": {"type": "string"}}, ["url"])
        for media_type in ("multipart/form-data", "application/x-www-form-urlencoded")
    }
)


def imported_document(imported: service.Imported) -> dict[str, Any]:
    problem = imported.problem
    return {
        "problem": problem.id,
        "title": problem.title(),
        "languages": list(problem.languages),
        "created": imported.created,
        "changed": imported.changed,
        "report": imported.report,
    }


def _answer(request: Request, session: DbSession, imported: service.Imported) -> Response:
    answer = imported_document(imported)
    session.commit()
    return render(request, answer, 201 if imported.created else 200)


@router.get("/problems", summary="The user's problems and their statement languages")
def list_problems(request: Request, user: ServicesUser, session: DbSession) -> Response:
    problems: list[Problem] = service.owned_problems(session, user)
    return render(request, {problem.id: list(problem.languages) for problem in problems})


@router.put("/problems", summary="Import a problem from the user's import directory", openapi_extra=PUT_BODY)
def put_problem(
    request: Request, user: ServicesUser, doc: InputDocument, session: DbSession, platform: PlatformDep
) -> Response:
    start_writing(session)
    document = Document(doc)
    path = document.text("path", required=True)
    password = document.text("password", default="") if document.has("password") else None
    languages = document.strings("languages") if document.has("languages") else None
    imported = service.import_from_path(
        session, platform.settings, user, path, password=password, languages=languages
    )
    return _answer(request, session, imported)


@router.get("/problems/{ref}/update", summary="Import a problem again from its recorded path")
def update_problem(
    request: Request, ref: str, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    start_writing(session)
    return _answer(request, session, service.reimport(session, platform.settings, user, ref))


@router.post(
    "/problems/add-upload", summary="Add a problem from an uploaded archive", openapi_extra=UPLOAD_BODY
)
async def add_upload(
    request: Request, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    service.check_can_add(user)
    return await _upload(request, user, session, platform, None)


@router.post(
    "/problems/{ref}/update-upload",
    summary="Update a problem from an uploaded archive",
    openapi_extra=UPLOAD_BODY,
)
async def update_upload(
    request: Request, ref: str, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    await run_in_threadpool(service.problem_to_update, session, user, ref)
    return await _upload(request, user, session, platform, ref)


async def _upload(
    request: Request, user: ServicesUser, session: DbSession, platform: PlatformDep, ref: str | None
) -> Response:
    settings = platform.settings
    form = await read_form(request, settings.max_package_bytes)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("file: missing the archive (curl -F 'file=@problem.tgz' ...)", field="file")

        def work() -> service.Imported:
            with service.scratch_file(settings, upload.filename or "package.tgz") as target:
                upload.file.seek(0)
                service.save_stream(upload.file, target, settings.max_package_bytes)
                start_writing(session)
                return service.import_file(session, settings, user, target, problem_ref=ref)

        imported = await run_in_threadpool(work)
    finally:
        await form.close()
    return await run_in_threadpool(_answer, request, session, imported)


@router.post("/problems/add-url", summary="Add a problem from an allowed URL", openapi_extra=URL_BODY)
async def add_url(
    request: Request, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    return await _from_url(request, user, session, platform, None)


@router.post(
    "/problems/{ref}/update-url", summary="Update a problem from an allowed URL", openapi_extra=URL_BODY
)
async def update_url(
    request: Request, ref: str, user: ServicesUser, session: DbSession, platform: PlatformDep
) -> Response:
    return await _from_url(request, user, session, platform, ref)


async def _from_url(
    request: Request, user: ServicesUser, session: DbSession, platform: PlatformDep, ref: str | None
) -> Response:
    form = await read_form(request, URL_FORM_BYTES)
    url = form.get("url")
    await form.close()
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput("url: missing form field (curl -F 'url=https://...' ...)", field="url")
    imported = await run_in_threadpool(_fetch_and_import, session, platform.settings, user, url.strip(), ref)
    return await run_in_threadpool(_answer, request, session, imported)


def _fetch_and_import(
    session: DbSession, settings: Settings, user: ServicesUser, url: str, ref: str | None
) -> service.Imported:
    # Permission and host first; no database lock is held while downloading.
    if ref is None:
        service.check_can_add(user)
    else:
        service.problem_to_update(session, user, ref)
    service.check_url(settings, url)
    with service.scratch_file(settings, service.url_filename(url)) as target:
        try:
            service.download(settings, url, target)
        except httpx.HTTPError as error:
            raise InvalidInput(f"url: could not fetch {url}: {error}", field="url") from None
        start_writing(session)
        return service.import_file(session, settings, user, target, problem_ref=ref)
