"""``/services/exams/owner:name/ranking``: an exam's results and contest ranking, its CSV export,
and the freeze (computed by :mod:`verdict.exams.results`; who sees what: :mod:`verdict.exams.ranking`).

The reference documents no ranking address; these follow its conventions (YAML, or JSON with
``?format=json``; flags as 0/1; ``PUT .../actions/...`` for actions). A ranking document::

    exam: Instructor:final         # owner:name
    title: Final exam
    contest: 1
    start: 2026-06-22 12:00        # the expected start
    started_at: 2026-06-22 12:03   # the real start: every time is in minutes from it (null before)
    running_time: 120
    freeze_minutes: 30             # the students' view hides the last 30 minutes ...
    unfrozen_at: null              # ... until staff unfreeze
    frozen: 1                      # this view (or, for staff, the students' one) hides them now
    view: staff                    # staff: everything; students: the freeze applies
    problems:
    - {problem: P15243, caption: P1, icon: balloons/Pink, weight: 2.0}
    rows:                          # best first; invited students in their place, rank null
    - rank: 1
      username: alice
      email: alice@example.org     # staff only (null for students)
      name: Alice
      invited: 0
      solved: 2                    # contest: problems solved and penalty;
      penalty: 97                  #   other exams: points instead
      time: 51                     # last AC (contest) or last improvement (minutes), or null
      problems:
      - {caption: P1, problem: P15243, attempts: 2, time: 31, solved: 1, pending: 0}

Other exams give, per problem, ``points`` and ``verdict`` (of the best submission) instead of
``solved``. Students see a contest's whole scoreboard, but of other exams only their own row.

``GET .../ranking.csv`` (staff): one row per student, a column group per problem.

``PUT .../actions/freeze`` with the document ``minutes: 30`` hides the last 30 minutes from the
students (``minutes: 0`` removes the freeze); ``PUT .../actions/unfreeze`` (no document) shows them
everything. Both are for staff and answer the exam's freeze state.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from verdict.accounts.models import User
from verdict.courses.names import parse_ident
from verdict.exams import access, ranking
from verdict.exams.models import Exam
from verdict.exams.results import ProblemResult, Results, StudentResult, View, exam_results, is_frozen
from verdict.faces.jutge.common import Document, InputDocument, ServicesUser, start_writing
from verdict.faces.jutge.errors import render
from verdict.web.deps import DbSession, Now
from verdict.web.openapi import request_body

router = APIRouter(tags=["jutge: exams"])

FREEZE_BODY = request_body(
    {"application/yaml": {"type": "object", "properties": {"minutes": {"type": "integer"}}}},
    description="`minutes: N`: hide the last N minutes of the exam from the students' ranking.",
)
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _exam(session: Session, ident: str, user: User) -> tuple[str, Exam]:
    owner, name = parse_ident(ident, user)
    return f"{owner}:{name}", access.find_exam(session, owner, name)


def _when(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else None


# --------------------------------------------------------------------------- documents


def problem_cell(result: ProblemResult, contest: bool) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "caption": result.caption,
        "problem": result.problem_id,
        "attempts": result.attempts,
        "time": result.time,
    }
    if contest:
        cell["solved"] = int(result.solved)
    else:
        cell["points"] = result.points
        cell["verdict"] = result.verdict.value if result.verdict else None
    cell["pending"] = result.pending
    return cell


def row_document(row: StudentResult, contest: bool, staff: bool) -> dict[str, Any]:
    student = row.student
    document: dict[str, Any] = {
        "rank": row.rank,
        "username": student.username or None,
        "email": student.email if staff else None,
        "name": student.name,
        "invited": int(student.invited),
    }
    if contest:
        document["solved"] = row.solved
        document["penalty"] = row.penalty
    else:
        document["points"] = row.points
    document["time"] = row.last_time(contest)
    document["problems"] = [problem_cell(p, contest) for p in row.problems]
    return document


def freeze_state(ident: str, exam: Exam, now: datetime) -> dict[str, Any]:
    return {
        "exam": ident,
        "freeze_minutes": exam.freeze_minutes,
        "unfrozen_at": _when(exam.unfrozen_at),
        "frozen": int(is_frozen(exam, now)),
    }


def ranking_document(ident: str, results: Results) -> dict[str, Any]:
    exam = results.exam
    staff = results.view == View.STAFF
    return {
        "exam": ident,
        "title": exam.title,
        "contest": int(results.contest),
        "start": exam.start.strftime("%Y-%m-%d %H:%M"),
        "started_at": _when(exam.started_at),
        "running_time": exam.running_time,
        "freeze_minutes": exam.freeze_minutes,
        "unfrozen_at": _when(exam.unfrozen_at),
        "frozen": int(results.frozen),
        "view": results.view.value,
        "problems": [
            {"problem": p.problem_id, "caption": p.caption, "icon": p.icon, "weight": float(p.weight)}
            for p in exam.problems
        ],
        "rows": [row_document(row, results.contest, staff) for row in results.rows],
    }


def _cell(value: object) -> object:
    """A CSV cell; text a spreadsheet would run as a formula is quoted with a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def ranking_csv(results: Results) -> str:
    contest = results.contest
    totals = ["rank", "username", "email", "name", "invited"]
    totals += ["solved", "penalty", "time"] if contest else ["points", "time"]
    header = list(totals)
    fields = ("attempts", "time", "solved") if contest else ("points", "verdict", "attempts", "time")
    for problem in results.exam.problems:
        caption = problem.caption or problem.problem_id
        header += [f"{caption} {name}" for name in fields]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in results.rows:
        document = row_document(row, contest, staff=True)
        line = [document[key] for key in totals]
        for cell in document["problems"]:
            line += [cell[name] for name in fields]
        writer.writerow([_cell(value) for value in line])
    return out.getvalue()


# --------------------------------------------------------------------------- routes


@router.get("/exams/{ident}/ranking", summary="An exam's results and ranking (owner:name)")
def get_ranking(request: Request, ident: str, user: ServicesUser, session: DbSession, now: Now) -> Response:
    name, exam = _exam(session, ident, user)
    results = ranking.ranking_for(session, exam, user, now)
    return render(request, ranking_document(name, results))


@router.get("/exams/{ident}/ranking.csv", summary="An exam's results as CSV (staff)")
def get_ranking_csv(ident: str, user: ServicesUser, session: DbSession, now: Now) -> Response:
    name, exam = _exam(session, ident, user)
    access.check_exam_staff(session, exam, user, "export the results")
    results = exam_results(session, exam, view=View.STAFF, now=now)
    filename = name.replace(":", "_") + "_ranking.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(ranking_csv(results), 200, headers, media_type=CSV_MEDIA_TYPE)


@router.put(
    "/exams/{ident}/actions/freeze", summary="Freeze the students' ranking", openapi_extra=FREEZE_BODY
)
def put_freeze(
    request: Request, ident: str, user: ServicesUser, doc: InputDocument, session: DbSession, now: Now
) -> Response:
    minutes = Document(doc).raw("minutes")
    start_writing(session)
    name, exam = _exam(session, ident, user)
    ranking.freeze(session, exam, user, minutes)
    answer = freeze_state(name, exam, now)
    session.commit()
    return render(request, answer)


@router.put("/exams/{ident}/actions/unfreeze", summary="Show students the whole ranking")
def put_unfreeze(request: Request, ident: str, user: ServicesUser, session: DbSession, now: Now) -> Response:
    start_writing(session)
    name, exam = _exam(session, ident, user)
    ranking.unfreeze(session, exam, user, now)
    answer = freeze_state(name, exam, now)
    session.commit()
    return render(request, answer)
