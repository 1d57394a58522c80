"""Initial schema: accounts, courses, lists, tasks, problems, submissions, exams, competitions.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 14:26:21.665447
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_blobs")),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_ip_created_at", ["ip", "created_at"], unique=False)
        batch_op.create_index(
            "ix_login_attempts_username_created_at", ["username", "created_at"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "admin", "instructor", "student", name="user_role", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=150), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("annotation", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column(
            "registration",
            sa.Enum(
                "open", "closed", "password", name="registration", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("registration_password_hash", sa.String(length=255), nullable=True),
        sa.Column("allow_unregister", sa.Boolean(), nullable=False),
        sa.Column("accessible", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_courses_owner_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_courses_owner_id_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_courses_slug")),
    )
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_courses_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("annotation", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_lists_owner_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_lists_owner_id_name")),
    )
    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lists_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "problems",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("package_id", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("source_path", sa.String(length=1000), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_problems_owner_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
    )
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problems_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "competitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("annotation", sa.Text(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("problem_id", sa.String(length=20), nullable=True),
        sa.Column("problem_language", sa.String(length=10), nullable=True),
        sa.Column("expected_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "started",
                "finished",
                name="competition_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_competitions_course_id_courses"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_competitions_owner_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_competitions_problem_id_problems"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competitions")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_competitions_owner_id_name")),
    )
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competitions_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_competitions_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_competitions_problem_id"), ["problem_id"], unique=False)

    op.create_table(
        "course_lists",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_lists_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["list_id"], ["lists.id"], name=op.f("fk_course_lists_list_id_lists"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("course_id", "position", name=op.f("pk_course_lists")),
        sa.UniqueConstraint("course_id", "list_id", name=op.f("uq_course_lists_course_id_list_id")),
    )
    with op.batch_alter_table("course_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_lists_list_id"), ["list_id"], unique=False)

    op.create_table(
        "course_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "student", "tutor", "admin", name="member_role", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_members_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_course_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_members")),
        sa.UniqueConstraint("course_id", "email", name=op.f("uq_course_members_course_id_email")),
        sa.UniqueConstraint("course_id", "user_id", name=op.f("uq_course_members_course_id_user_id")),
    )
    with op.batch_alter_table("course_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_members_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "exams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("running_time", sa.Integer(), nullable=False),
        sa.Column(
            "protection",
            sa.Enum(
                "open", "samecode", "random", name="protection", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("password", sa.String(length=100), nullable=True),
        sa.Column("compilers", sa.JSON(), nullable=False),
        sa.Column("contest", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_exams_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_exams_owner_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exams")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_exams_owner_id_name")),
    )
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exams_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exams_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "list_items",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "problem",
                "header",
                "ignored",
                name="list_item_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["lists.id"], name=op.f("fk_list_items_list_id_lists"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("list_id", "position", name=op.f("pk_list_items")),
    )
    op.create_table(
        "problem_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.String(length=20), nullable=False),
        sa.Column("blob_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_hash"],
            ["blobs.hash"],
            name=op.f("fk_problem_versions_blob_hash_blobs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_problem_versions_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_versions")),
    )
    with op.batch_alter_table("problem_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_versions_blob_hash"), ["blob_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_versions_problem_id"), ["problem_id"], unique=False)
    # problems and problem_versions reference each other: add this key once both exist (batch
    # mode, because SQLite can only add a constraint by rebuilding the table).
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_problems_current_version_id_problem_versions"),
            "problem_versions",
            ["current_version_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=150), nullable=False),
        sa.Column("problem_id", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("contact_url", sa.String(length=500), nullable=False),
        sa.Column("accessibility", sa.JSON(), nullable=False),
        sa.Column("submission_limit", sa.JSON(), nullable=False),
        sa.Column(
            "evaluate",
            sa.Enum("best", "last", name="evaluate", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("limits", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_tasks_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"], ["problems.id"], name=op.f("fk_tasks_problem_id_problems"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("course_id", "slug", name=op.f("uq_tasks_course_id_slug")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_problem_id"), ["problem_id"], unique=False)

    op.create_table(
        "exam_problems",
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.String(length=20), nullable=False),
        sa.Column("caption", sa.String(length=100), nullable=False),
        sa.Column("icon", sa.String(length=200), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["exams.id"], name=op.f("fk_exam_problems_exam_id_exams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_exam_problems_problem_id_problems"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("exam_id", "position", name=op.f("pk_exam_problems")),
    )
    with op.batch_alter_table("exam_problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exam_problems_problem_id"), ["problem_id"], unique=False)

    op.create_table(
        "exam_students",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("invited", sa.Boolean(), nullable=False),
        sa.Column("password", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["exams.id"], name=op.f("fk_exam_students_exam_id_exams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_exam_students_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_students")),
        sa.UniqueConstraint("exam_id", "email", name=op.f("uq_exam_students_exam_id_email")),
    )
    with op.batch_alter_table("exam_students", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exam_students_user_id"), ["user_id"], unique=False)

    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.String(length=20), nullable=True),
        sa.Column("problem_version_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("exam_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=50), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("source_blob_hash", sa.String(length=64), nullable=True),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "grading",
                "done",
                "error",
                name="submission_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("grade", sa.Double(), nullable=True),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("problems_feedback", sa.JSON(), nullable=False),
        sa.Column("compiler_output", sa.Text(), nullable=False),
        sa.Column("error_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("grading_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_submissions_course_id_courses"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["exam_id"], ["exams.id"], name=op.f("fk_submissions_exam_id_exams"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_submissions_problem_id_problems"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["problem_version_id"],
            ["problem_versions.id"],
            name=op.f("fk_submissions_problem_version_id_problem_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_blob_hash"],
            ["blobs.hash"],
            name=op.f("fk_submissions_source_blob_hash_blobs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_submissions_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_submissions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submissions_exam_id"), ["exam_id"], unique=False)
        batch_op.create_index("ix_submissions_lease_expires_at", ["lease_expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_submissions_problem_version_id"), ["problem_version_id"], unique=False
        )
        batch_op.create_index("ix_submissions_status_priority_id", ["status", "priority", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submissions_task_id"), ["task_id"], unique=False)
        batch_op.create_index("ix_submissions_user_id_problem_id", ["user_id", "problem_id"], unique=False)
        batch_op.create_index("ix_submissions_user_id_task_id", ["user_id", "task_id"], unique=False)

    op.create_table(
        "submission_tests",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("test_name", sa.String(length=300), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("time", sa.Double(), nullable=True),
        sa.Column("memory", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_tests_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", "position", name=op.f("pk_submission_tests")),
    )


def downgrade() -> None:
    op.drop_table("submission_tests")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_problems_current_version_id_problem_versions"), type_="foreignkey"
        )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_user_id_task_id")
        batch_op.drop_index("ix_submissions_user_id_problem_id")
        batch_op.drop_index(batch_op.f("ix_submissions_task_id"))
        batch_op.drop_index("ix_submissions_status_priority_id")
        batch_op.drop_index(batch_op.f("ix_submissions_problem_version_id"))
        batch_op.drop_index("ix_submissions_lease_expires_at")
        batch_op.drop_index(batch_op.f("ix_submissions_exam_id"))
        batch_op.drop_index(batch_op.f("ix_submissions_course_id"))

    op.drop_table("submissions")
    with op.batch_alter_table("exam_students", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exam_students_user_id"))

    op.drop_table("exam_students")
    with op.batch_alter_table("exam_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exam_problems_problem_id"))

    op.drop_table("exam_problems")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_problem_id"))

    op.drop_table("tasks")
    with op.batch_alter_table("problem_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_versions_problem_id"))
        batch_op.drop_index(batch_op.f("ix_problem_versions_blob_hash"))

    op.drop_table("problem_versions")
    op.drop_table("list_items")
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exams_owner_id"))
        batch_op.drop_index(batch_op.f("ix_exams_course_id"))

    op.drop_table("exams")
    with op.batch_alter_table("course_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_course_members_email"))

    op.drop_table("course_members")
    with op.batch_alter_table("course_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_lists_list_id"))

    op.drop_table("course_lists")
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competitions_problem_id"))
        batch_op.drop_index(batch_op.f("ix_competitions_owner_id"))
        batch_op.drop_index(batch_op.f("ix_competitions_course_id"))

    op.drop_table("competitions")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problems_owner_id"))

    op.drop_table("problems")
    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lists_owner_id"))

    op.drop_table("lists")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courses_owner_id"))

    op.drop_table("courses")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_username_created_at")
        batch_op.drop_index("ix_login_attempts_ip_created_at")

    op.drop_table("login_attempts")
    op.drop_table("blobs")
