"""Downloading a problem's sample: ``<n>.in`` or ``<n>.out`` (numbered from 1, as the page shows
them), as an attachment of plain text."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from starlette.responses import Response

from verdict.errors import NotFound
from verdict.faces.html import problem_content
from verdict.faces.html.pages import PageContext
from verdict.problems.models import Problem
from verdict.settings import Settings

NAME_RE = re.compile(r"^([0-9]{1,4})\.(in|out)$")
MAX_DOWNLOAD = 16 * 1024 * 1024


def sample_download(
    page: PageContext, session: Session, settings: Settings, problem: Problem, language: str | None, name: str
) -> Response:
    match = NAME_RE.match(name)
    statement = problem_content.statement(session, settings, problem, language, None) if match else None
    number = int(match.group(1)) if match else 0
    if match is None or statement is None or not 1 <= number <= len(statement.samples):
        raise NotFound(page._("Sample not found."))
    sample = statement.samples[number - 1]
    path = sample.input_path if match.group(2) == "in" else sample.output_path
    try:
        data = path.read_bytes()[:MAX_DOWNLOAD]
    except OSError:
        raise NotFound(page._("Sample not found.")) from None
    filename = f"{problem.id}-sample-{number}.{match.group(2)}"
    response = Response(
        data,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    return page.respond(response)
