"""Response shapes of the INGInious REST API v0, for the OpenAPI document (with the face's
prefix and tag, shared by its routers).

The endpoints build plain dicts (so that one serialiser writes JSON or YAML); these models only
describe them.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, Field

PREFIX = "/api/v0"
TAGS: list[str | Enum] = ["INGInious REST API v0"]


class Error(BaseModel):
    error: str = Field(description="What went wrong.")


class AuthInput(BaseModel):
    id: str = Field(description="The form field to send to POST /api/v0/authentication.")
    name: str = Field(description="A placeholder for the input.")
    type: Literal["text", "password"]


class AuthMethod(BaseModel):
    id: str
    name: str = Field(description="The name of the method, as displayed by the web app.")
    input: list[AuthInput]


class AuthenticationStatus(BaseModel):
    authenticated: bool
    username: str | None = Field(None, description="Only when authenticated.")


class LoginStatus(BaseModel):
    status: Literal["success", "error"]


class CourseInfo(BaseModel):
    name: str
    require_password: bool = Field(description="Registration needs a password.")
    is_registered: bool
    tasks: dict[str, str] | None = Field(None, description="Task id → name; only when registered.")
    grade: float | None = Field(None, description="Course grade 0–100; only when registered.")


class TaskInfo(BaseModel):
    name: str
    authors: list[str]
    contact_url: str
    deadline: str = Field(description='"YYYY-MM-DD HH:MM:SS" (UTC), or "" without deadline.')
    status: Literal["succeeded", "failed", "notattempted"]
    grade: float
    context: str = Field(description="The task's context, in reStructuredText.")
    problems: dict[str, dict[str, Any]] = Field(
        description="Sub-problems as in task.yaml, without answers; multiple-choice choices as index → text."
    )


class SubmissionInfo(BaseModel):
    id: str
    submitted_on: str = Field(description='"YYYY-MM-DD HH:MM:SS" (UTC).')
    status: Literal["done", "waiting", "error"]
    grade: float
    input: dict[str, Any] = Field(description="The submitted input; files as {filename, value (base64)}.")
    result: str | None = Field(
        None, description="Only when done: success, failed, timeout, overflow, crash, killed or error."
    )
    feedback: str | None = Field(None, description="Only when done: global feedback (HTML).")
    problems_feedback: dict[str, str] | None = Field(None, description="Only when done: problem id → HTML.")


class RegistrationStatus(BaseModel):
    status: Literal["success"]
    is_registered: bool = Field(description="Whether the user is now registered to the course.")


class SubmissionCreated(BaseModel):
    submissionid: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Missing or malformed input.",
        401: "Not authenticated (session cookie, HTTP Basic or bearer token).",
        403: "Not allowed.",
        404: "No such course, task or submission.",
        429: "Too many failed attempts: wait the `Retry-After` seconds.",
        500: "No grader available.",
    }
    return {code: {"model": Error, "description": descriptions[code]} for code in codes}


YAML_CONTENT = {"application/yaml": {"schema": {"description": "The same document in YAML."}}}


def ok(model: Any) -> dict[int | str, dict[str, Any]]:
    """The 200 answer of an operation: ``model`` in JSON, the same in YAML."""
    return {200: {"model": model, "content": YAML_CONTENT}}
