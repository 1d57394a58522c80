"""A course's statistics, drawn as SVG on the server: no chart library, no script, nothing for the
Content-Security-Policy to allow (colours are SVG presentation attributes, not styles).

Counted as :func:`verdict.courses.service.course_progress` counts: the submissions made in the
course, by the students who accepted the enrolment, to the problems of its lists.

Each chart is a ``<svg role="img">`` with a ``<title>``, and every bar a ``<title>`` of its own
(read by screen readers, shown as a tooltip); the page puts the numbers in a table too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from verdict.accounts.models import User
from verdict.courses.models import Course, MemberRole
from verdict.courses.sync import course_problem_refs
from verdict.problems.store import parse_problem_ref
from verdict.submissions.models import Submission, SubmissionStatus

VERDICT_COLOURS = {
    "AC": "#1a7f37",
    "WA": "#cf222e",
    "PE": "#bf8700",
    "TLE": "#8250df",
    "MLE": "#0969da",
    "RE": "#953800",
    "CE": "#57606a",
    "SC": "#4d8c2a",
}
OTHER_COLOUR = "#8c959f"
BAR = "#0969da"
WIDTH = 640
ROW = 22
LABEL = 130
MAX_DAYS = 120  # submissions over time: the last days shown


@dataclass
class CourseStats:
    problems: list[str]
    students: list[str]  # usernames
    solve_rate: dict[str, float] = field(default_factory=dict)  # problem -> fraction of students
    verdicts: dict[str, Counter[str]] = field(default_factory=dict)  # problem -> verdict -> count
    per_day: dict[date, int] = field(default_factory=dict)
    solved: dict[str, int] = field(default_factory=dict)  # student -> problems solved


def course_stats(session: Session, course: Course) -> CourseStats:
    problems = list(dict.fromkeys(parse_problem_ref(ref)[0] for ref in course_problem_refs(session, course)))
    members = [m for m in course.members if m.role == MemberRole.STUDENT and m.user_id and m.accepted]
    names = (
        dict(
            session.execute(
                sa.select(User.id, User.username).where(User.id.in_([m.user_id for m in members]))
            ).all()
        )
        if members
        else {}
    )
    stats = CourseStats(problems, [str(names[m.user_id]) for m in members if m.user_id in names])
    rows = (
        session.execute(
            sa.select(
                Submission.user_id,
                Submission.problem_id,
                Submission.verdict,
                Submission.status,
                Submission.created_at,
            ).where(Submission.course_id == course.id, Submission.user_id.in_(list(names)))
        ).all()
        if names
        else []
    )
    solvers: dict[str, set[int]] = defaultdict(set)
    verdicts: dict[str, Counter[str]] = {p: Counter() for p in problems}
    per_day: Counter[date] = Counter()
    for user_id, problem_id, verdict, status, created_at in rows:
        per_day[created_at.date()] += 1
        if problem_id not in verdicts or status != SubmissionStatus.DONE:
            continue
        verdicts[problem_id][str(verdict or "?")] += 1
        if verdict == "AC":
            solvers[problem_id].add(user_id)
    count = len(names) or 1
    stats.solve_rate = {p: len(solvers[p]) / count for p in problems}
    stats.verdicts = verdicts
    stats.per_day = dict(sorted(per_day.items())[-MAX_DAYS:])
    stats.solved = {str(names[uid]): sum(1 for p in problems if uid in solvers[p]) for uid in names}
    return stats


# --------------------------------------------------------------------------- drawing


def _text(x: float, y: float, content: object, anchor: str = "start") -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="12" fill="currentColor">'
        f"{escape(str(content))}</text>"
    )


def _svg(title: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def hbars(title: str, values: dict[str, float], maximum: float, unit: str = "") -> Markup:
    """One horizontal bar per label, from 0 to ``maximum``."""
    body = []
    span = WIDTH - LABEL - 60
    for index, (label, value) in enumerate(values.items()):
        y = index * ROW + 4
        width = 0 if maximum <= 0 else round(span * value / maximum, 1)
        shown = f"{value:.0f}{unit}" if unit else f"{value:g}"
        body.append(
            f"<g><title>{escape(label)}: {escape(shown)}</title>"
            + _text(LABEL - 6, y + 14, label[:18], "end")
            + f'<rect x="{LABEL}" y="{y}" width="{width}" height="{ROW - 6}" fill="{BAR}"/>'
            + _text(LABEL + width + 4, y + 14, shown)
            + "</g>"
        )
    return _svg(title, max(1, len(values)) * ROW + 8, body)


def stacked(title: str, counts: dict[str, Counter[str]]) -> Markup:
    """One bar per problem, split by verdict, with a legend below."""
    body = []
    span = WIDTH - LABEL - 60
    biggest = max((sum(c.values()) for c in counts.values()), default=0) or 1
    for index, (label, counter) in enumerate(counts.items()):
        y = index * ROW + 4
        body.append(_text(LABEL - 6, y + 14, label[:18], "end"))
        x = float(LABEL)
        for verdict, number in sorted(counter.items()):
            width = round(span * number / biggest, 1)
            colour = VERDICT_COLOURS.get(verdict, OTHER_COLOUR)
            body.append(
                f'<rect x="{x}" y="{y}" width="{width}" height="{ROW - 6}" fill="{colour}">'
                f"<title>{escape(label)}: {escape(verdict)} {number}</title></rect>"
            )
            x += width
        body.append(_text(x + 4, y + 14, sum(counter.values())))
    legend_y = max(1, len(counts)) * ROW + 12
    seen = sorted({v for c in counts.values() for v in c})
    for index, verdict in enumerate(seen):
        x = LABEL + index * 60
        colour = VERDICT_COLOURS.get(verdict, OTHER_COLOUR)
        body.append(
            f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{colour}"/>'
            + _text(x + 16, legend_y + 11, verdict)
        )
    return _svg(title, legend_y + 20, body)


def columns(title: str, per_day: dict[date, int]) -> Markup:
    """Submissions per day: one column a day, dates at both ends."""
    height, base = 180, 150
    body = []
    days = list(per_day.items())
    biggest = max(per_day.values(), default=0) or 1
    step = (WIDTH - 40) / max(1, len(days))
    width = max(1.0, round(step * 0.8, 1))
    for index, (day, number) in enumerate(days):
        h = round((base - 10) * number / biggest, 1)
        x = round(30 + index * step, 1)
        body.append(
            f'<rect x="{x}" y="{base - h}" width="{width}" height="{h}" fill="{BAR}">'
            f"<title>{day.isoformat()}: {number}</title></rect>"
        )
    if days:
        body.append(
            f'<text x="30" y="{base + 16}" font-size="12" fill="currentColor">{days[0][0].isoformat()}</text>'
        )
        body.append(
            f'<text x="{WIDTH - 10}" y="{base + 16}" text-anchor="end" font-size="12" fill="currentColor">'
            f"{days[-1][0].isoformat()}</text>"
        )
        body.append(f'<text x="2" y="14" font-size="12" fill="currentColor">{biggest}</text>')
    body.append(f'<line x1="28" y1="{base}" x2="{WIDTH - 8}" y2="{base}" stroke="currentColor"/>')
    return _svg(title, height, body)
