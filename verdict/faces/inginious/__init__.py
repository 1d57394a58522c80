"""The INGInious face: the INGInious REST API v0 at ``/api/v0/...`` over Verdict's courses,
tasks and submissions (see ``docs`` in :mod:`verdict.faces.inginious.routes` and the task service
:mod:`verdict.courses.tasks`).

:func:`install` mounts it on the application and registers the task grader with the platform.
"""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    from verdict.courses.tasks import register_grader
    from verdict.faces.inginious.routes import router

    app.include_router(router)
    register_grader(app.state.platform)
