"""The data of `verdict demo` (verdict.cli.demo): a demo instructor, students, a course, a list
and problems in several languages.

Idempotent: running it again leaves the same demo (passwords reset, problems re-imported in
place). Packages live beside this file so the demo works from an installed package.
"""

from __future__ import annotations

from pathlib import Path

from verdict.accounts.models import User
from verdict.accounts.service import create_user, get_user, set_password
from verdict.courses import lists
from verdict.courses import service as courses
from verdict.courses.inginious_import import import_inginious_course
from verdict.courses.models import ListItemKind
from verdict.platform import Platform
from verdict.problems.store import import_package

HERE = Path(__file__).resolve().parent
PASSWORD = "verdict-demo"
# The game packages (handler: game) among them: imported as the others are, a submission is a
# player (verdict.judge.games); their Runner/ is also built bare by tests/judge/test_demo_game.py.
GAME_PACKAGES = frozenset({"orchard.pbm"})
USERS = [
    ("teacher", "teacher@demo.verdict", "Demo Teacher", "instructor"),
    ("alice", "alice@demo.verdict", "Alice Student", "student"),
    ("bob", "bob@demo.verdict", "Bob Student", "student"),
    ("admin", "admin@demo.verdict", "Demo Admin", "admin"),
]


def load_demo(platform: Platform) -> list[str]:
    """Creates or refreshes the demo data; returns the problem ids."""
    settings = platform.settings
    with platform.session_scope() as session:
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
        lists.put_list(
            session,
            teacher,
            lists.ListSpec(
                name="demo",
                title="Demo list",
                description="A+B in any language, then more.",
                public=True,
                items=[
                    lists.Item(ListItemKind.HEADER, "Warm-up"),
                    *(lists.Item(ListItemKind.PROBLEM, pid) for pid in problem_ids),
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
