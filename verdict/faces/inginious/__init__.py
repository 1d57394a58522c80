"""The INGInious face: the INGInious REST API v0 at ``/api/v0/...`` over Verdict's courses,
tasks and submissions. Routes in :mod:`.routes_auth`, :mod:`.routes_courses` and
:mod:`.routes_submissions`; request bodies decoded in :mod:`.forms`; courses and tasks found (with
INGInious's 404/403) in :mod:`.lookup`; registering to a course in :mod:`.routes_registration`
(not in the reference: INGInious registers on a web page); shapes in :mod:`.views`; JSON/YAML in
:mod:`.negotiation`. A course id naming an exam (``Exam.slug``) is handed by those routes to
:mod:`.exam_courses`: the exam as a course for its students (exam mode).
The rules live in :mod:`verdict.courses` (access, windows, task view, submission rules, grades,
quiz grading), the unit of work of a submission in :mod:`verdict.submissions.service`, and the
course import in :mod:`verdict.courses.inginious_import`.

:func:`install` mounts the routes and renders the errors under ``/api/v0``.

Where the reference (``inginious-rest-api-v0.txt``) text and its examples disagree, the examples win:

* ``GET .../submissions/{id}`` answers a *list* with one submission (the text says "this dict").
* A task's ``problems`` is a dict keyed by problem id (real INGInious sends a list); courses and
  tasks are dicts keyed by id (real INGInious sends lists with an ``id`` field).
* ``problems_feedback`` maps problem id → HTML string (real INGInious sends ``[result, html]``;
  that pair is what Verdict stores).
* ``grade`` is in every submission (0.0 until graded); ``result``, ``feedback`` and
  ``problems_feedback`` only when ``done``.
* The tasks example says ``"status": "success"`` but its own comment (and the issue) list
  ``succeeded``, ``failed``, ``notattempted``: those are used. Its ``name`` comment ("the name of
  the course") is read as the task's name.

Where the reference is silent:

* The course id is ``Course.slug`` (globally unique): the directory name for imported INGInious
  courses; ``<owner>-<name>`` (numbered on collision) for courses made through the Jutge face.
* Listed courses: where the user is registered or staff, plus those open to registration (open or
  with a password); a course not accessible now is hidden from students. A course the user may not
  see is 404; the tasks and submissions of a course one is not registered to are 403 (as INGInious).
* A task not yet open, or ``accessible: false``, is 404 for students; a task past its deadline stays
  visible (closed). ``deadline`` is the soft deadline if any, else the end, as
  ``YYYY-MM-DD HH:MM:SS`` UTC, or "". ``submitted_on`` has the same format.
* Submission status: ``waiting`` while queued or being graded, ``done`` once graded (whatever the
  result, so a student sees a ``timeout`` of their program), ``error`` when Verdict could not grade.
* Only the connected user's own submissions are listed; anybody else's (staff included) is 404.
* POST checks in INGInious's order: 404 course, 403 not registered, 404 task, 403 not allowed
  (closed, limit reached, a submission still waiting), 400 input, 500 no grader (a program part
  without test cases, or a queue that cannot be woken — the submission is then kept waiting).
* Multiple-choice ``success_message``/``error_message`` are feedback, not shown with the task.
* Form fields beside the problem ids: ``<pid>/language`` chooses the language of a program part
  whose ``language`` is not a judge language; other fields are ignored. A JSON object body is
  accepted too (lists for several values, files as ``{filename, value (base64)}``).
* ``auth_methods`` has one method, ``db``; ``POST /authentication`` ignores an
  ``auth_method_id`` field. Failed and rate-limited logins are both 403 ``{"status": "error"}``.
* Errors are ``{"error": message}`` in the negotiated format; YAML is
  ``application/yaml`` (or the YAML type the client named) when preferred by ``Accept``.
"""

from __future__ import annotations

from fastapi import FastAPI

from verdict.faces.inginious import routes_auth, routes_courses, routes_registration, routes_submissions
from verdict.faces.inginious.forms import submission_body_cap
from verdict.faces.inginious.negotiation import render_error
from verdict.faces.inginious.schemas import PREFIX
from verdict.web.deps import body_limits, error_routes

# The reference's endpoints first, then registration (not in it). Last also for the fuzz test
# (tests/security), whose student would otherwise unregister before its submissions are fuzzed.
ROUTERS = (routes_auth.router, routes_courses.router, routes_submissions.router, routes_registration.router)


def install(app: FastAPI) -> None:
    """Mount the routes; errors under ``/api/v0`` (404 and 405 of unknown addresses included)
    are rendered by the face."""
    for router in ROUTERS:
        app.include_router(router)
    error_routes(app).render_under(PREFIX, render_error)
    # Bodies: an anonymous login is a few kB; a submission carries files (base64 in JSON).
    limits = body_limits(app)
    limits.cap("POST", PREFIX + "/authentication", lambda settings: settings.max_login_bytes)
    limits.cap("POST", PREFIX + "/courses/{courseid}/register", lambda settings: settings.max_login_bytes)
    limits.cap("POST", PREFIX + "/courses/{courseid}/tasks/{taskid}/submissions", submission_body_cap)
