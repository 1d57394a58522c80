"""`verdict demo`: a demo instructor, students, a course, a list and problems in several languages.

Idempotent: running it again leaves the same demo (passwords reset, problems re-imported in
place). Packages live beside this file so the demo works from an installed package.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
PASSWORD = "verdict-demo"
USERS = [
    ("teacher", "teacher@demo.verdict", "Demo Teacher", "instructor"),
    ("alice", "alice@demo.verdict", "Alice Student", "student"),
    ("bob", "bob@demo.verdict", "Bob Student", "student"),
    ("admin", "admin@demo.verdict", "Demo Admin", "admin"),
]

console = Console()


def load_demo(platform: object) -> list[str]:
    """Creates or refreshes the demo data; returns the problem ids."""
    from verdict.accounts.models import User
    from verdict.accounts.service import create_user, get_user, set_password
    from verdict.courses import service as courses
    from verdict.courses.inginious_import import import_inginious_course
    from verdict.courses.models import ListItemKind
    from verdict.problems.store import import_package

    settings = platform.settings  # type: ignore[attr-defined]
    with platform.session_scope() as session:  # type: ignore[attr-defined]
        users: dict[str, User] = {}
        for username, email, name, role in USERS:
            user = get_user(session, username)
            if user is None:
                user = create_user(session, username, email, PASSWORD, role=role, full_name=name)
            else:
                set_password(session, user, PASSWORD)
            users[username] = user
        teacher = users["teacher"]
        problem_ids = [
            import_package(session, path, settings=settings, owner=teacher).problem.id
            for path in sorted((HERE / "packages").iterdir())
        ]
        courses.put_list(
            session,
            teacher,
            courses.ListSpec(
                name="demo",
                title="Demo list",
                description="A+B in any language, then more.",
                public=True,
                items=[
                    courses.Item(ListItemKind.HEADER, "Warm-up"),
                    *(courses.Item(ListItemKind.PROBLEM, pid) for pid in problem_ids),
                ],
            ),
        )
        courses.put_course(
            session,
            teacher,
            courses.CourseSpec(
                name="demo",
                title="Demo course",
                description="Try Verdict: submit in C, C++, Python, Java...",
                public=True,
                lists=["demo"],
                students=["alice@demo.verdict", "bob@demo.verdict"],
            ),
        )
        import_inginious_course(
            session, HERE / "inginious-course", settings=settings, owner=teacher, course_id="inginious-demo"
        )
    return problem_ids


def demo_command() -> None:
    """Load the demo data (idempotent) and print the logins."""
    from verdict.platform import bootstrap
    from verdict.settings import Settings

    platform = bootstrap(Settings(), migrate=True)
    try:
        problems = load_demo(platform)
    finally:
        platform.close()
    table = Table(title="Demo logins (password for all: " + PASSWORD + ")")
    for column in ("username", "email", "role"):
        table.add_column(column)
    for username, email, _, role in USERS:
        table.add_row(username, email, role)
    console.print(table)
    console.print(
        f"problems: {', '.join(problems)}; courses: teacher:demo (Jutge), inginious-demo (INGInious)"
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
